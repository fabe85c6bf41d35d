import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { virtualMac } from '../../src/core/ownership/macs.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import { VipOwners } from '../../src/core/ownership/vip-owners.js';
import type { GroupOwnership, OwnerClaim, VipView } from '../../src/core/ownership/vip-owners.js';
import type { ClaimKind } from '../../src/core/wire/neighbor.js';
import type { GroupKey } from '../../src/core/base/keys.js';

const IF = 'eth0';
const VIP = '192.0.2.100';
const A = '192.0.2.11';
const B = '192.0.2.12';
const MAC_A = '02:00:00:00:0a:01';
const MAC_B = '02:00:00:00:0b:01';
const MAC_C = '02:00:00:00:0c:01';
const KEY: GroupKey = { interface: IF, family: 'ipv4', vrid: 51 };
/** Rounds of 5 s (the default is shorter): the rules, not the default, are under test. */
const SETTINGS = { ...DEFAULT_OWNER_SETTINGS, round: 5 };
const ROUND = SETTINGS.round;

function group(masters: string[], vips = [VIP], key = KEY): GroupOwnership {
  return { key, vips, masters, routers: [A, B] };
}

function claim(mac: string, time: number, kind: ClaimKind = 'reply', ip = VIP): OwnerClaim {
  return { interface: IF, ip, mac, kind, time };
}

/** A table where A and B advertised (their MACs learned from their adverts' Ethernet source). */
function table(settings = SETTINGS): VipOwners {
  const t = new VipOwners(settings);
  t.observeAdvertSource({ interface: IF, router: A, mac: MAC_A, time: 0 });
  t.observeAdvertSource({ interface: IF, router: B, mac: MAC_B, time: 0 });
  return t;
}

/**
 * Runs rounds [from, to) of one second steps: each second the groups are set (masters from `masters`);
 * at the start of each round a probe is sent and `answers(round)` MACs answer it.
 */
function run(t: VipOwners, from: number, to: number, masters: (time: number) => string[], answers: (round: number) => string[], probe = true): void {
  for (let time = from; time < to; time++) {
    t.setGroups([group(masters(time))], time);
    if (time % ROUND === 0) {
      if (probe) t.observeProbe(IF, VIP, time);
      for (const mac of answers(time / ROUND)) t.observeClaim(claim(mac, time + 0.01));
    }
  }
}

function vipView(t: VipOwners, now: number): VipView {
  const v = t.judge(now).vips.find((x) => x.vip === VIP);
  assert.ok(v, 'the VIP has a view');
  return v;
}

function findings(v: VipView): string[] {
  return [...(v.duplicate ? ['duplicate'] : []), ...v.foreign.map((m) => `foreign ${m}`), ...(v.unanswered ? ['unanswered'] : [])];
}

describe('VIP owners: a healthy group', () => {
  it('names the master as the only owner and judges nothing', () => {
    const t = table();
    run(t, 0, 40, () => [A], () => [MAC_A]);
    const v = vipView(t, 40);
    assert.deepEqual(v.owners, [{ mac: MAC_A, router: A, local: false, kinds: ['reply'], since: 35.01, last: 35.01 }]);
    assert.deepEqual(findings(v), []);
    assert.deepEqual(v.groups, [KEY]);
    assert.equal(t.judge(40).probes.get(IF), 8);
  });

  it('names this node as an owner by its MAC or by a held VIP', () => {
    const t = table();
    t.setLocalMacs(IF, new Set([MAC_A]));
    t.setGroups([group([A])], 10);
    t.observeClaim(claim(MAC_A, 10, 'local'));
    assert.deepEqual(vipView(t, 11).owners.map((o) => [o.mac, o.router, o.local, o.kinds]), [[MAC_A, A, true, ['local']]]);
  });
});

