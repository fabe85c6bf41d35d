/**
 * The HTTP surface of WebServer on 127.0.0.1: exact literal paths, the connection bounds and timeouts,
 * basic auth that checks an unknown user against a dummy hash of the same cost, a stop that lets scrapes in
 * flight finish, and listen failures as one sentence.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import bcrypt from 'bcryptjs';
import { ListenError, WebServer } from '../../src/adapters/http.js';
import type { WebLimits, WebOptions } from '../../src/adapters/http.js';
import { healthOf, healthzResponse } from '../../src/outputs/health.js';

interface Answer {
  status: number;
  body: string;
}

function get(port: number, path: string, options: { method?: string; auth?: string; localAddress?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', agent: false, ...(options.auth === undefined ? {} : { auth: options.auth }), ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(overrides: Partial<WebOptions> = {}, limits: Partial<WebLimits> = {}): Promise<WebServer> {
  return WebServer.start({
    host: '127.0.0.1',
    port: 0,
    telemetryPath: '/metrics',
    webConfig: undefined,
    metrics: () => Promise.resolve({ body: Buffer.from('vrrpwatch_build_info{version="test"} 1\n'), release: () => undefined }),
    page: () => '<!doctype html><title>test</title>',
    onError: () => undefined,
    limits,
    ...overrides,
  });
}

/** An idle TCP connection; resolves once connected. */
function idle(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress }, () => {
      resolve(s);
    });
    s.on('error', reject);
    // Reading, so that the server's close is seen.
    s.resume();
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) resolve();
    else s.once('close', () => {
      resolve();
    });
  });
}

describe('web paths', () => {
  it('matches paths exactly and case-sensitively: /METRICS, /metrics/ and /metrics/x are 404, other methods 405', async () => {
    const web = await start();
    const { port } = web.address();
    try {
      assert.deepEqual(await get(port, '/metrics'), { status: 200, body: 'vrrpwatch_build_info{version="test"} 1\n' });
      assert.equal((await get(port, '/metrics?debug=1')).status, 200);
      for (const path of ['/METRICS', '/metrics/', '/metrics/x', '/Healthz', '/healthz/', '//metrics', '/nope']) {
        assert.deepEqual(await get(port, path), { status: 404, body: 'not found\n' }, path);
      }
      assert.deepEqual(await get(port, '/healthz'), { status: 200, body: 'ok\n' });
      assert.equal((await get(port, '/metrics', { method: 'HEAD' })).status, 200);
      assert.deepEqual(await get(port, '/metrics', { method: 'POST' }), { status: 405, body: 'method not allowed\n' });
    } finally {
      await web.close();
    }
  });

  it('takes the telemetry path literally: "/:x" and "/metrics*" are paths, not route patterns', async () => {
    for (const telemetryPath of ['/:x', '/metrics*', '/(a)', '/a+b']) {
      const web = await start({ telemetryPath });
      const { port } = web.address();
      try {
        assert.equal((await get(port, telemetryPath)).status, 200, telemetryPath);
        assert.deepEqual(await get(port, '/healthz'), { status: 200, body: 'ok\n' }, telemetryPath);
        assert.equal((await get(port, '/metrics')).status, 404, telemetryPath);
        assert.equal((await get(port, '/y')).status, 404, telemetryPath);
        assert.equal((await get(port, '/metricsX')).status, 404, telemetryPath);
      } finally {
        await web.close();
      }
    }
  });
});

describe('/api/v1/status', () => {
  it('serves the status document as JSON, behind the same basic auth as /metrics, and is 404 where serve gives none', async () => {
    const hash = bcrypt.hashSync('right-Pa55', 4);
    const doc = JSON.stringify({ version: 1, host: 'lb-a' });
    const web = await start({ status: () => doc, webConfig: { tls: undefined, basicAuthUsers: new Map([['prometheus', hash]]) } });
    const { port } = web.address();
    try {
      assert.equal((await get(port, '/api/v1/status')).status, 401);
      assert.equal((await get(port, '/api/v1/status', { auth: 'prometheus:wrong' })).status, 401);
      assert.deepEqual(await get(port, '/api/v1/status', { auth: 'prometheus:right-Pa55' }), { status: 200, body: doc });
      assert.equal((await get(port, '/api/v1/status/', { auth: 'prometheus:right-Pa55' })).status, 404);
      assert.equal((await get(port, '/api/v1/status', { auth: 'prometheus:right-Pa55', method: 'POST' })).status, 405);
    } finally {
      await web.close();
    }
    const without = await start();
    try {
      assert.deepEqual(await get(without.address().port, '/api/v1/status'), { status: 404, body: 'not found\n' });
    } finally {
      await without.close();
    }
  });
});

describe('/healthz', () => {
  it('answers 503 while blind (a capture down, or none), 200 with a warning line while a source is unreadable', async () => {
    const state = { captures: [{ interface: 'eth0', up: false, problem: 'permission denied' }], sources: [{ source: 'notify_fifo' as const, path: '/run/k.fifo', problem: 'cannot open /run/k.fifo: no such file' }] };
    const web = await start({ health: () => healthzResponse(healthOf(state)) });
    const { port } = web.address();
    try {
      assert.deepEqual(await get(port, '/healthz'), { status: 503, body: "blind\ncritical: capture down on eth0: permission denied; VRRP there is not seen\nwarning: keepalived's notify_fifo not read: cannot open /run/k.fifo: no such file\n" });
      assert.equal((await get(port, '/healthz', { method: 'HEAD' })).status, 503);
      state.captures = [];
      assert.equal((await get(port, '/healthz')).status, 503, 'no capture at all is blind too');
      state.captures = [{ interface: 'eth0', up: true, problem: 'permission denied' }];
      assert.deepEqual(await get(port, '/healthz'), { status: 200, body: "ok\nwarning: keepalived's notify_fifo not read: cannot open /run/k.fifo: no such file\n" });
      state.sources = [];
      assert.deepEqual(await get(port, '/healthz'), { status: 200, body: 'ok\n' });
    } finally {
      await web.close();
    }
  });
});

