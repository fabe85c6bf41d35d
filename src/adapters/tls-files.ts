/**
 * The TLS server options of a web config: its certificate, key and client CA read (safely, as every config
 * file is) and checked together, so a missing file, a key that does not match its certificate or a cipher
 * list OpenSSL refuses is one line at load (start, `--check-config`, reload), never a failed start later.
 */
import { createRequire } from 'node:module';
import type * as Tls from 'node:tls';
import type { SecureContextOptions } from 'node:tls';
import type { TlsConfig } from '../web-config.js';
import { ConfigFileError, readConfigBytes } from './config-file.js';

export class TlsFileError extends Error {
  override readonly name = 'TlsFileError';
}

export interface TlsServerOptions extends SecureContextOptions {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

function read(file: string, what: string): Buffer {
  try {
    return readConfigBytes(file);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new TlsFileError(`cannot read the TLS ${what} ${file}: ${err.problem}`);
    throw err;
  }
}

/** What OpenSSL said, on one line and without its error-stack noise. */
function opensslProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return (message.split('\n')[0] ?? message).replace(/^error:[0-9A-F]+:[^:]*:[^:]*:/, '').trim();
}

/** node:tls, loaded on first use: `once` and an exporter without TLS never need it (start-up time). */
let tlsModule: typeof Tls | undefined;

function createSecureContext(options: SecureContextOptions): void {
  tlsModule ??= createRequire(import.meta.url)('node:tls') as typeof Tls;
  tlsModule.createSecureContext(options);
}

/** Reads and checks the files of a TLS config; throws TlsFileError naming the file (or key) and the problem. */
export function tlsServerOptions(tls: TlsConfig): TlsServerOptions {
  const options: TlsServerOptions = {
    cert: read(tls.certFile, 'certificate'),
    key: read(tls.keyFile, 'key'),
    ...(tls.clientCaFile === undefined ? {} : { ca: read(tls.clientCaFile, 'client CA') }),
    requestCert: tls.clientAuthType !== 'NoClientCert',
    rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
    minVersion: tls.minVersion,
    ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
    ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
    honorCipherOrder: tls.honorCipherOrder,
    ...(tls.ecdhCurve === undefined ? {} : { ecdhCurve: tls.ecdhCurve }),
  };
  try {
    createSecureContext({ cert: options.cert });
  } catch (err) {
    throw new TlsFileError(`the TLS certificate ${tls.certFile} cannot be used: ${opensslProblem(err)}`);
  }
  try {
    createSecureContext({ ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }), ...(tls.ecdhCurve === undefined ? {} : { ecdhCurve: tls.ecdhCurve }) });
  } catch (err) {
    throw new TlsFileError(`OpenSSL refuses the TLS cipher suites or curves: ${opensslProblem(err)}`);
  }
  try {
    createSecureContext({ key: options.key });
  } catch (err) {
    throw new TlsFileError(`the TLS key ${tls.keyFile} cannot be used: ${opensslProblem(err)}`);
  }
  if (options.ca !== undefined) {
    try {
      createSecureContext({ ca: options.ca });
    } catch (err) {
      throw new TlsFileError(`the TLS client CA ${tls.clientCaFile ?? ''} cannot be used: ${opensslProblem(err)}`);
    }
  }
  try {
    createSecureContext(options);
  } catch (err) {
    throw new TlsFileError(`the TLS key ${tls.keyFile} does not fit the certificate ${tls.certFile}: ${opensslProblem(err)}`);
  }
  return options;
}
