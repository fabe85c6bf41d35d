/**
 * What every bench figure is printed with: the machine's load when it was taken (these machines are
 * shared: only figures taken side by side in one run compare), and the target beside it.
 */
import { cpus, loadavg } from 'node:os';

/** The load averages over 1, 5 and 15 minutes, and the cores they share. */
export function machineLoad(): string {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return `load ${one.toFixed(1)} ${five.toFixed(1)} ${fifteen.toFixed(1)} on ${cpus().length} cores`;
}

/** A part's heading with the load it starts under. */
export function heading(text: string): void {
  console.log(`${text} [${machineLoad()}]`);
}

/** `figure (target: TARGET, met|NOT met)`. */
export function beside(figure: string, target: string, met: boolean): string {
  return `${figure} (target: ${target}: ${met ? 'met' : 'NOT met'})`;
}
