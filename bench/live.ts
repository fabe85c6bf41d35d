/**
 * The live exporter measured in the namespace lab, for `npm run bench` (root only; figures, no
 * pass/fail). `vrrpwatch serve` runs on the witness:
 * - idle: a keepalived pair with 16 VRIDs at 1 advert/s, scraped every 15 s as Prometheus would; CPU
 *   time of the process over 30 s and its resident memory, first with `--no-vip-probe`, then with the
 *   VIP probe (16 ARP requests every 2 s and their answers): the difference is what the probing costs;
 * - two floods of 20,000 adverts/s for 30 s each from a lab host over 1,000 groups x 4 routers (4 VLANs
 *   x 250 VRIDs); what was sent against what libpcap delivered and dropped and what was counted. During
 *   the first /metrics is scraped every 15 s, as Prometheus does: CPU and peak memory as deployed. During
 *   the second it is scraped every 150 ms (after ten warm-up scrapes) for the latency figures.
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
/** Prometheus's default scrape interval. */
const PROMETHEUS_EVERY_MS = 15_000;

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

interface FloodResult {
  sent: number;
  /** Share of a core the exporter used during the flood. */
  cpu: number;
  /** Scrape times after the warm-up, ms. */
  times: number[];
  warmUp: number[];
  bytes: number;
}

