/**
 * `--web.config.file`: TLS and basic auth in the Prometheus exporter-toolkit format, so the file an
 * operator already has for node_exporter works here. Strict like the main config: unknown keys and bad
 * values are rejected naming the key.
 */
import { parseYaml } from './config.js';
import type { Parsed } from './config.js';

export type ClientAuthType = 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';
const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];
const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
export type TlsVersion = (typeof TLS_VERSIONS)[keyof typeof TLS_VERSIONS];

export interface WebConfig {
  tls:
    | {
        certFile: string;
        keyFile: string;
        clientAuthType: ClientAuthType;
        clientCaFile: string | undefined;
        minVersion: TlsVersion;
        maxVersion: TlsVersion | undefined;
      }
    | undefined;
  /** User → bcrypt hash. */
  basicAuthUsers: Map<string, string>;
}

const TLS_KEYS = ['cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version', 'cipher_suites', 'prefer_server_cipher_suites', 'curve_preferences'];
const BCRYPT = /^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseWebConfig(text: string, file: string): Parsed<WebConfig> {
  const doc = parseYaml(text, file);
  if (!doc.ok) return doc;
  const top = doc.value;
  const errors: string[] = [];
  const fail = (key: string, problem: string): void => {
    errors.push(`${file}: ${key}: ${problem}`);
  };
  const root = top ?? {};
  if (!isMapping(root)) return { ok: false, errors: [`${file}: must be a mapping (tls_server_config, basic_auth_users)`] };
  for (const k of Object.keys(root)) if (!['tls_server_config', 'basic_auth_users', 'http_server_config'].includes(k)) fail(k, 'unknown key (known: tls_server_config, basic_auth_users, http_server_config)');

  let tls: WebConfig['tls'];
  const t = root.tls_server_config;
  if (t !== undefined && t !== null) {
    if (!isMapping(t)) fail('tls_server_config', 'must be a mapping');
    else {
      for (const k of Object.keys(t)) if (!TLS_KEYS.includes(k)) fail(`tls_server_config.${k}`, `unknown key (known: ${TLS_KEYS.join(', ')})`);
      const str = (k: string): string | undefined => {
        const v = t[k];
        if (v === undefined || v === null || v === '') return undefined;
        if (typeof v !== 'string') {
          fail(`tls_server_config.${k}`, 'must be a string');
          return undefined;
        }
        return v;
      };
      const certFile = str('cert_file');
      const keyFile = str('key_file');
      const clientAuth = str('client_auth_type') ?? 'NoClientCert';
      const clientCaFile = str('client_ca_file');
      const version = (k: string, fallback: string | undefined): TlsVersion | undefined => {
        const v = str(k) ?? fallback;
        if (v === undefined) return undefined;
        if (!(v in TLS_VERSIONS)) {
          fail(`tls_server_config.${k}`, `must be one of ${Object.keys(TLS_VERSIONS).join(', ')}, not "${v}"`);
          return undefined;
        }
        return TLS_VERSIONS[v as keyof typeof TLS_VERSIONS];
      };
      const minVersion = version('min_version', 'TLS12') ?? 'TLSv1.2';
      const maxVersion = version('max_version', undefined);
      if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(clientAuth)) fail('tls_server_config.client_auth_type', `must be one of ${CLIENT_AUTH_TYPES.join(', ')}, not "${clientAuth}"`);
      if (certFile === undefined) fail('tls_server_config.cert_file', 'is required for TLS');
      if (keyFile === undefined) fail('tls_server_config.key_file', 'is required for TLS');
      if ((clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert') && clientCaFile === undefined) {
        fail('tls_server_config.client_ca_file', `is required with client_auth_type ${clientAuth}`);
      }
      if (certFile !== undefined && keyFile !== undefined) tls = { certFile, keyFile, clientAuthType: clientAuth as ClientAuthType, clientCaFile, minVersion, maxVersion };
    }
  }

  const basicAuthUsers = new Map<string, string>();
  const users = root.basic_auth_users;
  if (users !== undefined && users !== null) {
    if (!isMapping(users)) fail('basic_auth_users', 'must be a mapping of user name to bcrypt hash');
    else {
      for (const [user, hash] of Object.entries(users)) {
        // The hash is not printed: it is a secret too.
        if (typeof hash !== 'string' || !BCRYPT.test(hash)) fail(`basic_auth_users.${user}`, 'must be a bcrypt hash (for example from `htpasswd -nBC 10 ""`)');
        else basicAuthUsers.set(user, hash);
      }
    }
  }
  const h = root.http_server_config;
  if (h !== undefined && h !== null) {
    if (!isMapping(h)) fail('http_server_config', 'must be a mapping');
    else for (const k of Object.keys(h)) if (k !== 'http2') fail(`http_server_config.${k}`, 'unknown key (known: http2; vrrpwatch serves HTTP/1.1)');
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { tls, basicAuthUsers } };
}
