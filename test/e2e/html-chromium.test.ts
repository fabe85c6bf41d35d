/**
 * The HTML pages in a real browser: `replay --format html` of the keepalived fixtures and of a 1,000-group
 * capture made here, and the status page of a witness in the namespace lab, loaded in headless Chromium
 * (`--dump-dom` for what it rendered, `--screenshot` for the picture). With VRRPWATCH_SCREENSHOTS=DIR the
 * screenshots are kept in DIR (the README's pictures are made so: `VRRPWATCH_SCREENSHOTS=docs/images`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ADDRESS, PORT, valueOf, waitFor } from '../../lab/lab.js';
import { chromium, scriptErrors } from '../helpers/chromium.js';
import { useLab } from '../helpers/lab.js';
import { CAPTURES, CLI, pcapFile, pcapngFile, ROOT, thousandGroupFrames, vrrpFrame } from '../helpers/fixtures.js';
import { TIMELINE_PLOT } from '../../src/outputs/html-replay.js';
import type { ReplayReport } from '../../src/outputs/report.js';

const A = ADDRESS.a.v4;
const B = ADDRESS.b.v4;
let dir = '';
const shots = process.env.VRRPWATCH_SCREENSHOTS === undefined ? undefined : resolve(ROOT, process.env.VRRPWATCH_SCREENSHOTS);

/** Runs `replay` from the repository's root, so the page names a fixture as `test/fixtures/captures/…`. */
function replay(file: string, format: 'html' | 'json'): string {
  const out = join(dir, `${format}-${Math.random().toString(36).slice(2)}.${format}`);
  const r = spawnSync(process.execPath, [CLI, 'replay', relative(ROOT, file), '--format', format, '--output', out], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '', '--output leaves standard output empty');
  return out;
}

/** Renders the page; returns its DOM after a check that Chromium logged no script or loading error. */
function render(url: string, prefix?: string[]): { dom: string; seconds: number } {
  const r = chromium(url, prefix === undefined ? {} : { prefix });
  assert.deepEqual(scriptErrors(r.log), []);
  assert.doesNotMatch(r.dom, /<script/i);
  return r;
}

function screenshot(url: string, name: string, height: number, prefix?: string[]): void {
  const file = join(shots ?? dir, name);
  chromium(url, { screenshot: file, width: 1100, height, ...(prefix === undefined ? {} : { prefix }) });
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 1100, 'the screenshot is as wide as asked');
}

function all(dom: string, pattern: RegExp): RegExpExecArray[] {
  return [...dom.matchAll(new RegExp(pattern.source, 'g'))];
}

