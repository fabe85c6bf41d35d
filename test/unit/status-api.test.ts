/**
 * The status document (`GET /api/v1/status`, `once --format json`) against docs/api-status.schema.json:
 * made from real captures through the one pipeline, it validates, and it says what the other outputs say
 * (both masters of a split, who answers for the VIP, the findings with their words and since when).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFile } from '../../src/adapters/capture-file.js';
import { FindingClock } from '../../src/core/findings/finding-clock.js';
import { findingId, findings } from '../../src/core/findings/findings.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import type { WatchedVip } from '../../src/core/ownership/vip-owners.js';
import { liveSettings, Pipeline } from '../../src/core/pipeline/pipeline.js';
import type { PipelineView } from '../../src/core/pipeline/pipeline.js';
import { checkDocument, unknownDocument } from '../../src/app/once.js';
import { renderCheck } from '../../src/outputs/nagios.js';
import { NO_KNOWN_ROUTERS } from '../../src/core/expect/known-routers.js';
import { statusDocument, statusJson } from '../../src/outputs/status-api.js';
import type { StatusDocument, StatusInput } from '../../src/outputs/status-api.js';
import { CAPTURES, ROOT } from '../helpers/fixtures.js';
import { validate } from '../helpers/json-schema.js';

const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'docs', 'api-status.schema.json'), 'utf8')) as Record<string, unknown>;

/** serve's view `at` seconds into a capture fixture: the live path fed frame by frame, judged each second. */
async function viewAt(name: string, at: number, watched: readonly WatchedVip[] = []): Promise<PipelineView> {
  const pipeline = new Pipeline(liveSettings({ started: 0, expected: [], groupExpirySeconds: Infinity, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
  pipeline.watched = watched;
  let start: number | undefined;
  let tick: number | undefined;
  await readCaptureFile(join(CAPTURES, name), (p) => {
    start ??= p.ts;
    if (p.ts > start + at) return;
    tick ??= Math.ceil(p.ts);
    for (; tick <= p.ts; tick++) pipeline.view(tick);
    pipeline.frame(p.interfaceName, p.linkType, p.bytes, p.offset, p.length, p.ts);
  });
  assert.ok(start !== undefined, 'the capture has packets');
  return pipeline.view(start + at);
}

/** keepalived-v2-arp-split.pcap 20 s in: both routers master, both answering ARP for 192.0.2.100. */
const SPLIT = ['keepalived-v2-arp-split.pcap', 20] as const;

function documentOf(view: PipelineView, fields: Partial<StatusInput> = {}): StatusDocument {
  const found = findings(view);
  const since = new FindingClock().mark(found, view.now - 2);
  return statusDocument({
    ...view,
    findings: found,
    since: (f) => since.get(findingId(f)),
    host: 'lb-a',
    version: '0.1.0',
    captures: [{ interface: 'eth0', up: true, dropped: 0, problem: undefined }],
    sources: [],
    probes: [{ target: '192.0.2.12', role: 'peer', up: true, rtt: 0.0012 }],
    ...fields,
  });
}

describe('the status document', () => {
  it('of a split-brain capture validates, names both masters, and lists the split and the duplicate VIP with their words', async () => {
    const view = await viewAt(...SPLIT);
    const doc = documentOf(view);
    assert.deepEqual(validate(SCHEMA, JSON.parse(JSON.stringify(doc))), []);
    assert.equal(doc.version, 1);
    assert.equal(doc.role, 'witness');
    assert.equal(doc.state, 'critical');
    const group = doc.groups.find((g) => g.vrid === 51);
    assert.ok(group !== undefined, JSON.stringify(doc.groups));
    assert.equal(group.split_brain, true);
    assert.deepEqual([...group.masters].sort(), group.routers.map((r) => r.address).sort());
    assert.equal(group.masters.length, 2);
    const split = doc.findings.find((f) => f.kind === 'split_brain');
    assert.ok(split !== undefined);
    assert.deepEqual(split.group, { interface: group.interface, family: 'ipv4', vrid: 51 });
    assert.equal(split.severity, 'critical');
    assert.equal(split.since, view.now - 2);
    assert.match(split.text, /^split-brain on VRID 51 on \S+: 192\.0\.2\.\d+, 192\.0\.2\.\d+ are all master$/);
    assert.deepEqual(group.findings.map((f) => f.kind), doc.findings.filter((f) => f.group?.vrid === 51).map((f) => f.kind));
    const vip = doc.vips.find((v) => v.address === '192.0.2.100');
    assert.ok(vip !== undefined);
    assert.equal(vip.duplicate, true);
    assert.equal(vip.owners.length, 2);
    assert.deepEqual(vip.findings.map((f) => f.kind), ['vip_duplicate']);
    assert.deepEqual(vip.groups, [{ interface: group.interface, family: 'ipv4', vrid: 51 }]);
  });

  it('of a watched VIP of no group: its findings belong to no group and to the VIP', async () => {
    const view = await viewAt(...SPLIT, [{ interface: undefined, vip: '192.0.2.50', mode: 'exclusive', owners: ['02:00:00:00:09:09'] }]);
    const doc = documentOf(view);
    assert.deepEqual(validate(SCHEMA, JSON.parse(JSON.stringify(doc))), []);
    const vip = doc.vips.find((v) => v.address === '192.0.2.50');
    assert.ok(vip !== undefined, JSON.stringify(doc.vips.map((v) => v.address)));
    assert.equal(vip.watched, true);
    assert.deepEqual(vip.groups, []);
    assert.deepEqual(vip.owners.map((o) => o.mac), ['02:00:00:00:03:01']);
    const foreign = doc.findings.find((f) => f.kind === 'vip_foreign_owner' && f.vip === '192.0.2.50');
    assert.ok(foreign !== undefined, JSON.stringify(doc.findings));
    assert.equal(foreign.group, undefined);
    assert.equal(foreign.mac, '02:00:00:00:03:01');
    assert.deepEqual(vip.findings, [foreign]);
  });

  it('while blind says so in its health and its state', async () => {
    const view = await viewAt('keepalived-v2-pass-failover.pcap', 5);
    const doc = documentOf(view, { captures: [{ interface: 'eth0', up: false, dropped: 0, problem: 'permission denied' }], sources: [{ source: 'notify_fifo', path: '/run/k.fifo', problem: undefined }], probes: [] });
    assert.deepEqual(validate(SCHEMA, JSON.parse(JSON.stringify(doc))), []);
    assert.equal(doc.state, 'critical');
    assert.equal(doc.health.level, 'critical');
    assert.deepEqual(doc.captures, [{ interface: 'eth0', up: false, dropped: 0, problem: 'permission denied' }]);
    assert.deepEqual(doc.sources, [{ source: 'notify_fifo', path: '/run/k.fifo', problem: null }]);
  });
});

describe('once --format json', () => {
  it("is the status document with the check's verdict: the same findings and exit code as the plugin line", async () => {
    const view = await viewAt(...SPLIT);
    const check = renderCheck({ ...view, windowSeconds: 3.5, probes: [], knownRouters: NO_KNOWN_ROUTERS, haveExpectations: false, captureProblems: [] });
    const doc = JSON.parse(checkDocument(check, 3.5, { ...view, findings: check.findings, since: () => view.now - 1, captures: [], sources: [], probes: [] })) as StatusDocument & { check: Record<string, unknown> };
    assert.deepEqual(validate(SCHEMA, doc), []);
    assert.deepEqual(doc.check, { status: 'CRITICAL', code: 2, window_seconds: 3.5, summary: check.text.split(' | ')[0] });
    assert.match(doc.check.summary as string, /^VRRP CRITICAL - split-brain on VRID 51 on if0: /);
    assert.deepEqual(doc.findings.map((f) => f.kind), check.findings.map((f) => f.kind));
    assert.deepEqual(doc.findings.map((f) => f.kind).slice(0, 2), ['split_brain', 'vip_duplicate']);
    for (const f of doc.findings.slice(0, 2)) assert.ok(check.text.includes(f.text), `the plugin line says ${f.text}`);
    assert.deepEqual(doc.groups.find((g) => g.vrid === 51)?.masters.length, 2);
  });

  it('says UNKNOWN in the same shape when nothing could be judged', () => {
    const doc = JSON.parse(unknownDocument('cannot read the config /x: no such file')) as StatusDocument & { check: Record<string, unknown> };
    assert.deepEqual(validate(SCHEMA, doc), []);
    assert.deepEqual(doc.check, { status: 'UNKNOWN', code: 3, window_seconds: 0, summary: 'VRRP UNKNOWN - cannot read the config /x: no such file' });
    assert.deepEqual(doc.health, { level: 'critical', lines: [{ severity: 'critical', text: 'the check could not judge: cannot read the config /x: no such file' }] });
  });
});

describe('statusJson', () => {
  it('writes DEL, C1 and bidi controls as escapes: the same value for a parser, nothing for a terminal to obey', () => {
    const hostile = { host: 'lb\u001b]0;x\u0007-a\u009b31m\u202egnp.exe\u2066\u007f' };
    const text = statusJson(hostile);
    assert.equal(text, '{"host":"lb\\u001b]0;x\\u0007-a\\u009b31m\\u202egnp.exe\\u2066\\u007f"}');
    assert.deepEqual(JSON.parse(text), hostile);
  });
});

describe('the schema check', () => {
  it('refuses a document missing a field, with a wrong type, an unknown value or an undocumented field', async () => {
    const doc = JSON.parse(JSON.stringify(documentOf(await viewAt(...SPLIT)))) as Record<string, unknown>;
    const broken = (change: (d: Record<string, unknown>) => void): string[] => {
      const copy = structuredClone(doc);
      change(copy);
      return validate(SCHEMA, copy);
    };
    assert.deepEqual(broken((d) => delete d.host), ['$: missing host']);
    assert.deepEqual(broken((d) => (d.time = '1')), ['$.time: expected number, got string']);
    assert.deepEqual(broken((d) => (d.role = 'leader')), ['$.role: "leader" is not one of ["node","witness"]']);
    const first = (d: Record<string, unknown>, key: string): Record<string, unknown> => (d[key] as Record<string, unknown>[])[0] ?? {};
    assert.deepEqual(broken((d) => (first(d, 'groups').leader = true)), ['$.groups[0]: unexpected property leader']);
    assert.deepEqual(broken((d) => (first(d, 'vips').last_announcement = -1)), ['$.vips[0].last_announcement: matches none of anyOf ($.vips[0].last_announcement: -1 < 0 | $.vips[0].last_announcement: expected null, got number)']);
    assert.deepEqual(broken((d) => (d.version = 2)), ['$.version: 2 is not 1']);
  });
});

describe('FindingClock', () => {
  it('keeps when a finding began while it is found, and forgets it at the first judgement without it', async () => {
    const view = await viewAt(...SPLIT);
    const found = findings(view);
    assert.ok(found.length > 0);
    const clock = new FindingClock();
    const [head] = found;
    assert.ok(head !== undefined);
    const id = findingId(head);
    assert.equal(clock.mark(found, 10).get(id), 10);
    assert.equal(clock.mark(found, 11).get(id), 10);
    assert.equal(clock.mark([], 12).size, 0);
    assert.equal(clock.mark(found, 13).get(id), 13);
  });
});
