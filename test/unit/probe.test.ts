import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../../src/core/wire/decode.js';
import { decodeNeighbor } from '../../src/core/wire/neighbor.js';
import { arpProbeSender, arpRequestFrame, neighborSolicitationFrame, nsProbeSource, probeOffset, ProbeSchedule } from '../../src/core/ownership/probe.js';
import type { ProbeTarget } from '../../src/core/ownership/probe.js';
import { packetFixture } from '../helpers/fixtures.js';

const KB = '02:00:00:00:0b:01';

describe('probe frames', () => {
  it('an ARP request is byte for byte what the kernel sends', () => {
    const frame = arpRequestFrame(KB, '192.0.2.12', '192.0.2.11');
    assert.deepEqual(frame, packetFixture('arp-request', 'neighbor').bytes);
  });

  it('a Neighbor Solicitation is byte for byte what the kernel sends, checksum included', () => {
    const frame = neighborSolicitationFrame(KB, '2001:db8::12', '2001:db8::11');
    assert.deepEqual(frame, packetFixture('ns-multicast', 'neighbor').bytes);
  });

  it('an RFC 5227 probe from 0.0.0.0 claims no address', () => {
    const frame = arpRequestFrame(KB, '0.0.0.0', '192.0.2.100');
    assert.ok(frame);
    const d = decodeNeighbor(LinkType.ETHERNET, frame);
    assert.ok(d.kind === 'neighbor' && d.message.protocol === 'arp');
    assert.deepEqual([d.message.probe, d.message.senderIp, d.message.targetIp, d.message.senderMac], [true, '0.0.0.0', '192.0.2.100', KB]);
  });

  it('carries 802.1Q tags, outermost first', () => {
    const arp = arpRequestFrame(KB, '192.0.2.12', '192.0.2.100', [300, 100]);
    const ns = neighborSolicitationFrame(KB, 'fe80::ff:fe00:b01', '2001:db8::100', [100]);
    assert.ok(arp && ns);
    const a = decodeNeighbor(LinkType.ETHERNET, arp);
    const n = decodeNeighbor(LinkType.ETHERNET, ns);
    assert.deepEqual(a.kind === 'neighbor' && a.link.vlans, [300, 100]);
    assert.ok(n.kind === 'neighbor' && n.message.protocol === 'ndp');
    assert.deepEqual([n.link.vlans, n.message.src, n.message.dst, n.message.target, n.message.linkAddress], [[100], 'fe80::ff:fe00:b01', 'ff02::1:ff00:100', '2001:db8::100', KB]);
  });

  it('builds nothing from arguments that are no addresses', () => {
    assert.equal(arpRequestFrame('02:00:00:00:0b', '192.0.2.12', '192.0.2.11'), undefined);
    assert.equal(arpRequestFrame(KB, '2001:db8::12', '192.0.2.11'), undefined);
    assert.equal(arpRequestFrame(KB, '192.0.2.12', 'vip'), undefined);
    assert.equal(neighborSolicitationFrame(KB, '192.0.2.12', '2001:db8::11'), undefined);
    assert.equal(neighborSolicitationFrame(KB, 'fe80::1', '192.0.2.11'), undefined);
  });
});

describe('probe senders', () => {
  const addresses = [
    { address: '198.51.100.7', prefixLength: 24 },
    { address: '192.0.2.100', prefixLength: 24 },
    { address: '192.0.2.11', prefixLength: 24 },
    { address: '2001:db8::11', prefixLength: 64 },
    { address: 'fe80::ff:fe00:a01', prefixLength: 64 },
  ];
  const vips = new Set(['192.0.2.100', '192.0.2.101']);

  it('sends ARP from an address on the VIP subnet that is no VIP, else from 0.0.0.0', () => {
    assert.equal(arpProbeSender('192.0.2.101', addresses, vips), '192.0.2.11');
    assert.equal(arpProbeSender('192.0.2.101', addresses.filter((a) => a.address !== '192.0.2.11'), vips), '0.0.0.0', 'the VIP this node holds is never the sender');
    assert.equal(arpProbeSender('203.0.113.5', addresses, vips), '0.0.0.0', 'no address on that subnet');
    assert.equal(arpProbeSender('192.0.2.11', addresses, new Set()), '192.0.2.100', 'never the probed address itself');
    assert.equal(arpProbeSender('198.51.100.200', [{ address: '198.51.100.7', prefixLength: 25 }], vips), '0.0.0.0', 'outside a /25');
  });

  it('sends NS from the link-local address, or not at all', () => {
    assert.equal(nsProbeSource(addresses), 'fe80::ff:fe00:a01');
    assert.equal(nsProbeSource(addresses.slice(0, 4)), undefined);
  });
});

describe('probe rate plan', () => {
  const rate = { interval: 5, window: 1 };
  const targets: ProbeTarget[] = ['192.0.2.100', '192.0.2.101', '2001:db8::100'].map((vip) => ({ interface: 'eth0', vip }));

  it('places each VIP at a fixed offset that leaves the answer window inside the round', () => {
    for (const t of targets) {
      const offset = probeOffset(t, rate);
      assert.ok(offset >= 0 && offset + rate.window < rate.interval, String(offset));
      assert.equal(probeOffset(t, rate), offset);
    }
    assert.notEqual(probeOffset(targets[0] ?? { interface: '', vip: '' }, rate), probeOffset(targets[1] ?? { interface: '', vip: '' }, rate));
    assert.equal(probeOffset(targets[0] ?? { interface: '', vip: '' }, { interval: 1, window: 1 }), 0);
  });

  it('probes each VIP once per round, at its offset, and says when the next one is due', () => {
    const schedule = new ProbeSchedule(rate);
    const sent: string[] = [];
    let wake = 0;
    for (let step = 0; step <= 600; step++) {
      const now = step / 10;
      const { due, next } = schedule.due(targets, now);
      for (const t of due) {
        sent.push(`${Math.floor(now / rate.interval)} ${t.vip}`);
        assert.ok(now - (Math.floor(now / 5) * 5 + probeOffset(t, rate)) < 0.1 + 1e-9, 'sent on time');
      }
      if (due.length > 0 || now >= wake) assert.ok(next > now, 'the next probe is in the future');
      wake = next;
    }
    assert.equal(sent.length, 3 * 12 + sent.filter((s) => s.startsWith('12 ')).length);
    assert.equal(new Set(sent).size, sent.length, 'never twice in one round');
  });

  it('sends once after a late timer, and never twice in a round for a VIP dropped and targeted again', () => {
    const schedule = new ProbeSchedule(rate);
    assert.equal(schedule.due(targets, 4.99).due.length, 3);
    assert.equal(schedule.due(targets, 4.995).due.length, 0);
    assert.equal(schedule.due(targets, 24.99).due.length, 3, 'rounds 1-3 missed: one probe each, now');
    assert.equal(schedule.due(targets.slice(0, 1), 24.992).due.length, 0);
    assert.equal(schedule.due(targets, 24.995).due.length, 0, 'the dropped VIPs were probed in this round already');
    assert.equal(schedule.due(targets, 29.99).due.length, 3);
  });
});
