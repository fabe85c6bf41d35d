/**
 * `vrrpwatch serve` as a process: TLS and basic auth from an exporter-toolkit web config, checked with
 * real curl against a certificate made here; the HTTP surface; config errors; SIGHUP and SIGTERM. It
 * captures on the loopback interface of this host only and listens on 127.0.0.1: nothing is sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { CLI } from '../helpers/fixtures.js';
import { sleep, waitFor } from '../../lab/lab.js';
import { findLogs } from '../../lab/log-match.js';

const PORT = 19842;
const BASE = `https://127.0.0.1:${PORT}`;

function curl(url: string, extra: string[] = []): { code: number; status: number; body: string } {
  const r = spawnSync('curl', ['-sS', '--max-time', '5', '-w', '\n%{http_code}', ...extra, url], { encoding: 'utf8' });
  const at = r.stdout.lastIndexOf('\n');
  return { code: r.status ?? -1, status: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, at) };
}

describe('serve over TLS with basic auth (real curl, a certificate made by the test)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-web-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const web = join(dir, 'web.yml');
  const config = join(dir, 'vrrpwatch.yml');
  let child: ChildProcess;
  let output = '';
  const writeWeb = (password: string): void => {
    writeFileSync(web, `tls_server_config:\n  cert_file: ${cert}\n  key_file: ${key}\nbasic_auth_users:\n  prometheus: "${bcrypt.hashSync(password, 4).replace(/^\$2b\$/, '$2y$')}"\n`);
  };

  before(async () => {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    writeWeb('first-Pa55');
    writeFileSync(config, `interfaces: [lo]\nweb:\n  listen_address: "127.0.0.1:${PORT}"\n  config_file: ${web}\n`);
    child = spawn(process.execPath, [CLI, 'serve', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    await waitFor('the exporter to listen', () => curl(`${BASE}/healthz`, ['--cacert', cert]).status === 401, 15_000);
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers only with the right user and password, over TLS', () => {
    assert.equal(curl(`${BASE}/metrics`, ['--cacert', cert]).status, 401);
    assert.equal(curl(`${BASE}/metrics`, ['--cacert', cert, '-u', 'prometheus:wrong']).status, 401);
    assert.equal(curl(`${BASE}/metrics`, ['--cacert', cert, '-u', 'nobody:first-Pa55']).status, 401);
    const ok = curl(`${BASE}/metrics`, ['--cacert', cert, '-u', 'prometheus:first-Pa55']);
    assert.equal(ok.status, 200);
    assert.match(ok.body, /^vrrpwatch_capture_up\{interface="lo"\} 1$/m);
    assert.match(ok.body, /^vrrpwatch_build_info\{version="[^"]+",[^}]*\} 1$/m);
    // Plain HTTP to the TLS port is closed at once (curl: "Empty reply from server"), not left to hang.
    const plain = spawnSync('curl', ['-sS', '--max-time', '5', '-u', 'prometheus:first-Pa55', `http://127.0.0.1:${PORT}/metrics`], { encoding: 'utf8' });
    assert.equal(plain.status, 52, plain.stderr);
    assert.equal(plain.stdout, '');
    // The certificate is verified by curl: without the CA it is refused.
    assert.notEqual(curl(`${BASE}/metrics`, ['-u', 'prometheus:first-Pa55']).code, 0);
  });

  it('serves the status page and /healthz behind the same auth, 404 for anything else', () => {
    const auth = ['--cacert', cert, '-u', 'prometheus:first-Pa55'];
    assert.equal(curl(`${BASE}/healthz`, auth).body, 'ok\n');
    const status = curl(`${BASE}/`, auth);
    assert.equal(status.status, 200);
    assert.match(status.body, /<a href="\/metrics">metrics<\/a>/);
    assert.match(status.body, /<meta http-equiv="refresh" content="5">/);
    assert.match(status.body, /<td>lo<\/td><td><span class="ok">up<\/span><\/td>/);
    assert.equal(curl(`${BASE}/`, ['--cacert', cert, '-u', 'prometheus:wrong']).status, 401);
    assert.equal(curl(`${BASE}/`, ['--cacert', cert]).status, 401);
    assert.equal(curl(`${BASE}/nope`, auth).status, 404);
    assert.equal(curl(`${BASE}/metrics/x`, auth).status, 404);
  });

  it('reloads the users on SIGHUP, keeps the old config when the new one is bad, and stops on SIGTERM', async () => {
    writeWeb('second-Pa55');
    child.kill('SIGHUP');
    await waitFor('the new password', () => curl(`${BASE}/metrics`, ['--cacert', cert, '-u', 'prometheus:second-Pa55']).status === 200, 10_000);
    assert.equal(curl(`${BASE}/metrics`, ['--cacert', cert, '-u', 'prometheus:first-Pa55']).status, 401);
    writeFileSync(config, 'interfaces: [lo]\nweb: { listen_addres: x }\n');
    child.kill('SIGHUP');
    await waitFor('the failed reload to be logged', () => output.includes('config reload failed'), 10_000);
    assert.match(output, /"problems":\[".*web\.listen_addres: unknown key/);
    const after = curl(`${BASE}/metrics`, ['--cacert', cert, '-u', 'prometheus:second-Pa55']);
    assert.match(after.body, /^vrrpwatch_config_last_reload_successful 0$/m);
    assert.ok(!output.includes('second-Pa55') && !output.includes('$2y$'), 'no password or hash in the logs');
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    child.kill('SIGTERM');
    assert.equal(await Promise.race([exited, sleep(10_000).then(() => 'timeout')]), 0);
    assert.equal(findLogs(output, { msg: 'vrrpwatch stopped' }).length, 1, output);
  });
});

describe('serve refuses bad configs with the key and the reason', () => {
  it('names each problem and exits 2; --check-config says ok for a good one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-cfg-'));
    try {
      const bad = join(dir, 'bad.yml');
      writeFileSync(bad, 'peers: [-x]\nprobe: { count: 99 }\n');
      const r = spawnSync(process.execPath, [CLI, 'serve', '-c', bad, '--check-config'], { encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `vrrpwatch: ${bad}: peers[0]: "-x" starts with "-" (it would be read as an option of ping)\nvrrpwatch: ${bad}: probe.count: must be between 1 and 20, not 99\n`);
      const ka = join(dir, 'keepalived.conf');
      writeFileSync(ka, 'vrrp_instance VI_1 {\n  virtual_router_id 51\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n');
      const good = spawnSync(process.execPath, [CLI, 'serve', '--keepalived-config', ka, '--check-config'], { encoding: 'utf8' });
      assert.equal(good.status, 0, good.stderr);
      assert.match(good.stdout, /^config ok: 1 expected groups, 0 probe targets, capture on every interface, TLS off, basic auth off$/m);
      writeFileSync(ka, 'vrrp_instance VI_1 {\n  virtual_router_id 0\n}\n');
      const broken = spawnSync(process.execPath, [CLI, 'serve', '--keepalived-config', ka, '--check-config'], { encoding: 'utf8' });
      assert.equal(broken.status, 2);
      assert.equal(broken.stderr, `vrrpwatch: ${ka}:2: virtual_router_id must be a whole number from 1 to 255, not "0"\n`);
      const once = spawnSync(process.execPath, [CLI, 'once', '--vrid', '300'], { encoding: 'utf8' });
      assert.equal(once.status, 3);
      assert.match(once.stdout, /^VRRP UNKNOWN - --vrid must be a VRID from 1 to 255, not "300" \(see vrrpwatch once --help\)\n$/);
      assert.doesNotMatch(once.stdout + once.stderr, /\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
