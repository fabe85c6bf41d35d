import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedMac } from '../../src/core/ownership/macs.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import { VipOwners } from '../../src/core/ownership/vip-owners.js';
import type { VipView, WatchedVip } from '../../src/core/ownership/vip-owners.js';
import { interfaceOf, placeWatched } from '../../src/core/ownership/watched-vips.js';
import { findings } from '../../src/core/findings/findings.js';
import { findingText, findingLine } from '../../src/outputs/finding-words.js';
import type { ClaimKind } from '../../src/core/wire/neighbor.js';
import { NO_KNOWN_ROUTERS } from '../../src/core/expect/known-routers.js';
import { renderCheck } from '../../src/outputs/nagios.js';

const IF = 'eth0';
const VIP = '192.0.2.100';
const VIP6 = '2001:db8::100';
const MAC_A = '02:00:00:00:0a:01';
const MAC_B = '02:00:00:00:0b:01';
const NLB = '02:bf:c0:00:02:64';
const SETTINGS = { ...DEFAULT_OWNER_SETTINGS, round: 2 };

function watched(fields: Partial<WatchedVip> = {}): WatchedVip {
  return { interface: IF, vip: VIP, mode: 'exclusive', owners: undefined, ...fields };
}

/**
 * Seconds [from, to): the watch list set and judged each second (as serve does); at the start of each
 * round a probe goes out and `answers(round)` MACs answer it (as `kind`).
 */
function run(t: VipOwners, list: WatchedVip[], from: number, to: number, answers: (round: number) => string[], kind: ClaimKind = 'reply', vip = VIP): void {
  for (let time = from; time < to; time++) {
    t.setWatched(list, time);
    t.setGroups([], time);
    t.judge(time);
    if (time % SETTINGS.round !== 0) continue;
    t.observeProbe(IF, vip, time);
    for (const mac of answers(time / SETTINGS.round)) t.observeClaim({ interface: IF, ip: vip, mac, kind, time: time + 0.01 });
  }
}

function view(t: VipOwners, now: number, vip = VIP): VipView {
  const v = t.judge(now).vips.find((x) => x.vip === vip);
  assert.ok(v, 'the watched VIP has a view');
  return v;
}

function judged(v: VipView): string[] {
  return [...(v.duplicate ? ['duplicate'] : []), ...v.foreign.map((m) => `foreign ${m}`), ...(v.unanswered ? ['unanswered'] : [])];
}

