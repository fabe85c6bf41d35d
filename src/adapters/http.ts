/**
 * The HTTP(S) server (express): `/metrics` (or `--web.telemetry-path`, a literal path), the status page at
 * `/`, the status document at `/api/v1/status`, `/healthz` (503 while serve is blind), 404 for anything else; paths match exactly. TLS and basic auth come from the
 * exporter-toolkit web config; bcrypt checks are cached per credential (as the exporter-toolkit does), so a
 * scrape every few seconds costs one hash. Connections are bounded in number, per client and in time, so
 * idle or slow clients cannot hold the exporter's descriptors.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { WebConfig } from '../web-config.js';
import { tlsServerOptions } from './tls-files.js';

export interface WebOptions {
  host: string;
  port: number;
  telemetryPath: string;
  webConfig: WebConfig | undefined;
  /** The exposition body of one scrape; `release` is called once it has been sent (or the client left). */
  metrics: () => Promise<{ body: Buffer; release: () => void }>;
  /** The status page (HTML), rendered per request. */
  page: () => string;
  /** `GET /api/v1/status`: the status document (JSON text), rendered per request; absent: 404. */
  status?: () => string;
  /** `/healthz`: its status and body per request (default: 200, `ok`). */
  health?: () => { status: number; body: string };
  onError: (message: string, err: unknown) => void;
  /** Overrides of WEB_LIMITS (tests). */
  limits?: Partial<WebLimits>;
}

/** How much of the exporter clients may hold; docs/operations.md's "HTTP limits" lists them. */
export interface WebLimits {
  /** Open connections at once; more are closed as soon as they are accepted. */
  maxConnections: number;
  /** Open connections at once from one client address. */
  maxConnectionsPerClient: number;
  /** From the connection (or the end of the last response) to the end of the request headers. */
  headersTimeoutMs: number;
  /** From the connection to the end of the whole request. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /**
   * A connection on which nothing moves is closed after this long: one that never sends a byte (Node's
   * headers timeout starts at the first byte), or a client that stops reading.
   */
  idleTimeoutMs: number;
  /** The TLS handshake must be done within this. */
  handshakeTimeoutMs: number;
  /** On stop, scrapes in flight get this long to finish. */
  closeGraceMs: number;
}

export const WEB_LIMITS: WebLimits = {
  maxConnections: 256,
  maxConnectionsPerClient: 8,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  closeGraceMs: 5_000,
};

/** Counters of what the limits turned away, for the metrics. */
export interface WebCounters {
  /** Connections closed at once: over the server's limit, or over one client's. */
  rejected: { server: number; client: number };
  /** accept() errors the server reported (libuv itself sheds connections when descriptors run out). */
  acceptErrors: number;
  /** Connections open now. */
  open: number;
}

export class ListenError extends Error {
  override readonly name = 'ListenError';
}

function listenProblem(err: unknown, where: string): ListenError | undefined {
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  const why: Record<string, string> = {
    EADDRINUSE: 'the address is already in use',
    EADDRNOTAVAIL: 'the address is not one of this host\'s',
    EACCES: 'permission denied, ports below 1024 need root or CAP_NET_BIND_SERVICE',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name does not resolve',
  };
  const reason = why[code];
  return reason === undefined ? undefined : new ListenError(`cannot listen on ${where}: ${reason} (${code}).`);
}

export class WebConfigFileError extends Error {
  override readonly name = 'WebConfigFileError';
}

/** The status document's path (docs/api.md). */
export const STATUS_PATH = '/api/v1/status';

const MAX_CACHED = 256;
/** How often an accept() failure is logged at most (each one is counted). */
const ACCEPT_ERROR_LOG_EVERY_MS = 10_000;

/** bcrypt's cost factor from a hash (`$2y$10$...`), 10 when it cannot be read. */
function bcryptCost(hash: string): number {
  const m = /^\$2[abxy]?\$(\d{2})\$/.exec(hash);
  return m?.[1] === undefined ? 10 : Number(m[1]);
}

export class WebServer {
  #config: WebConfig | undefined;
  readonly #verified = new Map<string, boolean>();
  /** A hash of a random password per cost factor: an unknown user costs what a wrong password costs. */
  readonly #dummyHashes = new Map<number, Promise<string>>();
  /** bcrypt checks run one at a time (as exporter-toolkit does): a flood of guesses costs one core at most. */
  #bcryptQueue: Promise<unknown> = Promise.resolve();
  readonly #perClient = new Map<string, number>();
  readonly counters: WebCounters = { rejected: { server: 0, client: 0 }, acceptErrors: 0, open: 0 };
  #lastAcceptLog = -Infinity;
  #inFlight = 0;
  #closing = false;
  #drained: (() => void) | undefined;
  readonly server: HttpServer | HttpsServer;
  readonly #limits: WebLimits;