describe('VIP owners: vip_duplicate', () => {
  it('is judged when two routers answer in each of three closed rounds, not before, and ends after a clean round', () => {
    const t = table();
    run(t, 0, 15, () => [A], () => [MAC_A, MAC_B]);
    assert.deepEqual(findings(vipView(t, 14.9)), [], 'two closed rounds are not enough');
    assert.deepEqual(findings(vipView(t, 15)), ['duplicate', `foreign ${MAC_B}`]);
    assert.deepEqual(vipView(t, 15).owners.map((o) => o.router), [A, B]);
    run(t, 15, 25, () => [A], (r) => (r === 3 ? [MAC_A] : [MAC_A, MAC_B]));
    assert.deepEqual(findings(vipView(t, 24)), [], 'round 3 had one owner');
  });

  it('is judged from the two MACs even when VRRP shows no master at all (a witness that hears no adverts)', () => {
    const t = table();
    run(t, 0, 20, () => [], () => [MAC_A, MAC_B]);
    assert.deepEqual(findings(vipView(t, 20)), ['duplicate'], 'no master: no foreign judgement either');
  });

  it('needs every round watched: a gap in the rounds judges nothing', () => {
    const t = table();
    run(t, 0, 10, () => [A], () => [MAC_A, MAC_B]);
    run(t, 15, 20, () => [A], () => [MAC_A, MAC_B]);
    assert.deepEqual(findings(vipView(t, 20)), []);
  });

  it('is never judged on a normal failover, whichever second it falls on', () => {
    for (let failover = 10; failover < 20; failover++) {
      const t = table();
      const masters = (time: number): string[] => (time < failover ? [A] : [B]);
      // The old owner answers until up to one round after the failover, the new one from the failover on.
      const answers = (r: number): string[] => [...(r * ROUND < failover + ROUND ? [MAC_A] : []), ...(r * ROUND >= failover - 1 ? [MAC_B] : [])];
      for (let time = 0; time < 60; time++) {
        run(t, time, time + 1, masters, answers);
        if (time === failover) t.observeClaim(claim(MAC_B, failover, 'garp'));
        assert.deepEqual(findings(vipView(t, time + 1)), [], `failover at ${failover}, judged at ${time + 1}`);
      }
    }
  });
});

describe('VIP owners: vip_foreign_owner', () => {
  it('names a host that is no router (an LVS-DR real server answering ARP) beside the master', () => {
    const t = table();
    run(t, 0, 20, () => [A], () => [MAC_A, MAC_C]);
    const v = vipView(t, 20);
    assert.deepEqual(findings(v), ['duplicate', `foreign ${MAC_C}`]);
    assert.deepEqual(v.owners.map((o) => [o.mac, o.router]), [[MAC_A, A], [MAC_C, undefined]]);
  });

  it('names a backup answering alone for the VIP, as a router', () => {
    const t = table();
    run(t, 0, 20, () => [A], () => [MAC_B]);
    const v = vipView(t, 20);
    assert.deepEqual(findings(v), [`foreign ${MAC_B}`]);
    assert.equal(v.owners[0]?.router, B);
  });

  it('is not judged while no master MAC is known (nothing to compare with)', () => {
    const t = new VipOwners(SETTINGS);
    run(t, 0, 20, () => [A], () => [MAC_C]);
    assert.deepEqual(findings(vipView(t, 20)), []);
  });

  it("learns a router's MAC from its own ARP too, and names its answers", () => {
    const t = new VipOwners(SETTINGS);
    t.observeAdvertSource({ interface: IF, router: B, mac: MAC_B, time: 0 });
    run(t, 0, 20, () => [A], () => [MAC_A]);
    assert.deepEqual(findings(vipView(t, 20)), [], "only the backup's MAC is known: the master's answers are not judged");
    assert.equal(vipView(t, 20).owners[0]?.router, undefined);
    t.observeClaim(claim(MAC_A, 20.5, 'request', A));
    assert.equal(vipView(t, 20.5).owners[0]?.router, A, "A's ARP says MAC_A is A's");
  });

  it('stops judging a MAC once it is learned as a master MAC', () => {
    const t = table();
    t.observeAdvertSource({ interface: IF, router: A, mac: MAC_A, time: 0 });
    run(t, 0, 20, () => [A], () => [MAC_C]);
    assert.deepEqual(findings(vipView(t, 20)), [`foreign ${MAC_C}`]);
    t.observeClaim(claim(MAC_C, 20.5, 'request', A));
    assert.deepEqual(findings(vipView(t, 20.5)), [], 'A has a second MAC (its ARP says so)');
  });
});

