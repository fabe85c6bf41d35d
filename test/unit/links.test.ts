import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseVlanConfig, planCapture, vlanInterface } from '../../src/core/wire/links.js';
import type { Link } from '../../src/core/wire/links.js';
import { interfaceLabel } from '../../src/core/pipeline/interface-label.js';

function link(name: string, extra: Partial<Link> = {}): Link {
  return { name, kind: 'other', master: undefined, lowers: [], vlanId: undefined, ...extra };
}

function plan(links: Link[]): { capture: string[]; skipped: string[] } {
  const p = planCapture(links);
  return { capture: p.capture, skipped: [...p.skipped.keys()].sort() };
}

describe('which interfaces are captured when none are named', () => {
  it('captures plain interfaces each on its own', () => {
    assert.deepEqual(plan([link('eth1'), link('eth0')]), { capture: ['eth0', 'eth1'], skipped: [] });
  });

  it("leaves keepalived's use_vmac interface to its parent, which sees its adverts both ways", () => {
    const p = planCapture([link('eth0'), link('vrrp.51', { lowers: ['eth0'] })]);
    assert.deepEqual(p.capture, ['eth0']);
    assert.equal(p.skipped.get('vrrp.51'), 'stacked on eth0, captured there');
  });

  it('captures a macvlan whose parent is in another namespace (a container)', () => {
    assert.deepEqual(plan([link('mv0', { lowers: ['eth9'] })]), { capture: ['mv0'], skipped: [] });
  });

  it('leaves bridge ports and bond members to the bridge or bond, also a bond in a bridge', () => {
    const links = [
      link('br0', { kind: 'bridge', lowers: ['bond0', 'veth1'] }),
      link('bond0', { kind: 'bond', master: 'br0', lowers: ['eth0', 'eth1'] }),
      link('eth0', { master: 'bond0' }),
      link('eth1', { master: 'bond0' }),
      link('veth1', { master: 'br0' }),
      link('eth2'),
    ];
    const p = planCapture(links);
    assert.deepEqual(p.capture, ['br0', 'eth2']);
    assert.equal(p.skipped.get('eth0'), 'a member of bond bond0, captured there');
    assert.equal(p.skipped.get('bond0'), 'a member of bridge br0, captured there');
    assert.equal(p.skipped.get('veth1'), 'a member of bridge br0, captured there');
  });

  it('leaves VLAN devices to their parent and names tagged packets after them', () => {
    const links = [
      link('bond0', { kind: 'bond', lowers: ['eth0'] }),
      link('eth0', { master: 'bond0' }),
      link('bond0.100', { kind: 'vlan', lowers: ['bond0'], vlanId: 100 }),
      link('mgmt', { kind: 'vlan', lowers: ['bond0'], vlanId: 200 }),
      link('mgmt.7', { kind: 'vlan', lowers: ['mgmt'], vlanId: 7 }),
    ];
    const p = planCapture(links);
    assert.deepEqual(p.capture, ['bond0']);
    assert.deepEqual([...p.vlanNames].sort(), [['bond0.100', 'bond0.100'], ['bond0.200', 'mgmt'], ['mgmt.7', 'mgmt.7']]);
    assert.equal(vlanInterface('bond0', [100], p.vlanNames), 'bond0.100');
    assert.equal(vlanInterface('bond0', [200], p.vlanNames), 'mgmt');
    assert.equal(vlanInterface('bond0', [200, 7], p.vlanNames), 'mgmt.7');
    // A VLAN without a device here (a witness on a trunk) keeps the parent's name and the id.
    assert.equal(vlanInterface('bond0', [300], p.vlanNames), 'bond0.300');
    assert.equal(vlanInterface('bond0', [200, 8], p.vlanNames), 'mgmt.8');
  });

  it("captures a VLAN on a bridge port itself: the bridge never sees the port's own VLANs", () => {
    const links = [link('br0', { kind: 'bridge', lowers: ['eth0'] }), link('eth0', { master: 'br0' }), link('eth0.100', { kind: 'vlan', lowers: ['eth0'], vlanId: 100 })];
    assert.deepEqual(plan(links), { capture: ['br0', 'eth0.100'], skipped: ['eth0'] });
  });

  it('captures the members of a VRF and leaves the VRF device; keeps MACsec, whose parent sees ciphertext', () => {
    const links = [link('vrf-blue', { lowers: ['eth0'] }), link('eth0', { master: 'vrf-blue' }), link('macsec0', { kind: 'macsec', lowers: ['eth0'] })];
    assert.deepEqual(plan(links), { capture: ['eth0', 'macsec0'], skipped: ['vrf-blue'] });
  });

  it('survives a loop in what /sys says (a link changing while it is read)', () => {
    const links = [link('x', { lowers: ['y'] }), link('y', { lowers: ['x'] })];
    const p = plan(links);
    assert.equal(p.capture.length + p.skipped.length, 2);
    assert.ok(p.capture.length >= 1, 'one of them is captured');
  });
});

describe('/proc/net/vlan/config', () => {
  it('gives each VLAN device its id', () => {
    const text = 'VLAN Dev name\t | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\nbond0.100      | 100  | bond0\nmgmt           | 200  | bond0\n';
    assert.deepEqual([...parseVlanConfig(text)], [['bond0.100', 100], ['mgmt', 200]]);
    assert.deepEqual([...parseVlanConfig('')], []);
  });
});

describe('group interface names on a live capture', () => {
  it('follows the VLAN devices of the latest plan', () => {
    const tags = [200];
    assert.equal(interfaceLabel('bond0', tags), 'bond0.200');
    const names = new Map([['bond0.200', 'mgmt']]);
    assert.equal(interfaceLabel('bond0', tags, names), 'mgmt');
    assert.equal(interfaceLabel('bond0', tags, new Map()), 'bond0.200');
  });
});
