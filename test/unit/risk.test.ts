/** The failover risk rule (core/groups/risk.ts) through the Monitor, on a fixed clock. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert, every, Scenario } from '../helpers/adverts.js';
import type { Advert } from '../../src/core/wire/types.js';
import { CaptureDrops, GAP_BUCKETS, isRiskGap, missedAdverts, RISK_MISSED_ADVERTS, RISK_WINDOW_INTERVALS } from '../../src/core/groups/risk.js';

const A = '192.0.2.11';
const B = '192.0.2.12';

/** Adverts of `a` every `interval` from `from` to `to`, without the slots listed (slot n is at from + n × interval). */
function withLosses(a: Advert, interval: number, from: number, to: number, lost: readonly number[]): [number, Advert][] {
  const drop = new Set(lost);
  return every(interval, from, to, a).filter((_, n) => !drop.has(n));
}

function riskEvents(s: Scenario): [string, number][] {
  return s.events.filter((e) => e.type === 'risk_start' || e.type === 'risk_end').map((e) => [e.type, Math.round(e.time * 1000) / 1000]);
}

// Priority 100 at 1 s (VRRPv2): skew 156/256 s, deadline 3.609 s; a near failover is a gap of 2.609 s or more.
const MASTER = advert({ src: A, priority: 100 });

