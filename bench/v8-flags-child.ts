/**
 * One run of the V8 flags check (bench/v8-flags.ts): views of 20,000 groups built in a loop and kept
 * for three rounds, as serve's views are kept for a scrape; prints the old generation's peak size.
 * `set` calls serve's own tuneV8ForViews() first, `none` does not; the flags on the command line
 * come from the parent.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { tuneV8ForViews } from '../src/app/v8-tuning.js';

if (process.argv[2] === 'set') tuneV8ForViews();
const base = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `g${i}`, priority: i % 255 }));
const kept: unknown[] = [];
let peak = 0;
for (let round = 0; round < 400; round++) {
  kept.push(base.map((g) => ({ id: g.id, label: `${g.name}|${g.priority}`, routers: [g.priority, g.priority + 1] })));
  if (kept.length > 3) kept.shift();
  if (round % 10 === 0) peak = Math.max(peak, getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_size ?? 0);
  await new Promise((r) => setImmediate(r));
}
console.log(String(peak / 2 ** 20));
