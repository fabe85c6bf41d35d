import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert, every, Scenario } from '../helpers/adverts.js';
import { masterDownInterval } from '../../src/core/groups/judge.js';
import type { Advert } from '../../src/core/wire/types.js';

const A = '192.0.2.11';
const B = '192.0.2.12';

function firstSplitAt(samples: { t: number; split: boolean }[]): number | undefined {
  return samples.find((s) => s.split)?.t;
}

describe('a steady master', () => {
  it('is one master, no split-brain, no failover', () => {
    const s = new Scenario();
    const samples = s.play(every(1, 0, 30, advert({ src: A, priority: 150 })), 30);
    assert.ok(samples.filter((x) => x.t >= 0).every((x) => x.masters === 1));
    assert.equal(s.of('split_start').length, 0);
    assert.equal(s.view()?.masterChanges, 0);
    assert.deepEqual(s.view()?.masters, [A]);
  });

  it('is judged gone one Master_Down_Interval after its last advert; no master once no backup took over for 1.5 intervals', () => {
    const s = new Scenario();
    const a = advert({ src: A, priority: 150 });
    const samples = s.play(every(1, 0, 5, a), 12, 0.01);
    const mdi = 3 + (256 - 150) / 256;
    const lastMaster = samples.filter((x) => x.masters === 1).at(-1)?.t ?? 0;
    assert.ok(Math.abs(lastMaster - (4 + mdi)) <= 0.011, `last counted at ${lastMaster}`);
    const judged = samples.find((x) => x.noMaster)?.t ?? 0;
    assert.ok(Math.abs(judged - (4 + mdi + 1.5)) <= 0.011, `no master judged at ${judged}`);
    assert.equal(s.of('no_master_start').length, 1);
    // Dated from when the master stopped counting.
    assert.ok(Math.abs((s.of('no_master_start')[0]?.time ?? 0) - (4 + mdi)) < 1e-9);
    assert.equal(s.view()?.noMaster, true);
  });

  it('a backup taking over within the takeover grace is no gap; one that comes late ends a judged one', () => {
    const a = advert({ src: A, priority: 150 });
    const b = advert({ src: B, priority: 100 });
    const mdi = 3 + (256 - 150) / 256;
    const inTime = new Scenario();
    inTime.play([...every(1, 0, 5, a), ...every(1, 4 + mdi + 1.4, 20, b)], 20, 0.01);
    assert.equal(inTime.of('no_master_start').length, 0);
    const late = new Scenario();
    const samples = late.play([...every(1, 0, 5, a), ...every(1, 4 + mdi + 3, 20, b)], 20, 0.01);
    assert.deepEqual(late.of('no_master_start').map((e) => e.time), [4 + mdi]);
    const ended = late.of('no_master_end').map((e) => e.time);
    assert.equal(ended.length, 1);
    assert.ok(Math.abs((ended[0] ?? 0) - (4 + mdi + 3)) < 1e-6, `ended at ${ended.join()}`);
    assert.equal(samples.at(-1)?.noMaster, false);
  });

  it('uses the v3 skew, scaled by the interval', () => {
    assert.equal(masterDownInterval({ version: 3, interval: 0.1, priority: 100 }), 0.3 + (156 * 0.1) / 256);
    assert.equal(masterDownInterval({ version: 2, interval: 2, priority: 255 }), 6 + 1 / 256);
  });
});

