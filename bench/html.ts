/**
 * The HTML side of `npm run bench`: `replay --format html` of a 1,000-group capture (5 split-brains, 995
 * healthy groups folded), how long headless Chromium takes to load and render that page beside a
 * one-group page (its own start-up), and the render time of the status page at `/` for 1,000 groups.
 * Figures only.
 */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderStatusPage } from '../src/outputs/html-live.js';
import { groupViewOf } from '../test/helpers/adverts.js';
import { chromium } from '../test/helpers/chromium.js';
import { CAPTURES, CLI, pcapFile, thousandGroupFrames } from '../test/helpers/fixtures.js';
import { heading } from './machine.js';

function replayHtml(capture: string, out: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'replay', capture, '--format', 'html', '--output', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`replay --format html failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function bestLoad(page: string, runs: number): number {
  return Math.min(...Array.from({ length: runs }, () => chromium(`file://${page}`).seconds));
}

/** Median render time of the status page for 1,000 groups x 4 routers (one master each, a band in each history). */
function statusPageMs(): number {
  const groups = Array.from({ length: 1000 }, (_, v) =>
    groupViewOf(
      [0, 1, 2, 3].map((i) => ({ address: `192.0.2.${31 + i}`, adverts: 100, priority: 200 - 10 * i, interval: 1, last: 99, master: i === 0, version: 2 as const, addresses: [`198.51.100.${1 + (v % 250)}`] })),
      { key: { interface: `eth0.${101 + Math.floor(v / 250)}`, family: 'ipv4', vrid: 1 + (v % 250) } },
    ),
  );
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = process.hrtime.bigint();
    renderStatusPage({
      now: 100,
      version: 'bench',
      host: 'bench',
      sources: [],
      about: [],
      telemetryPath: '/metrics',
      refreshSeconds: 5,
      groups,
      node: [],
      conflicts: new Map(),
      captures: [],
      probes: [],
      invalid: new Map(),
      historySeconds: 600,
      history: () => ({ key: { interface: 'eth0', family: 'ipv4', vrid: 1 }, masters: [{ router: '192.0.2.31', start: 0, end: null }], splits: [], noMaster: [], failovers: [] }),
      ended: [],
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[15] ?? 0;
}

export function benchHtml(dir: string): void {
  heading('HTML pages (best of 3 Chromium loads)');
  console.log(`  status page at / for 1,000 groups x 4 routers: ${statusPageMs().toFixed(1)} ms median render`);
  const capture = join(dir, 'thousand.pcap');
  writeFileSync(capture, pcapFile(1, thousandGroupFrames(60)));
  const big = join(dir, 'thousand.html');
  const replaySeconds = replayHtml(capture, big);
  const small = join(dir, 'split.html');
  replayHtml(join(CAPTURES, 'keepalived-v2-split-brain.pcap'), small);
  let load: { big: number; small: number };
  try {
    load = { big: bestLoad(big, 3), small: bestLoad(small, 3) };
  } catch (err) {
    console.log(`  Chromium did not run (${err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err)}): install the Debian package chromium`);
    return;
  }
  console.log(`  replay --format html of 1,000 groups x 60 s: ${replaySeconds.toFixed(2)} s, ${(statSync(big).size / 1e6).toFixed(1)} MB of HTML`);
  console.log(`  Chromium --dump-dom of that page: ${load.big.toFixed(2)} s; of a one-group page: ${load.small.toFixed(2)} s (its start-up); so ${(load.big - load.small).toFixed(2)} s for the 1,000 groups (target: opens in under 2 s)`);
}