/** One flood from host a, with /metrics scraped every `everyMs` from 2 s in until 6 s before its end. */
async function flood(lab: Lab, pid: number, everyMs: number, warmUpScrapes: number): Promise<FloodResult> {
  const cpu0 = cpuSeconds(pid);
  const child = lab.start('flood', 'a', [process.execPath, FLOOD, 'eth0', String(RATE), String(FLOOD_SECONDS)]);
  const done = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  const result: FloodResult = { sent: 0, cpu: 0, times: [], warmUp: [], bytes: 0 };
  await sleep(2000);
  for (let i = 0; i < warmUpScrapes; i++) {
    result.warmUp.push((scrape(lab)?.seconds ?? Number.NaN) * 1000);
    await sleep(everyMs);
  }
  const until = Date.now() + (FLOOD_SECONDS - 6) * 1000;
  while (Date.now() < until) {
    const s = scrape(lab);
    if (s !== undefined) {
      result.times.push(s.seconds * 1000);
      result.bytes = s.bytes;
    }
    await sleep(Math.min(everyMs, until - Date.now()));
  }
  await Promise.race([done, sleep(30_000)]);
  result.cpu = (cpuSeconds(pid) - cpu0) / FLOOD_SECONDS;
  await sleep(2000);
  result.sent = (JSON.parse(lab.log('flood').trim().split('\n').pop() ?? '{}') as { sent?: number }).sent ?? 0;
  return result;
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
    const started = async (args: string[], probing: boolean): Promise<number> => {
      const pid = lab.serve('w', ['-i', 'eth0', ...args]).pid;
      if (pid === undefined) throw new Error('vrrpwatch serve did not start');
      await waitFor('16 groups with one master each', () => {
        const m = lab.metrics('w');
        return m !== undefined && m.filter((s) => s.name === 'vrrpwatch_vrid_masters' && s.value === 1).length === 16 && (!probing || m.filter((s) => s.name === 'vrrpwatch_vip_owners' && s.value === 1).length === 16);
      }, 30_000);
      await sleep(5000);
      return pid;
    };
    /** CPU share of a core over IDLE_SECONDS, scraped every 15 s. */
    const idle = async (pid: number): Promise<number> => {
      const idle0 = cpuSeconds(pid);
      for (let t = 0; t < IDLE_SECONDS; t += 15) {
        scrape(lab);
        await sleep(15_000);
      }
      return (cpuSeconds(pid) - idle0) / IDLE_SECONDS;
    };
    const quietCpu = await idle(await started(['--no-vip-probe'], false));
    const pid = await started([], true);
    const idleCpu = await idle(pid);
    const probes = valueOf(lab.metrics('w'), 'vrrpwatch_vip_probes_total', { interface: 'eth0' }) ?? 0;
    console.log(
      `  idle, 2 routers x 16 VRIDs at 1 advert/s, scraped every 15 s: CPU ${(100 * idleCpu).toFixed(2)}% of a core over ${IDLE_SECONDS} s, ` +
        `RSS ${memory(pid, 'VmRSS')} (targets: under 1%, under 100 MB)`,
    );
    console.log(
      `  the VIP probe (16 VIPs, one ARP request each every 2 s; ${probes} sent so far): ${(100 * (idleCpu - quietCpu)).toFixed(2)}% of a core more than with --no-vip-probe (${(100 * quietCpu).toFixed(2)}%) (target: under 0.2%)`,
    );

    // First as deployed: Prometheus scrapes every 15 s. Resident memory here is the figure for the target.
    const realistic = await flood(lab, pid, PROMETHEUS_EVERY_MS, 0);
    const deployedPeak = memory(pid, 'VmHWM');
    // Then scraped every 150 ms, for enough scrapes to make a p99.
    const fast = await flood(lab, pid, SCRAPE_EVERY_MS, WARM_UP_SCRAPES);
    const m = lab.metrics('w') ?? [];
    const flooders = new Set(['31', '32', '33', '34'].map((o) => `192.0.2.${o}`));
    const counted = m.filter((s) => s.name === 'vrrpwatch_adverts_total' && flooders.has(s.labels.router ?? '')).reduce((a, s) => a + s.value, 0);
    const groups = new Set(m.filter((s) => s.name === 'vrrpwatch_vrid_masters' && (s.labels.interface ?? '').startsWith('eth0.')).map((s) => `${s.labels.interface ?? ''}/${s.labels.vrid ?? ''}`)).size;
    const dropped = valueOf(m, 'vrrpwatch_capture_dropped_packets_total', { interface: 'eth0' }) ?? Number.NaN;
    const received = valueOf(m, 'vrrpwatch_capture_received_packets_total', { interface: 'eth0' }) ?? Number.NaN;
    const sent = realistic.sent + fast.sent;
    console.log(
      `  two floods of ${RATE.toLocaleString('en')} adverts/s for ${FLOOD_SECONDS} s from ${ADDRESS.a.v4}'s namespace over ${groups.toLocaleString('en')} groups x 4 routers: ` +
        `sent ${sent.toLocaleString('en')}, counted ${counted.toLocaleString('en')}, libpcap received ${received.toLocaleString('en')} (with keepalived's) and dropped ${dropped.toLocaleString('en')} (target: no drops)`,
    );
    console.log(`  scraped every ${PROMETHEUS_EVERY_MS / 1000} s as Prometheus does: CPU ${(100 * realistic.cpu).toFixed(0)}% of a core, peak RSS ${deployedPeak} (target: under 100 MB)`);
    const times = fast.times.sort((a, b) => a - b);
    console.log(
      `  scraped every ${SCRAPE_EVERY_MS} ms (${times.length} scrapes, ${(fast.bytes / 1024).toFixed(0)} KiB each): CPU ${(100 * fast.cpu).toFixed(0)}% of a core, peak RSS ${memory(pid, 'VmHWM')}; ` +
        `p50 ${percentile(times, 0.5).toFixed(1)} ms, p99 ${percentile(times, 0.99).toFixed(1)} ms, slowest ${(times.at(-1) ?? 0).toFixed(1)} ms (target: p99 under 50 ms); ` +
        `the ${WARM_UP_SCRAPES} warm-up scrapes before them: first ${(fast.warmUp[0] ?? 0).toFixed(0)} ms, slowest ${Math.max(...fast.warmUp).toFixed(0)} ms`,
    );
  } finally {
    lab.destroy();
  }
}
