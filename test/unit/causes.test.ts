/** The cause of each master change, near failovers and per-router error counters, on a fixed clock. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert, every, Scenario } from '../helpers/adverts.js';
import type { Advert } from '../../src/core/wire/types.js';
import { eventRecord } from '../../src/outputs/log-lines.js';
import type { NearFailoverLog } from '../../src/outputs/log-lines.js';
import { Metrics } from '../../src/outputs/metrics.js';
import { RouterErrors } from '../../src/core/groups/router-errors.js';
import { groupView } from '../../src/core/groups/views.js';

const A = '192.0.2.11';
const B = '192.0.2.12';
const C = '192.0.2.13';

function failovers(s: Scenario): { from: string; to: string; cause: string; before: number | null; after: number | null; to_priority: number; silent: number | null }[] {
  return s.of('failover').map((e) => ({ from: e.from, to: e.to, cause: e.reason.cause, before: e.reason.from_priority_before, after: e.reason.from_priority_after, to_priority: e.reason.to_priority, silent: e.reason.silent_seconds }));
}

describe('the cause of each master change', () => {
  it('resigned: the old master sent priority 0', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 5, advert({ src: A, priority: 150 })), [5, advert({ src: A, priority: 0 })], ...every(1, 5.6, 12, advert({ src: B, priority: 100 }))], 12);
    assert.deepEqual(failovers(s), [{ from: A, to: B, cause: 'resigned', before: 150, after: 0, to_priority: 100, silent: 0.6 }]);
    assert.deepEqual(s.view()?.failoverCauses, { resigned: 1, split_healed: 0, foreign: 0, priority_drop: 0, preempted: 0, master_down: 0 });
  });

  it('master_down: the old master fell silent and the backup took over after its Master_Down_Interval', () => {
    const s = new Scenario();
    // A's last advert at 4; B (priority 100) waits 3 + 156/256 s.
    s.play([...every(1, 0, 5, advert({ src: A, priority: 150 })), ...every(1, 7.61, 14, advert({ src: B, priority: 100 }))], 14);
    assert.deepEqual(failovers(s), [{ from: A, to: B, cause: 'master_down', before: 150, after: 150, to_priority: 100, silent: 3.61 }]);
  });

  it('preempted: a router that wins the election started advertising while the master still did', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 10.5, advert({ src: B, priority: 100 })), ...every(1, 10.2, 20, advert({ src: A, priority: 150 }))], 20);
    const [f] = failovers(s);
    assert.equal(f?.cause, 'preempted');
    assert.deepEqual([f.from, f.to, f.before, f.to_priority], [B, A, 100, 150]);
  });

  it('priority_drop: the master\'s own priority fell below the backup\'s (a track_script weight)', () => {
    const s = new Scenario();
    // A drops 150 -> 90 at 5; B (100, preempting) takes over after its Master_Down_Interval; A steps down.
    s.play([...every(1, 0, 5, advert({ src: A, priority: 150 })), ...every(1, 5, 9, advert({ src: A, priority: 90 })), ...every(1, 8.6, 16, advert({ src: B, priority: 100 }))], 16);
    assert.deepEqual(failovers(s), [{ from: A, to: B, cause: 'priority_drop', before: 150, after: 90, to_priority: 100, silent: 0.6 }]);
  });

  it('a priority that fell long before the takeover is not its cause', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 5, advert({ src: A, priority: 150 })), ...every(1, 5, 31, advert({ src: A, priority: 90 })), ...every(1, 30.5, 36, advert({ src: B, priority: 100 }))], 36);
    assert.deepEqual(failovers(s).map((f) => f.cause), ['preempted']);
  });

  it('split_healed: a split-brain ended and the master of record stepped down', () => {
    const s = new Scenario();
    // B is master first; A (higher) comes up unable to hear B: a split until B hears A and stops.
    s.play([...every(1, 0, 20.5, advert({ src: B, priority: 100 })), ...every(1, 5, 30, advert({ src: A, priority: 150 }))], 30);
    assert.equal(s.of('split_start').length, 1);
    assert.deepEqual(failovers(s).map((f) => [f.from, f.to, f.cause]), [[B, A, 'split_healed']]);
  });

  it('foreign: a change while the watcher marks the VRID disturbed by another protocol', () => {
    const s = new Scenario();
    s.play(every(1, 0, 5, advert({ src: A, priority: 150 })), 3);
    s.monitor.markForeign('eth0', 'ipv4', 51, 2.5);
    for (const [t, a] of every(1, 7.61, 12, advert({ src: B, priority: 100 }))) s.monitor.advert('eth0', a, t);
    s.monitor.settle(12);
    assert.deepEqual(failovers(s).map((f) => f.cause), ['foreign']);
    s.monitor.markForeign('eth0', 'ipv4', 51, undefined);
    for (const [t, a] of every(1, 12, 20, advert({ src: A, priority: 150 }))) s.monitor.advert('eth0', a, t);
    s.monitor.settle(20);
    assert.deepEqual(failovers(s).map((f) => f.cause), ['foreign', 'preempted'], 'unmarked, the next change has its own cause');
  });

  it('every change has one cause: the counts by cause add up to the master changes', () => {
    const s = new Scenario();
    s.play([
      ...every(1, 0, 5, advert({ src: A, priority: 150 })),
      [5, advert({ src: A, priority: 0 })],
      ...every(1, 5.6, 12.5, advert({ src: B, priority: 100 })),
      ...every(1, 12, 20, advert({ src: A, priority: 150 })),
      ...every(1, 23.61, 30, advert({ src: B, priority: 100 })),
    ], 30);
    const v = s.view();
    assert.equal(v?.masterChanges, 3);
    assert.deepEqual(failovers(s).map((f) => f.cause), ['resigned', 'preempted', 'master_down']);
    assert.equal(Object.values(v.failoverCauses).reduce((a, b) => a + b, 0), v.masterChanges);
  });

  it('the failover log line says the cause in words and carries its fields', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 5, advert({ src: A, priority: 150 })), [5, advert({ src: A, priority: 0 })], ...every(1, 5.6, 8, advert({ src: B, priority: 100 }))], 8);
    const [e] = s.of('failover');
    assert.ok(e);
    const r = eventRecord(e, { last: -Infinity, pending: 0 });
    assert.equal(r?.msg, 'failover: the master changed: the master sent priority 0: a graceful stop (old master priority 150 -> 0, new master priority 100, old master last heard 0.6 s before)');
    assert.equal(r.level, 'info', 'a graceful stop is maintenance: info, not warn');
    assert.deepEqual(r.fields, { interface: 'eth0', family: 'ipv4', vrid: 51, from: A, to: B, cause: 'resigned', silent_seconds: 0.6, from_priority_before: 150, from_priority_after: 0, to_priority: 100 });
  });
});

describe('near failovers', () => {
  it('a gap of more than two intervals after which the master goes on is counted, gauged and not a failover', () => {
    const s = new Scenario();
    // 2.5 s (two missed) and 1.8 s (one missed, not near): the Master_Down_Interval is 3.4 s.
    s.play([...every(1, 0, 10, advert({ src: A, priority: 150 })), ...every(1, 11.5, 20, advert({ src: A, priority: 150 })), ...every(1, 21.3, 25, advert({ src: A, priority: 150 }))], 25);
    assert.deepEqual(s.of('near_failover').map((e) => [e.router, e.start, e.end]), [[A, 9, 11.5]]);
    assert.deepEqual(s.of('failover'), []);
    const v = s.view();
    assert.equal(v?.nearFailovers, 1);
    assert.equal(v.longestRecentGap, 2.5);
  });

  it('the gauge forgets gaps older than ten minutes', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 10, advert({ src: A, priority: 150 })), ...every(1, 11.5, 14, advert({ src: A, priority: 150 }))], 14);
    for (const [t, a] of every(1, 14.5, 700, advert({ src: A, priority: 150 }))) s.monitor.advert('eth0', a, t);
    s.monitor.settle(700);
    const v = s.view();
    assert.equal(v?.nearFailovers, 1);
    assert.equal(v.longestRecentGap, 0);
  });

  it('a silence that outlasts the Master_Down_Interval is no near failover', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 5, advert({ src: A, priority: 150 })), ...every(1, 9, 12, advert({ src: A, priority: 150 }))], 12);
    assert.deepEqual(s.of('near_failover'), []);
  });

  it('is logged once per group per minute at most, the next line counting those not logged', () => {
    const s = new Scenario();
    const adverts: [number, Advert][] = [];
    // A gap of 2.5 s every 10 s for 80 s.
    for (let t = 0; t < 80; t += 10) adverts.push(...every(1, t, t + 7.6, advert({ src: A, priority: 150 })));
    s.play(adverts, 80);
    const gaps = s.of('near_failover');
    assert.equal(gaps.length, 7);
    const log: NearFailoverLog = new Map();
    const lines = gaps.map((e) => eventRecord(e, { last: -Infinity, pending: 0 }, log)).filter((r) => r !== undefined);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.msg, `near failover: master ${A} sent nothing for 3 s (more than two advert intervals) and stayed master`);
    assert.equal(lines[1]?.fields.not_logged_since_last, 5);
  });
});

describe('per-router error counters', () => {
  it('counts what the MIBs count for known routers, compared with the master of record', () => {
    const s = new Scenario();
    const errors = new RouterErrors();
    const play = (t: number, a: Advert): void => {
      errors.advert(s.monitor.advert('eth0', a, t), a);
    };
    play(0, advert({ src: A, priority: 150, password: 'right' }));
    play(0.1, advert({ src: B, priority: 100, password: 'wrong', advertInterval: 2, addresses: ['192.0.2.101'], ttl: 64, ttlOk: false }));
    play(0.2, advert({ src: B, priority: 0, password: 'right' }));
    play(0.3, advert({ src: C, priority: 90, authType: 0 }));
    const group = s.monitor.group('eth0', 'ipv4', 51);
    assert.ok(group);
    errors.invalid(group, B, 'bad_checksum');
    errors.invalid(group, B, 'truncated');
    errors.invalid(group, '198.51.100.7', 'bad_checksum');
    const counts = errors.of(group).map((e) => `${e.router} ${e.error} ${e.count}`);
    assert.deepEqual(counts.sort(), [
      `${B} addresses 1`,
      `${B} advert_interval 1`,
      `${B} auth_failure 1`,
      `${B} checksum 1`,
      `${B} length 1`,
      `${B} priority_zero 1`,
      `${B} ttl 1`,
      `${C} auth_type 1`,
    ]);
    assert.ok(!JSON.stringify(errors.of(group)).includes('wrong'), 'never the auth data');
  });

  it('exports the counters beside the failovers by cause and the near failovers', async () => {
    const s = new Scenario();
    const errors = new RouterErrors();
    for (const [t, a] of [...every(1, 0, 5, advert({ src: A, priority: 150 })), [5, advert({ src: A, priority: 0 })] as [number, Advert], ...every(1, 5.6, 8, advert({ src: B, priority: 100, ttl: 1, ttlOk: false }))]) errors.advert(s.monitor.advert('eth0', a, t), a);
    s.monitor.settle(8);
    const group = s.monitor.group('eth0', 'ipv4', 51);
    assert.ok(group);
    const view = groupView(group);
    const text = (
      await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({
        groups: [view],
        node: [],
        conflicts: new Map(),
        invalid: new Map(),
        captures: [],
        probes: [],
        evictions: { group: 0, router: 0 },
        keepalived: new Map(),
        config: { lastReloadOk: true, lastReloadAt: 1 },
        routerErrors: new Map([[view.key, errors.of(group)]]),
      })
    ).body.toString();
    const labels = 'interface="eth0",family="ipv4",vrid="51"';
    for (const line of [
      `vrrpwatch_vrid_master_changes_total{${labels}} 1`,
      `vrrpwatch_vrid_failovers_total{${labels},cause="resigned"} 1`,
      `vrrpwatch_vrid_failovers_total{${labels},cause="master_down"} 0`,
      `vrrpwatch_vrid_near_failovers_total{${labels}} 0`,
      `vrrpwatch_vrid_longest_advert_gap_seconds{${labels}} 0`,
      `vrrpwatch_router_errors_total{${labels},router="${A}",error="priority_zero"} 1`,
      `vrrpwatch_router_errors_total{${labels},router="${B}",error="ttl"} 3`,
    ]) {
      assert.ok(text.includes(`\n${line}\n`), `${line} missing`);
    }
    assert.equal(text.match(/^vrrpwatch_vrid_failovers_total\{/gm)?.length, 6, 'one series per cause');
  });
});