describe('VIP owners: use_vmac', () => {
  const VMAC = virtualMac('ipv4', 51);

  it('the virtual MAC is 00:00:5e:00:01:VRID (IPv4) and 00:00:5e:00:02:VRID (IPv6)', () => {
    assert.equal(VMAC, '00:00:5e:00:01:33');
    assert.equal(virtualMac('ipv6', 255), '00:00:5e:00:02:ff');
  });

  it("the master's virtual and real MAC are one owner, named as the master; never a duplicate or foreign", () => {
    const t = new VipOwners(SETTINGS);
    t.observeAdvertSource({ interface: IF, router: A, mac: VMAC, time: 0 });
    t.observeClaim(claim(MAC_A, 0, 'request', A));
    run(t, 0, 30, () => [A], () => [VMAC, MAC_A]);
    const v = vipView(t, 30);
    assert.deepEqual(findings(v), []);
    assert.deepEqual(v.owners.map((o) => [o.mac, o.router]), [[VMAC, A], [MAC_A, A]]);
  });

  it("the virtual MAC counts for the master only when its adverts come from it: a host answering with it is a duplicate and foreign", () => {
    const t = table();
    run(t, 0, 30, () => [A], () => [MAC_A, VMAC]);
    const v = vipView(t, 30);
    assert.deepEqual(findings(v), ['duplicate', `foreign ${VMAC}`]);
    assert.deepEqual(v.owners.map((o) => [o.mac, o.router]), [[VMAC, undefined], [MAC_A, A]]);
  });

  it('a split where both masters answer with the shared virtual MAC is one MAC, never a duplicate', () => {
    const t = new VipOwners(SETTINGS);
    run(t, 0, 30, () => [A, B], () => [VMAC]);
    const v = vipView(t, 30);
    assert.deepEqual(findings(v), []);
    assert.deepEqual(v.owners.map((o) => [o.mac, o.router]), [[VMAC, undefined]], 'two masters: the virtual MAC names neither');
  });
});

describe('VIP owners: address families and this host', () => {
  it("matches an IPv4 VIP's MACs to IPv4 routers only: a dual-stack router is named by its IPv4 address", () => {
    const t = table();
    t.observeAdvertSource({ interface: IF, router: 'fe80::a', mac: MAC_A, time: 0 });
    t.observeAdvertSource({ interface: IF, router: 'fe80::b', mac: MAC_B, time: 0 });
    for (let time = 0; time < 30; time++) {
      t.setGroups([group([A]), { key: { ...KEY, family: 'ipv6' }, vips: ['2001:db8::100'], masters: ['fe80::a'], routers: ['fe80::a', 'fe80::b'] }], time);
      if (time % ROUND === 0) t.observeClaim(claim(MAC_A, time + 0.01));
    }
    const v = vipView(t, 30);
    assert.deepEqual(v.owners.map((o) => [o.mac, o.router]), [[MAC_A, A]]);
    assert.deepEqual(findings(v), []);
  });

  it("never judges this host's own MAC a foreign owner of an address it holds", () => {
    const t = table();
    t.setLocalMacs(IF, new Set([MAC_C]));
    run(t, 0, 30, () => [A], () => [MAC_A, MAC_C]);
    assert.deepEqual(findings(vipView(t, 30)), ['duplicate']);
  });
});

