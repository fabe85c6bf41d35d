/**
 * The HTML side of `npm run bench`: `replay --format html` of a 1,000-group capture (5 split-brains, 995
 * healthy groups folded), and how long headless Chromium takes to load and render that page beside a
 * one-group page (its own start-up). Figures only.
 */
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '../test/helpers/chromium.js';
import { CAPTURES, CLI, pcapFile, thousandGroupFrames } from '../test/helpers/fixtures.js';

function replayHtml(capture: string, out: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'replay', capture, '--format', 'html', '--output', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`replay --format html failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function bestLoad(page: string, runs: number): number {
  return Math.min(...Array.from({ length: runs }, () => chromium(`file://${page}`).seconds));
}

export function benchHtml(dir: string): void {
  console.log('HTML pages (best of 3 Chromium loads)');
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
