import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert } from '../helpers/adverts.js';
import { DEFAULT_SETTINGS, Monitor } from '../../src/core/groups/state.js';
import type { GroupState, MonitorEvent } from '../../src/core/groups/types.js';
import { LOG_RATE, LogBudget } from '../../src/outputs/log-budget.js';
import { eventRecord } from '../../src/outputs/log-lines.js';
import type { LogRecord } from '../../src/outputs/log-lines.js';

const T0 = 1_800_000_000;

/** n real groups of the Monitor: VRIDs 1..255 on eth0, then on eth1, ... */
function groups(n: number): GroupState[] {
  const m = new Monitor(DEFAULT_SETTINGS, () => {});
  return Array.from({ length: n }, (_, i) => m.advert(`eth${Math.floor(i / 255)}`, advert({ src: '192.0.2.11', vrid: (i % 255) + 1 }), T0));
}

function failover(group: GroupState, time: number): MonitorEvent {
  return { type: 'failover', group, from: '192.0.2.11', to: '192.0.2.12', time, reason: { cause: 'master_down', silent_seconds: 3, from_priority_before: 150, from_priority_after: 150, to_priority: 100 } };
}

function record(e: MonitorEvent): LogRecord {
  const r = eventRecord(e, { last: -Infinity, pending: 0 });
  assert.ok(r !== undefined);
  return r;
}

describe("the log's rate bound", () => {
  it('lets a burst of one kind through, then so many a second; another kind keeps its own burst', () => {
    const b = new LogBudget();
    const g = groups(1)[0] as GroupState;
    let written = 0;
    for (let i = 0; i < 1000; i++) if (b.event(failover(g, T0), record(failover(g, T0)))) written++;
    assert.equal(written, LOG_RATE.perKind.burst);
    assert.equal(b.heldBack.get('failover'), 1000 - LOG_RATE.perKind.burst);
    // Ten seconds later: ten seconds' worth.
    written = 0;
    for (let i = 0; i < 1000; i++) if (b.event(failover(g, T0 + 10), record(failover(g, T0 + 10)))) written++;
    assert.equal(written, 10 * LOG_RATE.perKind.perSecond);
    // A split-brain is not held back behind the flood of failovers.
    const split: MonitorEvent = { type: 'split_start', group: g, split: { routers: ['192.0.2.11', '192.0.2.12'], onset: T0 + 9, judged: T0 + 10 }, time: T0 + 10 };
    assert.equal(b.event(split, record(split)), true);
  });

  it('bounds all kinds together too', () => {
    const b = new LogBudget();
    let written = 0;
    for (let k = 0; k < 20; k++) for (let i = 0; i < LOG_RATE.perKind.burst; i++) if (b.admit(`kind${k}`, T0)) written++;
    assert.equal(written, LOG_RATE.total.burst);
  });

  it('holds an end back with its start, and writes the end of a start it wrote', () => {
    const b = new LogBudget();
    const gs = groups(LOG_RATE.perKind.burst + 1);
    const starts = gs.map((group): MonitorEvent => ({ type: 'no_master_start', group, time: T0 }));
    const written = starts.map((e) => b.event(e, record(e)));
    assert.deepEqual(written.filter((w) => !w).length, 1, 'the last start is held back');
    const ends = gs.map((group): MonitorEvent => ({ type: 'no_master_end', group, time: T0 + 1 }));
    assert.deepEqual(ends.map((e) => b.event(e, record(e))), written, 'each end goes as its start went');
    assert.equal(b.heldBack.get('no_master'), 1, 'a held-back end is not counted again');
  });

  it('lets debug lines through untouched', () => {
    const b = new LogBudget();
    const g = groups(1)[0] as GroupState;
    for (let i = 0; i < 500; i++) {
      const e: MonitorEvent = { type: 'master_start', group: g, router: '192.0.2.11', time: T0 };
      assert.equal(b.event(e, record(e)), true);
    }
    assert.equal(b.heldBack.size, 0);
  });

  it("lets a finding's start line wait, counts it once, and says so in one summary line at most every 10 s", () => {
    const b = new LogBudget();
    const ids = Array.from({ length: LOG_RATE.perKind.burst + 10 }, (_, i) => `eth0|ipv4|${i + 1}|vip_conflict|192.0.2.100`);
    const judge = (t: number): string[] => {
      const written = ids.filter((id) => b.findingStart(id, 'vip_conflict', t));
      b.judged();
      return written;
    };
    assert.equal(judge(T0).length, LOG_RATE.perKind.burst);
    const summary = b.summary(T0);
    assert.ok(summary !== undefined);
    assert.deepEqual(summary.fields, { held_back: { vip_conflict: 10 }, findings_waiting: { vip_conflict: 10 } });
    assert.equal(summary.level, 'warn');
    // The caller tries the ten again at the next judgement: a second later, two of them go.
    const next = (t: number): number => {
      const waiting = ids.slice(LOG_RATE.perKind.burst);
      let n = 0;
      for (const id of waiting) if (b.findingStart(id, 'vip_conflict', t)) n++;
      b.judged();
      return n;
    };
    assert.equal(next(T0 + 1), LOG_RATE.perKind.perSecond);
    assert.equal(b.heldBack.get('vip_conflict'), 10, 'a finding that waits again is not counted again');
    assert.equal(b.summary(T0 + 5), undefined, 'at most one summary every 10 s');
    assert.deepEqual(b.summary(T0 + 10)?.fields, { held_back: {}, findings_waiting: { vip_conflict: 8 } });
    // Once nothing waits and nothing was held back, no summary.
    b.judged();
    assert.equal(b.summary(T0 + 30), undefined);
  });
});
