/**
 * Does serve's setFlagsFromString (src/app/v8-tuning.ts) take effect? Node's documentation says flags
 * set after start-up may not. The same view-building loop runs three ways, side by side: with no
 * flags, with tuneV8ForViews() called at its start, and with the same flags on the command line; the
 * old generation's peak size says which flags were in force.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { heading } from './machine.js';

const child = fileURLToPath(new URL('./v8-flags-child.js', import.meta.url));
const FLAGS = ['--no-allocation-site-pretenuring', '--heap-growing-percent=30'];
const RUNS = 3;

function peakMiB(flags: string[], mode: 'set' | 'none'): number {
  return Number(execFileSync(process.execPath, [...flags, child, mode], { encoding: 'utf8' }).trim());
}

export function benchV8Flags(): void {
  heading(`V8 flags: old generation's peak while building views of 20,000 groups (${RUNS} runs each, side by side)`);
  const none: number[] = [];
  const set: number[] = [];
  const line: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    none.push(peakMiB([], 'none'));
    set.push(peakMiB([], 'set'));
    line.push(peakMiB(FLAGS, 'none'));
  }
  const show = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} MiB`;
  console.log(`  no flags:                           ${show(none)}`);
  console.log(`  tuneV8ForViews() at start:          ${show(set)}`);
  console.log(`  the same flags on the command line: ${show(line)}`);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const takes = Math.abs(median(set) - median(line)) < 0.25 * median(line) && median(set) < 0.75 * median(none);
  console.log(`  setFlagsFromString ${takes ? 'takes effect (as the command line does)' : 'does NOT take effect: put the flags on the command line'}`);
}