describe('the replay page in headless Chromium', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-html-'));
    if (shots !== undefined) mkdirSync(shots, { recursive: true });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('split-brain fixture: the group row, and the split drawn over the seconds the capture has it', () => {
    const file = join(CAPTURES, 'keepalived-v2-split-brain.pcap');
    const report = JSON.parse(readFileSync(replay(file, 'json'), 'utf8')) as ReplayReport;
    const split = report.groups[0]?.split_brain[0];
    assert.ok(split !== undefined && split.end !== null && report.start !== null && report.end !== null);
    const html = replay(file, 'html');
    const { dom } = render(`file://${html}`);
    const rows = all(dom, /<details class="group" id="[^"]+" open=""><summary><strong>([^<]+)<\/strong>/);
    assert.deepEqual(rows.map((m) => m[1]), ['VRID 51 ipv4 on if0']);
    assert.match(dom, /<span class="sev critical">CRITICAL<\/span>split-brain on VRID 51 on if0: 192\.0\.2\.11, 192\.0\.2\.12 are all master \(for 8\.6 s\)/);
    const drawn = all(dom, /<g class="split-brain" data-start="([\d.]+)" data-end="([\d.]+)"><rect class="split" x="([\d.]+)" y="\d+" width="([\d.]+)"/);
    assert.equal(drawn.length, 1);
    const span = report.end - report.start;
    const x = Number(drawn[0]?.[3]);
    const w = Number(drawn[0]?.[4]);
    assert.ok(Math.abs(x - (TIMELINE_PLOT.left + ((split.start - report.start) / span) * TIMELINE_PLOT.width)) <= 0.1, `split starts at x=${x}`);
    assert.ok(Math.abs(x + w - (TIMELINE_PLOT.left + ((split.end - report.start) / span) * TIMELINE_PLOT.width)) <= 0.2, `split ends at x=${x + w}`);
    assert.equal(all(dom, /<rect class="master"/).length, 2, 'a master band for each router');
    assert.match(dom, /<th>split-brain intervals<\/th><td class="num">1<\/td>/);
    screenshot(`file://${html}`, 'replay-split-brain.png', 820);
    const pdf = join(dir, 'split.pdf');
    chromium(`file://${html}`, { pdf });
    const printed = readFileSync(pdf).toString('latin1');
    const pages = all(printed, /\/Type \/Page\b/).length;
    assert.ok(pages >= 1 && pages <= 3, `one group prints on a page or three, not ${pages}`);
    assert.match(printed, /\/FontFile2/, 'the labels print as text (embedded fonts), not as pictures of text');
  });

  it('failover fixture: two failover marks with their causes, no split', () => {
    const html = replay(join(CAPTURES, 'keepalived-v2-pass-failover.pcap'), 'html');
    const { dom } = render(`file://${html}`);
    const marks = all(dom, /<g class="failover-at" data-time="[\d.]+">.*?<text class="label"[^>]*>(F\d)<\/text><title>([^<]+)<\/title><\/g>/);
    assert.deepEqual(marks.map((m) => m[1]), ['F1', 'F2']);
    assert.match(marks[0]?.[2] ?? '', /^failover 192\.0\.2\.11 -&gt; 192\.0\.2\.12 at .* UTC: the master sent priority 0: a graceful stop \(old master priority 150 -&gt; 0, new master priority 100, old master last heard [0-9.]+ s before\)$/);
    assert.match(marks[1]?.[2] ?? '', /^failover 192\.0\.2\.12 -&gt; 192\.0\.2\.11 at .* UTC: preempted: the old master was still advertising \(old master priority 100, new master priority 150, old master last heard [0-9.]+ s before\)$/);
    assert.equal(all(dom, /<g class="split-brain"/).length, 0);
    assert.match(dom, /<th>failovers<\/th><td class="num">2<\/td>/);
    screenshot(`file://${html}`, 'replay-failover.png', 820);
  });

  it('a hostile interface name in a pcapng capture is text on the page, never markup', () => {
    const name = 'eth0"><img src=x onerror="document.title=1"><script>document.title=2</script>';
    const frames = [0, 1, 2, 3, 4, 5].map((s) => ({ ts: 1_800_000_000 + s, bytes: vrrpFrame(51, 11, 150) }));
    const pcapng = join(dir, 'hostile.pcapng');
    writeFileSync(pcapng, pcapngFile(name, frames));
    const html = replay(pcapng, 'html');
    const { dom } = render(`file://${html}`);
    assert.doesNotMatch(dom, /<img|<script/i, 'no element made of the name');
    assert.match(dom, /<title>vrrpwatch replay: [^<]*hostile\.pcapng<\/title>/, 'nothing ran that changed the title');
    // Names are cut at 64 bytes (marked "…"): what is left shows as text.
    assert.ok(dom.includes('VRID 51 ipv4 on eth0"&gt;&lt;img src=x onerror="document.title=1"&gt;&lt;script&gt;document.tit…</strong>'), 'the name shows as text');
  });

  it('a 1,000-group capture renders: every group has its row, the split ones open first, the healthy ones folded', (t) => {
    const pcap = join(dir, 'thousand.pcap');
    writeFileSync(pcap, pcapFile(1, thousandGroupFrames(20)));
    const html = replay(pcap, 'html');
    const { dom, seconds } = render(`file://${html}`);
    t.diagnostic(`Chromium loaded and rendered the 1,000-group page (${(statSync(html).size / 1e6).toFixed(1)} MB) in ${seconds.toFixed(2)} s, start-up included`);
    assert.equal(all(dom, /<details class="group" id=/).length, 1000);
    const open = all(dom, /<details class="group" id="[^"]+" open=""><summary><strong>([^<]+)<\/strong>/).map((m) => m[1]);
    assert.deepEqual(open, [50, 100, 150, 200, 250].map((v) => `VRID ${v} ipv4 on if0.102`));
    assert.equal(all(dom, /<g class="split-brain"/).length, 5);
    assert.match(dom, /<tr><th>groups<\/th><td class="num">1000<\/td><td>5 with a critical finding, 0 with a warning, 995 healthy<\/td><\/tr>/);
  });
});

