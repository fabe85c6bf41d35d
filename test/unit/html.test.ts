/** The HTML pages: replay's post-mortem and serve's status page, rendered from the core's own runs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert, every, groupViewOf } from '../helpers/adverts.js';
import type { Advert } from '../../src/core/wire/types.js';
import { DEFAULT_SETTINGS, Monitor } from '../../src/core/groups/state.js';
import type { MonitorEvent } from '../../src/core/groups/types.js';
import { groupView } from '../../src/core/groups/views.js';
import { RecentHistory } from '../../src/core/history/recent.js';
import { Timeline } from '../../src/core/history/timeline.js';
import type { NodeGroupView } from '../../src/core/node/node.js';
import { historyFindings, renderHtmlReport, TIMELINE_PLOT } from '../../src/outputs/html-replay.js';
import { renderStatusPage } from '../../src/outputs/html-live.js';
import { renderCheck } from '../../src/outputs/nagios.js';
import { NO_KNOWN_ROUTERS } from '../../src/core/expect/known-routers.js';
import type { StatusPageInput } from '../../src/outputs/html-live.js';
import type { ReplayReport } from '../../src/outputs/report.js';
import { noVipFindings } from '../../src/core/history/vip-history.js';

const A = '192.0.2.11';
const B = '192.0.2.12';
const HOSTILE = 'eth0"><script>alert(1)</script><img src=x onerror=alert(2)>';
const T0 = 1_764_000_000;

/** What `replay` does with a capture, on adverts made here: monitor, timeline, report. */
function report(adverts: [number, Advert][], iface = 'eth0', file = 'incident.pcap', invalidTimes: number[] = []): ReplayReport {
  const timeline = new Timeline();
  const monitor = new Monitor({ ...DEFAULT_SETTINGS, groupExpirySeconds: Infinity }, timeline.onEvent);
  const sorted = [...adverts].sort((a, b) => a[0] - b[0]);
  for (const [t, a] of sorted) {
    monitor.advert(iface, a, T0 + t);
    timeline.advert(iface, a, T0 + t);
  }
  const end = T0 + (sorted.at(-1)?.[0] ?? 0);
  monitor.settle(end);
  return { file, format: 'pcap', packets: sorted.length + invalidTimes.length, adverts: sorted.length, invalid: invalidTimes.length > 0 ? { bad_checksum: invalidTimes.length } : {}, invalid_times: invalidTimes.map((t) => T0 + t), neighbor_messages: 0, neighbor_invalid: {}, start: T0, end, groups: timeline.histories(monitor).map((h) => ({ ...h, ...noVipFindings(), foreign_traffic: [] })), vips: [], evicted: { groups: 0, routers: 0 } };
}

function count(html: string, pattern: RegExp): number {
  return (html.match(new RegExp(pattern.source, 'g')) ?? []).length;
}

/** The `<svg ...>` of the group whose section has this id. */
function sectionOf(html: string, vrid: number): string {
  const at = html.search(new RegExp(`<details class="group" id="g\\d+-ipv4-${vrid}"`));
  assert.ok(at >= 0, `no section for VRID ${vrid}`);
  return html.slice(at, html.indexOf('</details>', at));
}

