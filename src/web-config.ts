/**
 * `--web.config.file`: TLS and basic auth in the Prometheus exporter-toolkit format, so the file an
 * operator already has for node_exporter works here. Declared once like the main config: unknown keys and
 * bad values are rejected naming the key, and every key accepted is applied (the exporter-toolkit's Go
 * names for cipher suites and curves are mapped to OpenSSL's, as Node's TLS takes them).
 */
import { parseYaml } from './config.js';
import { quote } from './core/base/quote.js';
import { boolean, INVALID, list, mapOf, mapping, oneOf, optional, parseWith, refine, required, section, text, withDefault } from './schema.js';
import type { Infer, Parsed, Schema } from './schema.js';

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;
export type TlsVersion = (typeof TLS_VERSIONS)[TlsVersionName];

const tlsVersion = text<TlsVersionName>((s) => {
  if (!(s in TLS_VERSIONS)) return { problem: `must be one of ${Object.keys(TLS_VERSIONS).join(', ')}, not ${quote(s)}` };
  if (s === 'TLS10' || s === 'TLS11') return { problem: `${s} is refused: Node.js's OpenSSL 3 no longer speaks TLS 1.0 or 1.1 at its default security level; use TLS12 or TLS13` };
  return { value: s as TlsVersionName };
});

/** Go's cipher suite names (crypto/tls, as exporter-toolkit reads them) and OpenSSL's for the same suite. */
const CIPHER_SUITES: Readonly<Record<string, string>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
/** Suites Go still knows but OpenSSL 3 no longer offers (RC4, 3DES): refused by name rather than dropped. */
const REFUSED_SUITES = /_(RC4_128|3DES_EDE_CBC)_/;

const cipherSuite = text((s) => {
  const openssl = CIPHER_SUITES[s];
  if (openssl !== undefined) return { value: openssl };
  if (REFUSED_SUITES.test(s)) return { problem: `${quote(s)} is an insecure suite (RC4 or 3DES) that Node.js's OpenSSL no longer offers` };
  if (/^TLS_(AES|CHACHA20)_/.test(s)) return { problem: `${quote(s)} is a TLS 1.3 suite, which cipher_suites does not choose (as in Go: TLS 1.3 suites are always on)` };
  return { problem: `${quote(s)} is not a TLS 1.2 cipher suite name as Go writes it (for example TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)` };
});

/** Go's curve names and OpenSSL's. */
const CURVES: Readonly<Record<string, string>> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };
const curve = text((s) => {
  const openssl = CURVES[s];
  return openssl === undefined ? { problem: `must be one of ${Object.keys(CURVES).join(', ')}, not ${quote(s)}` } : { value: openssl };
});

const BCRYPT = /^\$2[abxy]?\$\d\d\$[./A-Za-z0-9]{53}$/;
/** A bcrypt hash; whatever is there instead is never printed (it may be a password). */
const bcryptHash: Schema<string> = {
  read(value, path, problems) {
    if (typeof value === 'string' && BCRYPT.test(value)) return value;
    problems.push(`${path}: must be a bcrypt hash (for example from \`htpasswd -nBC 10 ""\`)`);
    return INVALID;
  },
};
const file = text();
const clientAuthType = oneOf(['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert']);
export type ClientAuthType = Infer<typeof clientAuthType>;

const TLS = refine(
  mapping({
    certFile: required('cert_file', file, 'is required for TLS', true),
    keyFile: required('key_file', file, 'is required for TLS', true),
    clientAuthType: withDefault('client_auth_type', clientAuthType, 'NoClientCert', true),
    clientCaFile: optional('client_ca_file', file, true),
    minVersion: withDefault('min_version', tlsVersion, 'TLS12', true),
    maxVersion: optional('max_version', tlsVersion, true),
    ciphers: optional('cipher_suites', list(cipherSuite)),
    honorCipherOrder: withDefault('prefer_server_cipher_suites', boolean(), true),
    ecdhCurve: optional('curve_preferences', list(curve)),
  }),
  (t, fail) => {
    if ((t.clientAuthType === 'VerifyClientCertIfGiven' || t.clientAuthType === 'RequireAndVerifyClientCert') && t.clientCaFile === undefined) {
      fail('client_ca_file', `is required with client_auth_type ${t.clientAuthType}`);
    }
    if (t.maxVersion !== undefined && t.minVersion > t.maxVersion) fail('min_version', `${t.minVersion} is above max_version ${t.maxVersion}`);
    if (t.ciphers?.length === 0) fail('cipher_suites', 'must name at least one suite, or be left out');
    if (t.ecdhCurve?.length === 0) fail('curve_preferences', 'must name at least one curve, or be left out');
    return {
      ...t,
      minVersion: TLS_VERSIONS[t.minVersion],
      maxVersion: t.maxVersion === undefined ? undefined : TLS_VERSIONS[t.maxVersion],
      /** OpenSSL's cipher list (TLS 1.2 suites; TLS 1.3 keeps its own, as in Go). */
      ciphers: t.ciphers?.join(':'),
      /** OpenSSL's curve list, in preference order. */
      ecdhCurve: t.ecdhCurve?.join(':'),
    };
  },
);

const http2 = refine(boolean(), (on, fail) => {
  if (on) fail('', 'must be false: vrrpwatch serves HTTP/1.1 only');
  return on;
});

const WEB_CONFIG_SCHEMA = mapping(
  {
    tls: optional('tls_server_config', TLS),
    /** User → bcrypt hash. */
    basicAuthUsers: withDefault('basic_auth_users', mapOf(bcryptHash, 'must be a mapping of user name to bcrypt hash'), new Map<string, string>()),
    http: section('http_server_config', mapping({ http2: optional('http2', http2) }, { unknownHint: 'vrrpwatch serves HTTP/1.1' })),
  },
  { notMapping: 'must be a mapping (tls_server_config, basic_auth_users)' },
);

export type WebConfig = Omit<Infer<typeof WEB_CONFIG_SCHEMA>, 'http'>;
export type TlsConfig = NonNullable<WebConfig['tls']>;

/** Parses a web config file's text; every problem names the file and the key. */
export function parseWebConfig(source: string, path: string): Parsed<WebConfig> {
  const doc = parseYaml(source, path);
  if (!doc.ok) return doc;
  const r = parseWith(WEB_CONFIG_SCHEMA, doc.value);
  if (!r.ok) return { ok: false, errors: r.errors.map((e) => `${path}: ${e}`) };
  return { ok: true, value: { tls: r.value.tls, basicAuthUsers: new Map(r.value.basicAuthUsers) } };
}