  private constructor(
    private readonly options: WebOptions,
    server: HttpServer | HttpsServer,
    limits: WebLimits,
  ) {
    this.#config = options.webConfig;
    this.server = server;
    this.#limits = limits;
    this.#prepareDummyHash();
  }

  static async start(options: WebOptions): Promise<WebServer> {
    const limits = { ...WEB_LIMITS, ...options.limits };
    const tls = options.webConfig?.tls;
    const app = express();
    app.disable('x-powered-by');
    // An ETag would hash every scrape (megabytes with thousands of groups) for nothing: /metrics changes.
    app.disable('etag');
    const serverOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above this often (30 s by default).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    };
    const server = tls === undefined ? createHttpServer(serverOptions, app) : createHttpsServer({ ...tlsServerOptions(tls), ...serverOptions, handshakeTimeout: limits.handshakeTimeoutMs }, app);
    server.maxConnections = limits.maxConnections;
    server.timeout = limits.idleTimeoutMs;
    const web = new WebServer(options, server, limits);
    server.on('drop', () => {
      web.counters.rejected.server++;
    });
    server.on('connection', (socket: Socket) => {
      web.#admit(socket);
    });
    app.use((req, res, next) => {
      web.#track(res);
      web.#guard(req, res, next);
    });
    app.use((req, res) => {
      web.#route(req, res);
    });
    const where = `${options.host === '' ? '' : options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`;
    await new Promise<void>((resolve, reject) => {
      const failed = (err: unknown): void => {
        reject(listenProblem(err, where) ?? (err instanceof Error ? err : new Error(String(err))));
      };
      server.once('error', failed);
      server.listen(options.port, options.host === '' ? undefined : options.host, () => {
        server.off('error', failed);
        resolve();
      });
    });
    server.on('error', (err) => {
      web.#serverError(err);
    });
    return web;
  }

  /** Applies a reloaded web config: users at once, TLS certificates for new connections. */
  reload(config: WebConfig | undefined): void {
    const tls = config?.tls;
    if ((tls === undefined) !== (this.#config?.tls === undefined)) {
      throw new WebConfigFileError('switching TLS on or off needs a restart; the previous web config stays in force');
    }
    if (tls !== undefined) (this.server as HttpsServer).setSecureContext(tlsServerOptions(tls));
    this.#config = config;
    this.#verified.clear();
    this.#prepareDummyHash();
  }

  address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') return { host: '', port: this.options.port };
    return { host: a.address, port: a.port };
  }

  /** Counts the connection per client address; one over the client's bound is closed at once. */
  #admit(socket: Socket): void {
    const client = socket.remoteAddress ?? '';
    const n = (this.#perClient.get(client) ?? 0) + 1;
    if (n > this.#limits.maxConnectionsPerClient) {
      this.counters.rejected.client++;
      socket.destroy();
      return;
    }
    this.#perClient.set(client, n);
    this.counters.open++;
    socket.once('close', () => {
      this.counters.open--;
      const left = (this.#perClient.get(client) ?? 1) - 1;
      if (left === 0) this.#perClient.delete(client);
      else this.#perClient.set(client, left);
    });
  }

  /** Errors of the listening socket once it listens (accept() failing): counted, and logged at a bounded rate. */
  #serverError(err: Error): void {
    this.counters.acceptErrors++;
    const at = Date.now();
    if (at - this.#lastAcceptLog < ACCEPT_ERROR_LOG_EVERY_MS) return;
    this.#lastAcceptLog = at;
    this.options.onError('the HTTP server could not accept a connection (counted in vrrpwatch_http_accept_errors_total; logged at most every 10 s)', err);
  }

  /** Requests in flight, so that a stop lets them finish. */
  #track(res: Response): void {
    this.#inFlight++;
    if (this.#closing) res.set('Connection', 'close');
    res.once('close', () => {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#drained?.();
    });
  }

  /** Exact, case-sensitive paths: the telemetry path is a literal, never a route pattern. */
  #route(req: Request, res: Response): void {
    const path = req.path;
    const known = path === this.options.telemetryPath || path === '/healthz' || path === '/' || (path === STATUS_PATH && this.options.status !== undefined);
    if (!known) {
      res.status(404).type('text/plain').send('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('method not allowed\n');
      return;
    }
    if (path === this.options.telemetryPath) this.#metrics(res);
    else if (path === '/healthz') this.#health(res);
    else if (path === STATUS_PATH) this.#status(res);
    else this.#page(res);
  }

  #metrics(res: Response): void {
    this.options.metrics().then(
      ({ body, release }) => {
        res.once('close', release);
        res.type('text/plain; version=0.0.4; charset=utf-8').set('Content-Length', String(body.length)).end(body);
      },
      (err: unknown) => {
        this.options.onError('rendering metrics failed', err);
        res.status(500).type('text/plain').send('metrics could not be rendered\n');
      },
    );
  }

  #health(res: Response): void {
    const { status, body } = this.options.health?.() ?? { status: 200, body: 'ok\n' };
    res.status(status).type('text/plain').set('Cache-Control', 'no-store').send(body);
  }

  #status(res: Response): void {
    const render = this.options.status;
    if (render === undefined) {
      res.status(404).type('text/plain').send('not found\n');
      return;
    }
    res.type('application/json; charset=utf-8').set('Cache-Control', 'no-store').send(render());
  }

  #page(res: Response): void {
    res.type('text/html; charset=utf-8').set('Cache-Control', 'no-store').send(this.options.page());
  }

  /** The cost of the dearest configured hash, so that no user name is cheaper to try than another. */
  #prepareDummyHash(): void {
    const users = this.#config?.basicAuthUsers;
    if (users === undefined || users.size === 0) return;
    const cost = Math.max(...[...users.values()].map(bcryptCost));
    if (!this.#dummyHashes.has(cost)) this.#dummyHashes.set(cost, bcrypt.hash(randomBytes(18).toString('base64'), cost));
  }

  #compare(password: string, hash: string): Promise<boolean> {
    const run = this.#bcryptQueue.then(() => bcrypt.compare(password, hash));
    this.#bcryptQueue = run.catch(() => undefined);
    return run;
  }

  #guard(req: Request, res: Response, next: NextFunction): void {
    const config = this.#config;
    const tls = config?.tls;
    if (tls !== undefined && (tls.clientAuthType === 'RequireAnyClientCert' || tls.clientAuthType === 'VerifyClientCertIfGiven') && req.socket instanceof TLSSocket) {
      const socket = req.socket;
      const cert = socket.getPeerCertificate();
      const given = Object.keys(cert).length > 0;
      if ((tls.clientAuthType === 'RequireAnyClientCert' && !given) || (tls.clientAuthType === 'VerifyClientCertIfGiven' && given && !socket.authorized)) {
        res.status(403).type('text/plain').send('client certificate required\n');
        return;
      }
    }
    const users = config?.basicAuthUsers;
    if (users === undefined || users.size === 0) {
      next();
      return;
    }
    const header = req.headers.authorization ?? '';
    const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header);
    const decoded = m?.[1] === undefined ? '' : Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? '' : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const deny = (): void => {
      res.status(401).set('WWW-Authenticate', 'Basic realm="vrrpwatch"').type('text/plain').send('unauthorized\n');
    };
    if (colon < 0) {
      deny();
      return;
    }
    const known = users.get(user);
    const cost = Math.max(...[...users.values()].map(bcryptCost));
    // An unknown user is checked against a dummy hash of the same cost and then refused: the time taken
    // does not tell which user names exist.
    const hashOf = known === undefined ? (this.#dummyHashes.get(cost) ?? Promise.resolve('')) : Promise.resolve(known);
    const cacheKey = createHash('sha256').update(`${user}\0${password}\0${known ?? ''}`).digest('hex');
    const cached = this.#verified.get(cacheKey);
    if (cached !== undefined) {
      if (cached) next();
      else deny();
      return;
    }
    // bcryptjs reads $2y$ (htpasswd) hashes as $2b$: the same algorithm.
    hashOf
      .then((hash) => this.#compare(password, hash.replace(/^\$2y\$/, '$2b$')))
      .then(
        (match) => {
          const ok = match && known !== undefined;
          if (this.#verified.size >= MAX_CACHED) this.#verified.clear();
          this.#verified.set(cacheKey, ok);
          if (ok) next();
          else deny();
        },
        () => {
          deny();
        },
      );
  }

  /** Stops accepting, lets requests in flight finish (at most closeGraceMs), then closes every connection. */
  async close(): Promise<void> {
    this.#closing = true;
    const closed = new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    this.server.closeIdleConnections();
    if (this.#inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
        timer = setTimeout(resolve, this.#limits.closeGraceMs);
      });
      clearTimeout(timer);
    }
    this.server.closeAllConnections();
    await closed;
  }
}
