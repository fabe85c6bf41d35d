/**
 * The findings that ended in the last hour (the status page, the status API): each with when it started
 * and ended, kept for an hour, bounded in entries and in bytes whatever the labels and however often a
 * finding flaps; shown on the page with its duration, and in the status document.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EndedFindings, ENDED_LIMITS } from '../../src/outputs/ended-findings.js';
import { FindingClock } from '../../src/core/findings/finding-clock.js';
import type { Finding } from '../../src/core/findings/findings.js';
import { renderStatusPage } from '../../src/outputs/html-live.js';
import { statusDocument } from '../../src/outputs/status-api.js';
import { ROOT } from '../helpers/fixtures.js';
import { validate } from '../helpers/json-schema.js';

const T0 = 1_800_000_000;

function noMaster(iface: string, vrid = 51): Finding {
  return { kind: 'no_master', severity: 'critical', key: { interface: iface, family: 'ipv4', vrid }, scope: 'segment', details: {} };
}

/** Judges `list` once a second from `from` to `to` (exclusive), as serve's ticker does. */
function judge(ended: EndedFindings, clock: FindingClock, list: readonly Finding[], from: number, to: number): void {
  for (let t = from; t < to; t++) ended.judged(list, clock.mark(list, T0 + t), T0 + t);
}

describe('EndedFindings', () => {
  it('records a finding when a judgement no longer finds it, with its start, end and words', () => {
    const ended = new EndedFindings();
    const clock = new FindingClock();
    judge(ended, clock, [noMaster('eth0')], 0, 58);
    assert.deepEqual(ended.recent(T0 + 57), [], 'still open');
    judge(ended, clock, [], 58, 120);
    assert.deepEqual(ended.recent(T0 + 120), [{ kind: 'no_master', severity: 'critical', group: { interface: 'eth0', family: 'ipv4', vrid: 51 }, vip: undefined, text: 'VRID 51 on eth0 lost its master', since: T0, ended: T0 + 58 }]);
  });

  it('keeps them an hour, the latest end first', () => {
    const ended = new EndedFindings();
    const clock = new FindingClock();
    judge(ended, clock, [noMaster('eth0', 1)], 0, 10);
    judge(ended, clock, [noMaster('eth0', 2)], 10, 20);
    judge(ended, clock, [], 20, 21);
    assert.deepEqual(ended.recent(T0 + 21).map((e) => [e.group?.vrid, e.ended - T0]), [[2, 20], [1, 10]]);
    assert.deepEqual(ended.recent(T0 + 10 + 3600).map((e) => e.group?.vrid), [2, 1], 'the first ended an hour ago');
    assert.deepEqual(ended.recent(T0 + 11 + 3600).map((e) => e.group?.vrid), [2], 'the first ended more than an hour ago');
    assert.deepEqual(ended.recent(T0 + 20 + 3601), []);
    assert.equal(ended.bytes, 0);
  });

  it('a flapping finding cannot grow it beyond its entries', () => {
    const ended = new EndedFindings();
    const clock = new FindingClock();
    for (let t = 0; t < 2000; t += 2) {
      judge(ended, clock, [noMaster('eth0')], t, t + 1);
      judge(ended, clock, [], t + 1, t + 2);
    }
    assert.equal(ended.recent(T0 + 2000).length, ENDED_LIMITS.entries);
    assert.equal(ended.dropped, 1000 - ENDED_LIMITS.entries);
  });

  it('hostile labels cannot grow it beyond its bytes: interfaces and words are cut, the oldest dropped', () => {
    const ended = new EndedFindings();
    const clock = new FindingClock();
    const huge = (i: number): Finding => noMaster(`${'x'.repeat(100_000)}${i}`);
    for (let i = 0; i < 150; i++) {
      judge(ended, clock, [huge(i)], 2 * i, 2 * i + 1);
      judge(ended, clock, [], 2 * i + 1, 2 * i + 2);
    }
    const kept = ended.recent(T0 + 300);
    assert.ok(ended.bytes <= ENDED_LIMITS.bytes, String(ended.bytes));
    assert.ok(kept.length < 150 && kept.length > 0, String(kept.length));
    for (const e of kept) {
      assert.ok((e.group?.interface.length ?? 0) <= 64);
      assert.ok(e.text.length <= 300);
    }
    // What is kept would take at least this much as JavaScript strings: the estimate is not below it.
    assert.ok(ended.bytes >= kept.reduce((n, e) => n + 2 * (e.text.length + (e.group?.interface.length ?? 0)), 0));
  });
});

describe('ended findings on the status page and in the status API', () => {
  const ended = new EndedFindings();
  const clock = new FindingClock();
  judge(ended, clock, [noMaster('eth0<b>')], 0, 58);
  judge(ended, clock, [], 58, 70);
  const recent = ended.recent(T0 + 70);

  it('the page lists each with when it ended and how long it lasted, escaped', () => {
    const page = renderStatusPage({ now: T0 + 70, version: '1', host: 'lb-a', sources: [], about: [], telemetryPath: '/metrics', refreshSeconds: 5, groups: [], node: [], conflicts: new Map(), captures: [{ interface: 'eth0', up: true, dropped: 0, problem: undefined }], probes: [], invalid: new Map(), historySeconds: 600, history: () => undefined, ended: recent });
    assert.match(page, /<h2>Findings ended in the last hour<\/h2>\n<table class="ended">.*<tr><td>2027-01-15 08:00:58 UTC<\/td><td class="num">58\.0 s<\/td><td><span class="sev critical">CRITICAL<\/span>VRID 51 on eth0&lt;b&gt; lost its master<\/td><\/tr>/);
    const none = renderStatusPage({ now: T0, version: '1', host: 'lb-a', sources: [], about: [], telemetryPath: '/metrics', refreshSeconds: 5, groups: [], node: [], conflicts: new Map(), captures: [{ interface: 'eth0', up: true, dropped: 0, problem: undefined }], probes: [], invalid: new Map(), historySeconds: 600, history: () => undefined, ended: [] });
    assert.match(none, /<h2>Findings ended in the last hour<\/h2>\n<p class="muted">None in the last hour\.<\/p>/);
  });

  it('the status document carries them as ended_findings, and validates against the schema', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'docs', 'api-status.schema.json'), 'utf8')) as Record<string, unknown>;
    const doc = statusDocument({ now: T0 + 70, groups: [], node: [], conflicts: new Map(), findings: [], since: () => undefined, host: 'lb-a', version: '1', captures: [{ interface: 'eth0', up: true, dropped: 0, problem: undefined }], sources: [], probes: [], ended: recent });
    assert.deepEqual(doc.ended_findings, [{ kind: 'no_master', severity: 'critical', group: { interface: 'eth0<b>', family: 'ipv4', vrid: 51 }, text: 'VRID 51 on eth0<b> lost its master', since: T0, ended: T0 + 58, duration_seconds: 58 }]);
    assert.deepEqual(validate(schema, JSON.parse(JSON.stringify(doc))), []);
  });
});