describe('replay --format html', () => {
  const split = [...every(1, 0, 30, advert({ src: A, priority: 150 })), ...every(1, 10.5, 20, advert({ src: B, priority: 100 }))];

  it('draws the split-brain interval where the capture has it, with the summary counting it', () => {
    const r = report(split);
    const s = r.groups[0]?.split_brain[0];
    assert.ok(s !== undefined && s.end !== null);
    const html = renderHtmlReport(r);
    assert.match(html, /^<!doctype html>/);
    assert.equal(count(html, /<g class="split-brain"/), 1);
    const rect = /<g class="split-brain" data-start="([\d.]+)" data-end="([\d.]+)"><rect class="split" x="([\d.]+)" y="\d+" width="([\d.]+)"/.exec(html);
    assert.ok(rect !== null);
    assert.equal(Number(rect[1]), s.start);
    const span = 29;
    const x = TIMELINE_PLOT.left + ((s.start - T0) / span) * TIMELINE_PLOT.width;
    const w = ((s.end - s.start) / span) * TIMELINE_PLOT.width;
    assert.ok(Math.abs(Number(rect[3]) - x) <= 0.1, `split drawn at x=${rect[3]}, expected ${x}`);
    assert.ok(Math.abs(Number(rect[4]) - w) <= 0.2, `split ${rect[4]} wide, expected ${w}`);
    assert.match(html, /<tr><th>groups<\/th><td class="num">1<\/td><td>1 with a critical finding, 0 with a warning, 0 healthy<\/td><\/tr>/);
    assert.match(html, /<tr><th>split-brain intervals<\/th><td class="num">1<\/td>/);
    assert.match(html, /<th>packets<\/th><td class="num">40<\/td><td>40 VRRP advertisements, 0 invalid<\/td>/);
    assert.match(html, /worst finding<\/th><td><\/td><td><a href="#g0-ipv4-51">VRID 51 ipv4 on eth0<\/a>: <span class="sev critical">CRITICAL<\/span>split-brain on VRID 51 on eth0: 192\.0\.2\.11, 192\.0\.2\.12 are all master \(for 12\.6 s\)/);
    assert.match(html, /2025-11-24 16:00:00\.000 UTC to 2025-11-24 16:00:29\.000 UTC \(29\.0 s\)/);
    assert.doesNotMatch(html, /<script|<link|src=|url\(/i, 'nothing runs, nothing is fetched');
  });

  it('marks failovers with their cause, and priorities over time', () => {
    const r = report([
      ...every(1, 0, 5, advert({ src: A, priority: 150 })),
      [5, advert({ src: A, priority: 0 })],
      ...every(1, 5.6, 12, advert({ src: B, priority: 100 })),
      ...every(1, 11.2, 20, advert({ src: A, priority: 150 })),
    ]);
    const g = r.groups[0];
    assert.deepEqual(g?.failovers.map((f) => [f.from, f.to, f.cause]), [[A, B, 'resigned'], [B, A, 'preempted']]);
    assert.deepEqual(g.priorities.map((p) => [p.router, Math.round((p.time - T0) * 10) / 10, p.priority]), [[A, 0, 150], [A, 5, 0], [B, 5.6, 100], [A, 11.2, 150]]);
    const html = renderHtmlReport(r);
    assert.equal(count(html, /<g class="failover-at"/), 2);
    assert.match(html, />F1<\/text><title>failover 192\.0\.2\.11 -&gt; 192\.0\.2\.12 at 2025-11-24 16:00:05\.\d{3} UTC: the master sent priority 0: a graceful stop \(old master priority 150 -&gt; 0, new master priority 100, old master last heard 0\.6 s before\)<\/title>/);
    assert.match(html, /failover 192\.0\.2\.12 -&gt; 192\.0\.2\.11: preempted: the old master was still advertising \(old master priority 100, new master priority 150, old master last heard 0\.\d s before\)/);
    assert.equal(count(html, /<polyline class="prio"/), 2);
    assert.match(html, /<title>priority of 192\.0\.2\.11: 150 from 16:00:00, 0 from 16:00:05, 150 from 16:00:11<\/title>/);
    assert.match(html, /<details class="group" id="g0-ipv4-51" open><summary><strong>VRID 51 ipv4 on eth0<\/strong> · 2 routers · 2 failovers · <span class="ok">no finding<\/span>/);
  });

  it('shows a gap in a master\'s adverts as a warning, and invalid packets over time', () => {
    // 2.5 s without an advert: two missed, still short of the Master_Down_Interval (3.4 s at priority 150).
    const r = report([...every(1, 0, 10, advert({ src: A, priority: 150 })), ...every(1, 11.5, 20, advert({ src: A, priority: 150 }))], 'eth0', 'gap.pcap', [1, 1.1, 1.2, 15]);
    assert.deepEqual(r.groups[0]?.advert_gaps.map((gap) => [gap.start - T0, gap.end - T0]), [[9, 11.5]]);
    assert.deepEqual(r.groups[0].masters.map((m) => m.end), [null], 'it stayed master through the gap');
    const html = renderHtmlReport(r);
    assert.match(html, /<span class="sev warning">WARNING<\/span>1 near failover: gap in a master&#39;s adverts/);
    assert.match(html, /<rect class="gap" [^>]+><title>no advert from 192\.0\.2\.11 for 2\.5 s from 2025-11-24 16:00:09\.000 UTC<\/title>/);
    assert.match(html, /near failover: master 192\.0\.2\.11 sent nothing for 2\.5 s \(2\.5 intervals\) and stayed master/);
    assert.match(html, /<svg class="invalid-over-time"/);
    assert.equal(count(html, /<rect class="invalid"/), 2, 'the first three invalid packets share a bucket');
    assert.match(html, /<title>3 invalid<\/title>/);
    assert.match(html, /4 invalid \(bad_checksum 4\)/);
  });

  it('folds healthy groups once there are more than 10, and puts the ones with findings first', () => {
    const healthy = (vrids: number[]): [number, Advert][] => vrids.flatMap((vrid) => every(1, 0, 30, advert({ src: A, vrid, addresses: [`192.0.2.${vrid + 100}`] })));
    const many = renderHtmlReport(report([...healthy([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ...split]));
    assert.match(many, /<details class="group" id="g6-ipv4-7"><summary>/, 'a healthy group is folded');
    assert.equal(count(many, /<details class="group" id="[^"]+" open>/), 1);
    assert.match(many, /<details class="group" id="g10-ipv4-51" open>/);
    assert.ok(many.indexOf('id="g10-ipv4-51"') < many.indexOf('id="g0-ipv4-1"'));
    assert.match(sectionOf(many, 7), /<span class="ok">stable<\/span>/);
    assert.match(many, /Groups without findings or failovers are folded\./);
    const few = renderHtmlReport(report([...healthy([7]), ...split]));
    assert.match(few, /<details class="group" id="g0-ipv4-7" open>/, 'with few groups every one is open');
    assert.doesNotMatch(few, /are folded/);
  });

  it('says each interval as its finding kind says it, with that kind\'s severity and how long it lasted', () => {
    const r = report(split);
    const g = r.groups[0];
    assert.ok(g !== undefined);
    const shown = historyFindings({ ...g, split_brain: [], mismatches: [{ field: 'auth', start: T0, end: T0 + 4 }, { field: 'addresses', start: T0 + 1, end: null }], vip_conflicts: [{ vip: '192.0.2.100', vrids: [52], start: T0 + 2, end: T0 + 3.5 }], no_master: [{ start: T0 + 5, end: T0 + 6 }] });
    assert.deepEqual(shown, [
      { severity: 'critical', text: 'VIP 192.0.2.100 of VRID 51 on eth0 is also advertised by the master of VRID 52: both hold it (virtual_router_id differs?) (for 1.5 s)' },
      { severity: 'critical', text: 'VRID 51 on eth0 lost its master (for 1.0 s)' },
      { severity: 'warning', text: 'auth mismatch on VRID 51 on eth0 (for 4.0 s)' },
      { severity: 'warning', text: 'addresses mismatch on VRID 51 on eth0 (to the end of the capture)' },
    ]);
  });

  it('escapes what came from the capture: interface names and the file name', () => {
    const r = report(split, HOSTILE, '<b>x.pcap');
    const html = renderHtmlReport(r);
    assert.doesNotMatch(html, /<script|<img|<b>/i);
    assert.match(html, /VRID 51 ipv4 on eth0&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
    assert.match(html, /<title>vrrpwatch replay: &lt;b&gt;x\.pcap<\/title>/);
    assert.match(html, /id="g0-ipv4-51"/, 'the anchor is made of numbers, not of the interface name');
  });

  it('remembers at most 64 routers of a group for priorities and gaps (a spoofer sends from any source)', () => {
    const spoofed: [number, Advert][] = Array.from({ length: 70 }, (_, i) => [i * 0.01, advert({ src: `198.51.100.${i + 1}`, priority: 10 })]);
    const r = report([...spoofed, [1, advert({ src: '198.51.100.70', priority: 10 })], [1.1, advert({ src: '198.51.100.1', priority: 10 })]]);
    const changes = r.groups[0]?.priorities.map((p) => p.router) ?? [];
    assert.equal(changes.length, 71, 'the most recent router is still known; the first, forgotten, counts as new');
    assert.equal(changes.at(-1), '198.51.100.1');
  });

  it('says so when the capture has no advertisement', () => {
    const html = renderHtmlReport(report([]));
    assert.match(html, /<p>No VRRP advertisements in incident\.pcap\.<\/p>/);
    assert.match(html, /worst finding<\/th><td><\/td><td><span class="ok">none<\/span>/);
  });
});

function nodeView(fields: Partial<NodeGroupView> = {}): NodeGroupView {
  return { key: { interface: 'eth0', family: 'ipv4', vrid: 51 }, view: undefined, expected: undefined, role: 'observer', roleFrom: undefined, vips: [], backupHolding: [], masterMissing: [], expectedWithoutMaster: false, advertsBlocked: false, mastersBeside: [], configDiffers: [], ...fields };
}

/** A split over the last minutes, played through the monitor, with the page's history fed its events. */
function live(iface: string): StatusPageInput {
  const history = new RecentHistory(600);
  const events: MonitorEvent[] = [];
  const monitor = new Monitor(DEFAULT_SETTINGS, (e) => {
    events.push(e);
    history.onEvent(e);
  });
  const adverts = [...every(1, 0, 120, advert({ src: A, priority: 150 })), ...every(1, 60.5, 120, advert({ src: B, priority: 100 }))].sort((x, y) => x[0] - y[0]);
  for (const [t, a] of adverts) monitor.advert(iface, a, T0 + t);
  const now = T0 + 120.5;
  monitor.settle(now);
  const groups = [...monitor.groups.values()].map(groupView);
  return {
    now,
    version: '1.2.3',
    host: 'lb-a',
    sources: [],
    about: [`capturing on ${iface}`],
    telemetryPath: '/metrics',
    refreshSeconds: 5,
    groups,
    node: [],
    conflicts: new Map(),
    captures: [{ interface: iface, up: true, dropped: 3, problem: undefined }],
    probes: [{ target: B, role: 'peer', up: true, rtt: 0.00123 }],
    invalid: new Map([[iface, new Map([['bad_checksum', 2]])]]),
    historySeconds: 600,
    history: (id) => history.of(id, now),
    ended: [],
  };
}

describe('the status page at /', () => {
  it('while blind (no capture running) is CRITICAL in its title and its state, never "no findings"', () => {
    const denied = 'permission denied: capturing needs root or CAP_NET_RAW';
    const html = renderStatusPage({ ...live('eth0'), groups: [], captures: [{ interface: 'eth0', up: false, dropped: 0, problem: denied }], history: () => undefined });
    assert.match(html, /<title>CRITICAL · lb-a \(witness\) · vrrpwatch<\/title>/);
    assert.match(html, /<ul class="health"><li><span class="sev critical">CRITICAL<\/span>capture down on eth0: permission denied: capturing needs root or CAP_NET_RAW; VRRP there is not seen<\/li><\/ul>/);
    assert.match(html, /<p class="state">0 groups: <span class="critical">BLIND: vrrpwatch cannot see VRRP where the capture is down<\/span>\.<\/p>/);
    assert.doesNotMatch(html, /no findings/);
    const none = renderStatusPage({ ...live('eth0'), groups: [], captures: [], history: () => undefined });
    assert.match(none, /<title>CRITICAL · /);
    assert.match(none, /no interface is captured: vrrpwatch sees no VRRP at all/);
  });

  it('says which source it cannot read, as a warning, and a node by its expectations', () => {
    const problem = 'permission denied for user vrrpwatch (keepalived.conf is often root\'s with mode 0600: …)';
    const expected = { vrid: 51, interface: 'eth0', family: 'ipv4' as const, vips: ['192.0.2.100'], advertInterval: 1, instance: 'VI_1', source: 'keepalived.conf:3' };
    const html = renderStatusPage({ ...live('eth0'), groups: [], node: [nodeView({ expected, role: 'backup', roleFrom: 'config' })], sources: [{ source: 'keepalived_config', path: '/etc/keepalived/keepalived.conf', problem }, { source: 'notify_fifo', path: '/run/keepalived.vrrpwatch.fifo', problem: undefined }], history: () => undefined });
    assert.match(html, /<title>WARNING · lb-a \(node\) · vrrpwatch<\/title>/);
    assert.match(html, /<li><span class="sev warning">WARNING<\/span>keepalived\.conf not read: permission denied for user vrrpwatch \(keepalived\.conf is often root&#39;s with mode 0600: …\)<\/li>/);
    assert.doesNotMatch(html, /notify_fifo not read/);
  });

  it('shows groups, masters with priorities, advert ages, findings with severity, health, and refreshes itself', () => {
    const html = renderStatusPage(live('eth0'));
    assert.match(html, /<meta http-equiv="refresh" content="5">/);
    assert.match(html, /<title>CRITICAL · lb-a \(witness\) · vrrpwatch<\/title>/);
    assert.match(html, /<h1>lb-a <span class="muted">\(witness\)<\/span><\/h1>/);
    assert.match(html, /<a href="\/metrics">metrics<\/a>/);
    assert.match(html, /2025-11-24 16:02:00 UTC/);
    assert.equal(count(html, /<tr class="group-row">/), 1);
    assert.match(html, /<td>192\.0\.2\.11 <span class="muted">\(150\)<\/span><br>192\.0\.2\.12 <span class="muted">\(100\)<\/span><\/td>/);
    assert.match(html, /192\.0\.2\.11 <span class="muted">priority 150, 1\.5 s ago<\/span><br>192\.0\.2\.12 <span class="muted">priority 100, 1\.0 s ago<\/span>/);
    assert.match(html, /<span class="sev critical">CRITICAL<\/span>split-brain on VRID 51 on eth0: 192\.0\.2\.11, 192\.0\.2\.12 are all master<\/div>/);
    assert.match(html, /<p class="state">1 group: <span class="critical">1 group with a critical finding<\/span>\.<\/p>/);
    assert.match(html, /<td>eth0<\/td><td><span class="ok">up<\/span><\/td><td class="num">3<\/td>/);
    assert.match(html, /<td>peer<\/td><td>192\.0\.2\.12<\/td><td><span class="ok">answers<\/span><\/td><td class="num">1\.2 ms<\/td>/);
    assert.match(html, /<td>bad_checksum<\/td><td class="num">2<\/td>/);
    assert.doesNotMatch(html, /<script/i);
  });

  it('draws the last minutes: both masters and the split from where it began', () => {
    const input = live('eth0');
    const html = renderStatusPage(input);
    const svg = /<svg class="history"[^]*?<\/svg>/.exec(html)?.[0] ?? '';
    assert.equal(count(svg, /<rect class="master"/), 2);
    const split = /<rect class="split" x="([\d.]+)" y="0" width="([\d.]+)"/.exec(svg);
    assert.ok(split !== null);
    const onset = input.history('eth0|ipv4|51')?.splits[0]?.start ?? 0;
    assert.ok(Math.abs(Number(split[1]) - ((onset - (input.now - 600)) / 600) * 300) <= 0.1);
    assert.ok(Math.abs(Number(split[1]) + Number(split[2]) - 300) <= 0.1, 'the split is still open: it runs to now');
  });

  it('escapes a hostile interface name and capture problem', () => {
    const html = renderStatusPage({ ...live(HOSTILE), captures: [{ interface: HOSTILE, up: false, dropped: 0, problem: `<i>${HOSTILE} is gone</i>` }] });
    assert.doesNotMatch(html, /<script|<img|<i>/i);
    assert.match(html, /on eth0&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&lt;i&gt;eth0&quot;&gt;/);
  });

  it("lists foreign traffic on the VRID and a failing track_script in the core's words", () => {
    const g = groupViewOf([{ address: A, adverts: 3, priority: 145, interval: 1, last: T0, master: true, version: 2, addresses: ['192.0.2.100'] }]);
    const episode = { start: T0 - 5, last: T0, packets: 5, sources: ['192.0.2.13'], moreSources: 0 };
    const check = { kind: 'script' as const, name: 'check_nginx', weight: -5, reverse: false };
    const tracking = { configured: 150, healthy: 150, advertised: 145, solutions: [[check]], failing: [check], uncertain: [] };
    const html = renderStatusPage({ ...live('eth0'), groups: [g], node: [nodeView({ view: g, role: 'master', tracking })], foreign: new Map([['eth0|ipv4|51', [{ protocol: 'carp' as const, vhid: 51, episode, until: T0 + 10 }]]]), history: () => undefined });
    assert.match(html, /<span class="sev warning">WARNING<\/span>CARP traffic uses the VRID of VRID 51 on eth0 \(vhid 51 from 192\.0\.2\.13\)/);
    assert.match(html, /<span class="sev warning">WARNING<\/span>this node advertises VRID 51 on eth0 with a lowered priority: priority 150 -&gt; 145: check_nginx \(weight -5\) failing/);
  });

  it('lists node findings (a backup holding the VIP) and where the group is expected from, with the keepalived instance name escaped', () => {
    const g = groupViewOf([{ address: A, adverts: 3, priority: 150, interval: 1, last: T0, master: true, version: 2, addresses: ['192.0.2.100'] }]);
    const expected = { vrid: 51, interface: 'eth0', family: 'ipv4' as const, vips: ['192.0.2.100'], advertInterval: 1, instance: '<VI_1>', source: 'keepalived.conf:3' };
    const html = renderStatusPage({ ...live('eth0'), groups: [g], node: [nodeView({ view: g, role: 'backup', expected, backupHolding: ['192.0.2.100'] })], history: () => undefined });
    assert.match(html, /<br><span class="muted">this node: backup<\/span><br><span class="muted">expected from keepalived\.conf:3 \(&lt;VI_1&gt;\)<\/span><\/td>/);
    assert.match(html, /<span class="sev critical">CRITICAL<\/span>this node holds VIP 192\.0\.2\.100 of VRID 51 on eth0 but is not master/);
    assert.doesNotMatch(html, /<VI_1>/);
    assert.match(html, /None in the last 10 min\./);
  });

  it('lists what once says, worst first, each with its kind\'s severity: the page judges nothing itself', () => {
    const key = { interface: 'eth0', family: 'ipv4' as const, vrid: 51 };
    const routers = [A, B].map((address, i) => ({ address, adverts: 3, priority: 150 - 50 * i, interval: 1 + i, last: T0, master: i === 0, version: 2 as const, addresses: ['192.0.2.100'] }));
    const g = groupViewOf(routers, { key, masters: [A], authMismatch: true, configMismatch: ['advert_interval'] });
    const node = [nodeView({ key, view: g, role: 'master', vips: [{ vip: '192.0.2.100', heldOn: undefined }], masterMissing: ['192.0.2.100'] })];
    const html = renderStatusPage({ ...live('eth0'), groups: [g], node, history: () => undefined });
    const badges = [...html.matchAll(/<div><span class="sev (\w+)">[A-Z]+<\/span>([^<]*)<\/div>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(badges, [
      ['critical', 'this node is master of VRID 51 on eth0 but does not hold VIP 192.0.2.100'],
      ['warning', 'auth mismatch on VRID 51 on eth0'],
      ['warning', 'advert_interval mismatch on VRID 51 on eth0'],
    ]);
    const once = renderCheck({ now: T0, windowSeconds: 3.5, groups: [g], node, conflicts: new Map(), probes: [], knownRouters: NO_KNOWN_ROUTERS, haveExpectations: false, captureProblems: [] });
    assert.equal(once.code, 2);
    assert.match(once.text, /- this node is master but does not hold VIP 192\.0\.2\.100; auth mismatch; advert_interval mismatch$/m, 'once lists the same findings in the same order');
  });

  it('lists the VIP ownership findings of a group from the findings list, and who answers for each VIP', () => {
    const g = groupViewOf([{ address: A, adverts: 3, priority: 150, interval: 1, last: T0, master: true, version: 2, addresses: ['192.0.2.100'] }]);
    const owners = [
      { mac: '02:00:00:00:00:11', router: A, local: false, kinds: ['reply' as const], since: 90, last: T0 },
      { mac: '02:00:00:00:00:13', router: undefined, local: false, kinds: ['reply' as const], since: 90, last: T0 },
    ];
    const vip = { interface: 'eth0', vip: '192.0.2.100', family: 'ipv4' as const, groups: [g.key], expected: false, hasMaster: true, owners, duplicate: false, foreign: ['02:00:00:00:00:13'], unanswered: false, watched: false, mode: 'exclusive' as const, ownerChanges: 0, lastAnnouncement: undefined };
    const html = renderStatusPage({ ...live('eth0'), groups: [g], node: [], history: () => undefined, owners: { vips: [vip], probes: new Map([['eth0', 42]]), failoversWithoutGarp: [], missedGarps: [], ownerChanges: [], evicted: { vips: 0, macs: 0, bindings: 0, routerBindings: 0 } } });
    assert.match(html, /<span class="sev critical">CRITICAL<\/span>VIP 192\.0\.2\.100 of VRID 51 on eth0 is answered by 02:00:00:00:00:13, which belongs to no master of the group/);
    assert.match(html, /<h2>VIP owners on the wire<\/h2><p class="muted">probes sent: eth0: 42<\/p>/);
    assert.match(
      html,
      /<td>eth0<\/td><td>192\.0\.2\.100<\/td><td>VRRP<\/td><td><span class="critical">02:00:00:00:00:11 <span class="muted">\(192\.0\.2\.11\)<\/span> <span class="muted">since [0-9:]+<\/span><br>02:00:00:00:00:13 <span class="muted">since [0-9:]+<\/span><\/span><\/td><td class="num">0<\/td><td><span class="muted">none heard<\/span><\/td><td><div><span class="sev critical">CRITICAL<\/span>VIP 192\.0\.2\.100 of VRID 51 on eth0 is answered by 02:00:00:00:00:13/,
    );
  });

  it('keeps only the window: an old failover leaves the history', () => {
    const history = new RecentHistory(60);
    const monitor = new Monitor(DEFAULT_SETTINGS, history.onEvent);
    for (const [t, a] of [...every(1, 0, 10, advert({ src: A, priority: 150 })), [10, advert({ src: A, priority: 0 })] as [number, Advert], ...every(1, 10.6, 100, advert({ src: B, priority: 100 }))]) monitor.advert('eth0', a, t);
    monitor.settle(30);
    assert.equal(history.of('eth0|ipv4|51', 30)?.failovers.length, 1);
    assert.equal(history.of('eth0|ipv4|51', 100)?.failovers.length, 0);
    assert.deepEqual(history.of('eth0|ipv4|51', 100)?.masters.map((m) => m.router), [B]);
  });
});
