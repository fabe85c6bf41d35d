/**
 * `vrrpwatch serve` as a process under pressure: 1,100 idle connections at `ulimit -n 1024` (and at a
 * limit below the connection bound, so that descriptors do run out), signals during start-up, a scrape
 * in flight at SIGTERM, and listen addresses that fail. It captures on the loopback interface of this
 * host only and listens on 127.0.0.1: nothing is sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { CLI } from '../helpers/fixtures.js';
import { sleep, waitFor } from '../../lab/lab.js';
import { findLogs, logEntries } from '../../lab/log-match.js';

const PORT = 19871;

interface Serve {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts serve on 127.0.0.1:PORT capturing on lo, under `ulimit -n` when given. */
function startServe(dir: string, extra = '', nofile?: number): Serve {
  const config = join(dir, 'vrrpwatch.yml');
  writeFileSync(config, `interfaces: [lo]\nweb:\n  listen_address: "127.0.0.1:${PORT}"\n${extra}`);
  const command = `${nofile === undefined ? '' : `ulimit -n ${nofile}; `}exec "$0" "$1" serve -c "$2"`;
  const child = spawn('sh', ['-c', command, process.execPath, CLI, config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return { child, output: () => output, exited };
}

function scrape(path = '/metrics', options: { localAddress?: string; auth?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: PORT, path, agent: false, timeout: 5000, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function answers(options: { localAddress?: string } = {}): Promise<boolean> {
  return scrape('/metrics', options).then(
    (r) => r.status === 200,
    () => false,
  );
}

/** Opens `n` idle connections from 127.0.0.1 up to 127.0.0.`addresses`; resolves when each is connected or refused. */
async function idleConnections(n: number, addresses: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<void>((resolve) => {
          const s = connect({ host: '127.0.0.1', port: PORT, localAddress: `127.0.0.${1 + (i % addresses)}` }, resolve);
          s.on('error', () => {
            resolve();
          });
          s.resume();
          sockets.push(s);
        }),
    ),
  );
  return sockets;
}

function metric(body: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(body);
  return m?.[1] === undefined ? NaN : Number(m[1]);
}

/** Whether the process catches the signal, from /proc. */
function catches(pid: number, signal: number): boolean {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mask = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);
  return (mask & (1n << BigInt(signal - 1))) !== 0n;
}

describe('serve under idle connections', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-idle-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps serving with 1,100 idle connections at ulimit -n 1024, from one address and from 140', async () => {
    const serve = startServe(dir, '', 1024);
    let sockets: Socket[] = [];
    try {
      await waitFor('the exporter to listen', () => findLogs(serve.output(), { msg: 'vrrpwatch serving' }).length > 0, 20_000);
      // One address: it holds its 8 connections, the rest are closed at once; others are served.
      sockets = await idleConnections(1100, 1);
      await waitFor('the excess to be closed', () => sockets.filter((s) => !s.destroyed).length <= 8, 20_000);
      const first = await scrape('/metrics', { localAddress: '127.0.0.200' });
      assert.equal(first.status, 200);
      assert.equal(metric(first.body, 'vrrpwatch_http_connections_rejected_total{limit="client"}'), 1100 - 8);
      for (const s of sockets) s.destroy();
      // 140 addresses: the server's bound (256) is reached; idle ones are dropped after 10 s.
      sockets = await idleConnections(1100, 140);
      await waitFor('the idle connections to be dropped', () => sockets.every((s) => s.destroyed), 40_000);
      await waitFor('a scrape to be answered', () => answers(), 20_000);
      const second = await scrape();
      assert.ok(metric(second.body, 'vrrpwatch_http_connections_rejected_total{limit="server"}') > 0, second.body);
      assert.equal(metric(second.body, 'vrrpwatch_uncaught_errors_total'), 0);
      assert.equal(metric(second.body, 'vrrpwatch_capture_up{interface="lo"}'), 1);
      assert.equal(serve.child.exitCode, null, serve.output());
    } finally {
      for (const s of sockets) s.destroy();
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0);
    }
  });

  it('survives running out of descriptors (ulimit -n 100, under the connection bound) and serves again', async () => {
    const serve = startServe(dir, '', 100);
    let sockets: Socket[] = [];
    try {
      await waitFor('the exporter to listen', () => findLogs(serve.output(), { msg: 'vrrpwatch serving' }).length > 0, 20_000);
      sockets = await idleConnections(300, 60);
      await sleep(2500);
      for (const s of sockets) s.destroy();
      await waitFor('a scrape to be answered', () => answers(), 30_000);
      assert.equal(serve.child.exitCode, null, serve.output());
      assert.doesNotMatch(serve.output(), /\n\s+at /);
    } finally {
      for (const s of sockets) s.destroy();
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0);
    }
  });
});