describe('watched VIPs, no VRRP', () => {
  it('one host answering: its MAC is the owner, no router, nothing judged; its gratuitous ARPs are the last announcement', () => {
    const t = new VipOwners(SETTINGS);
    run(t, [watched()], 0, 20, () => [MAC_A]);
    t.observeClaim({ interface: IF, ip: VIP, mac: MAC_A, kind: 'garp', time: 19.5 });
    const v = view(t, 20);
    assert.deepEqual(
      v.owners.map((o) => [o.mac, o.router, o.since]),
      [[MAC_A, undefined, 0.01]],
    );
    assert.deepEqual(judged(v), []);
    assert.deepEqual([v.watched, v.mode, v.groups, v.ownerChanges, v.lastAnnouncement], [true, 'exclusive', [], 0, 19.5]);
  });

  it('a second host answering only the probe: a duplicate after the confirming rounds, and the judgement ends with it', () => {
    const t = new VipOwners(SETTINGS);
    run(t, [watched()], 0, 10, () => [MAC_A]);
    run(t, [watched()], 10, 16, () => [MAC_A, MAC_B]);
    assert.deepEqual(judged(view(t, 16)), ['duplicate']);
    run(t, [watched()], 16, 26, () => [MAC_B]);
    const v = view(t, 26);
    assert.deepEqual(judged(v), []);
    // B answering alone after A: the owner changed once (the rounds both answered change nothing).
    assert.equal(v.ownerChanges, 1);
    assert.deepEqual(
      t.judge(26).ownerChanges.map((c) => [c.vip, c.from, c.to, c.time]),
      [[VIP, MAC_A, MAC_B, 16]],
    );
  });

  it('shared by design is never a duplicate: mode shared, and a Windows NLB or multicast MAC answering', () => {
    for (const [list, macs] of [
      [[watched({ mode: 'shared' })], [MAC_A, MAC_B]],
      [[watched()], [NLB, MAC_B]],
      [[watched()], ['03:bf:c0:00:02:64', MAC_A]],
      [[watched()], ['01:00:5e:00:00:01', MAC_A]],
    ] as const) {
      const t = new VipOwners(SETTINGS);
      run(t, [...list], 0, 20, () => [...macs]);
      const v = view(t, 20);
      assert.deepEqual(judged(v), [], macs.join(', '));
      assert.equal(v.owners.length, 2);
    }
    assert.deepEqual([NLB, '03:bf:00:00:00:01', '33:33:00:00:00:01', MAC_A].map(sharedMac), [true, true, true, false]);
  });

  it('nobody answering the probes: unanswered, without any master to require it; not without probes', () => {
    const t = new VipOwners(SETTINGS);
    run(t, [watched()], 0, 10, () => []);
    assert.deepEqual(judged(view(t, 10)), ['unanswered']);
    const quiet = new VipOwners(SETTINGS);
    for (let time = 0; time < 10; time++) quiet.setWatched([watched()], time);
    assert.deepEqual(judged(view(quiet, 10)), []);
  });

  it('owners listed: any other MAC answering is a foreign owner', () => {
    const t = new VipOwners(SETTINGS);
    const list = [watched({ owners: [MAC_A] })];
    run(t, list, 0, 10, () => [MAC_B]);
    assert.deepEqual(judged(view(t, 10)), [`foreign ${MAC_B}`]);
    run(t, list, 10, 20, () => [MAC_A]);
    assert.deepEqual(judged(view(t, 20)), []);
  });

  it('IPv6 as IPv4: Neighbor Advertisements, unsolicited ones as announcements', () => {
    const t = new VipOwners(SETTINGS);
    const list = [watched({ vip: VIP6 })];
    run(t, list, 0, 10, () => [MAC_A], 'na', VIP6);
    run(t, list, 10, 16, () => [MAC_A, MAC_B], 'na', VIP6);
    t.observeClaim({ interface: IF, ip: VIP6, mac: MAC_A, kind: 'unsolicited_na', time: 15 });
    const v = view(t, 16, VIP6);
    assert.deepEqual([v.family, judged(v), v.lastAnnouncement], ['ipv6', ['duplicate'], 15]);
  });

  it('a VIP watched without an interface is taken where it is first heard; leaving the list forgets it', () => {
    const t = new VipOwners(SETTINGS);
    t.setWatched([watched({ interface: undefined })], 0);
    assert.equal(t.judge(0).vips.length, 0);
    t.observeClaim({ interface: 'eth1', ip: VIP, mac: MAC_A, kind: 'garp', time: 1 });
    assert.deepEqual(t.judge(1).vips.map((v) => [v.interface, v.vip, v.watched]), [['eth1', VIP, true]]);
    t.setWatched([], 2);
    assert.equal(t.judge(2).vips.length, 0);
  });

  it('findings of a watched VIP of no group: critical, named by VIP and interface, logged without a group', () => {
    const t = new VipOwners(SETTINGS);
    run(t, [watched()], 0, 10, () => []);
    const list = findings({ groups: [], node: [], conflicts: new Map(), owners: t.judge(10), now: 10 });
    assert.equal(list.length, 1);
    const f = list[0];
    assert.ok(f !== undefined);
    assert.deepEqual([f.kind, f.severity, f.key], ['vip_unanswered', 'critical', undefined]);
    assert.equal(findingText(f, ''), `nobody answers ARP or NDP for VIP ${VIP} on ${IF}: no host holds it`);
    assert.deepEqual(findingLine(f), { level: 'error', msg: 'nobody answers for the watched VIP', fields: { finding: 'vip_unanswered', vip: VIP, vip_interface: IF } });
  });
});

