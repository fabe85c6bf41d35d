import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceLabel } from '../../src/core/pipeline/interface-label.js';
import { INVALID_LABELS_MAX, liveSettings, Pipeline } from '../../src/core/pipeline/pipeline.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import { arpReplyFrame, vrrpFrame } from '../helpers/fixtures.js';

/** The host the ARP replies go to. */
const HOST = { mac: '02:00:00:00:00:fe', ip: '192.0.2.20' };

describe('the live pipeline (frames to groups)', () => {
  it('names a group by its capture interface and VLAN tags', () => {
    assert.equal(interfaceLabel('eth0', []), 'eth0');
    const tags = [101, 7];
    assert.equal(interfaceLabel('eth0', tags), 'eth0.101.7');
    // The same (remembered) tag list seen on another capture interface gets that interface's name.
    assert.equal(interfaceLabel('eth1', tags), 'eth1.101.7');
    assert.equal(interfaceLabel('eth0', tags), 'eth0.101.7');
  });

  it('puts the same VRID on two VLANs and two interfaces into four groups, through one reused buffer', () => {
    const watcher = new Pipeline(liveSettings({ started: 0, expected: [], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
    const buffer = Buffer.alloc(512);
    let t = 100;
    for (let round = 0; round < 3; round++) {
      for (const iface of ['eth0', 'eth1']) {
        for (const vlan of [101, 102]) {
          const frame = vrrpFrame(51, 11, 150, vlan);
          frame.copy(buffer);
          watcher.onFrame(iface, 1, buffer, frame.length, (t += 0.1));
        }
      }
    }
    assert.deepEqual([...watcher.monitor.groups.keys()].sort(), ['eth0.101|ipv4|51', 'eth0.102|ipv4|51', 'eth1.101|ipv4|51', 'eth1.102|ipv4|51']);
    for (const g of watcher.monitor.groups.values()) assert.equal(g.routers[0]?.adverts, 3, g.id);
    assert.equal(watcher.adverts, 12);
  });

  it('keeps the invalid-packet counts of at most INVALID_LABELS_MAX interface labels: random VLAN tags count on the capture interface past it', () => {
    const watcher = new Pipeline(liveSettings({ started: 0, expected: [], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
    for (let vlan = 1; vlan <= 1000; vlan++) {
      const frame = vrrpFrame(51, 11, 150, vlan);
      // The VRRP checksum (after Ethernet, the tag and the IPv4 header), made wrong.
      const at = 14 + 4 + 20 + 6;
      frame.writeUInt8(frame.readUInt8(at) ^ 0xff, at);
      watcher.onFrame('eth0', 1, frame, frame.length, 100 + vlan / 1000);
    }
    assert.equal(watcher.invalid.size, INVALID_LABELS_MAX + 1);
    let total = 0;
    for (const reasons of watcher.invalid.values()) for (const n of reasons.values()) total += n;
    assert.equal(total, 1000);
    assert.equal(watcher.invalid.get('eth0')?.get('bad_checksum'), 1000 - INVALID_LABELS_MAX);
  });
});

describe('the live pipeline: ARP beside VRRP (who answers for the VIP)', () => {
  const ROUTER_MAC = '02:00:00:00:0b:01';
  const OTHER = '02:00:00:00:0c:01';
  const VIP = '198.51.100.51';
  const links = { details: new Map([['eth0', { mac: '02:00:00:00:00:fe', addresses: [{ address: '198.51.100.20', prefixLength: 24 }] }]]), only: 'eth0' };
  const obs = { localAddresses: new Map<string, string>(), keepalived: new Map(), peerAnswers: undefined };

  it("names the master's MAC from its adverts' Ethernet source, and judges a second MAC answering for its VIP", () => {
    const watcher = new Pipeline(liveSettings({ started: 0, expected: [], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
    const advertFrame = vrrpFrame(51, 11, 150);
    for (let t = 100; t < 106; t += 1) {
      watcher.onFrame('eth0', 1, advertFrame, advertFrame.length, t);
      watcher.view(t, obs, links);
      const reply = arpReplyFrame(ROUTER_MAC, VIP, HOST);
      watcher.onFrame('eth0', 1, reply, reply.length, t + 0.5);
    }
    let view = watcher.view(106, obs, links);
    assert.deepEqual(view.owners.vips.map((v) => [v.interface, v.vip, v.owners.map((o) => [o.mac, o.router]), v.duplicate, v.foreign]), [['eth0', VIP, [[ROUTER_MAC, '192.0.2.11']], false, []]]);
    for (let t = 106; t < 114; t += 1) {
      watcher.onFrame('eth0', 1, advertFrame, advertFrame.length, t);
      for (const mac of [ROUTER_MAC, OTHER]) {
        const reply = arpReplyFrame(mac, VIP, HOST);
        watcher.onFrame('eth0', 1, reply, reply.length, t + 0.5);
      }
    }
    view = watcher.view(114, obs, links);
    const [v] = view.owners.vips;
    assert.ok(v !== undefined);
    assert.equal(v.duplicate, true);
    assert.deepEqual(v.foreign, [OTHER]);
    assert.deepEqual(v.owners.map((o) => [o.mac, o.router]), [[ROUTER_MAC, '192.0.2.11'], [OTHER, undefined]]);
  });

  it("counts this node's own VIP as answered by its MAC", () => {
    const watcher = new Pipeline(liveSettings({ started: 0, expected: [{ vrid: 51, interface: 'eth0', family: 'ipv4', vips: [VIP], advertInterval: 1, instance: undefined, source: 'config' }], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
    const view = watcher.view(100, { ...obs, localAddresses: new Map([[VIP, 'eth0']]) }, links);
    assert.deepEqual(view.owners.vips[0]?.owners.map((o) => [o.mac, o.local]), [['02:00:00:00:00:fe', true]]);
  });
});
