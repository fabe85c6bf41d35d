/**
 * The fixed older build the replay figures are compared with, side by side in the same run: commit
 * 91af0a1, before the VIP ownership, forensics and hostile-input work (issue 28). It is exported with
 * `git archive` into the temporary directory (nothing is registered in the repository), given a
 * symlink to this checkout's node_modules and compiled there once; later runs reuse it. Set
 * VRRPWATCH_BENCH_OLD to a directory holding a build of it to use that one instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OLD_COMMIT = '91af0a1';

/** dist/bench/old-build.js → the checkout. */
const checkout = fileURLToPath(new URL('../../', import.meta.url));

/** The old build's cli.js, or why there is none. */
export function oldCli(): { cli: string } | { skipped: string } {
  const dir = process.env.VRRPWATCH_BENCH_OLD ?? join(tmpdir(), `vrrpwatch-bench-${OLD_COMMIT}`);
  const cli = join(dir, 'dist', 'src', 'cli.js');
  if (existsSync(cli)) return { cli };
  if (process.env.VRRPWATCH_BENCH_OLD !== undefined) return { skipped: `VRRPWATCH_BENCH_OLD names ${dir}, which holds no dist/src/cli.js` };
  const known = spawnSync('git', ['-C', checkout, 'cat-file', '-e', `${OLD_COMMIT}^{commit}`]);
  if (known.status !== 0) return { skipped: `commit ${OLD_COMMIT} is not in this checkout's history (a shallow clone?)` };
  console.log(`  building ${OLD_COMMIT} in ${dir} for the side-by-side figures (once; later runs reuse it)`);
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git -C "$1" archive ${OLD_COMMIT} | tar -x -C "$2"`, 'sh', checkout, dir]);
    symlinkSync(join(checkout, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [join(checkout, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { stdio: 'ignore' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { skipped: `building ${OLD_COMMIT} failed: ${(e as Error).message.split('\n')[0] ?? ''}` };
  }
  return existsSync(cli) ? { cli } : { skipped: `building ${OLD_COMMIT} made no ${cli}` };
}
