/**
 * The built CLI refuses unsafe or broken config files with one line and exit 2 (UNKNOWN for `once`):
 * a FIFO (without hanging), a device, an alias bomb, a missing TLS certificate, a peer that is no address.
 * No lab: the refusals never get as far as capturing; the reload case captures on lo only.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/fixtures.js';
import { sleep, waitFor } from '../../lab/lab.js';
import { findLogs } from '../../lab/log-match.js';

const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-cli-files-'));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the CLI refuses unsafe config files in one line', () => {
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a FIFO and a device as -c without reading them, exit 2', () => {
    const fifo = join(dir, 'config.fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.deepEqual(run(['serve', '-c', fifo, '--check-config']), { status: 2, stdout: '', stderr: `vrrpwatch: cannot read the config ${fifo}: it is a FIFO, not a regular file\n` });
    assert.deepEqual(run(['serve', '--keepalived-config', '/dev/zero', '--check-config']), { status: 2, stdout: '', stderr: 'vrrpwatch: cannot read /dev/zero: it is a device, not a regular file\n' });
    assert.deepEqual(run(['once', '-c', '/dev/zero']), { status: 3, stdout: 'VRRP UNKNOWN - cannot read the config /dev/zero: it is a device, not a regular file\n', stderr: '' });
  });

  it('makes one line of an alias bomb, and of a peer that is no address', () => {
    const bomb = join(dir, 'bomb.yml');
    writeFileSync(bomb, ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefgh'[i] ?? ''}`).join(', ')}]`)].join('\n'));
    assert.deepEqual(run(['serve', '-c', bomb, '--check-config']), { status: 2, stdout: '', stderr: `vrrpwatch: ${bomb}: cannot be read as YAML: Excessive alias count indicates a resource exhaustion attack\n` });
    assert.deepEqual(run(['serve', '--peer', '2130706433', '--check-config']), { status: 2, stdout: '', stderr: 'vrrpwatch: --peer: "2130706433" is not an IP address (and a name ending in a number is not a host name)\n' });
  });

  it('reads the TLS files in --check-config: a missing certificate is one line, exit 2', () => {
    const web = join(dir, 'web.yml');
    writeFileSync(web, `tls_server_config:\n  cert_file: ${join(dir, 'nope.pem')}\n  key_file: ${join(dir, 'nope-key.pem')}\n`);
    assert.deepEqual(run(['serve', '--web.config.file', web, '--check-config']), { status: 2, stdout: '', stderr: `vrrpwatch: ${web}: cannot read the TLS certificate ${join(dir, 'nope.pem')}: no such file\n` });
  });

  it('keeps serving when a SIGHUP finds a FIFO where the config was: the reload fails at once', async () => {
    const port = 19873;
    const config = join(dir, 'reload.yml');
    writeFileSync(config, `interfaces: [lo]\nweb: { listen_address: "127.0.0.1:${port}" }\n`);
    const child = spawn(process.execPath, [CLI, 'serve', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const healthy = async (): Promise<boolean> => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })).status === 200;
      } catch {
        return false;
      }
    };
    try {
      await waitFor('the exporter to serve', () => findLogs(output, { msg: 'vrrpwatch serving' }).length > 0, 15_000);
      const fifo = join(dir, 'reload.fifo');
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
      renameSync(fifo, config);
      child.kill('SIGHUP');
      await waitFor('the failed reload to be logged', () => output.includes('config reload failed'), 10_000);
      assert.match(output, new RegExp(`"problems":\\["cannot read the config ${config}: it is a FIFO, not a regular file"\\]`));
      assert.ok(await healthy(), 'still serving after the reload');
    } finally {
      child.kill('SIGKILL');
      await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(5000)]);
    }
  });
});