describe('once with watched VIPs and no VRRP', () => {
  const check = (t: VipOwners, now: number): { code: number; text: string } => {
    const { code, text } = renderCheck({ now, windowSeconds: 8, groups: [], node: [], conflicts: new Map(), probes: [], knownRouters: NO_KNOWN_ROUTERS, haveExpectations: false, captureProblems: [], owners: t.judge(now) });
    return { code, text };
  };

  it('OK naming the owner; CRITICAL for a duplicate or nobody answering, a detail line per VIP', () => {
    const ok = new VipOwners(SETTINGS);
    run(ok, [watched()], 0, 10, () => [MAC_A]);
    assert.deepEqual(check(ok, 10), {
      code: 0,
      text: `VRRP OK - 1 watched VIP ok: VIP ${VIP} at ${MAC_A} | 'eth0 vip ${VIP} owners'=1;;;0;\nVIP ${VIP} on eth0: answered by ${MAC_A} - ok\n`,
    });
    const dup = new VipOwners(SETTINGS);
    run(dup, [watched()], 0, 10, () => [MAC_A, MAC_B]);
    assert.deepEqual(check(dup, 10), {
      code: 2,
      text: `VRRP CRITICAL - VIP ${VIP} on eth0 is answered by ${MAC_A}, ${MAC_B}: split-brain on the wire | 'eth0 vip ${VIP} owners'=2;;;0;\nVIP ${VIP} on eth0: answered by ${MAC_A}, ${MAC_B} - is answered by ${MAC_A}, ${MAC_B}: split-brain on the wire\n`,
    });
    const none = new VipOwners(SETTINGS);
    run(none, [watched({ mode: 'shared' })], 0, 10, () => []);
    assert.deepEqual(check(none, 10), {
      code: 2,
      text: `VRRP CRITICAL - nobody answers ARP or NDP for VIP ${VIP} on eth0: no host holds it | 'eth0 vip ${VIP} owners'=0;;;0;\nVIP ${VIP} on eth0 (shared): nobody answers - nobody answers ARP or NDP: no host holds it\n`,
    });
  });
});

describe('placing watched VIPs', () => {
  const links = new Map([
    ['eth0', { addresses: [{ address: '192.0.2.20', prefixLength: 24 }, { address: 'fe80::1', prefixLength: 64 }] }],
    ['eth1', { addresses: [{ address: '198.51.100.20', prefixLength: 24 }, { address: '2001:db8:1::20', prefixLength: 64 }] }],
    ['eth2', { addresses: [{ address: '198.51.100.130', prefixLength: 25 }] }],
  ]);

  it('on the interface whose subnet holds the address, the longest prefix first, IPv6 as IPv4', () => {
    assert.equal(interfaceOf(VIP, links, []), 'eth0');
    assert.equal(interfaceOf('198.51.100.200', links, []), 'eth2');
    assert.equal(interfaceOf('198.51.100.5', links, []), 'eth1');
    assert.equal(interfaceOf('2001:db8:1::100', links, []), 'eth1');
    // A link-local address places no global VIP.
    assert.equal(interfaceOf('fe80::100', links, []), undefined);
  });

  it('among the captured interfaces only; the single captured one when no subnet holds it', () => {
    assert.equal(interfaceOf('198.51.100.200', links, ['eth0', 'eth1']), 'eth1');
    assert.equal(interfaceOf('203.0.113.1', links, ['eth0']), 'eth0');
    assert.equal(interfaceOf('203.0.113.1', links, ['eth0', 'eth1']), undefined);
    assert.deepEqual(
      placeWatched([watched({ interface: 'eth9' }), watched({ interface: undefined })], links, []).map((w) => w.interface),
      ['eth9', 'eth0'],
    );
  });
});