describe('VIP owners: vip_unanswered', () => {
  it('is judged when three probed rounds with a master got no answer, and ends with the next answer', () => {
    const t = table();
    run(t, 0, 15, () => [A], () => []);
    assert.deepEqual(findings(vipView(t, 14)), []);
    assert.deepEqual(findings(vipView(t, 15)), ['unanswered']);
    run(t, 15, 20, () => [A], () => [MAC_A]);
    assert.deepEqual(findings(vipView(t, 20)), []);
  });

  it('is not judged without probes (passive only), without a master, or while this node holds the VIP', () => {
    const passive = table();
    run(passive, 0, 20, () => [A], () => [], false);
    assert.deepEqual(findings(vipView(passive, 20)), []);
    const masterless = table();
    run(masterless, 0, 20, () => [], () => []);
    assert.deepEqual(findings(vipView(masterless, 20)), []);
    const held = table();
    run(held, 0, 20, () => [A], () => []);
    for (let time = 0; time < 20; time += ROUND) held.observeClaim(claim(MAC_A, time + 1, 'local'));
    assert.deepEqual(findings(vipView(held, 20)), []);
  });
});

describe('VIP owners: failovers without gratuitous ARP', () => {
  function failover(announceAt: number | undefined, kind: ClaimKind = 'garp'): VipOwners {
    const t = table();
    run(t, 0, 100, () => [A], () => [MAC_A]);
    if (announceAt !== undefined && announceAt < 100) t.observeClaim(claim(MAC_B, announceAt, kind));
    t.observeFailover({ key: KEY, to: B, vips: [VIP], time: 100 });
    if (announceAt !== undefined && announceAt >= 100) t.observeClaim(claim(MAC_B, announceAt, kind));
    return t;
  }

  it('counts a failover whose new master announced nothing within the window, once, after the window', () => {
    const t = failover(undefined);
    assert.deepEqual(t.judge(104).failoversWithoutGarp, [], 'still within the window');
    const view = t.judge(105);
    assert.deepEqual(view.failoversWithoutGarp, [{ key: KEY, count: 1 }]);
    assert.deepEqual(view.missedGarps, [{ seq: 1, key: KEY, router: B, time: 100, vips: [VIP] }]);
    assert.deepEqual(t.judge(200).failoversWithoutGarp, [{ key: KEY, count: 1 }], 'counted once');
  });

  it('is satisfied by a gratuitous ARP or unsolicited NA just before or after the failover, not by a late one or a reply', () => {
    assert.deepEqual(failover(97).judge(110).failoversWithoutGarp, [], 'announced before the monitor saw the new master');
    assert.deepEqual(failover(103).judge(110).failoversWithoutGarp, []);
    assert.deepEqual(failover(103, 'unsolicited_na').judge(110).failoversWithoutGarp, []);
    assert.deepEqual(failover(107).judge(110).failoversWithoutGarp, [{ key: KEY, count: 1 }], 'too late');
    assert.deepEqual(failover(94).judge(110).failoversWithoutGarp, [{ key: KEY, count: 1 }], 'too early');
    assert.deepEqual(failover(101, 'reply').judge(110).failoversWithoutGarp, [{ key: KEY, count: 1 }], 'an answer is no announcement');
  });

  it('does not judge a failover none of whose VIPs is tracked (no announcement could be heard for it)', () => {
    const t = table();
    t.setGroups([group([A])], 0);
    t.observeFailover({ key: KEY, to: B, vips: ['192.0.2.200'], time: 1 });
    assert.deepEqual(t.judge(20).failoversWithoutGarp, []);
  });

  it('counts an unannounced failover that another failover follows, and forgets the counts of groups gone', () => {
    const t = failover(undefined);
    t.observeFailover({ key: KEY, to: A, vips: [VIP], time: 102 });
    const view = t.judge(110);
    assert.deepEqual(view.failoversWithoutGarp, [{ key: KEY, count: 2 }]);
    assert.deepEqual(view.missedGarps.map((m) => [m.seq, m.router]), [[1, B], [2, A]]);
    t.setGroups([], 111);
    assert.deepEqual(t.judge(111).failoversWithoutGarp, []);
    assert.deepEqual(t.judge(111).vips, [], 'the VIP went with its group');
  });
});