describe('the status page of a lab witness in headless Chromium', { timeout: 300_000 }, () => {
  const lab = useLab(['a', 'b', 'w']);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-html-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the pair, then the split as a critical finding drawn in the group\'s last minutes', async () => {
    // b first, so the witness hears both and a's preemption is a failover in the page's history.
    lab.serve('w', ['--peer', A, '--peer', B]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    const labels = { interface: 'eth0', family: 'ipv4', vrid: '51' };
    await waitFor('the witness to see b as master', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_master_info', { ...labels, router: B }) === 1, 30_000);
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
    await waitFor('the witness to see a as the only master', () => {
      const s = lab.metrics('w');
      return valueOf(s, 'vrrpwatch_vrid_masters', labels) === 1 && valueOf(s, 'vrrpwatch_router_priority', { ...labels, router: B }) === 100 && valueOf(s, 'vrrpwatch_vrid_master_info', { ...labels, router: A }) === 1;
    }, 30_000);
    const inW = ['ip', 'netns', 'exec', lab.ns('w')];
    const url = `http://127.0.0.1:${PORT}/`;
    const healthy = render(url, inW).dom;
    const row = all(healthy, /<tr class="group-row">(.*?)<\/tr>/);
    assert.equal(row.length, 1);
    assert.match(row[0]?.[1] ?? '', /^<td><strong>VRID 51<\/strong> ipv4 on eth0<\/td><td>192\.0\.2\.11 <span class="muted">\(150\)<\/span><\/td>/);
    assert.match(row[0]?.[1] ?? '', /192\.0\.2\.12 <span class="muted">priority 100, \d+(\.\d)? s ago<\/span>/);
    assert.match(row[0]?.[1] ?? '', /<span class="ok">ok<\/span><\/td><td>1, last \d\d:\d\d:\d\d: 192\.0\.2\.12 → 192\.0\.2\.11 \(preempted\)<\/td>/);
    assert.equal(all(row[0]?.[1] ?? '', /<line class="failover"/).length, 1, 'the preemption is marked in the last minutes');
    assert.match(healthy, /<h2>Last failovers<\/h2>\s*<table class="failovers">.*?<td>VRID 51 ipv4 on eth0<\/td><td>192\.0\.2\.12<\/td><td>192\.0\.2\.11<\/td>/s);
    assert.match(healthy, /<a href="\/metrics">metrics<\/a>/);
    assert.match(healthy, /<td>peer<\/td><td>192\.0\.2\.12<\/td><td><span class="ok">answers<\/span>/);

    lab.cutVrrp('b', true);
    await waitFor('the witness to judge the split', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_split_brain', labels) === 1, 30_000);
    const split = render(url, inW).dom;
    assert.match(split, /<title>CRITICAL · [^<]+ \(witness\) · vrrpwatch<\/title>/);
    assert.match(split, /<span class="sev critical">CRITICAL<\/span>split-brain on VRID 51 on eth0: (192\.0\.2\.11, 192\.0\.2\.12|192\.0\.2\.12, 192\.0\.2\.11) are all master/);
    const history = /<svg class="history".*?<\/svg>/.exec(split)?.[0] ?? '';
    assert.equal(all(history, /<rect class="split"/).length, 1, 'the split is drawn in the last minutes');
    assert.ok(all(history, /<rect class="master"/).length >= 2, 'both masters are drawn');
    screenshot(url, 'status-page.png', 620, inW);
    lab.cutVrrp('b', false);

    // Healed: the page no longer says "no findings" as if nothing had happened, but lists the split as ended, with how long it lasted.
    await waitFor('the witness to see the split end', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_split_brain', labels) === 0, 60_000);
    const healed = await waitFor('the ended split on the page', () => {
      const dom = render(url, inW).dom;
      return /<table class="ended">/.test(dom) ? dom : undefined;
    }, 15_000);
    assert.match(healed, /<h2>Findings ended in the last hour<\/h2>\s*<table class="ended">.*?<tr><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/td><td class="num">\d+(\.\d)? s<\/td><td><span class="sev critical">CRITICAL<\/span>split-brain on VRID 51 on eth0: /s);
    const status = lab.fetch('w', `http://127.0.0.1:${PORT}/api/v1/status`);
    assert.ok(status !== undefined);
    const doc = JSON.parse(status.body) as { ended_findings: { kind: string; group?: { vrid: number }; since: number; ended: number; duration_seconds: number }[] };
    const splitEnded = doc.ended_findings.find((e) => e.kind === 'split_brain');
    assert.ok(splitEnded !== undefined, status.body);
    assert.equal(splitEnded.group?.vrid, 51);
    assert.ok(splitEnded.duration_seconds > 0 && splitEnded.ended - splitEnded.since === splitEnded.duration_seconds, status.body);
  });

  it('without CAP_NET_RAW: the page is CRITICAL and says it is blind, and /healthz answers 503', async () => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
    // An unprivileged user without the capability: no capture can open.
    lab.serve('w', [], { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
    const health = await waitFor('the exporter to answer', () => lab.fetch('w', `http://127.0.0.1:${PORT}/healthz`), 15_000);
    assert.equal(health.status, 503, health.body);
    assert.match(health.body, /^blind\ncritical: capture down on eth0: [^\n]*CAP_NET_RAW[^\n]*; VRRP there is not seen\n/);
    assert.equal(valueOf(lab.metrics('w'), 'vrrpwatch_capture_up', { interface: 'eth0' }), 0);
    const { dom } = render(`http://127.0.0.1:${PORT}/`, ['ip', 'netns', 'exec', lab.ns('w')]);
    assert.match(dom, /<title>CRITICAL · [^<]+ \(witness\) · vrrpwatch<\/title>/);
    assert.match(dom, /<li><span class="sev critical">CRITICAL<\/span>capture down on eth0: [^<]*CAP_NET_RAW/);
    assert.match(dom, /<span class="critical">BLIND: vrrpwatch cannot see VRRP where the capture is down<\/span>/);
    assert.doesNotMatch(dom, /no findings/);
  });
});
