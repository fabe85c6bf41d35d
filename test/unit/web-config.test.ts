/** The web config (exporter-toolkit format): every key read and applied or refused, and its TLS files checked at load. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { parseWebConfig } from '../../src/web-config.js';
import type { TlsConfig } from '../../src/web-config.js';
import { tlsServerOptions } from '../../src/adapters/tls-files.js';

const hash = '$2y$10$' + 'a'.repeat(53);

function errors(yaml: string): string[] {
  const r = parseWebConfig(yaml, 'web.yml');
  assert.equal(r.ok, false, 'expected the web config to be rejected');
  return r.errors;
}

function tls(yaml: string): TlsConfig {
  const r = parseWebConfig(`tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n${yaml}`, 'web.yml');
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.value.tls !== undefined);
  return r.value.tls;
}

describe('web config (exporter-toolkit format)', () => {
  it('reads TLS and basic auth users, with the exporter-toolkit defaults', () => {
    const r = parseWebConfig(`tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\nbasic_auth_users:\n  prom: "${hash}"\n`, 'web.yml');
    assert.ok(r.ok);
    assert.deepEqual(r.value.tls, {
      certFile: '/c.pem',
      keyFile: '/k.pem',
      clientAuthType: 'NoClientCert',
      clientCaFile: undefined,
      minVersion: 'TLSv1.2',
      maxVersion: undefined,
      ciphers: undefined,
      honorCipherOrder: true,
      ecdhCurve: undefined,
    });
    assert.equal(r.value.basicAuthUsers.get('prom'), hash);
    const empty = parseWebConfig('', 'web.yml');
    assert.ok(empty.ok);
    assert.deepEqual(empty.value, { tls: undefined, basicAuthUsers: new Map() });
  });

  it('rejects unknown keys and bad values, naming the key, never printing a hash', () => {
    assert.deepEqual(errors('tls_server_config:\n  cert_file: /c.pem\n  client_auth_type: Maybe\n  min_version: TLS99\nbasic_auth_users:\n  prom: plaintext-password\n  other: 12345\nbasic_auth: {}\n'), [
      'web.yml: basic_auth: unknown key (known: tls_server_config, basic_auth_users, http_server_config)',
      'web.yml: tls_server_config.key_file: is required for TLS',
      'web.yml: tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, not "Maybe"',
      'web.yml: tls_server_config.min_version: must be one of TLS10, TLS11, TLS12, TLS13, not "TLS99"',
      'web.yml: basic_auth_users.prom: must be a bcrypt hash (for example from `htpasswd -nBC 10 ""`)',
      'web.yml: basic_auth_users.other: must be a bcrypt hash (for example from `htpasswd -nBC 10 ""`)',
    ]);
    assert.deepEqual(errors('tls_server_config:\n  cert_file: ""\n  key_file: /k.pem\n  client_auth_type: RequireAndVerifyClientCert\nhttp_server_config:\n  http2: true\n  headers: {}\n'), [
      'web.yml: tls_server_config.cert_file: is required for TLS',
      'web.yml: http_server_config.headers: unknown key (known: http2; vrrpwatch serves HTTP/1.1)',
      'web.yml: http_server_config.http2: must be false: vrrpwatch serves HTTP/1.1 only',
    ]);
    assert.deepEqual(errors('tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n  client_auth_type: RequireAndVerifyClientCert\n'), [
      'web.yml: tls_server_config.client_ca_file: is required with client_auth_type RequireAndVerifyClientCert',
    ]);
  });

  it('maps cipher_suites from Go names to OpenSSL names, and refuses what OpenSSL has not', () => {
    assert.equal(tls('  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_RSA_WITH_AES_256_CBC_SHA]\n').ciphers, 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:AES256-SHA');
    assert.deepEqual(errors('tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA, TLS_AES_128_GCM_SHA256, ECDHE-RSA-AES128-GCM-SHA256]\n'), [
      'web.yml: tls_server_config.cipher_suites[0]: "TLS_RSA_WITH_RC4_128_SHA" is an insecure suite (RC4 or 3DES) that Node.js\'s OpenSSL no longer offers',
      'web.yml: tls_server_config.cipher_suites[1]: "TLS_AES_128_GCM_SHA256" is a TLS 1.3 suite, which cipher_suites does not choose (as in Go: TLS 1.3 suites are always on)',
      'web.yml: tls_server_config.cipher_suites[2]: "ECDHE-RSA-AES128-GCM-SHA256" is not a TLS 1.2 cipher suite name as Go writes it (for example TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)',
    ]);
    assert.deepEqual(errors('tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n  cipher_suites: []\n'), ['web.yml: tls_server_config.cipher_suites: must name at least one suite, or be left out']);
  });

  it('maps curve_preferences to OpenSSL curve names in order, and prefer_server_cipher_suites to the server order', () => {
    assert.equal(tls('  curve_preferences: [X25519, CurveP256, CurveP384, CurveP521]\n').ecdhCurve, 'X25519:P-256:P-384:P-521');
    assert.equal(tls('  prefer_server_cipher_suites: false\n').honorCipherOrder, false);
    assert.deepEqual(errors('tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n  curve_preferences: [P-256]\n  prefer_server_cipher_suites: "yes"\n'), [
      'web.yml: tls_server_config.prefer_server_cipher_suites: must be true or false, not "yes"',
      'web.yml: tls_server_config.curve_preferences[0]: must be one of CurveP256, CurveP384, CurveP521, X25519, not "P-256"',
    ]);
  });

  it('refuses min_version above max_version, and TLS 1.0 and 1.1, at load', () => {
    assert.deepEqual([tls('  min_version: TLS13\n').minVersion, tls('  max_version: TLS12\n').maxVersion], ['TLSv1.3', 'TLSv1.2']);
    assert.deepEqual(errors('tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n  min_version: TLS13\n  max_version: TLS12\n'), ['web.yml: tls_server_config.min_version: TLS13 is above max_version TLS12']);
    assert.deepEqual(errors('tls_server_config:\n  cert_file: /c.pem\n  key_file: /k.pem\n  min_version: TLS10\n  max_version: TLS11\n'), [
      "web.yml: tls_server_config.min_version: TLS10 is refused: Node.js's OpenSSL 3 no longer speaks TLS 1.0 or 1.1 at its default security level; use TLS12 or TLS13",
      "web.yml: tls_server_config.max_version: TLS11 is refused: Node.js's OpenSSL 3 no longer speaks TLS 1.0 or 1.1 at its default security level; use TLS12 or TLS13",
    ]);
  });
});

describe('the TLS files of a web config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const otherKey = join(dir, 'other-key.pem');
  const config = (over: Partial<TlsConfig>): TlsConfig => ({ ...tls(''), certFile: cert, keyFile: key, ...over });

  before(() => {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const other = spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', otherKey], { encoding: 'utf8' });
    assert.equal(other.status, 0, other.stderr);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives Node the options the config names', () => {
    const o = tlsServerOptions(config({ ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', ecdhCurve: 'P-256:X25519', honorCipherOrder: false, maxVersion: 'TLSv1.3' }));
    assert.deepEqual(
      { ciphers: o.ciphers, ecdhCurve: o.ecdhCurve, honorCipherOrder: o.honorCipherOrder, minVersion: o.minVersion, maxVersion: o.maxVersion, requestCert: o.requestCert },
      { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', ecdhCurve: 'P-256:X25519', honorCipherOrder: false, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', requestCert: false },
    );
  });

  it('is what a client meets: the cipher suite, the curve and the version the config names', async () => {
    const server = createServer(tlsServerOptions(config({ ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384', ecdhCurve: 'P-384', maxVersion: 'TLSv1.2' })), (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const met = await new Promise<{ cipher: string; version: string | null; curve: string | undefined }>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ecdhCurve: 'X25519:P-256:P-384' }, () => {
          resolve({ cipher: socket.getCipher().name, version: socket.getProtocol(), curve: (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name });
          socket.destroy();
        });
        socket.on('error', reject);
      });
      assert.deepEqual(met, { cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384', version: 'TLSv1.2', curve: 'secp384r1' });
      const refused = await new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' }, () => {
          resolve('handshake');
          socket.destroy();
        });
        socket.on('error', (err: NodeJS.ErrnoException) => {
          resolve(err.code ?? err.message);
        });
      });
      assert.match(refused, /HANDSHAKE_FAILURE|NO_SHARED_CIPHER|ECONNRESET/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names the file and the problem in one line: missing, not a certificate, a key that does not fit, a FIFO', () => {
    const problem = (over: Partial<TlsConfig>): string => {
      try {
        tlsServerOptions(config(over));
      } catch (err) {
        assert.ok(err instanceof Error);
        assert.doesNotMatch(err.message, /\n/);
        return err.message;
      }
      return 'accepted';
    };
    assert.equal(problem({ certFile: join(dir, 'missing.pem') }), `cannot read the TLS certificate ${join(dir, 'missing.pem')}: no such file`);
    assert.equal(problem({ keyFile: '/dev/zero' }), 'cannot read the TLS key /dev/zero: it is a device, not a regular file');
    assert.equal(problem({ clientCaFile: dir }), `cannot read the TLS client CA ${dir}: it is a directory`);
    assert.match(problem({ certFile: key }), new RegExp(`^the TLS certificate ${key} cannot be used: `));
    assert.match(problem({ keyFile: otherKey }), new RegExp(`^the TLS key ${otherKey} does not fit the certificate ${cert}: .*key values mismatch`));
    const fifo = join(dir, 'fifo.pem');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.equal(problem({ certFile: fifo }), `cannot read the TLS certificate ${fifo}: it is a FIFO, not a regular file`);
  });
});
