/**
 * What the live benches share: `vrrpwatch serve` on the witness of a lab with a keepalived pair of 16
 * VRIDs (192.0.2.160-175), its CPU time read precisely from /proc, its memory, and scrapes with curl.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PORT, sleep, waitFor } from '../lab/lab.js';
import type { HostName, KeepalivedInstance, Lab } from '../lab/lab.js';

/** Prometheus's default scrape interval. */
export const PROMETHEUS_EVERY_MS = 15_000;
export const IDLE_VRIDS = 16;
/** An idle exporter's code is still being compiled by V8 minutes after start: idle figures are taken after this. */
export const WARM_UP_SECONDS = 120;

/**
 * CPU seconds the process has used, all its threads: the first field of each thread's schedstat, the
 * nanoseconds it ran. /proc/PID/stat's user and system times come in 10 ms clock ticks, too coarse for
 * an idle process's fraction of a percent. (A thread that has exited drops out; Node's do not exit.)
 */
export function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return ns / 1e9;
}

/** A line of /proc/PID/status (VmRSS, VmHWM) in MiB. */
export function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** The same as text. */
export function memory(pid: number, field: 'VmRSS' | 'VmHWM'): string {
  return `${memoryMiB(pid, field).toFixed(0)} MiB`;
}

/** One scrape with curl from inside a host (the witness): seconds taken and bytes, or undefined on failure. */
export function scrape(lab: Lab, host: HostName = 'w'): { seconds: number; bytes: number } | undefined {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns(host), 'curl', '-sS', '--max-time', '5', '-o', '/dev/null', '-w', '%{http_code} %{time_total} %{size_download}', `http://127.0.0.1:${PORT}/metrics`], { encoding: 'utf8' });
  const [code, seconds, bytes] = r.stdout.trim().split(' ');
  return code === '200' ? { seconds: Number(seconds), bytes: Number(bytes) } : undefined;
}

/** Why a keepalived lab cannot run here (not root, no keepalived), or undefined when it can. */
export function labSkipped(): string | undefined {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces)';
  if (spawnSync('keepalived', ['--version']).error !== undefined) return 'keepalived is not installed (scripts/setup.sh installs it)';
  return undefined;
}

/** Hosts a and b run keepalived with 16 VRIDs at 1 advert/s, a as master, one VIP each. */
export function startIdlePair(lab: Lab): void {
  const instances = (priority: number): KeepalivedInstance[] =>
    Array.from({ length: IDLE_VRIDS }, (_, i) => ({ name: `VI_${i + 1}`, vrid: i + 1, priority, vips: [`192.0.2.${160 + i}`] }));
  lab.keepalived('a', instances(150));
  lab.keepalived('b', instances(100));
}

/**
 * Starts (or restarts) `vrrpwatch serve -i eth0 ARGS` on a host (the witness) and returns its pid once it
 * sees the 16 masters (and, when `probing`, one owner of each VIP), then 5 s more for start-up to settle.
 */
export async function startServe(lab: Lab, args: string[], probing: boolean, host: HostName = 'w'): Promise<number> {
  const pid = lab.serve(host, ['-i', 'eth0', ...args]).pid;
  if (pid === undefined) throw new Error('vrrpwatch serve did not start');
  await waitFor(`${IDLE_VRIDS} groups with one master each on ${host}`, () => {
    const m = lab.metrics(host);
    return m !== undefined && m.filter((s) => s.name === 'vrrpwatch_vrid_masters' && s.value === 1).length === IDLE_VRIDS && (!probing || m.filter((s) => s.name === 'vrrpwatch_vip_owners' && s.value === 1).length === IDLE_VRIDS);
  }, 30_000);
  await sleep(5000);
  return pid;
}

/**
 * The share of a core each exporter used over the same `seconds` (a multiple of 15), each scraped every
 * 15 s as Prometheus would. Their CPU times are read one right after the other.
 */
export async function idleCpu(lab: Lab, exporters: readonly { host: HostName; pid: number }[], seconds: number): Promise<number[]> {
  const cpu0 = exporters.map((e) => cpuSeconds(e.pid));
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < seconds; t += PROMETHEUS_EVERY_MS / 1000) {
    for (const e of exporters) scrape(lab, e.host);
    await sleep(PROMETHEUS_EVERY_MS);
  }
  const cpu1 = exporters.map((e) => cpuSeconds(e.pid));
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  return cpu1.map((c, i) => (c - (cpu0[i] ?? 0)) / wall);
}
