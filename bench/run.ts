/**
 * `npm run bench`: prints figures, asserts nothing (these machines are shared and noisy).
 * Replay: peak memory for captures of growing size (it should stay flat), then the whole process's
 * throughput on >= 1,000,000 advertisements over 255 VRIDs with split-brains, alternating with the fixed
 * older build (old-build.ts) and beside `tshark -r` on the same file;
 * then the HTML report of 1,000 groups in headless Chromium; then the live side: /metrics render time, `once` wall time, and `serve` in the namespace lab (idle
 * CPU and memory, a 20,000 adverts/s flood, scrapes over HTTP) and what the VIP probe costs the idle
 * exporter (two exporters side by side, with and without it); then the hostile input: the maximal-advert
 * capture replayed, the same flood live, and a million mutated fixtures through replay; then the Debian
 * package's size and `once` started from it beside the npm install.
 * Every figure is printed beside its target (issue 28's table) and every part's heading with the
 * machine's load. `node dist/bench/run.js PART...` runs only the parts named (replay, html, metrics, once,
 * auth, live, reloads, probe, hostile, hostile-live, mutations, package, v8-flags): the machine is shared.
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
import { benchPackage } from './package.js';
import { benchProbe } from './probe.js';
import { benchReloads } from './reloads.js';
import { benchV8Flags } from './v8-flags.js';
import { beside, heading } from './machine.js';
import { OLD_COMMIT, oldCli } from './old-build.js';
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

const cpuReport = new URL('./cpu-report.js', import.meta.url).href;

/**
 * Wall and CPU seconds `node CLI replay --format json FILE` takes, the whole process (start-up,
 * reading, report); cpu-report.js writes the CPU time to the pipe on descriptor 3.
 */
function wholeReplay(cli: string, file: string): { wall: number; cpu: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', cpuReport, cli, 'replay', '--format', 'json', file], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cli} replay exited ${r.status ?? r.signal ?? 'abnormally'}`);
  return { wall, cpu: Number((r.output[3] as string | null) ?? Number.NaN) };
}

const PARTS = ['replay', 'html', 'metrics', 'once', 'auth', 'live', 'reloads', 'probe', 'hostile', 'hostile-live', 'mutations', 'package', 'v8-flags'] as const;
const asked = process.argv.slice(2);
for (const a of asked) if (!(PARTS as readonly string[]).includes(a)) throw new Error(`unknown bench part "${a}"; the parts are ${PARTS.join(', ')}.`);
const run = (part: (typeof PARTS)[number]): boolean => asked.length === 0 || asked.includes(part);

/** The issue's targets: twice the old build's rate, 5 M adverts/s at least, and 60 times tshark's. */
const TARGET_RATE = 5_000_000;
const TARGET_OLD_RATIO = 2;
const TARGET_TSHARK_RATIO = 60;
const SIDE_BY_SIDE_RUNS = 3;

const rate = (adverts: number, seconds: number): string => `${(adverts / seconds / 1e6).toFixed(2)} M adverts/s`;
const span = (xs: readonly number[]): string => `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)} s`;

function benchReplay(): void {
  heading('replay: peak memory as captures grow (in-process, it should stay flat)');
  const sizes = [1000, 4000, 8000];
  let main: { file: string; result: ChildResult } | undefined;
  for (const seconds of sizes) {
    const file = join(dir, `bench-${seconds}.pcap`);
    const written = writeBenchCapture(file, seconds);
    const r = replayOnce(file);
    const mib = statSync(file).size / 1024 / 1024;
    console.log(
      `  ${written.toLocaleString('en')} adverts (${mib.toFixed(0)} MiB, ${r.groups} groups, ${r.splits} split-brains): ` +
        `${rate(r.adverts, r.seconds)}, ${r.seconds.toFixed(2)} s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
    );
    if (seconds === 4000) main = { file, result: r };
  }
  if (main === undefined) return;
  const adverts = main.result.adverts;
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
  const old = oldCli();
  heading(`replay --format json of ${adverts.toLocaleString('en')} adverts, whole process, ${SIDE_BY_SIDE_RUNS} runs${'cli' in old ? ` alternating with ${OLD_COMMIT}'s` : ''}`);
  const now: { wall: number; cpu: number }[] = [];
  const before: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < SIDE_BY_SIDE_RUNS; i++) {
    now.push(wholeReplay(cli, main.file));
    if ('cli' in old) before.push(wholeReplay(old.cli, main.file));
  }
  const bestOf = (runs: readonly { wall: number; cpu: number }[], k: 'wall' | 'cpu'): number => Math.min(...runs.map((r) => r[k]));
  const line = (runs: readonly { wall: number; cpu: number }[]): string =>
    `wall ${span(runs.map((r) => r.wall))} (best ${rate(adverts, bestOf(runs, 'wall'))}), CPU ${span(runs.map((r) => r.cpu))} (best ${rate(adverts, bestOf(runs, 'cpu'))})`;
  const best = bestOf(now, 'wall');
  console.log(`  this build: ${line(now)}`);
  if ('cli' in old) {
    console.log(`  ${OLD_COMMIT}:   ${line(before)}`);
    // On a loaded machine the CPU time is the steadier figure; both are printed.
    const wallRatio = bestOf(before, 'wall') / best;
    const cpuRatio = bestOf(before, 'cpu') / bestOf(now, 'cpu');
    console.log('  ' + beside(`${wallRatio.toFixed(2)}x the old build's rate by wall time, ${cpuRatio.toFixed(2)}x by CPU time`, `>= ${TARGET_OLD_RATIO}x side by side`, Math.min(wallRatio, cpuRatio) >= TARGET_OLD_RATIO));
  } else console.log(`  no side-by-side figure: ${old.skipped}`);
  console.log('  ' + beside(`${rate(adverts, best)} by wall time`, `>= ${TARGET_RATE / 1e6} M adverts/s`, adverts / best >= TARGET_RATE));
  const t0 = process.hrtime.bigint();
  const t = spawnSync('tshark', ['-r', main.file, '-T', 'fields', '-e', 'vrrp.virt_rtr_id'], { stdio: ['ignore', 'ignore', 'ignore'] });
  const tsharkSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (t.status === 0) {
    const ratio = tsharkSeconds / best;
    console.log(`  tshark -r FILE -T fields -e vrrp.virt_rtr_id: ${tsharkSeconds.toFixed(1)} s, ${rate(adverts, tsharkSeconds)}`);
    console.log('  ' + beside(`replay is ${ratio.toFixed(0)}x tshark`, `>= ${TARGET_TSHARK_RATIO}x`, ratio >= TARGET_TSHARK_RATIO));
  } else {
    console.log(`  tshark failed (exit ${t.status ?? 'signal'}): install tshark to compare`);
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
  if (run('package')) benchPackage(dir);
  if (run('v8-flags')) benchV8Flags();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
