/**
 * The package's version, read from package.json (build_info, --version, the status page), and the git
 * revision it was built from, which `npm run build` writes beside this file (scripts/revision.sh).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

export const VERSION: string = pkg.version;

/** The revision built (12 hex digits), or "unknown" when it was built outside a git checkout. */
export const REVISION: string = readRevision();

function readRevision(): string {
  try {
    const text = readFileSync(new URL('revision.txt', import.meta.url), 'utf8').trim();
    return /^[0-9a-f]{7,40}$/.test(text) ? text : 'unknown';
  } catch {
    return 'unknown';
  }
}