describe('failover risk: the gaps', () => {
  it('a near failover is within one interval of the deadline, two adverts missing at least, and no outage', () => {
    assert.equal(isRiskGap(2.6, 1, 3.609), false);
    assert.equal(isRiskGap(2.61, 1, 3.609), true);
    assert.equal(isRiskGap(3.7, 1, 3.609), true, 'past the deadline, the backup took over briefly');
    assert.equal(isRiskGap(7.2, 1, 3.609), true);
    assert.equal(isRiskGap(7.3, 1, 3.609), false, 'longer than two deadlines: an outage');
    // Priority 255: the deadline less one interval is 2.004 intervals; one lost advert is no near failover.
    assert.equal(isRiskGap(2.01, 1, 3.004), false);
    assert.equal(isRiskGap(2.5, 1, 3.004), true);
    assert.equal(missedAdverts(0.98, 1), 0);
    assert.equal(missedAdverts(3.02, 1), 2);
    assert.equal(missedAdverts(0.31, 0.1), 2);
  });

  it('a clean master is never at risk, at 1 s and at 0.1 s, and its gaps fill the first bucket', () => {
    for (const interval of [1, 0.1]) {
      const s = new Scenario();
      const a = advert({ src: A, priority: 100, version: 3, advertInterval: interval });
      s.play(every(interval, 0, 600 * interval, a), 600 * interval, interval);
      assert.deepEqual(riskEvents(s), []);
      const v = s.view();
      assert.equal(v?.riskSince, undefined);
      assert.equal(v?.gapHistogram.count, 599);
      assert.equal(v.gapHistogram.counts[0], 599);
      assert.equal(v.gapHistogram.counts.length, GAP_BUCKETS.length + 1);
      // Deadline 3.609 intervals less the usual gap of one.
      assert.equal(v.gapMargin, Math.round(2.609 * interval * 1000) / 1000);
    }
  });

  it('at risk with one near failover and six adverts missing in the window, not with five', () => {
    const s = new Scenario();
    // Singles at 10, 20, 30, 40 (4 missing), a double at 50-51 (a near failover, 2 more): 6.
    s.play(withLosses(MASTER, 1, 0, 120, [10, 20, 30, 40, 50, 51]), 120);
    assert.deepEqual(riskEvents(s), [
      ['risk_start', 52],
      // The single at 10 (gap ending at 11) leaves the window at 71: 5 missing, the near failover still in.
      // The judgement holds until neither holds: the near failover (ending at 52) leaves at 112.
      ['risk_end', 112],
    ]);
    const five = new Scenario();
    five.play(withLosses(MASTER, 1, 0, 120, [10, 20, 30, 50, 51]), 120);
    assert.deepEqual(riskEvents(five), []);
    assert.equal(five.view()?.riskMissed, 0, 'all out of the window by the end');
  });

  it('six single losses without a near failover are no risk; two adverts short of the near-failover gap neither', () => {
    const s = new Scenario();
    s.play(withLosses(MASTER, 1, 0, 60, [5, 10, 15, 20, 25, 30, 35, 40]), 60);
    assert.deepEqual(riskEvents(s), []);
    assert.equal(s.view()?.riskMissed, 8);
    assert.equal(s.view()?.riskNear, 0);
    // A gap of 2.6 s with the deadline at 3.609: 1 ms short of a near failover.
    const short = new Scenario();
    short.play([...withLosses(MASTER, 1, 0, 40, [5, 10, 15, 20]), [40, MASTER], [42.6, MASTER], ...every(1, 43.6, 60, MASTER)], 60);
    assert.equal(short.view()?.riskMissed, 6);
    assert.deepEqual(riskEvents(short), []);
    const near = new Scenario();
    near.play([...withLosses(MASTER, 1, 0, 40, [5, 10, 15, 20]), [40, MASTER], [42.61, MASTER], ...every(1, 43.61, 60, MASTER)], 60);
    assert.deepEqual(riskEvents(near), [['risk_start', 42.61]]);
  });

  it('the window is RISK_WINDOW_INTERVALS of the master\'s interval: 6 s at 0.1 s', () => {
    assert.equal(RISK_WINDOW_INTERVALS, 60);
    assert.equal(RISK_MISSED_ADVERTS, 6);
    const s = new Scenario();
    const fast = advert({ src: A, priority: 100, version: 3, advertInterval: 0.1 });
    // Three doubles: slots 100-101, 110-111, 120-121 (deadline 0.3609 s, near at 0.2609 s or more).
    s.play(withLosses(fast, 0.1, 0, 30, [100, 101, 110, 111, 120, 121]), 30, 0.1);
    assert.deepEqual(riskEvents(s), [
      ['risk_start', 12.2],
      ['risk_end', 18.2],
    ]);
  });

  it('a gap during which our capture dropped packets is not judged, and is counted as excluded', () => {
    const s = new Scenario();
    s.monitor.captureDrops(49.5, 50.5, 3);
    s.play(withLosses(MASTER, 1, 0, 80, [10, 20, 30, 40, 50, 51]), 70);
    assert.deepEqual(riskEvents(s), []);
    assert.equal(s.view()?.gapsExcluded, 1);
    assert.equal(s.view()?.riskMissed, 4);
  });

  it('with a drop lag, a drop reported after the gap ended but within the lag still excludes it', () => {
    const adverts = withLosses(MASTER, 1, 0, 80, [10, 20, 30, 40, 50, 51]);
    const run = (drop: boolean): Scenario => {
      const s = new Scenario({ dropLagSeconds: 2 });
      for (const [t, a] of adverts) {
        // serve's poll reports at 53 what was dropped since 51: the near failover ended at 52, judged at 54.
        if (drop && t === 53) s.monitor.captureDrops(51, 53, 1);
        s.monitor.advert('eth0', a, t);
        s.monitor.settle(t);
      }
      return s;
    };
    const dropped = run(true);
    assert.deepEqual(riskEvents(dropped), []);
    assert.equal(dropped.view()?.gapsExcluded, 1);
    assert.deepEqual(riskEvents(run(false)), [['risk_start', 54]]);
  });

  it('a graceful stop (priority 0) is no gap and takes the resigned master\'s losses with it', () => {
    const s = new Scenario();
    const backup = advert({ src: B, priority: 90 });
    s.play([...withLosses(MASTER, 1, 0, 50, [10, 20, 30, 40, 44, 45]), [50, advert({ src: A, priority: 0 })], ...every(1, 50.6, 120, backup)], 120);
    assert.deepEqual(riskEvents(s), [
      ['risk_start', 46],
      ['risk_end', 50],
    ]);
    assert.equal(s.view()?.riskMissed, 0);
  });

  it('a master change by preemption is no gap of the preempted master', () => {
    const s = new Scenario();
    const higher = advert({ src: B, priority: 200 });
    // A is at risk at 40, B preempts at 40.5 and A is silent until B resigns at 80; A is master again at 80.6.
    s.play([...withLosses(MASTER, 1, 0, 41, [10, 20, 30, 35, 38, 39]), ...every(1, 40.5, 80, higher), [80, advert({ src: B, priority: 0 })], ...every(1, 80.6, 120, MASTER)], 120);
    assert.deepEqual(riskEvents(s), [
      ['risk_start', 40],
      ['risk_end', 40.5],
    ]);
    assert.equal(s.view()?.masters[0], A);
    assert.equal(s.view()?.gapHistogram.count, 34 + 39 + 39, 'A before, B, A after: no gap across a change');
  });

  it('a lossy master whose silence let the backup take over still counts that gap when it comes back', () => {
    const s = new Scenario();
    const backup = advert({ src: B, priority: 90 });
    // A loses slots 20-22 (a gap of 4 s > 3.609: B takes over at 22.609), comes back at 23 and preempts B.
    s.play([...withLosses(MASTER, 1, 0, 60, [10, 11, 15, 20, 21, 22]), [22.7, backup]], 60);
    assert.equal(s.of('failover').length, 2);
    assert.deepEqual(riskEvents(s), [['risk_start', 23]]);
    assert.equal(s.view()?.riskNear, 2);
    assert.equal(s.view()?.riskMissed, 2 + 1 + 3);
  });

  it('an outage (a gap over two deadlines) is not a near failover', () => {
    const s = new Scenario();
    s.play([...withLosses(MASTER, 1, 0, 20, [10, 11, 12]), ...every(1, 30, 60, MASTER)], 60);
    assert.equal(s.view()?.riskNear, 1);
    assert.equal(s.view()?.riskMissed, 3);
  });

  it('capture drops are bounded and merged; forgotten ones still exclude what came before them', () => {
    const d = new CaptureDrops();
    d.add(1, 2, 1);
    d.add(1.5, 3, 1);
    assert.deepEqual(d.windows, [{ from: 1, to: 3 }]);
    for (let i = 0; i < 40; i++) d.add(10 + i, 10.5 + i, 1);
    assert.equal(d.windows.length, 32);
    assert.equal(d.during(0, 0.5), true, 'before a forgotten window');
    assert.equal(d.during(48.6, 48.9), false);
    assert.equal(d.during(48.6, 49.1), true);
    assert.equal(d.total, 42);
  });
});
