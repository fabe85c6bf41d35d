/** Runs one replay in its own process and prints its time and peak memory as JSON (for bench/run). */
import { replay } from '../src/app/replay.js';

const file = process.argv[2] ?? '';
const t0 = process.hrtime.bigint();
const { report } = await replay({ file });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const splits = report.groups.reduce((n, g) => n + g.split_brain.length, 0);
process.stdout.write(
  `${JSON.stringify({ adverts: report.adverts, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, groups: report.groups.length, splits })}\n`,
);
