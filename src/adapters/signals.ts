/**
 * Signals from the first instant. Imported first by the CLI, this catches SIGHUP, SIGTERM and SIGINT
 * while the rest of the program loads and starts (Node's default for them is to die), and holds them
 * until the command says what they mean: `serve` reloads or stops once it is ready, the other commands
 * take the default action.
 */

export type Signal = 'SIGHUP' | 'SIGTERM' | 'SIGINT';

// SIGHUP last: once it is caught, all three are (Node catches SIGTERM and SIGINT itself from the start, to die).
const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

const held = new Set<Signal>();
const hold = (signal: Signal): void => {
  held.add(signal);
};
for (const signal of SIGNALS) process.on(signal, hold);

/** From now on each signal runs its handler; signals that came while held are delivered once each, in a fixed order. */
export function handleSignals(handlers: Record<Signal, () => void>): void {
  for (const signal of SIGNALS) {
    process.off(signal, hold);
    process.on(signal, handlers[signal]);
  }
  // A stop that came during start-up wins: no reload first.
  const pending = held.has('SIGTERM') || held.has('SIGINT') ? (['SIGTERM', 'SIGINT'] as const).filter((s) => held.has(s)).slice(0, 1) : [...held];
  held.clear();
  for (const signal of pending) handlers[signal]();
}

/** The default action again (the process dies on these signals); one that came while held is raised again. */
export function defaultSignals(): void {
  for (const signal of SIGNALS) process.off(signal, hold);
  const first = held.values().next();
  held.clear();
  if (first.done !== true) process.kill(process.pid, first.value);
}