describe('serve signals and listen failures', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-signals-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts serve and sends `signal` as soon as it is caught, before serve is ready. */
  async function signalDuringStart(signal: 'SIGHUP' | 'SIGTERM'): Promise<Serve> {
    const serve = startServe(dir);
    const pid = serve.child.pid ?? 0;
    const deadline = Date.now() + 20_000;
    // SIGHUP is caught last of the three (Node itself catches SIGTERM from its start, only to die).
    while (!catches(pid, 1)) {
      assert.ok(Date.now() < deadline, `${signal} is never caught`);
      await sleep(1);
    }
    serve.child.kill(signal);
    assert.doesNotMatch(serve.output(), /vrrpwatch serving/, 'the signal came during start-up');
    return serve;
  }

  it('reloads after start-up on a SIGHUP during it, instead of dying', async () => {
    const serve = await signalDuringStart('SIGHUP');
    try {
      await waitFor('the held reload', () => findLogs(serve.output(), { msg: 'config reloaded' }).length > 0, 20_000);
      assert.ok(serve.output().indexOf('vrrpwatch serving') < serve.output().indexOf('config reloaded'));
      assert.equal(await answers(), true);
      assert.equal(serve.child.exitCode, null);
    } finally {
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0, serve.output());
    }
  });

  it('stops cleanly after start-up on a SIGTERM during it', async () => {
    const serve = await signalDuringStart('SIGTERM');
    assert.equal(await serve.exited, 0);
    const said = logEntries(serve.output()).map((e) => e.msg);
    assert.ok(said.includes('vrrpwatch serving') && said.indexOf('vrrpwatch stopped') > said.indexOf('vrrpwatch serving'), serve.output());
  });

  it('answers a scrape in flight at SIGTERM before it stops', async () => {
    const web = join(dir, 'web.yml');
    // bcrypt at cost 12 takes a second here (beside the dummy hash of the same cost made at start): the
    // scrape is still being checked when SIGTERM comes, and the 5 s grace covers it.
    writeFileSync(web, `basic_auth_users:\n  prometheus: "${bcrypt.hashSync('slow-Pa55', 12)}"\n`);
    const serve = startServe(dir, `  config_file: ${web}\n`);
    await waitFor('the exporter to listen', () => findLogs(serve.output(), { msg: 'vrrpwatch serving' }).length > 0, 20_000);
    const inFlight = scrape('/metrics', { auth: 'prometheus:slow-Pa55' });
    await sleep(250);
    serve.child.kill('SIGTERM');
    const answer = await inFlight;
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^vrrpwatch_build_info\{version="[^"]+",[^}]*\} 1$/m);
    assert.equal(await serve.exited, 0);
  });

  it('says in one line why it cannot listen, and exits 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(PORT, '127.0.0.1', resolve));
    try {
      const config = join(dir, 'inuse.yml');
      writeFileSync(config, `interfaces: [lo]\nweb:\n  listen_address: "127.0.0.1:${PORT}"\n`);
      const inUse = spawnSync(process.execPath, [CLI, 'serve', '-c', config], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(inUse.status, 2);
      assert.equal(inUse.stderr, `vrrpwatch: cannot listen on 127.0.0.1:${PORT}: the address is already in use (EADDRINUSE).\n`);
    } finally {
      taken.close();
    }
    const notHere = spawnSync(process.execPath, [CLI, 'serve', '-i', 'lo', '--web.listen-address', `192.0.2.1:${PORT}`], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(notHere.status, 2);
    assert.equal(notHere.stderr, `vrrpwatch: cannot listen on 192.0.2.1:${PORT}: the address is not one of this host's (EADDRNOTAVAIL).\n`);
  });
});