describe('VIP owners: bounds', () => {
  it('leaves out VIPs over the bound, keeping those tracked, and counts them', () => {
    const t = new VipOwners({ ...SETTINGS, maxVips: 2 });
    t.setGroups([group([A], ['192.0.2.100', '192.0.2.101'])], 0);
    t.setGroups([group([A], ['192.0.2.102', '192.0.2.100', '192.0.2.101'])], 1);
    const view = t.judge(1);
    assert.deepEqual(view.vips.map((v) => v.vip), ['192.0.2.100', '192.0.2.101']);
    assert.equal(view.evicted.vips, 1);
  });

  it('keeps at most maxMacsPerVip MACs a round, evicting the one heard longest ago', () => {
    const t = new VipOwners({ ...SETTINGS, maxMacsPerVip: 2 });
    t.setGroups([group([A])], 0);
    t.observeClaim(claim(MAC_A, 1));
    t.observeClaim(claim(MAC_B, 2));
    t.observeClaim(claim(MAC_A, 3));
    t.observeClaim(claim(MAC_C, 4));
    const view = t.judge(4);
    assert.deepEqual(view.vips[0]?.owners.map((o) => o.mac), [MAC_A, MAC_C]);
    assert.equal(view.evicted.macs, 1);
  });

  it('keeps at most maxBindings addresses; an ARP/NDP flood evicts only what ARP/NDP taught, never a MAC learned from adverts', () => {
    const t = new VipOwners({ ...SETTINGS, maxBindings: 2 });
    t.observeAdvertSource({ interface: IF, router: A, mac: MAC_A, time: 0 });
    t.observeClaim(claim(MAC_B, 1, 'request', '192.0.2.50'));
    t.observeClaim(claim(MAC_C, 2, 'request', '192.0.2.51'));
    t.observeClaim(claim('02:00:00:00:0d:01', 2, 'request', '192.0.2.52'));
    t.setGroups([group([A])], 3);
    const evicted = t.judge(3).evicted;
    assert.deepEqual([evicted.bindings, evicted.routerBindings], [2, 0], 'one address and one MAC entry of the ARP table');
    run(t, 3, 25, () => [A], () => [MAC_A, MAC_C]);
    assert.deepEqual(findings(vipView(t, 25)), ['duplicate', `foreign ${MAC_C}`], "A's MAC is still known: C is judged beside it");
  });

  it('takes at most 16 new ARP/NDP bindings a second from one source MAC, and counts the rest', () => {
    const t = new VipOwners(SETTINGS);
    for (let i = 0; i < 100; i++) t.observeClaim(claim(MAC_C, 10 + i / 1000, 'request', `198.51.100.${i}`));
    assert.equal(t.judge(11).evicted.bindings, 84);
    t.observeClaim(claim(MAC_B, 10.5, 'request', '198.51.100.200'));
    t.observeClaim(claim(MAC_C, 11.2, 'request', '198.51.100.201'));
    assert.equal(t.judge(12).evicted.bindings, 84, 'another source, and the same one a second later, are taken');
  });

  it('gives an expected VIP the place of the newest learned one, and counts it', () => {
    const t = new VipOwners({ ...SETTINGS, maxVips: 2 });
    t.setGroups([group([A], ['192.0.2.100', '192.0.2.101'])], 0);
    const expected: GroupOwnership = { key: { ...KEY, vrid: 52 }, vips: ['192.0.2.200'], masters: [], routers: [], expected: true };
    t.setGroups([group([A], ['192.0.2.100', '192.0.2.101']), expected], 1);
    const view = t.judge(1);
    assert.deepEqual(view.vips.map((v) => [v.vip, v.expected]), [['192.0.2.100', false], ['192.0.2.200', true]]);
    assert.equal(view.evicted.vips, 1, 'the newest learned VIP evicted');
    t.setGroups([group([A], ['192.0.2.102']), expected], 2);
    assert.deepEqual(t.judge(2).vips.map((v) => v.vip), ['192.0.2.200', '192.0.2.102']);
  });

  it("a flood of answers for a VIP evicts the MACs it taught, never a router's", () => {
    const t = table({ ...SETTINGS, maxMacsPerVip: 2 });
    t.setGroups([group([A])], 0);
    t.observeClaim(claim(MAC_A, 1));
    for (let i = 0; i < 50; i++) t.observeClaim(claim(`02:00:00:00:ee:${i.toString(16).padStart(2, '0')}`, 2 + i / 100));
    assert.deepEqual(t.judge(3).vips[0]?.owners.map((o) => o.mac), [MAC_A, '02:00:00:00:ee:31']);
  });

  it('ignores a claim older than the rounds it keeps', () => {
    const t = table();
    run(t, 0, 40, () => [A], () => [MAC_A]);
    t.observeClaim(claim(MAC_C, 1));
    assert.deepEqual(vipView(t, 40).owners.map((o) => o.mac), [MAC_A]);
  });
});

