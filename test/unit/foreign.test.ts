import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { replay } from '../../src/app/replay.js';
import { liveSettings, Pipeline } from '../../src/core/pipeline/pipeline.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import type { PipelineView } from '../../src/core/pipeline/pipeline.js';
import { NO_KNOWN_ROUTERS } from '../../src/core/expect/known-routers.js';
import { Metrics } from '../../src/outputs/metrics.js';
import type { MetricsSnapshot } from '../../src/outputs/metrics.js';
import { renderCheck } from '../../src/outputs/nagios.js';
import { decodeFrame } from '../../src/core/wire/decode.js';
import { findings } from '../../src/core/findings/findings.js';
import { findingText } from '../../src/outputs/finding-words.js';
import { ForeignTraffic, foreignAt, foreignIntervals, foreignOf } from '../../src/core/groups/foreign.js';
import type { ForeignHeard } from '../../src/core/groups/foreign.js';
import { groupViewOf } from '../helpers/adverts.js';
import { renderHtmlReport } from '../../src/outputs/html-replay.js';
import { renderText } from '../../src/outputs/report.js';
import { packetFixture, pcapFile, vrrpFrame } from '../helpers/fixtures.js';

const KEY = { interface: 'eth0', family: 'ipv4' as const, vrid: 51 };
const CARP51: ForeignHeard = { protocol: 'carp', vhid: 51, interval: 1 };

describe('foreign traffic on a VRID', () => {
  it('attributes a real ucarp advert to its vhid, and a VRRP-shaped header of another version to its VRID byte', () => {
    const carp = packetFixture('carp-ucarp');
    assert.deepEqual(foreignOf(decodeFrame(carp.linkType, carp.bytes)), { protocol: 'carp', vhid: 51, interval: 1 });
    const bad = packetFixture('bad-version');
    const decoded = decodeFrame(bad.linkType, bad.bytes);
    assert.equal(decoded.kind === 'invalid' && decoded.reason, 'bad_version');
    const vrid = decoded.kind === 'invalid' ? decoded.header.vrid : undefined;
    assert.deepEqual(foreignOf(decoded), { protocol: 'other', vhid: vrid, interval: undefined });
    const truncated = packetFixture('truncated');
    assert.equal(foreignOf(decodeFrame(truncated.linkType, truncated.bytes)), undefined, 'a truncated packet names no VRID');
  });

  it('disturbs the group of the same VRID on the same segment for 3 intervals (at least 10 s) after its last packet', () => {
    const t = new ForeignTraffic();
    t.heard('eth0', 'ipv4', CARP51, '192.0.2.13', 100);
    t.heard('eth0', 'ipv4', CARP51, '192.0.2.14', 101);
    const [d] = foreignAt(t, KEY, 105);
    assert.ok(d);
    assert.deepEqual(d.episode.sources, ['192.0.2.13', '192.0.2.14']);
    assert.equal(d.until, 111);
    assert.equal(foreignAt(t, KEY, 111.5).length, 0, 'past its hold time');
    assert.equal(foreignAt(t, KEY, 99).length, 0, 'before it started');
    assert.equal(foreignAt(t, { ...KEY, vrid: 52 }, 105).length, 0, 'another VRID');
    assert.equal(foreignAt(t, { ...KEY, interface: 'eth1' }, 105).length, 0, 'another interface');
    assert.equal(foreignAt(t, { ...KEY, family: 'ipv6' }, 105).length, 0, 'another family');
  });

  it('keeps episodes apart when the traffic paused past its hold time, and answers for a past time', () => {
    const t = new ForeignTraffic();
    t.heard('eth0', 'ipv4', CARP51, '192.0.2.13', 100);
    t.heard('eth0', 'ipv4', CARP51, '192.0.2.15', 200);
    assert.deepEqual(foreignAt(t, KEY, 105)[0]?.episode.sources, ['192.0.2.13']);
    assert.deepEqual(foreignAt(t, KEY, 150), []);
    assert.deepEqual(foreignAt(t, KEY, 201)[0]?.episode.sources, ['192.0.2.15']);
    assert.deepEqual(foreignIntervals(t, KEY, 205), [
      { protocol: 'carp', vhid: 51, sources: ['192.0.2.13'], more_sources: 0, packets: 1, start: 100, end: 100 },
      { protocol: 'carp', vhid: 51, sources: ['192.0.2.15'], more_sources: 0, packets: 1, start: 200, end: null },
    ]);
  });

  it('stays bounded: sources per episode, vhids per segment, and forgets what fell silent', () => {
    const t = new ForeignTraffic({ maxSegments: 2, maxEntriesPerSegment: 4, expirySeconds: 600 });
    for (let i = 0; i < 20; i++) t.heard('eth0', 'ipv4', CARP51, `192.0.2.${i + 1}`, 100);
    const [d] = foreignAt(t, KEY, 100);
    assert.ok(d);
    assert.equal(d.episode.sources.length, 8);
    assert.equal(d.episode.moreSources, 12);
    for (let v = 1; v <= 10; v++) t.heard('eth0', 'ipv4', { protocol: 'carp', vhid: v, interval: 1 }, '192.0.2.99', 101 + v);
    assert.equal(t.entriesOf('eth0', 'ipv4').length, 4);
    assert.equal(t.evicted, 7);
    for (const iface of ['eth1', 'eth2', 'eth3']) t.heard(iface, 'ipv4', CARP51, '192.0.2.1', 120);
    assert.equal(t.segments.size, 2);
    t.expire(1000);
    assert.equal(t.segments.size, 0);
  });

  it('is a WARNING finding on the group it disturbs, naming the protocol, the vhid and its sources', () => {
    const t = new ForeignTraffic();
    t.heard('eth0', 'ipv4', CARP51, '192.0.2.13', 100);
    const view = groupViewOf([{ address: '192.0.2.11', last: 100, master: true, adverts: 1, priority: 150, interval: 1, version: 2, addresses: ['192.0.2.100'] }], { masters: ['192.0.2.11'] });
    const list = findings({ groups: [view], node: [], conflicts: new Map(), foreign: new Map([['eth0|ipv4|51', foreignAt(t, view.key, 101)]]) });
    const f = list.find((x) => x.kind === 'foreign_traffic');
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.equal(findingText(f, 'VRID 51 on eth0'), 'CARP traffic uses the VRID of VRID 51 on eth0 (vhid 51 from 192.0.2.13): its routers read it as their own adverts and flap');
    assert.equal(findings({ groups: [view], node: [], conflicts: new Map(), foreign: new Map() }).some((x) => x.kind === 'foreign_traffic'), false);
  });
});

