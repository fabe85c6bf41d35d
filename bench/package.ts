/**
 * The Debian package: its size, and how fast `vrrpwatch once` starts from it beside the npm install.
 * The package is built with scripts/package-deb.sh (a few minutes; $VRRPWATCH_DEB names one already
 * built to skip that) and unpacked with dpkg-deb -x. The npm side is this checkout, the same files
 * `npm install` lays out (dist/src and node_modules from the lock file) run by the Node.js on PATH.
 * Both run `--version` (start-up alone) and `once -i lo --window 1`, alternating, 7 times each; the
 * medians are printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, NODE_FLAGS, ROOT } from '../lab/lab.js';
import { beside, heading } from './machine.js';

const RUNS = 7;
const WINDOW = 1;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function wall(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.error !== undefined) throw r.error;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function benchPackage(dir: string): void {
  heading('the Debian package: size, and vrrpwatch once started from it and from the npm install');
  let deb = process.env.VRRPWATCH_DEB;
  if (deb === undefined) {
    const out = execFileSync(join(ROOT, 'scripts', 'package-deb.sh'), [dir], { encoding: 'utf8' });
    deb = out.trim().split('\n').pop() ?? '';
  }
  const unpacked = join(dir, 'deb-root');
  execFileSync('dpkg-deb', ['-x', deb, unpacked]);
  const installedKiB = Number(execFileSync('du', ['-sk', unpacked], { encoding: 'utf8' }).split('\t')[0]);
  const size = statSync(deb).size;
  console.log(`  ${deb.split('/').pop() ?? deb}: ${beside(`${(size / 1024 / 1024).toFixed(1)} MiB, ${(installedKiB / 1024).toFixed(0)} MiB installed`, 'under 50 MB', size < 50e6)}`);

  const lib = join(unpacked, 'usr', 'lib', 'vrrpwatch');
  const routes = [
    { name: 'package', node: join(lib, 'node'), cli: join(lib, 'dist', 'src', 'cli.js') },
    { name: 'npm install', node: process.execPath, cli: CLI },
  ];
  const times = new Map(routes.map((r) => [r.name, { version: [] as number[], once: [] as number[] }]));
  for (let i = 0; i < RUNS; i++) {
    for (const r of routes) {
      const t = times.get(r.name);
      if (t === undefined) continue;
      t.version.push(wall(r.node, [...NODE_FLAGS, r.cli, '--version']));
      // On lo nothing is heard and nothing expected: once answers UNKNOWN after its window, as it would OK.
      const once = wall(r.node, [...NODE_FLAGS, r.cli, 'once', '-i', 'lo', '--window', String(WINDOW)]);
      t.once.push(once - WINDOW);
    }
  }
  const medians = routes.map((r) => {
    const t = times.get(r.name);
    const node = execFileSync(r.node, ['--version'], { encoding: 'utf8' }).trim();
    return { name: r.name, node, version: median(t?.version ?? []), once: median(t?.once ?? []) };
  });
  for (const m of medians) {
    console.log(`  ${m.name.padEnd(12)} node ${m.node}: --version ${(m.version * 1000).toFixed(0)} ms, once -i lo --window ${WINDOW}: ${(m.once * 1000).toFixed(0)} ms over the window (medians of ${RUNS})`);
  }
  const [pkg, npm] = medians;
  if (pkg !== undefined && npm !== undefined) {
    // Within 5%: the two alternate on a shared machine, whose load moves single runs by more.
    console.log(`  ${beside(`the package's once ${((pkg.once / npm.once) * 100).toFixed(0)}% of the npm install's`, 'no slower (within 5%)', pkg.once <= npm.once * 1.05)}`);
  }
}