describe('VIP owners: random episodes', () => {
  /**
   * Takeovers between A and B at random times (a few rounds apart or more). The new master sends its
   * gratuitous ARP and answers from its takeover on; the old one answers for up to one round after it
   * (both are heard in at most two rounds); the monitor sees the new master up to half a second before
   * (an advert heard first) or a second after. Nothing may ever be judged.
   */
  it('never judges normal failovers, whatever the round length, timing and overlap', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 5),
        fc.array(fc.integer({ min: 4, max: 12 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.double({ min: 0, max: 0.99, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.double({ min: -0.5, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (round, gaps, overlaps, lag, phase) => {
          const t = table({ ...DEFAULT_OWNER_SETTINGS, round });
          const takeovers: number[] = [];
          let at = 10 + phase;
          for (const gap of gaps) takeovers.push((at += gap * round));
          const end = at + 8 * round;
          const masterBy = (times: number[], time: number): string => (times.filter((f) => f <= time).length % 2 === 0 ? A : B);
          const macOf = (router: string): string => (router === A ? MAC_A : MAC_B);
          const seen = takeovers.map((f) => f + lag);
          const announced = new Set<number>();
          for (let step = 0; step <= end * 4; step++) {
            const time = step / 4;
            for (const [k, f] of takeovers.entries()) {
              if (f <= time && !announced.has(k)) {
                announced.add(k);
                t.observeClaim(claim(macOf(masterBy(takeovers, f)), f, 'garp'));
              }
              const s = seen[k] ?? 0;
              if (s <= time && s > time - 0.25) t.observeFailover({ key: KEY, to: masterBy(seen, s), vips: [VIP], time: s });
            }
            t.setGroups([group([masterBy(seen, time)])], time);
            if (time % round === 0) {
              t.observeProbe(IF, VIP, time);
              const owners = new Set([masterBy(takeovers, time)]);
              for (const [k, f] of takeovers.entries()) if (f <= time && time < f + (overlaps[k] ?? 0) * round) owners.add(masterBy(takeovers, f - 0.001));
              for (const r of owners) t.observeClaim(claim(macOf(r), time + 0.01));
            }
            const view = t.judge(time);
            const v = view.vips[0];
            assert.ok(v);
            assert.deepEqual(findings(v), [], `at ${time}`);
            assert.deepEqual(view.failoversWithoutGarp, [], `at ${time}`);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('judges every sustained split on the wire within confirmRounds + 1 rounds of its start, whatever its start', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 5), fc.double({ min: 10, max: 40, noNaN: true }), (round, start) => {
        const t = table({ ...DEFAULT_OWNER_SETTINGS, round });
        let judgedAt: number | undefined;
        for (let step = 0; step <= 60 * 4 + 20 * round * 4 && judgedAt === undefined; step++) {
          const time = step / 4;
          t.setGroups([group([A, ...(time >= start ? [B] : [])])], time);
          if (time % round === 0) {
            t.observeProbe(IF, VIP, time);
            t.observeClaim(claim(MAC_A, time + 0.01));
          }
          if (time >= start) t.observeClaim(claim(MAC_B, time + 0.02));
          if (t.judge(time).vips[0]?.duplicate === true) judgedAt = time;
        }
        assert.ok(judgedAt !== undefined && judgedAt - start <= (DEFAULT_OWNER_SETTINGS.confirmRounds + 1) * round, `start ${start}, judged ${judgedAt}`);
      }),
      { numRuns: 60 },
    );
  });
});
