/** The module loader hook of hold-module.ts (it runs on the loader's own thread). */
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

interface Loaded {
  format?: string | null;
  source?: unknown;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context: unknown) => Promise<Loaded>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<Loaded> {
  const hold = process.env.VRRPWATCH_TEST_HOLD;
  const held = process.env.VRRPWATCH_TEST_HELD;
  const release = process.env.VRRPWATCH_TEST_RELEASE;
  if (hold !== undefined && held !== undefined && release !== undefined && url.endsWith(hold)) {
    writeFileSync(held, url);
    while (!existsSync(release)) await sleep(5);
  }
  return nextLoad(url, context);
}
