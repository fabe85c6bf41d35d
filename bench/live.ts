/**
 * The live exporter measured in the namespace lab, for `npm run bench` (root only; figures, no
 * pass/fail). `vrrpwatch serve` runs on the witness:
 * - idle: a keepalived pair with 16 VRIDs at 1 advert/s, scraped every 15 s as Prometheus would; CPU
 *   time of the process over 30 s and its resident memory;
 * - flood: 20,000 adverts/s for 30 s from a lab host over 1,000 groups x 4 routers (4 VLANs x 250
 *   VRIDs); what was sent against what libpcap delivered and dropped and what was counted, CPU, peak
 *   memory, and /metrics scraped over HTTP every 150 ms meanwhile (after ten warm-up scrapes).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ADDRESS, Lab, PORT, sleep, valueOf, waitFor } from '../lab/lab.js';
import type { KeepalivedInstance } from '../lab/lab.js';
import { percentile } from './serve.js';

const FLOOD = fileURLToPath(new URL('./flood.js', import.meta.url));
const RATE = 20_000;
const FLOOD_SECONDS = 30;
const IDLE_SECONDS = 30;
/**
 * Scrapes during the flood: one every 150 ms (100 times Prometheus's default rate), so that some 100 of
 * them make a p99 that is not just the slowest one. The first ones make the label text of 1,000 groups
 * and run before the JIT has compiled the render path: they are timed apart.
 */
const SCRAPE_EVERY_MS = 150;
const WARM_UP_SCRAPES = 10;

/** Clock ticks per second, the unit of CPU times in /proc. */
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system, all threads) the process has used. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** A line of /proc/PID/status (VmRSS, VmHWM) in MiB and in MB, as the target is given in MB. */
function memory(pid: number, field: 'VmRSS' | 'VmHWM'): string {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  const bytes = Number(m?.[1] ?? 0) * 1024;
  return `${(bytes / 2 ** 20).toFixed(0)} MiB = ${(bytes / 1e6).toFixed(0)} MB`;
}

/** One scrape with curl from inside the witness: seconds taken and bytes, or undefined on failure. */
function scrape(lab: Lab): { seconds: number; bytes: number } | undefined {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns('w'), 'curl', '-sS', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code} %{time_total} %{size_download}', `http://127.0.0.1:${PORT}/metrics`], { encoding: 'utf8' });
  const [code, seconds, bytes] = r.stdout.trim().split(' ');
  return code === '200' ? { seconds: Number(seconds), bytes: Number(bytes) } : undefined;
}