describe('replay reports foreign traffic per group', () => {
  it('in the JSON (foreign_traffic), the text report and the HTML findings lane; CARP on another vhid is left out', async () => {
    const carp = packetFixture('carp-ucarp');
    const other = Uint8Array.from(carp.bytes);
    other[other.length - 36 + 1] = 61;
    const T0 = 1_795_390_000;
    const frames = [];
    for (let s = 0; s < 30; s++) frames.push({ ts: T0 + s, bytes: vrrpFrame(51, 11, 150) });
    for (let s = 10; s < 15; s++) frames.push({ ts: T0 + s + 0.5, bytes: carp.bytes }, { ts: T0 + s + 0.6, bytes: other });
    const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-foreign-'));
    try {
      const file = join(dir, 'carp.pcap');
      writeFileSync(file, pcapFile(carp.linkType, frames.sort((a, b) => a.ts - b.ts)));
      const { report } = await replay({ file });
      assert.equal(report.invalid.not_vrrp, 10);
      assert.equal(report.groups.length, 1);
      assert.deepEqual(report.groups[0]?.foreign_traffic, [{ protocol: 'carp', vhid: 51, sources: ['192.0.2.13'], more_sources: 0, packets: 5, start: T0 + 10.5, end: T0 + 14.5 }]);
      assert.match(renderText(report), /FOREIGN TRAFFIC x1/);
      assert.match(renderText(report), /FOREIGN TRAFFIC: CARP vhid 51 from 192\.0\.2\.13 \(5 packets\) on this VRID until /);
      const html = renderHtmlReport(report);
      assert.match(html, /<rect class="foreign" data-protocol="carp"/);
      assert.match(html, /foreign traffic: CARP vhid 51 from 192\.0\.2\.13/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serve and once see foreign traffic from captured frames', () => {
  const carp = packetFixture('carp-ucarp');
  const obs = { localAddresses: new Map<string, string>(), keepalived: new Map(), peerAnswers: undefined };
  const snapshot = (w: Pipeline, view: PipelineView): MetricsSnapshot => ({
    groups: view.groups,
    node: view.node,
    conflicts: view.conflicts,
    foreign: view.foreign,
    foreignTable: w.foreign,
    invalid: w.invalid,
    captures: [],
    probes: [],
    evictions: { group: 0, router: 0 },
    keepalived: new Map(),
    config: { lastReloadOk: true, lastReloadAt: 1 },
  });

  it('the gauge is 1 while CARP uses the VRID, 0 after its hold time; once says WARNING', async () => {
    const w = new Pipeline(liveSettings({ started: 0, expected: [], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
    for (let s = 0; s < 5; s++) {
      const frame = vrrpFrame(51, 11, 150);
      w.onFrame('eth0', 1, frame, frame.length, 100 + s);
      w.onFrame('eth0', 1, carp.bytes, carp.bytes.length, 100.5 + s);
    }
    const metrics = new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' });
    const during = w.view(105, obs);
    const text = (await metrics.render(snapshot(w, during))).body.toString();
    assert.match(text, /^vrrpwatch_vrid_foreign_adverts\{interface="eth0",family="ipv4",vrid="51",protocol="carp"\} 1$/m);
    const check = renderCheck({ ...during, windowSeconds: 5, probes: [], knownRouters: NO_KNOWN_ROUTERS, haveExpectations: false, captureProblems: [] });
    assert.equal(check.code, 1);
    assert.match(check.text, /^VRRP WARNING - CARP traffic uses the VRID of VRID 51 on eth0 \(vhid 51 from 192\.0\.2\.13\)/);
    for (let s = 5; s < 20; s++) {
      const frame = vrrpFrame(51, 11, 150);
      w.onFrame('eth0', 1, frame, frame.length, 100 + s);
    }
    const after = (await metrics.render(snapshot(w, w.view(119.5, obs)))).body.toString();
    assert.match(after, /^vrrpwatch_vrid_foreign_adverts\{interface="eth0",family="ipv4",vrid="51",protocol="carp"\} 0$/m);
  });

  it('once --vrid leaves out foreign traffic on other VRIDs', () => {
    const w = new Pipeline(liveSettings({ started: 0, expected: [], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS, vrids: new Set([52]) }));
    w.onFrame('eth0', 1, carp.bytes, carp.bytes.length, 100);
    assert.equal(w.foreign.segments.size, 0);
  });
});
