/** Config files are read safely: a FIFO, a device, a directory, a huge or binary file is one problem, never a hang. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigFileError, MAX_CONFIG_FILE_BYTES, readConfigText } from '../../src/adapters/config-file.js';
import { readKeepalivedConf } from '../../src/adapters/keepalived.js';
import { loadSettings, SettingsError } from '../../src/app/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-files-'));
const fifo = join(dir, 'fifo');
assert.equal(spawnSync('mkfifo', [fifo]).status, 0);

function problem(path: string): string {
  try {
    readConfigText(path);
  } catch (err) {
    assert.ok(err instanceof ConfigFileError);
    return err.problem;
  }
  return 'read';
}

function settingsProblems(configFile: string | undefined, overrides: Parameters<typeof loadSettings>[1] = {}): string[] {
  try {
    loadSettings(configFile, overrides, true);
  } catch (err) {
    assert.ok(err instanceof SettingsError, String(err));
    return err.problems;
  }
  return [];
}

describe('reading a config file', () => {
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a regular file as UTF-8 text', () => {
    writeFileSync(join(dir, 'ok.yml'), '\ufeffpeers: [lb2]\n');
    assert.equal(readConfigText(join(dir, 'ok.yml')), 'peers: [lb2]\n');
  });

  it('refuses a FIFO at once (no writer needed), a device, a directory, a missing file', () => {
    assert.equal(problem(fifo), 'it is a FIFO, not a regular file');
    assert.equal(problem('/dev/zero'), 'it is a device, not a regular file');
    assert.equal(problem(dir), 'it is a directory');
    assert.equal(problem(join(dir, 'missing.yml')), 'no such file');
  });

  it('refuses a file over 4 MiB, and binary data', () => {
    writeFileSync(join(dir, 'big.yml'), Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1, 0x20));
    assert.equal(problem(join(dir, 'big.yml')), 'it is larger than 4 MiB, too large for a config file');
    writeFileSync(join(dir, 'edge.yml'), Buffer.alloc(MAX_CONFIG_FILE_BYTES, 0x20));
    assert.equal(readConfigText(join(dir, 'edge.yml')).length, MAX_CONFIG_FILE_BYTES);
    writeFileSync(join(dir, 'bin.yml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]));
    assert.equal(problem(join(dir, 'bin.yml')), 'it is not text (it holds NUL bytes: a binary file?)');
    writeFileSync(join(dir, 'latin1.yml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    assert.equal(problem(join(dir, 'latin1.yml')), 'it is not UTF-8 text (a binary file?)');
  });

  it('refuses them as -c, --keepalived-config, an include and --web.config.file, naming the file', () => {
    assert.deepEqual(settingsProblems(fifo), [`cannot read the config ${fifo}: it is a FIFO, not a regular file`]);
    assert.deepEqual(settingsProblems(undefined, { keepalivedConfig: '/dev/zero' }), ['cannot read /dev/zero: it is a device, not a regular file']);
    assert.deepEqual(settingsProblems(undefined, { webConfigFile: fifo }), [`cannot read the web config ${fifo}: it is a FIFO, not a regular file`]);
    const ka = join(dir, 'keepalived.conf');
    writeFileSync(ka, `include ${fifo}\n`);
    assert.deepEqual(settingsProblems(undefined, { keepalivedConfig: ka }), [`${ka}:1: include ${fifo}: it is a FIFO, not a regular file`]);
    writeFileSync(ka, `include ${join(dir, 'big.*')}\n`);
    assert.deepEqual(settingsProblems(undefined, { keepalivedConfig: ka }), [`${ka}:1: include ${join(dir, 'big.*')}: ${join(dir, 'big.yml')}: it is larger than 4 MiB, too large for a config file`]);
  });

  it('bounds include fan-out in files read in all, not only in depth', () => {
    const fan = join(dir, 'fan');
    mkdirSync(fan);
    // Each level includes all 8 files of the next: 8^3 = 512 files at depth 3, within the depth bound.
    for (const level of [1, 2, 3]) {
      for (let i = 0; i < 8; i++) writeFileSync(join(fan, `l${level}-${i}.conf`), level < 3 ? `include l${level + 1}-*.conf\n` : '# leaf\n');
    }
    writeFileSync(join(fan, 'keepalived.conf'), 'include l1-*.conf\n');
    assert.throws(
      () => readKeepalivedConf(join(fan, 'keepalived.conf')),
      (err: unknown) => err instanceof Error && /^.*\/fan\/l2-\d\.conf:1: include l3-\*\.conf: the includes add up to more than 256 files or 16 MiB, more than vrrpwatch reads$/.test(err.message),
    );
    // A fan-out within the bound is read whole.
    writeFileSync(join(fan, 'small.conf'), 'include l3-*.conf\n');
    assert.deepEqual(readKeepalivedConf(join(fan, 'small.conf')).instances, []);
  });
});

describe('keepalived.conf includes', () => {
  it('resolves a relative include from the directory of the file that includes it, as keepalived 2.2.7 does', () => {
    const root = join(dir, 'rel');
    mkdirSync(join(root, 'conf.d', 'vrrp'), { recursive: true });
    writeFileSync(join(root, 'keepalived.conf'), 'include conf.d/main.conf\n');
    // conf.d/main.conf names vrrp/*.conf: conf.d/vrrp, not <root>/vrrp (which does not exist).
    writeFileSync(join(root, 'conf.d', 'main.conf'), 'include vrrp/*.conf\n');
    writeFileSync(join(root, 'conf.d', 'vrrp', 'vi1.conf'), 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n');
    assert.deepEqual(readKeepalivedConf(join(root, 'keepalived.conf')).instances.map((i) => [i.name, i.vrid]), [['VI_1', 51]]);
    // The same include read from the main file's directory would not be found.
    writeFileSync(join(root, 'flat.conf'), 'include vrrp/*.conf\n');
    assert.throws(() => readKeepalivedConf(join(root, 'flat.conf')), /flat\.conf:1: include vrrp\/\*\.conf: /);
  });
});