describe('web connection bounds', () => {
  it('closes connections over one client address\'s bound at once and still serves another client', async () => {
    const web = await start({}, { maxConnectionsPerClient: 2 });
    const { port } = web.address();
    const held = [await idle(port), await idle(port)];
    try {
      const third = await idle(port);
      await closed(third);
      assert.equal(web.counters.rejected.client, 1);
      assert.equal((await get(port, '/healthz', { localAddress: '127.0.0.2' })).body, 'ok\n');
      assert.equal(web.counters.open, 2);
    } finally {
      for (const s of held) s.destroy();
      await web.close();
    }
  });

  it('closes connections over the server\'s bound at once', async () => {
    const web = await start({}, { maxConnections: 2, maxConnectionsPerClient: 10 });
    const { port } = web.address();
    const held = [await idle(port), await idle(port)];
    try {
      const third = await idle(port);
      await closed(third);
      assert.equal(web.counters.rejected.server, 1);
      held.pop()?.destroy();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal((await get(port, '/healthz')).body, 'ok\n');
    } finally {
      for (const s of held) s.destroy();
      await web.close();
    }
  });

  it('drops a connection that sends nothing, or no whole request in time', async () => {
    const web = await start({}, { headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 1000 });
    const { port } = web.address();
    try {
      const s = await idle(port);
      s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      let reply = '';
      s.on('data', (c: Buffer) => (reply += c.toString()));
      await closed(s);
      assert.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      await closed(await idle(port));
      // The server sees the close a moment after the client does.
      while (web.counters.open > 0) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await web.close();
    }
  });
});

describe('web basic auth', () => {
  it('checks an unknown user against a dummy hash of the same cost, as a wrong password against the user\'s (the time is in the bench)', async () => {
    const hash = bcrypt.hashSync('right-Pa55', 10).replace(/^\$2b\$/, '$2y$');
    const users = new Map([['prometheus', hash]]);
    const web = await start({ webConfig: { tls: undefined, basicAuthUsers: users } });
    const { port } = web.address();
    // bcryptjs's default export is the object http.ts calls: each check it makes is recorded here.
    const checks: { password: string; hash: string }[] = [];
    const compare = bcrypt.compare;
    bcrypt.compare = (password: string, against: string) => {
      checks.push({ password, hash: against });
      return compare(password, against);
    };
    try {
      assert.equal((await get(port, '/metrics', { auth: 'prometheus:right-Pa55' })).status, 200);
      assert.equal((await get(port, '/metrics', { auth: 'prometheus:wrong-1' })).status, 401);
      assert.equal((await get(port, '/metrics', { auth: 'nobody-1:wrong-1' })).status, 401);
      assert.equal((await get(port, '/metrics', { auth: 'nobody:right-Pa55' })).status, 401);
      assert.deepEqual(checks.map((c) => c.password), ['right-Pa55', 'wrong-1', 'wrong-1', 'right-Pa55'], 'one bcrypt check per request, unknown users too');
      const [, wrong, unknown, unknownRight] = checks;
      assert.equal(wrong?.hash.slice(4), hash.slice(4), "a wrong password is checked against the user's hash");
      for (const c of [unknown, unknownRight]) {
        assert.ok(c !== undefined && c.hash.slice(4) !== hash.slice(4), 'an unknown user is checked against another hash');
        assert.equal(c.hash.slice(0, 7).replace('$2y$', '$2b$'), '$2b$10$', `the dummy hash has the users' cost: ${c.hash.slice(0, 7)}`);
      }
    } finally {
      bcrypt.compare = compare;
      await web.close();
    }
  });
});

describe('web stop and listen', () => {
  it('lets a scrape in flight finish on stop, and cuts one that outlasts the grace', async () => {
    let answer: (() => void) | undefined;
    const web = await start({
      metrics: () =>
        new Promise((resolve) => {
          answer = () => {
            resolve({ body: Buffer.from('late 1\n'), release: () => undefined });
          };
        }),
    });
    const { port } = web.address();
    const scrape = get(port, '/metrics');
    while (answer === undefined) await new Promise((r) => setTimeout(r, 10));
    const stopped = web.close();
    setTimeout(() => answer?.(), 200);
    assert.deepEqual(await scrape, { status: 200, body: 'late 1\n' });
    await stopped;

    const stuck = await start({ metrics: () => new Promise(() => undefined) }, { closeGraceMs: 200 });
    const cut = get(stuck.address().port, '/metrics');
    await new Promise((r) => setTimeout(r, 100));
    await stuck.close();
    await assert.rejects(cut, /socket hang up/);
  });

  it('says in one sentence why it cannot listen', async () => {
    const first = await start();
    try {
      const { port } = first.address();
      await assert.rejects(start({ port }), (err: unknown) => err instanceof ListenError && err.message === `cannot listen on 127.0.0.1:${port}: the address is already in use (EADDRINUSE).`);
      await assert.rejects(start({ host: '192.0.2.1', port: 9 }), (err: unknown) => err instanceof ListenError && err.message === "cannot listen on 192.0.2.1:9: the address is not one of this host's (EADDRNOTAVAIL).");
    } finally {
      await first.close();
    }
  });
});
