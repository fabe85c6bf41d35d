import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../../src/core/wire/decode.js';
import { decodeNeighbor } from '../../src/core/wire/neighbor.js';
import { arpRequestFrame, neighborSolicitationFrame, probeOffset, ProbeSchedule } from '../../src/core/ownership/probe.js';
import { decideProbe, ProbeBudget, probeCandidates } from '../../src/core/ownership/probe-policy.js';
import type { ProbeDecision, ProbeSkip } from '../../src/core/ownership/probe-policy.js';
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

describe('what the probe asks for, and as whom', () => {
  const addresses = [
    { address: '198.51.100.7', prefixLength: 24 },
    { address: '192.0.2.100', prefixLength: 24 },
    { address: '192.0.2.11', prefixLength: 24 },
    { address: '2001:db8::11', prefixLength: 64 },
    { address: 'fe80::ff:fe00:a01', prefixLength: 64 },
  ];
  const own = new Set(addresses.map((a) => a.address));
  const expectedVips = new Set(['192.0.2.100']);
  const ctx = { addresses, own, expectedVips, advertisedVips: new Set(['192.0.2.101']) };
  const learned = (vip: string): ProbeDecision => decideProbe({ interface: 'eth0', vip, expected: false }, ctx);
  const expected = (vip: string, c = ctx): ProbeDecision => decideProbe({ interface: 'eth0', vip, expected: true }, c);

  it('sends ARP from an address on the VIP subnet that is no expected VIP', () => {
    assert.deepEqual(learned('192.0.2.101'), { sender: '192.0.2.11' });
    assert.deepEqual(expected('192.0.2.101', { ...ctx, addresses: addresses.filter((a) => a.address !== '192.0.2.11') }), { skip: 'no_source' }, 'the expected VIP this node holds is never the sender, and 0.0.0.0 never for an on-subnet VIP');
    assert.deepEqual(learned('198.51.100.200'), { sender: '198.51.100.7' });
    assert.deepEqual(decideProbe({ interface: 'eth0', vip: '198.51.100.200', expected: false }, { ...ctx, addresses: [{ address: '198.51.100.7', prefixLength: 25 }] }), { skip: 'off_link' }, 'outside a /25');
  });

  it('an advert listing this host\'s own address neither gets it probed nor moves the real VIP\'s probe to 0.0.0.0', () => {
    const spoofed = { ...ctx, addresses: [{ address: '192.0.2.11', prefixLength: 24 }], advertisedVips: new Set(['192.0.2.101', '192.0.2.11']) };
    assert.deepEqual(decideProbe({ interface: 'eth0', vip: '192.0.2.11', expected: false }, spoofed), { skip: 'own_address' });
    assert.deepEqual(decideProbe({ interface: 'eth0', vip: '192.0.2.101', expected: false }, spoofed), { sender: '192.0.2.11' });
  });

  it('probes an expected VIP off the interface\'s subnets from 0.0.0.0, a learned one not at all', () => {
    assert.deepEqual(expected('203.0.113.5'), { sender: '0.0.0.0' });
    assert.deepEqual(learned('203.0.113.5'), { skip: 'off_link' });
    assert.deepEqual(learned('2001:db8:1::5'), { skip: 'off_link' });
    assert.deepEqual(expected('2001:db8:1::5'), { sender: 'fe80::ff:fe00:a01' });
  });

  it('probes an expected VIP this node holds (the other holder answers in a split), never another own address', () => {
    assert.deepEqual(expected('192.0.2.100'), { sender: '192.0.2.11' });
    assert.deepEqual(learned('192.0.2.11'), { skip: 'own_address' });
    assert.deepEqual(learned('2001:db8::11'), { skip: 'own_address' });
  });

  it('never targets what is no unicast address', () => {
    const cases: [string, ProbeSkip][] = [
      ['0.0.0.0', 'unspecified'],
      ['255.255.255.255', 'broadcast'],
      ['192.0.2.255', 'broadcast'],
      ['192.0.2.0', 'network_address'],
      ['127.0.0.1', 'loopback'],
      ['224.0.0.1', 'multicast'],
      ['224.0.0.18', 'multicast'],
      ['169.254.1.1', 'link_local'],
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['ff02::1', 'multicast'],
    ];
    for (const [vip, reason] of cases) assert.deepEqual(learned(vip), { skip: reason }, vip);
    for (const [vip, reason] of cases.filter(([, r]) => r !== 'link_local')) assert.deepEqual(expected(vip), { skip: reason }, `${vip} expected`);
  });

  it('sends NS from the link-local address (link-local VIPs are on-link), or not at all', () => {
    assert.deepEqual(learned('2001:db8::100'), { sender: 'fe80::ff:fe00:a01' });
    assert.deepEqual(learned('fe80::100'), { sender: 'fe80::ff:fe00:a01' });
    assert.deepEqual(decideProbe({ interface: 'eth0', vip: '2001:db8::100', expected: false }, { ...ctx, addresses: addresses.slice(0, 4) }), { skip: 'no_source' });
  });

  it('puts expected VIPs first and gives learned ones a few places while their group has a master', () => {
    const watched = [
      { interface: 'eth0', vip: '192.0.2.1', expected: false, hasMaster: true },
      { interface: 'eth0', vip: '192.0.2.2', expected: false, hasMaster: false },
      { interface: 'eth0', vip: '192.0.2.3', expected: false, hasMaster: true },
      { interface: 'eth0', vip: '192.0.2.4', expected: true, hasMaster: false },
      { interface: 'eth0', vip: '192.0.2.5', expected: false, hasMaster: true },
    ];
    const { candidates, budgetSkipped } = probeCandidates(watched, 2);
    assert.deepEqual(
      candidates.map((c) => c.vip),
      ['192.0.2.4', '192.0.2.1', '192.0.2.3'],
    );
    assert.deepEqual(
      budgetSkipped.map((c) => c.vip),
      ['192.0.2.5'],
    );
  });

  it('bounds all probe frames together to a rate, a second\'s worth at once', () => {
    const budget = new ProbeBudget(10);
    let sent = 0;
    for (let i = 0; i < 1000; i++) if (budget.take(100 + i / 100)) sent++;
    // 10 at once, then 10 a second for 9.99 s.
    assert.ok(sent >= 108 && sent <= 110, String(sent));
    const schedule = new ProbeSchedule({ interval: 2, window: 1.5 });
    const many = Array.from({ length: 100 }, (_, i) => ({ interface: 'eth0', vip: `192.0.2.${i + 1}` }));
    const limited = new ProbeBudget(10);
    let probes = 0;
    for (let t = 0; t < 20; t += 0.25) probes += schedule.due(many, t, () => limited.take(t)).due.length;
    assert.ok(probes <= 10 + 20 * 10, String(probes));
    assert.ok(probes >= 190, `the bound is used, not wasted: ${probes}`);
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
