/**
 * Signals at any moment of `serve`'s start-up are a reload or a stop, never a death by Node's default
 * action. The moments are held, not timed: a module loader hook (test/helpers/hold-module.ts) stops the
 * program while it loads a chosen module, the test sends the signal, then lets the load go on.
 * - `config.js`: the first module of the commands' graph, loaded right after the entry module caught
 *   the signals (ESM loads a static graph whole before running any of it: had the handlers come with
 *   it, this signal would kill);
 * - `app/serve.js`: the command line is read; the config is not loaded and no capture is open yet.
 * It captures on this host's loopback only and listens on 127.0.0.1: nothing is sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, waitFor } from '../../lab/lab.js';
import { findLogs, logEntries } from '../../lab/log-match.js';

const PORT = 19893;
const HOLD = fileURLToPath(new URL('../helpers/hold-module.js', import.meta.url));

interface Held {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  release: () => void;
}

/** Starts serve with the loading of `module` held; resolves once the program waits there. */
async function serveHeldAt(dir: string, module: string): Promise<Held> {
  const config = join(dir, 'vrrpwatch.yml');
  writeFileSync(config, `interfaces: [lo]\nweb:\n  listen_address: "127.0.0.1:${PORT}"\n`);
  const held = join(dir, 'held');
  const release = join(dir, 'release');
  rmSync(held, { force: true });
  rmSync(release, { force: true });
  const child = spawn(process.execPath, ['--import', HOLD, CLI, 'serve', '-c', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VRRPWATCH_TEST_HOLD: `/dist/src/${module}`, VRRPWATCH_TEST_HELD: held, VRRPWATCH_TEST_RELEASE: release },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  await waitFor(`serve to load ${module}`, () => existsSync(held) || child.exitCode !== null, 30_000, 5);
  assert.equal(child.exitCode, null, output);
  return {
    child,
    output: () => output,
    exited,
    release: () => {
      writeFileSync(release, '');
    },
  };
}

describe('signals during start-up, at points held by the test', { concurrency: 1 }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-signal-points-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const module of ['config.js', 'app/serve.js']) {
    it(`a SIGHUP while ${module} loads is a reload once serving`, async () => {
      const serve = await serveHeldAt(dir, module);
      try {
        serve.child.kill('SIGHUP');
        serve.release();
        await waitFor('the held reload', () => findLogs(serve.output(), { msg: 'config reloaded' }).length > 0 || serve.child.exitCode !== null, 30_000);
        assert.equal(serve.child.exitCode, null, `serve died: ${serve.output()}`);
        const said = logEntries(serve.output()).map((e) => e.msg);
        assert.ok(said.indexOf('vrrpwatch serving') < said.indexOf('config reloaded'), serve.output());
      } finally {
        serve.child.kill('SIGTERM');
        assert.deepEqual(await serve.exited, { code: 0, signal: null }, serve.output());
      }
    });

    it(`a SIGTERM while ${module} loads is a clean stop (exit 0) once serving`, async () => {
      const serve = await serveHeldAt(dir, module);
      serve.child.kill('SIGTERM');
      serve.release();
      assert.deepEqual(await serve.exited, { code: 0, signal: null }, serve.output());
      const said = logEntries(serve.output()).map((e) => e.msg);
      assert.ok(said.includes('vrrpwatch serving') && said.indexOf('vrrpwatch stopped') > said.indexOf('vrrpwatch serving'), serve.output());
    });
  }
});
