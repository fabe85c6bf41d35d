import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert, every, Scenario } from '../helpers/adverts.js';
import { eventRecord } from '../../src/outputs/log-lines.js';
import type { LogRecord } from '../../src/outputs/log-lines.js';
import type { MonitorEvent } from '../../src/core/groups/types.js';

const A = '192.0.2.11';
const B = '192.0.2.12';
const GROUP = { interface: 'eth0', family: 'ipv4', vrid: 51 };

/** The records of the events, as serve logs them in order (debug lines left out unless asked). */
function records(events: readonly MonitorEvent[], debug = false): LogRecord[] {
  const evictions = { last: -Infinity, pending: 0 };
  const out: LogRecord[] = [];
  for (const e of events) {
    const r = eventRecord(e, evictions);
    if (r !== undefined && (debug || r.level !== 'debug')) out.push(r);
  }
  return out;
}

describe("serve's log lines of the Monitor's events", () => {
  it('a split-brain: one error line when judged, one info line with its duration when it ends', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 40, advert({ src: A, priority: 150 })), ...every(1, 10.5, 20, advert({ src: B, priority: 100 }))], 40);
    const lines = records(s.events);
    const [start, end] = lines;
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.deepEqual(start, { level: 'error', msg: 'split-brain: more than one master', fields: { ...GROUP, finding: 'split_brain', routers: [A, B], since: 10.5 } });
    assert.equal(end?.level, 'info');
    assert.equal(end.msg, 'split-brain ended');
    assert.equal(end.fields.duration_seconds, +((s.of('split_end')[0]?.time ?? 0) - 10.5).toFixed(3));
  });

  it('no master, mismatches, failover, expiry: their words and levels', () => {
    const s = new Scenario({ groupExpirySeconds: 30, mismatchHoldSeconds: 10 });
    s.play([...every(1, 0, 5, advert({ src: A, priority: 150 })), ...every(1, 4.5, 8, advert({ src: B, priority: 100, advertInterval: 2 }))], 60);
    const said = records(s.events).map((r) => `${r.level} ${r.msg} ${typeof r.fields.finding === 'string' ? r.fields.finding : ''}`);
    assert.deepEqual(said, [
      'warn routers disagree on advert_interval config_mismatch',
      'warn failover: the master changed: the master fell silent for its Master_Down_Interval (old master priority 150, new master priority 100, old master last heard 0.5 s before) ',
      'info routers agree again config_mismatch',
      'error the group has no master no_master',
      'info group silent too long: forgotten ',
    ]);
  });

  it('evictions: one line per ten seconds at most, with the count since the last', () => {
    const s = new Scenario({ maxGroups: 10 });
    const adverts = [];
    for (let vrid = 1; vrid <= 40; vrid++) adverts.push([vrid * 0.5, advert({ src: A, vrid })] as [number, ReturnType<typeof advert>]);
    s.play(adverts, 21, 0.5);
    const lines = records(s.events).filter((r) => r.level === 'warn');
    const times = s.of('evicted').map((e) => e.time);
    assert.ok(times.length > lines.length);
    // The first eviction is said at once; each later line counts those since the line before.
    assert.equal(lines[0]?.fields['evicted'], 1);
    assert.ok(lines.length >= 2 && lines.length <= Math.ceil(((times.at(-1) ?? 0) - (times[0] ?? 0)) / 10) + 1, JSON.stringify(lines));
    assert.ok(lines.slice(1).every((r) => typeof r.fields.evicted === 'number' && r.fields.evicted > 1), JSON.stringify(lines));
    assert.equal(lines[0].msg, 'tables full: least recently heard groups or routers evicted (a flood or a spoofer?)');
  });
});