describe('changes of master that are not split-brain', () => {
  it('preemption: the winner takes over and the loser stops within one interval', () => {
    const s = new Scenario();
    const loser = advert({ src: A, priority: 100 });
    const winner = advert({ src: B, priority: 200 });
    // A master until B comes up at t=10.3; A still sends one advert already in flight at 10.31.
    const adverts = [...every(1, 0, 11, loser).filter(([t]) => t <= 10), [10.31, loser] as [number, typeof loser], ...every(1, 10.3, 30, winner)];
    const samples = s.play(adverts, 30);
    assert.equal(firstSplitAt(samples), undefined);
    assert.equal(s.of('split_start').length, 0);
    // Two masters at most for 1.5 intervals after A's last advert, never for three.
    const doubled = samples.filter((x) => x.masters === 2);
    assert.ok(doubled.length > 0 && (doubled.at(-1)?.t ?? 0) < 10.31 + 1.5 + 1e-9, JSON.stringify(doubled.at(-1)));
    assert.deepEqual(s.view()?.masters, [B]);
    assert.equal(s.view()?.masterChanges, 1);
    const [failover] = s.of('failover');
    assert.equal(failover?.from, A);
    assert.equal(failover.to, B);
    assert.equal(failover.time, 10.31);
  });

  it('graceful stop: priority 0 ends the mastership at once, the backup takes over after its skew', () => {
    const s = new Scenario();
    const a = advert({ src: A, priority: 150 });
    const b = advert({ src: B, priority: 100 });
    const adverts = [...every(1, 0, 6, a), [5.5, advert({ src: A, priority: 0 })] as [number, typeof a], ...every(1, 5.5 + 156 / 256, 20, b)];
    const samples = s.play(adverts, 20, 0.01);
    assert.equal(s.of('split_start').length, 0);
    assert.ok(samples.every((x) => x.masters <= 1));
    assert.equal(samples.find((x) => x.t === 5.5)?.masters, 0);
    assert.equal(s.view()?.masterChanges, 1);
    // The gap before the backup's first advert is its skew, shorter than a takeover: not "no master".
    assert.equal(s.of('no_master_start').length, 0);
    assert.ok(samples.every((x) => !x.noMaster));
  });

  it('keepalived killed: the backup takes over after the Master_Down_Interval, no overlap, no split', () => {
    const s = new Scenario();
    const samples = s.play([...every(1, 0, 8, advert({ src: A, priority: 150 })), ...every(1, 7 + 3 + 156 / 256, 30, advert({ src: B, priority: 100 }))], 30);
    assert.equal(firstSplitAt(samples), undefined);
    assert.ok(samples.every((x) => x.masters <= 1));
    assert.deepEqual(s.of('failover').map((f) => [f.from, f.to]), [[A, B]]);
  });

  it('track_script weight: the master drops below the backup, the backup takes over, no split', () => {
    const s = new Scenario();
    const adverts = [
      ...every(1, 0, 10, advert({ src: A, priority: 100 })),
      // the check fails at t=10: A keeps advertising with 100-20=80 until B (90) times out and preempts
      ...every(1, 10, 13.7, advert({ src: A, priority: 80 })),
      ...every(1, 13.65, 30, advert({ src: B, priority: 90 })),
    ];
    const samples = s.play(adverts, 30);
    assert.equal(firstSplitAt(samples), undefined);
    assert.deepEqual(s.view()?.masters, [B]);
    assert.deepEqual(s.of('failover').map((f) => [f.from, f.to]), [[A, B]]);
  });

  it('dual-master: VRID 51 on one node and 52 on the other are two healthy groups', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 30, advert({ src: A, vrid: 51, priority: 150 })), ...every(1, 0.5, 30, advert({ src: B, vrid: 52, priority: 150 }))], 30);
    assert.deepEqual(s.view(51)?.masters, [A]);
    assert.deepEqual(s.view(52)?.masters, [B]);
    assert.equal(s.of('split_start').length, 0);
  });

  // What a nopreempt pair (both `state BACKUP` + `nopreempt`) shows on the wire: B (priority 150) is
  // master and goes away, A (100) takes over. nopreempt itself happens inside B when it starts again: it
  // hears A and stays a silent backup, which the wire cannot tell from B staying away (the lab's nopreempt
  // test restarts B for real). What is judged here is the wire: one takeover, then A the only master.
  for (const [how, away] of [
    ['crashes', advert({ src: B, priority: 150 })],
    ['stops gracefully (priority 0)', advert({ src: B, priority: 0 })],
  ] as const) {
    it(`the higher-priority master ${how}, the lower-priority backup takes over and stays the only master while the other is silent`, () => {
      const s = new Scenario();
      const bDown = 10 + masterDownInterval({ interval: 1, priority: 100, version: 2 });
      const aFrom = away.priority === 0 ? 10.6 : bDown;
      const samples = s.play([...every(1, 0, 10, advert({ src: B, priority: 150 })), [10, away], ...every(1, aFrom, 60, advert({ src: A, priority: 100 }))], 60, 0.1);
      // From A's first advert on, one master and no split or masterless gap, to the end.
      assert.ok(samples.filter((x) => x.t >= aFrom + 0.1).every((x) => x.masters === 1 && !x.split && !x.noMaster), JSON.stringify(samples.find((x) => x.t >= aFrom + 0.1 && x.masters !== 1)));
      assert.deepEqual(s.view()?.masters, [A]);
      assert.deepEqual(s.of('failover').map((f) => [f.from, f.to]), [[B, A]]);
      assert.equal(s.view()?.masterChanges, 1);
      assert.equal(s.of('split_start').length, 0);
      assert.equal(s.of('no_master_start').length, 0);
    });
  }
});

