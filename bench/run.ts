/**
 * `npm run bench`: prints figures, asserts nothing (these machines are shared and noisy).
 * Replay throughput on >= 1,000,000 advertisements over 255 VRIDs with split-brains, beside
 * `tshark -r` on the same file, and peak memory for captures of growing size (it should stay flat);
 * then the HTML report of 1,000 groups in headless Chromium; then the live side: /metrics render time, `once` wall time, and `serve` in the namespace lab (idle
 * CPU and memory, a 20,000 adverts/s flood, scrapes over HTTP) and what the VIP probe costs the idle
 * exporter (two exporters side by side, with and without it); then the hostile input: the maximal-advert
 * capture replayed, the same flood live, and a million mutated fixtures through replay.
 * `node dist/bench/run.js PART...` runs only the parts named (replay, html, metrics, once, auth, live,
 * reloads, probe, hostile, hostile-live, mutations): the machine is shared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchCapture } from './capture.js';
import { benchAuth } from './auth.js';
import { benchHostileReplay } from './hostile.js';
import { benchHostileLive } from './hostile-live.js';
import { benchHtml } from './html.js';
import { benchLive } from './live.js';
import { benchMutations } from './mutations.js';
import { benchProbe } from './probe.js';
import { benchReloads } from './reloads.js';
import { benchMetrics, benchOnce } from './serve.js';

const child = fileURLToPath(new URL('./replay-child.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-bench-'));

interface ChildResult {
  adverts: number;
  seconds: number;
  maxRssMiB: number;
  groups: number;
  splits: number;
}

function replayOnce(file: string): ChildResult {
  const out = execFileSync(process.execPath, [child, file], { encoding: 'utf8' });
  return JSON.parse(out) as ChildResult;
}

function best(file: string, runs: number): ChildResult {
  const results = Array.from({ length: runs }, () => replayOnce(file));
  return results.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

const PARTS = ['replay', 'html', 'metrics', 'once', 'auth', 'live', 'reloads', 'probe', 'hostile', 'hostile-live', 'mutations'] as const;
const asked = process.argv.slice(2);
for (const a of asked) if (!(PARTS as readonly string[]).includes(a)) throw new Error(`unknown bench part "${a}"; the parts are ${PARTS.join(', ')}.`);
const run = (part: (typeof PARTS)[number]): boolean => asked.length === 0 || asked.includes(part);

function benchReplay(): void {
  console.log('replay benchmark (best of 3 runs; figures only, no pass/fail)');
  const sizes = [1000, 4000, 8000];
  let main: { file: string; result: ChildResult } | undefined;
  for (const seconds of sizes) {
    const file = join(dir, `bench-${seconds}.pcap`);
    const written = writeBenchCapture(file, seconds);
    const r = best(file, 3);
    const mib = statSync(file).size / 1024 / 1024;
    console.log(
      `  ${written.toLocaleString('en')} adverts (${mib.toFixed(0)} MiB, ${r.groups} groups, ${r.splits} split-brains): ` +
        `${Math.round(r.adverts / r.seconds).toLocaleString('en')} adverts/s, ${r.seconds.toFixed(2)} s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
    );
    if (seconds === 4000) main = { file, result: r };
  }
  if (main !== undefined) {
    const t0 = process.hrtime.bigint();
    const t = spawnSync('tshark', ['-r', main.file], { stdio: ['ignore', 'ignore', 'ignore'] });
    const tsharkSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (t.status === 0) {
      const rate = main.result.adverts / tsharkSeconds;
      console.log(`  tshark -r on the ${main.result.adverts.toLocaleString('en')}-advert file: ${tsharkSeconds.toFixed(1)} s, ${Math.round(rate).toLocaleString('en')} packets/s`);
      console.log(`  replay is ${(tsharkSeconds / main.result.seconds).toFixed(1)}x tshark (target: >= 20x, >= 1,000,000 adverts/s)`);
    } else {
      console.log(`  tshark -r failed (exit ${t.status ?? 'signal'}): install tshark to compare`);
    }
  }
}

try {
  if (run('replay')) benchReplay();
  if (run('html')) benchHtml(dir);
  if (run('metrics')) await benchMetrics();
  if (run('once')) benchOnce();
  if (run('auth')) await benchAuth();
  if (run('live')) await benchLive();
  if (run('reloads')) await benchReloads();
  if (run('probe')) await benchProbe();
  if (run('hostile')) benchHostileReplay(dir);
  if (run('hostile-live')) await benchHostileLive();
  if (run('mutations')) await benchMutations(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
