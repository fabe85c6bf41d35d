/**
 * The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into a temporary
 * prefix (dependencies from the registry, pcap's native build included), and the installed command's
 * --version, replay and once. The systemd unit of packaging/ is verified with systemd-analyze against
 * that installed command.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../lab/lab.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const UNIT = join(ROOT, 'packaging', 'vrrpwatch.service');

function run(cmd: string, args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error !== undefined) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm pack and npm install -g of the tarball', { timeout: 900_000 }, () => {
  let dir: string;
  let bin: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-install-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('packs what the installed command and the Prometheus side need, and nothing of the tests', () => {
    const r = run('npm', ['pack', '--pack-destination', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const files = ((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]?.files ?? []).map((f) => f.path);
    for (const f of ['dist/src/cli.js', 'alerts/vrrpwatch.rules.yml', 'dashboards/vrrpwatch-overview.json', 'dashboards/vrrpwatch-node.json', 'mixin/mixin.libsonnet', 'packaging/vrrpwatch.service', 'packaging/prometheus.yml', 'packaging/alertmanager.yml', 'docs/runbook.md', 'README.md']) {
      assert.ok(files.includes(f), `the package has ${f}`);
    }
    assert.deepEqual(files.filter((f) => /^(src|test|lab|bench)\/|^dist\/(test|lab|bench)\//.test(f)), []);
    assert.deepEqual(readdirSync(dir), [`vrrpwatch-${VERSION}.tgz`]);
  });

  it('installs globally into a prefix with only pcap allowed to run its install script, which builds the native binding', () => {
    const prefix = join(dir, 'prefix');
    // npm 11 lstat()s PREFIX/lib before it makes it.
    mkdirSync(join(prefix, 'lib'), { recursive: true });
    // --strict-allow-scripts: a dependency with an install script that is not allowed fails the install.
    const r = run('npm', ['install', '-g', '--prefix', prefix, '--allow-scripts=pcap', '--strict-allow-scripts', '--no-audit', '--no-fund', join(dir, `vrrpwatch-${VERSION}.tgz`)], dir);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    bin = join(prefix, 'bin', 'vrrpwatch');
    assert.ok(existsSync(join(prefix, 'lib', 'node_modules', 'vrrpwatch', 'node_modules', 'pcap', 'build', 'Release', 'pcap_binding.node')), 'pcap_binding.node was built');
  });

  it('the installed command answers --version, replays a capture and runs a check', () => {
    const version = run(bin, ['--version'], dir);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `vrrpwatch ${VERSION}\n`);

    const replay = run(bin, ['replay', join(ROOT, 'test', 'fixtures', 'captures', 'keepalived-v2-split-brain.pcap'), '--format', 'json'], dir);
    assert.equal(replay.code, 0, replay.stderr);
    const report = JSON.parse(replay.stdout) as { packets: number; groups: { vrid: number; split_brain: unknown[] }[] };
    assert.equal(report.packets, 22);
    assert.deepEqual(report.groups.map((g) => [g.vrid, g.split_brain.length]), [[51, 1]]);

    // A live capture on loopback through the native binding: nothing heard, nothing expected.
    const once = run(bin, ['once', '-i', 'lo', '--window', '1'], dir);
    assert.equal(once.code, 3, once.stdout + once.stderr);
    assert.match(once.stdout, /^VRRP UNKNOWN - no VRRP advertisement heard in 1(\.\d+)? s and none expected\n/);
  });

  it('packaging/vrrpwatch.service passes systemd-analyze verify, running the installed command with CAP_NET_RAW and hardening', () => {
    const unit = readFileSync(UNIT, 'utf8');
    for (const line of ['ExecStart=/usr/bin/vrrpwatch serve $VRRPWATCH_ARGS', 'AmbientCapabilities=CAP_NET_RAW', 'CapabilityBoundingSet=CAP_NET_RAW', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'RestrictAddressFamilies=AF_PACKET AF_NETLINK AF_INET AF_INET6 AF_UNIX']) {
      assert.ok(unit.split('\n').includes(line), `the unit has ${line}`);
    }
    // verify checks that ExecStart exists: the same unit, starting the command installed above.
    const copy = join(dir, 'vrrpwatch.service');
    writeFileSync(copy, unit.replace('ExecStart=/usr/bin/vrrpwatch ', `ExecStart=${bin} `));
    const verify = run('systemd-analyze', ['verify', copy], dir);
    // verify exits 0 after warnings such as an unknown address family; any output is a defect.
    assert.deepEqual([verify.code, verify.stdout + verify.stderr], [0, '']);
    const security = run('systemd-analyze', ['security', '--offline=yes', copy], dir);
    const exposure = /Overall exposure level for vrrpwatch\.service: (\d+\.\d+)/.exec(security.stdout)?.[1];
    assert.ok(exposure !== undefined && Number(exposure) < 4, `systemd-analyze security rates the unit's exposure low: ${exposure ?? security.stdout + security.stderr}`);
  });
});
