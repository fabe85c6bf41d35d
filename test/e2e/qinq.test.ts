/**
 * The live capture's filter against tagged adverts, per tag layout, in a namespace lab: host c sends raw
 * VRRPv2 adverts with one 802.1Q tag, two 802.1Q tags and an 802.1ad (0x88a8) outer tag
 * (test/helpers/raw-frames.ts); vrrpwatch `serve -i eth0` on w must hear each group, as replay does.
 * Before, libpcap's `vlan` keyword moved the offsets for the rest of the filter, so the two-tag clause
 * expected three tags and live never saw a QinQ group. Needs root.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADDRESS, valueOf, waitFor } from '../../lab/lab.js';
import type { Lab, Sample } from '../../lab/lab.js';
import { sendFrames, vrrpV2Frame } from '../helpers/raw-frames.js';
import { useLab } from '../helpers/lab.js';

let lab: Lab;

function m(): Sample[] | undefined {
  return lab.metrics('w');
}

const LAYOUTS = [
  { what: 'one 802.1Q tag', vlans: [100], outerType: 0x8100, vrid: 61, label: 'eth0.100' },
  { what: 'two 802.1Q tags', vlans: [300, 100], outerType: 0x8100, vrid: 62, label: 'eth0.300.100' },
  { what: 'an 802.1ad outer tag', vlans: [400, 100], outerType: 0x88a8, vrid: 63, label: 'eth0.400.100' },
];

describe('QinQ live as in replay (raw tagged adverts, the live filter)', () => {
  lab = useLab(['c', 'w']);

  it('hears a group behind one tag, two tags and an 802.1ad outer tag', async () => {
    lab.serve('w', ['-i', 'eth0', '--no-vip-probe']);
    await waitFor('the exporter', () => m() !== undefined, 30_000);
    const frames = LAYOUTS.map((l) => vrrpV2Frame({ srcMac: '02:00:00:00:0c:01', src: ADDRESS.c.v4, vrid: l.vrid, addresses: ['192.0.2.100'], vlans: l.vlans, outerType: l.outerType }));
    sendFrames(lab, 'c', 'tagged', 'eth0', frames, 1, 60);
    for (const l of LAYOUTS) {
      await waitFor(`the group behind ${l.what}`, () => (valueOf(m(), 'vrrpwatch_adverts_total', { interface: l.label, family: 'ipv4', vrid: String(l.vrid), router: ADDRESS.c.v4 }) ?? 0) >= 2, 30_000);
    }
    const labels = new Set((m() ?? []).filter((s) => s.name === 'vrrpwatch_adverts_total').map((s) => s.labels.interface));
    assert.deepEqual([...labels].sort(), LAYOUTS.map((l) => l.label).sort());
  });
});
