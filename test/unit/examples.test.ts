/**
 * The config files users copy (examples/ and the package's /etc/vrrpwatch/vrrpwatch.yml) read through
 * the real config parser as what their comments say, and the man page names every option --help names.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, parseConfigText } from '../../src/config.js';
import type { Config } from '../../src/config.js';
import { CLI, ROOT } from '../../lab/lab.js';

function read(path: string): Config {
  const r = parseConfigText(readFileSync(join(ROOT, path), 'utf8'), path);
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  return r.value;
}

describe('config examples', () => {
  it('examples/witness.yml: the segment, both nodes as peers, the gateway, two expected groups', () => {
    const c = read('examples/witness.yml');
    assert.deepEqual(c.interfaces, ['eth0']);
    assert.deepEqual(c.peers, ['192.0.2.11', '192.0.2.12']);
    assert.equal(c.gateway, '192.0.2.1');
    assert.equal(c.keepalivedConfig, undefined);
    assert.deepEqual(c.groups.map((g) => [g.vrid, g.interface, g.family, g.vips, g.advertInterval]), [
      [51, 'eth0', 'ipv4', ['192.0.2.100'], 1],
      [52, 'eth0', 'ipv6', ['2001:db8::100'], undefined],
    ]);
  });

  it('examples/node.yml: keepalived.conf for the expectations, the other node and the gateway pinged', () => {
    const c = read('examples/node.yml');
    assert.equal(c.keepalivedConfig, '/etc/keepalived/keepalived.conf');
    assert.deepEqual(c.peers, ['192.0.2.12']);
    assert.equal(c.gateway, '192.0.2.1');
    assert.deepEqual(c.groups, []);
  });

  it("the package's /etc/vrrpwatch/vrrpwatch.yml is the defaults: every interface, nothing expected", () => {
    assert.deepEqual(read('packaging/deb/vrrpwatch.yml'), DEFAULT_CONFIG);
  });
});

describe('the man page', () => {
  it('packaging/deb/vrrpwatch.1 names every option of --help', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
    const options = [...new Set(help.match(/--[a-z][a-z.-]*/g) ?? [])];
    assert.ok(options.length > 10, help);
    const page = readFileSync(join(ROOT, 'packaging', 'deb', 'vrrpwatch.1'), 'utf8').replace(/\\-/g, '-');
    assert.deepEqual(options.filter((o) => !page.includes(o)), [], 'add these options to packaging/deb/vrrpwatch.1');
  });
});
