/** Headless Chromium (Debian package `chromium`) for the tests that look at the HTML pages as a browser renders them. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs as root, with nothing fetched in the background and a profile of its own that is removed after. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-logging=stderr', '--v=0'];

export interface Rendered {
  /** The DOM after the page loaded (`--dump-dom`), or empty for a screenshot or a PDF. */
  dom: string;
  /** Chromium's log: console messages and uncaught script errors show here. */
  log: string;
  seconds: number;
}

/**
 * Loads `url` in headless Chromium; `screenshot` writes a PNG of the page at `width` x `height`, `pdf` prints it
 * to a PDF. `prefix` runs it inside a namespace.
 */
export function chromium(url: string, options: { screenshot?: string; pdf?: string; width?: number; height?: number; prefix?: string[] } = {}): Rendered {
  const profile = mkdtempSync(join(tmpdir(), 'vrrpwatch-chromium-'));
  try {
    const mode =
      options.pdf !== undefined
        ? [`--print-to-pdf=${options.pdf}`, '--no-pdf-header-footer']
        : options.screenshot === undefined
          ? ['--dump-dom']
          : [`--screenshot=${options.screenshot}`, `--window-size=${options.width ?? 1100},${options.height ?? 900}`, '--hide-scrollbars'];
    const [cmd, ...pre] = [...(options.prefix ?? []), 'chromium'];
    const started = process.hrtime.bigint();
    const r = spawnSync(cmd, [...pre, ...FLAGS, `--user-data-dir=${profile}`, ...mode, url], { encoding: 'utf8', timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.error !== undefined) throw new Error(`chromium could not run (install the Debian package chromium): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`chromium exited with ${String(r.status)}: ${r.stderr.slice(-2000)}`);
    return { dom: r.stdout, log: r.stderr, seconds };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Console and script errors in Chromium's log (there should be none: the pages have no script). */
export function scriptErrors(log: string): string[] {
  return log.split('\n').filter((l) => /Uncaught|CONSOLE\(|Refused to|net::ERR_/.test(l));
}