describe('split-brain', () => {
  const both = (interval: number, onset: number, heal: number, end: number): [number, ReturnType<typeof advert>][] => [
    ...every(interval, 0, end, advert({ src: A, priority: 150, advertInterval: interval, version: interval < 1 ? 3 : 2 })),
    ...every(interval, onset, heal, advert({ src: B, priority: 100, advertInterval: interval, version: interval < 1 ? 3 : 2 })),
  ];

  it('is judged within three intervals of the second master, and the count stays steady', () => {
    const s = new Scenario();
    const samples = s.play(both(1, 10.4, 40, 60), 60);
    const judged = firstSplitAt(samples) ?? Infinity;
    assert.ok(judged - 10.4 <= 3, `judged after ${judged - 10.4} s`);
    assert.ok(judged - 10.4 >= 1, `judged too early, after ${judged - 10.4} s`);
    const during = samples.filter((x) => x.t >= judged && x.t < 40);
    assert.ok(during.every((x) => x.split && x.masters === 2));
    const [split] = s.of('split_start');
    assert.equal(split?.split.onset, 10.4);
    assert.deepEqual(split.split.routers, [A, B]);
    // after healing (B's last advert at 39.4) it ends within B's Master_Down_Interval
    const end = s.of('split_end')[0]?.time ?? Infinity;
    assert.ok(end > 39.4 && end <= 39.4 + 3 + 156 / 256 + 1e-9, `ended at ${end}`);
    assert.equal(s.view()?.splitBrain, false);
    assert.equal(s.view()?.masterChanges, 0);
  });

  it('survives a lost advertisement without flapping', () => {
    const s = new Scenario();
    const adverts = both(1, 5.4, 60, 60).filter(([t, a]) => !(a.src === B && (t === 20.4 || t === 30.4)));
    const samples = s.play(adverts, 59);
    const judged = firstSplitAt(samples) ?? Infinity;
    assert.ok(samples.filter((x) => x.t >= judged).every((x) => x.split && x.masters === 2));
    assert.equal(s.of('split_start').length, 1);
  });

  it('is judged with sub-second VRRPv3 intervals, within three of them', () => {
    const s = new Scenario();
    const samples = s.play(both(0.1, 3.03, 8, 10), 10, 0.01);
    const judged = firstSplitAt(samples) ?? Infinity;
    assert.ok(judged - 3.03 <= 0.3 + 1e-9, `judged after ${judged - 3.03} s`);
    assert.ok(samples.filter((x) => x.t > judged && x.t < 8).every((x) => x.split));
  });

  it('sub-second preemption is not a split', () => {
    const s = new Scenario();
    const loser = advert({ src: A, priority: 100, advertInterval: 0.1, version: 3 });
    const winner = advert({ src: B, priority: 200, advertInterval: 0.1, version: 3 });
    const samples = s.play([...every(0.1, 0, 5.01, loser), ...every(0.1, 5.05, 10, winner)], 10, 0.01);
    assert.equal(firstSplitAt(samples), undefined);
    assert.deepEqual(s.view()?.masters, [B]);
  });

  it('from an auth mismatch: both advertise, both findings are judged', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 20, advert({ src: A, priority: 150, password: 'right' })), ...every(1, 4.6, 20, advert({ src: B, priority: 100, password: 'wrong' }))], 20);
    assert.equal(s.view()?.splitBrain, true);
    assert.equal(s.view()?.authMismatch, true);
    assert.deepEqual(s.view()?.configMismatch, []);
  });
});

describe('mismatches', () => {
  const pair = (b: Partial<Parameters<typeof advert>[0]>): Scenario => {
    const s = new Scenario();
    s.play([...every(1, 0, 10, advert({ src: A, priority: 150, password: 'same' })), ...every(1, 0.5, 10, advert({ src: B, priority: 100, password: 'same', ...b }))], 10);
    return s;
  };

  it('finds nothing when routers agree', () => {
    const v = pair({}).view();
    assert.equal(v?.authMismatch, false);
    assert.deepEqual(v.configMismatch, []);
  });

  it('finds each config field on its own', () => {
    assert.deepEqual(pair({ advertInterval: 2 }).view()?.configMismatch, ['advert_interval']);
    assert.deepEqual(pair({ addresses: ['192.0.2.101'] }).view()?.configMismatch, ['addresses']);
    assert.deepEqual(pair({ version: 3, authType: undefined, authSecret: undefined, password: undefined }).view()?.configMismatch, ['version']);
    assert.deepEqual(pair({ checksumForm: 'pseudo_header' }).view()?.configMismatch, ['checksum_form']);
  });

  it('treats the same addresses in another order as the same list', () => {
    const s = new Scenario();
    s.play([
      ...every(1, 0, 5, advert({ src: A, addresses: ['192.0.2.100', '192.0.2.101'] })),
      ...every(1, 0.5, 5, advert({ src: B, addresses: ['192.0.2.101', '192.0.2.100'] })),
    ], 5);
    assert.deepEqual(s.view()?.configMismatch, []);
  });

  it('finds auth type and password differences, and forgets them once the odd router is silent for the hold', () => {
    assert.equal(pair({ password: 'other' }).view()?.authMismatch, true);
    assert.equal(pair({ password: undefined }).view()?.authMismatch, true);
    const s = new Scenario({ mismatchHoldSeconds: 30 });
    s.play([...every(1, 0, 60, advert({ src: A, password: 'one' })), ...every(1, 0.5, 5, advert({ src: B, password: 'two' }))], 60);
    const [start] = s.of('mismatch_start');
    const [end] = s.of('mismatch_end');
    assert.equal(start?.field, 'auth');
    assert.equal(end?.time, 4.5 + 30);
    assert.equal(s.view()?.authMismatch, false);
  });
});

