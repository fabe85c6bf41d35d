/**
 * What the active VIP probe costs the idle exporter, for `npm run bench` (root only; figures, no
 * pass/fail). Two `vrrpwatch serve` run side by side on the segment of a keepalived pair with 16 VRIDs,
 * one with the probe on the witness (16 ARP requests every 2 s and their answers), one with
 * `--no-vip-probe` on host c, both scraped every 15 s. The bridge forwards nothing between the two, so
 * the quiet one does not capture the other's probes. After a warm-up (an idle process's code is still
 * being compiled minutes after start) their CPU times (the nanoseconds their threads ran, schedstat) are
 * read over the same windows, so the machine's load weighs on both alike; the figure is the median over
 * the windows of the difference, and every window is printed too.
 */
import { execFileSync } from 'node:child_process';
import { Lab, valueOf } from '../lab/lab.js';
import { IDLE_VRIDS, idleCpu, labSkipped, startIdlePair, startServe, WARM_UP_SECONDS } from './lab-serve.js';
import { heading } from './machine.js';
import { percentile } from './serve.js';

const WINDOWS = 6;
const WINDOW_SECONDS = 60;
/** The target: the probe costs the idle exporter less than this share of a core. */
const TARGET = 0.002;

/** The median of `values` (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? percentile(s, 0.5) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
}

const pct = (share: number): string => `${(100 * share).toFixed(3)}%`;

export async function benchProbe(): Promise<void> {
  heading(`the VIP probe's cost to the idle exporter (two vrrpwatch serve side by side, with and without it; ${WINDOWS} windows of ${WINDOW_SECONDS} s after ${WARM_UP_SECONDS} s of warm-up)`);
  const skipped = labSkipped();
  if (skipped !== undefined) {
    console.log(`  skipped: ${skipped}`);
    return;
  }
  const lab = new Lab(['gw', 'a', 'b', 'w', 'c']);
  try {
    lab.create();
    // Nothing between the witness and host c: c hears the routers as the witness does, but not its probes.
    for (const [from, to] of [['w', 'c'], ['c', 'w']]) execFileSync('ip', ['netns', 'exec', lab.ns('br'), 'ebtables', '-A', 'FORWARD', '-i', `p-${from}`, '-o', `p-${to}`, '-j', 'DROP']);
    startIdlePair(lab);
    const quiet = { host: 'c' as const, pid: await startServe(lab, ['--no-vip-probe'], false, 'c') };
    const probing = { host: 'w' as const, pid: await startServe(lab, [], true, 'w') };
    await idleCpu(lab, [probing, quiet], WARM_UP_SECONDS);
    const probes0 = valueOf(lab.metrics('w'), 'vrrpwatch_vip_probes_total', { interface: 'eth0' }) ?? 0;
    const windows: { probing: number; quiet: number }[] = [];
    for (let i = 0; i < WINDOWS; i++) {
      const [p, q] = await idleCpu(lab, [probing, quiet], WINDOW_SECONDS);
      windows.push({ probing: p ?? 0, quiet: q ?? 0 });
    }
    const probes = (valueOf(lab.metrics('w'), 'vrrpwatch_vip_probes_total', { interface: 'eth0' }) ?? 0) - probes0;
    const costs = windows.map((w) => w.probing - w.quiet);
    console.log(
      `  ${IDLE_VRIDS} VIPs, ${(probes / (WINDOWS * WINDOW_SECONDS)).toFixed(1)} ARP requests a second and their answers: ${pct(median(costs))} of a core more than with --no-vip-probe ` +
        `(median of ${WINDOWS} windows; target: under ${pct(TARGET)})`,
    );
    console.log(`  per window, with - without: ${windows.map((w, i) => `${pct(costs[i] ?? 0)} (${pct(w.probing)} - ${pct(w.quiet)})`).join(', ')}`);
  } finally {
    lab.destroy();
  }
}
