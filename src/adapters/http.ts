/**
 * The HTTP(S) server (express): `/metrics` (or `--web.telemetry-path`), the status page at `/`, `/healthz`,
 * 404 for anything else. TLS and basic auth come from the exporter-toolkit web config; bcrypt checks are
 * cached per credential (as the exporter-toolkit does), so a scrape every few seconds costs one hash.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
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
  /** The exposition text of one scrape. */
  /** The exposition body of one scrape; `release` is called once it has been sent (or the client left). */
  metrics: () => Promise<{ body: Buffer; release: () => void }>;
  /** The status page (HTML), rendered per request. */
  page: () => string;
  onError: (message: string, err: unknown) => void;
}

export class WebConfigFileError extends Error {
  override readonly name = 'WebConfigFileError';
}

const MAX_CACHED = 256;

export class WebServer {
  #config: WebConfig | undefined;
  readonly #verified = new Map<string, boolean>();
  readonly server: HttpServer | HttpsServer;

  private constructor(
    private readonly options: WebOptions,
    server: HttpServer | HttpsServer,
  ) {
    this.#config = options.webConfig;
    this.server = server;
  }

  static async start(options: WebOptions): Promise<WebServer> {
    const tls = options.webConfig?.tls;
    const app = express();
    app.disable('x-powered-by');
    // An ETag would hash every scrape (megabytes with thousands of groups) for nothing: /metrics changes.
    app.disable('etag');
    const server = tls === undefined ? createHttpServer(app) : createHttpsServer(tlsServerOptions(tls), app);
    const web = new WebServer(options, server);
    app.use((req, res, next) => {
      web.#guard(req, res, next);
    });
    app.get(options.telemetryPath, (_req, res) => {
      options.metrics().then(
        ({ body, release }) => {
          res.once('close', release);
          res.type('text/plain; version=0.0.4; charset=utf-8').set('Content-Length', String(body.length)).end(body);
        },
        (err: unknown) => {
          options.onError('rendering metrics failed', err);
          res.status(500).type('text/plain').send('metrics could not be rendered\n');
        },
      );
    });
    app.get('/healthz', (_req, res) => {
      res.type('text/plain').send('ok\n');
    });
    app.get('/', (_req, res) => {
      res.type('text/html; charset=utf-8').set('Cache-Control', 'no-store').send(options.page());
    });
    app.use((_req, res) => {
      res.status(404).type('text/plain').send('not found\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host === '' ? undefined : options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => {
      options.onError('HTTP server error', err);
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
  }

  address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') return { host: '', port: this.options.port };
    return { host: a.address, port: a.port };
  }

  #guard(req: Request, res: Response, next: NextFunction): void {
    const config = this.#config;
    const tls = config?.tls;
    if (tls !== undefined && (tls.clientAuthType === 'RequireAnyClientCert' || tls.clientAuthType === 'VerifyClientCertIfGiven')) {
      const socket = req.socket as unknown as TLSSocket;
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
    const hash = users.get(user);
    const deny = (): void => {
      res.status(401).set('WWW-Authenticate', 'Basic realm="vrrpwatch"').type('text/plain').send('unauthorized\n');
    };
    if (hash === undefined) {
      deny();
      return;
    }
    const cacheKey = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('hex');
    const cached = this.#verified.get(cacheKey);
    if (cached !== undefined) {
      if (cached) next();
      else deny();
      return;
    }
    // bcryptjs reads $2y$ (htpasswd) hashes as $2b$: the same algorithm.
    bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$')).then(
      (ok) => {
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

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }
}
