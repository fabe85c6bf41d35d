/**
 * The hostile capture of issue 19 for `npm run bench`: 277,440 maximal VRRPv2 adverts (255 addresses
 * each) from 32 sources over 17 VLANs x 255 VRIDs in 15 s, some 300 MB, generated here and replayed by
 * the CLI into a JSON report (checked to parse), with its wall time and peak memory beside the targets.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAXIMAL, writeMaximalCapture } from '../test/helpers/maximal.js';
import type { ReplayReport } from '../src/outputs/report.js';
import { heading } from './machine.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
export const FLOOD_ADVERTS = MAXIMAL.sources * MAXIMAL.vlans * MAXIMAL.vrids * 2;
const FLOOD_SECONDS = 15;

/**
 * Wall time, CPU time (user + system: the figure that means something on a loaded machine) and peak
 * resident memory in MiB of a finished child, from GNU time's report.
 */
function timed(args: string[], out: string): { seconds: number; cpu: number; peakMiB: number; status: number | null; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'peak-kib %M cpu %U %S', '-o', `${out}.time`, process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /peak-kib (\d+) cpu ([\d.]+) ([\d.]+)/.exec(readFileSync(`${out}.time`, 'utf8'));
  return { seconds, cpu: Number(m?.[2] ?? Number.NaN) + Number(m?.[3] ?? Number.NaN), peakMiB: Number(m?.[1] ?? Number.NaN) / 1024, status: r.status, stderr: r.stderr };
}

export function benchHostileReplay(dir: string): void {
  const file = join(dir, 'maximal-flood.pcap');
  const report = join(dir, 'maximal-flood.json');
  heading(`replay of the maximal-advert capture (${FLOOD_ADVERTS.toLocaleString('en')} VRRPv2 adverts x 255 addresses, ${MAXIMAL.sources} sources, ${MAXIMAL.vlans} VLANs x ${MAXIMAL.vrids} VRIDs, ${FLOOD_SECONDS} s)`);
  const size = writeMaximalCapture(file, FLOOD_ADVERTS, FLOOD_SECONDS);
  try {
    const r = timed([CLI, 'replay', file, '--format', 'json', '--output', report], report);
    let valid = 'not written';
    if (r.status === 0 || r.status === 1) {
      const parsed = JSON.parse(readFileSync(report, 'utf8')) as ReplayReport;
      const omitted = parsed.groups.reduce((n, g) => n + g.omitted, 0);
      valid = `valid JSON: ${parsed.adverts.toLocaleString('en')} adverts, ${parsed.groups.length.toLocaleString('en')} groups, ${parsed.evicted.groups.toLocaleString('en')} groups evicted, ${omitted.toLocaleString('en')} entries omitted`;
    }
    console.log(
      `  ${(size / 1e6).toFixed(0)} MB: exit ${r.status ?? 'signal'}, ${r.seconds.toFixed(1)} s (${r.cpu.toFixed(1)} s of CPU), peak RSS ${r.peakMiB.toFixed(0)} MiB = ${((r.peakMiB * 2 ** 20) / 1e6).toFixed(0)} MB; ${valid} ` +
        '(targets: under 30 s, under 512 MB, a valid report)',
    );
    if (r.status !== 0 && r.status !== 1) console.log(`  stderr: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  } finally {
    rmSync(file, { force: true });
    rmSync(report, { force: true });
    rmSync(`${report}.time`, { force: true });
  }
}