describe('bounded tables', () => {
  it('a spoofer sending from thousands of sources cannot grow a group past its bound', () => {
    const s = new Scenario({ maxRoutersPerGroup: 8 });
    for (let i = 0; i < 5000; i++) {
      s.monitor.advert('eth0', advert({ src: `198.51.100.${i % 250}`, priority: 1 + (i % 200), addresses: [`192.0.2.${i % 200}`] }), i * 0.001);
      if (i % 250 === 249) s.monitor.advert('eth0', advert({ src: `192.0.2.${1 + ((i / 250) % 200)}` }), i * 0.001);
    }
    assert.ok((s.monitor.groups.get('eth0|ipv4|51')?.routers.length ?? 0) <= 8);
    assert.ok(s.monitor.evictions.router > 0);
  });

  it('thousands of interfaces and VRIDs cannot grow the group table past its bound', () => {
    const s = new Scenario({ maxGroups: 100 });
    for (let i = 0; i < 20_000; i++) s.monitor.advert(`vlan${i % 97}`, advert({ src: A, vrid: 1 + (i % 255) }), i * 0.001);
    assert.ok(s.monitor.groups.size <= 100);
    assert.ok(s.monitor.evictions.group > 0);
    assert.equal(s.of('evicted').filter((e) => e.what === 'group').length, s.monitor.evictions.group);
  });

  it('groups that fall silent are forgotten after the expiry', () => {
    const s = new Scenario({ groupExpirySeconds: 60 });
    s.play(every(1, 0, 10, advert({ src: A })), 10);
    s.monitor.settle(9 + 59.9);
    assert.equal(s.monitor.groups.size, 1);
    s.monitor.settle(9 + 60);
    assert.equal(s.monitor.groups.size, 0);
    assert.equal(s.of('group_expired').length, 1);
  });
});

describe('the shortcut for a master repeating itself', () => {
  /** A small seeded generator, so every run plays the same scenarios. */
  function random(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /**
   * 2-4 routers that start, stop, change priority (a new advert) and disagree on addresses or the
   * password at random; the same Advert object is repeated between changes, as the Decoder gives it.
   */
  function scenario(seed: number): [number, Advert][] {
    const rnd = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const out: [number, Advert][] = [];
    const routers = 2 + Math.floor(rnd() * 3);
    for (let i = 0; i < routers; i++) {
      const interval = pick([0.1, 0.5, 1, 1, 2]);
      const version = interval < 1 ? 3 : 2;
      let a = advert({ src: `192.0.2.${11 + i}`, priority: pick([100, 150, 200, 100]), advertInterval: interval, version });
      let speaking = rnd() < 0.7;
      for (let t = rnd() * interval; t < 40; t += a.advertInterval) {
        if (rnd() < 0.03) speaking = !speaking;
        if (rnd() < 0.02) a = { ...a, priority: pick([0, 50, 100, 150, 200, 250]) };
        if (rnd() < 0.01) a = advert({ ...a, addresses: rnd() < 0.5 ? ['192.0.2.100'] : ['192.0.2.100', '192.0.2.101'] });
        if (rnd() < 0.01) a = { ...a, advertInterval: pick([interval, interval * 2, interval / 4]) };
        if (speaking) out.push([Math.round(t * 1e6) / 1e6, a]);
      }
    }
    return out;
  }

  function judged(adverts: [number, Advert][], step: number): string[] {
    const s = new Scenario();
    const samples = s.play(adverts, 45, step);
    return [
      ...s.events.map((e) => JSON.stringify({ ...e, group: undefined, split: undefined })),
      ...samples.map((x) => JSON.stringify(x)),
      JSON.stringify(s.view()),
    ];
  }

  it('judges 300 random episodes exactly as judging every advert in full does', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const adverts = scenario(seed);
      const step = [0.05, 0.37, 1.3][seed % 3] ?? 0.05;
      // A fresh copy of each advert is never "the same advert again", so every one is judged in full.
      const full = judged(
        adverts.map(([t, a]) => [t, { ...a }]),
        step,
      );
      assert.deepEqual(judged(adverts, step), full, `seed ${seed}`);
    }
  });
});