export async function benchLive(): Promise<void> {
  console.log('live exporter in the namespace lab (vrrpwatch serve on the witness)');
  if (process.getuid?.() !== 0) {
    console.log('  skipped: the lab needs root (network namespaces)');
    return;
  }
  if (spawnSync('keepalived', ['--version']).error !== undefined) {
    console.log('  skipped: keepalived is not installed (scripts/setup.sh installs it)');
    return;
  }
  const lab = new Lab(['gw', 'a', 'b', 'w']);
  try {
    lab.create();
    const instances = (priority: number): KeepalivedInstance[] =>
      Array.from({ length: 16 }, (_, i) => ({ name: `VI_${i + 1}`, vrid: i + 1, priority, vips: [`192.0.2.${160 + i}`] }));
    lab.keepalived('a', instances(150));
    lab.keepalived('b', instances(100));
    const pid = lab.serve('w', ['-i', 'eth0']).pid;
    if (pid === undefined) throw new Error('vrrpwatch serve did not start');
    await waitFor('16 groups with one master each', () => {
      const m = lab.metrics('w');
      return m !== undefined && m.filter((s) => s.name === 'vrrpwatch_vrid_masters' && s.value === 1).length === 16;
    }, 30_000);
    await sleep(5000);

    const idle0 = cpuSeconds(pid);
    for (let t = 0; t < IDLE_SECONDS; t += 15) {
      scrape(lab);
      await sleep(15_000);
    }
    const idleCpu = (cpuSeconds(pid) - idle0) / IDLE_SECONDS;
    console.log(
      `  idle, 2 routers x 16 VRIDs at 1 advert/s, scraped every 15 s: CPU ${(100 * idleCpu).toFixed(2)}% of a core over ${IDLE_SECONDS} s, ` +
        `RSS ${memory(pid, 'VmRSS')} (targets: under 1%, under 100 MB)`,
    );

    const flood0 = cpuSeconds(pid);
    const flood = lab.start('flood', 'a', [process.execPath, FLOOD, 'eth0', String(RATE), String(FLOOD_SECONDS)]);
    const floodDone = new Promise<void>((resolve) => flood.once('exit', () => { resolve(); }));
    const times: number[] = [];
    let bytes = 0;
    await sleep(2000);
    const warmUp: number[] = [];
    for (let i = 0; i < WARM_UP_SCRAPES; i++) {
      warmUp.push((scrape(lab)?.seconds ?? Number.NaN) * 1000);
      await sleep(SCRAPE_EVERY_MS);
    }
    const scrapeUntil = Date.now() + (FLOOD_SECONDS - 6) * 1000;
    while (Date.now() < scrapeUntil) {
      const s = scrape(lab);
      if (s !== undefined) {
        times.push(s.seconds * 1000);
        bytes = s.bytes;
      }
      await sleep(SCRAPE_EVERY_MS);
    }
    await Promise.race([floodDone, sleep(30_000)]);
    const floodCpu = (cpuSeconds(pid) - flood0) / FLOOD_SECONDS;
    await sleep(2000);
    const sent = (JSON.parse(lab.log('flood').trim().split('\n').pop() ?? '{}') as { sent?: number }).sent ?? 0;
    const m = lab.metrics('w') ?? [];
    const flooders = new Set(['31', '32', '33', '34'].map((o) => `192.0.2.${o}`));
    const counted = m.filter((s) => s.name === 'vrrpwatch_adverts_total' && flooders.has(s.labels.router ?? '')).reduce((a, s) => a + s.value, 0);
    const groups = new Set(m.filter((s) => s.name === 'vrrpwatch_vrid_masters' && (s.labels.interface ?? '').startsWith('eth0.')).map((s) => `${s.labels.interface ?? ''}/${s.labels.vrid ?? ''}`)).size;
    const dropped = valueOf(m, 'vrrpwatch_capture_dropped_packets_total', { interface: 'eth0' }) ?? Number.NaN;
    const received = valueOf(m, 'vrrpwatch_capture_received_packets_total', { interface: 'eth0' }) ?? Number.NaN;
    console.log(
      `  flood, ${RATE.toLocaleString('en')} adverts/s for ${FLOOD_SECONDS} s from ${ADDRESS.a.v4}'s namespace over ${groups.toLocaleString('en')} groups x 4 routers: ` +
        `sent ${sent.toLocaleString('en')}, counted ${counted.toLocaleString('en')}, libpcap received ${received.toLocaleString('en')} (with keepalived's) and dropped ${dropped.toLocaleString('en')} ` +
        `(target: no drops); CPU ${(100 * floodCpu).toFixed(0)}% of a core, peak RSS ${memory(pid, 'VmHWM')} (target: under 100 MB)`,
    );
    times.sort((a, b) => a - b);
    console.log(
      `  /metrics over HTTP during the flood (${times.length} scrapes, ${(bytes / 1024).toFixed(0)} KiB each): ` +
        `p50 ${percentile(times, 0.5).toFixed(1)} ms, p99 ${percentile(times, 0.99).toFixed(1)} ms, slowest ${(times.at(-1) ?? 0).toFixed(1)} ms (target: p99 under 50 ms); ` +
        `the ${WARM_UP_SCRAPES} warm-up scrapes before them: first ${(warmUp[0] ?? 0).toFixed(0)} ms, slowest ${Math.max(...warmUp).toFixed(0)} ms`,
    );
  } finally {
    lab.destroy();
  }
}
