/**
 * The Debian package on a fresh Debian 12, as an operator installs it: `scripts/package-deb.sh` builds
 * the .deb (under 50 MB, lintian clean), and a copy of a minimal bookworm root made by debootstrap (no
 * Node.js, no compiler) gets it with `apt install ./vrrpwatch_*.deb`. From that root: --version, a replay,
 * `once` in a lab namespace as the Nagios user through check_vrrpwatch and as the service's user with
 * the unit's capability, systemd-analyze verify of the installed unit, then `dpkg --purge`, after which
 * nothing of the package is left but the system user (kept, as Debian keeps system users).
 *
 * The root is built once a day and kept as a tarball under /var/cache/vrrpwatch-test (or
 * $VRRPWATCH_TEST_CACHE): later runs only unpack it. Each command runs in a private mount namespace
 * (unshare) that mounts /proc, /sys and /dev into the root, so nothing stays mounted when it ends.
 * Needs root, network access to Debian's mirror and the npm registry, and debootstrap, lintian, dpkg-dev.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADDRESS, Lab, ROOT } from '../../lab/lab.js';
import type { KeepalivedInstance } from '../../lab/lab.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const CACHE = process.env.VRRPWATCH_TEST_CACHE ?? '/var/cache/vrrpwatch-test';
const MIRROR = 'http://deb.debian.org/debian';
/** A real Debian 12 server runs systemd: the root has it, so that the unit can be verified against it. */
const ROOT_KEY = `bookworm-minbase-systemd-${new Date().toISOString().slice(0, 10)}`;
const PLUGIN = '/usr/lib/nagios/plugins/check_vrrpwatch';
const MiB = 1024 * 1024;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * MiB, env: options.env ?? process.env, timeout: options.timeout ?? 600_000 });
  if (r.error !== undefined) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking the event loop: the package build and the root's bootstrap run side by side. */
function runAsync(cmd: string, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A command inside `root`, in a private mount namespace with /proc, /sys and /dev mounted (and, with
 * `netns`, inside that network namespace: its /sys shows that namespace's interfaces).
 */
function inRoot(root: string, cmd: string[], options: { netns?: string; env?: Record<string, string> } = {}): Result {
  const script = 'set -e; R=$1; shift; mount -t proc proc "$R/proc"; mount -t sysfs sysfs "$R/sys"; mount --bind /dev "$R/dev"; exec chroot "$R" "$@"';
  const inner = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', root, ...cmd];
  const argv = options.netns === undefined ? inner : ['ip', 'netns', 'exec', options.netns, ...inner];
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive', ...options.env };
  return run(argv[0] ?? '', argv.slice(1), { env });
}

/** The bootstrapped root as a tarball in the cache, made when today's is missing (older days' are removed). */
async function cachedRoot(): Promise<string> {
  const tar = join(CACHE, `${ROOT_KEY}.tar`);
  if (existsSync(tar)) return tar;
  mkdirSync(CACHE, { recursive: true });
  // A build a killed run left behind, and older days' roots.
  for (const f of readdirSync(CACHE)) if (f.startsWith('build-') || f.endsWith('.tar')) rmSync(join(CACHE, f), { recursive: true, force: true });
  const build = mkdtempSync(join(CACHE, 'build-'));
  try {
    const boot = await runAsync('debootstrap', ['--variant=minbase', '--include=systemd', 'bookworm', join(build, 'root'), MIRROR]);
    if (boot.code !== 0) throw new Error(`debootstrap failed: ${boot.stdout.slice(-2000)}${boot.stderr.slice(-2000)}`);
    const packed = await runAsync('tar', ['-C', join(build, 'root'), '-cf', join(build, 'root.tar'), '.']);
    if (packed.code !== 0) throw new Error(`tar failed: ${packed.stderr}`);
    renameSync(join(build, 'root.tar'), tar);
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  return tar;
}

/** Every path under the root (relative, without the leading /), leaving out the mount points' insides. */
function paths(root: string): Set<string> {
  const r = run('find', [root, '-xdev', '(', '-path', join(root, 'proc'), '-o', '-path', join(root, 'sys'), '-o', '-path', join(root, 'dev'), ')', '-prune', '-o', '-printf', '%P\\n']);
  return new Set(r.stdout.split('\n').filter(Boolean));
}

function inst(name: string, priority: number): KeepalivedInstance {
  return { name, vrid: 51, priority, authPass: 'pkgtest1' };
}

describe('the Debian package, installed into a fresh Debian 12 root', { timeout: 2_400_000 }, () => {
  let work: string | undefined;
  let deb: string;
  let root: string;
  let before0: Set<string>;
  const lab = new Lab(['gw', 'a', 'b', 'w']);

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-package-'));
    work = dir;
    const [built, tar] = await Promise.all([runAsync(join(ROOT, 'scripts', 'package-deb.sh'), [dir]), cachedRoot()]);
    assert.equal(built.code, 0, built.stdout + built.stderr);
    deb = built.stdout.trim().split('\n').pop() ?? '';
    root = join(dir, 'root');
    mkdirSync(root);
    const unpacked = run('tar', ['-C', root, '-xf', tar]);
    assert.equal(unpacked.code, 0, unpacked.stderr);
    copyFileSync('/etc/resolv.conf', join(root, 'etc', 'resolv.conf'));
  });
  after(() => {
    lab.destroy();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it(`builds vrrpwatch_${VERSION}-1_amd64.deb under 50 MB that lintian passes (each override justified in packaging/deb/lintian-overrides)`, () => {
    assert.equal(deb, join(work ?? '', `vrrpwatch_${VERSION}-1_amd64.deb`));
    const size = statSync(deb).size;
    console.log(`# ${deb}: ${(size / MiB).toFixed(1)} MiB`);
    assert.ok(size < 50 * MiB, `the package is ${(size / MiB).toFixed(1)} MiB`);
    const depends = run('dpkg-deb', ['-f', deb, 'Depends']).stdout;
    assert.match(depends, /\blibpcap0\.8\b/);
    assert.doesNotMatch(depends, /\bnodejs\b|\bnode\b/);
    const lint = run('lintian', ['--fail-on', 'error,warning', deb]);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
    assert.deepEqual(lint.stdout.split('\n').filter((l) => /^[EW]: /.test(l)), []);
  });

  it('apt install ./vrrpwatch_*.deb into the fresh root (twice, with a purge between): no Node.js or compiler there before, the user, the capability and the enabled service after', () => {
    for (const absent of ['usr/bin/node', 'usr/bin/nodejs', 'usr/bin/gcc', 'usr/bin/cc', 'usr/bin/make']) assert.equal(existsSync(join(root, absent)), false, `the fresh root has no /${absent}`);
    copyFileSync(deb, join(root, 'tmp', `vrrpwatch_${VERSION}-1_amd64.deb`));
    assert.equal(inRoot(root, ['apt-get', 'update', '-q']).code, 0);
    // As the README says it: apt resolves the Depends from Debian's archive.
    const install = (): void => {
      const r = inRoot(root, ['sh', '-c', `cd /tmp && apt install -y ./vrrpwatch_${VERSION}-1_amd64.deb`]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
    };
    // Installed, purged (the purge test compares with the root as it is then: its dependencies stay, and
    // what their own scripts made), and installed again, as after a purge by mistake.
    install();
    assert.equal(inRoot(root, ['dpkg', '--purge', 'vrrpwatch']).code, 0);
    rmSync(join(root, 'tmp', `vrrpwatch_${VERSION}-1_amd64.deb`));
    before0 = paths(root);
    copyFileSync(deb, join(root, 'tmp', `vrrpwatch_${VERSION}-1_amd64.deb`));
    install();
    rmSync(join(root, 'tmp', `vrrpwatch_${VERSION}-1_amd64.deb`));

    assert.match(inRoot(root, ['dpkg-query', '-W', '-f', '${Status}', 'vrrpwatch']).stdout, /install ok installed/);
    assert.match(inRoot(root, ['getent', 'passwd', 'vrrpwatch']).stdout, /^vrrpwatch:x:\d+:\d+:[^:]*:\/nonexistent:\/usr\/sbin\/nologin\n$/);
    assert.match(inRoot(root, ['getent', 'group', 'vrrpwatch']).stdout, /^vrrpwatch:x:\d+:/);
    assert.match(inRoot(root, ['getcap', PLUGIN]).stdout, /check_vrrpwatch cap_net_raw=p\n$/);
    // deb-systemd-helper enabled the service (systemd is not running in the root, so nothing started).
    assert.equal(lstatSync(join(root, 'etc/systemd/system/multi-user.target.wants/vrrpwatch.service')).isSymbolicLink(), true);
    for (const f of ['etc/vrrpwatch/vrrpwatch.yml', 'etc/default/vrrpwatch', 'usr/share/man/man1/vrrpwatch.1.gz', 'usr/share/doc/vrrpwatch/copyright', 'usr/share/doc/vrrpwatch/changelog.Debian.gz', 'usr/share/doc/vrrpwatch/examples/witness.yml', 'usr/share/vrrpwatch/alerts/vrrpwatch.rules.yml', 'usr/share/vrrpwatch/runbook.md', 'usr/share/vrrpwatch/mixin/mixin.libsonnet']) {
      assert.ok(existsSync(join(root, f)), `the package installed /${f}`);
    }
    const conffiles = inRoot(root, ['dpkg-query', '-W', '-f', '${Conffiles}', 'vrrpwatch']).stdout;
    assert.match(conffiles, /\/etc\/vrrpwatch\/vrrpwatch\.yml [0-9a-f]{32}/);
    assert.match(conffiles, /\/etc\/default\/vrrpwatch [0-9a-f]{32}/);
  });

  it('runs from the package: --version, the installed config checked, and a replay of a capture as an unprivileged user', () => {
    const version = inRoot(root, ['vrrpwatch', '--version']);
    assert.deepEqual([version.code, version.stdout], [0, `vrrpwatch ${VERSION}\n`]);
    const check = inRoot(root, ['vrrpwatch', '--check-config', '-c', '/etc/vrrpwatch/vrrpwatch.yml']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /^config ok: /);

    copyFileSync(join(ROOT, 'test', 'fixtures', 'captures', 'keepalived-v2-split-brain.pcap'), join(root, 'tmp', 'split.pcap'));
    const replay = inRoot(root, ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', 'vrrpwatch', 'replay', '/tmp/split.pcap', '--format', 'json']);
    rmSync(join(root, 'tmp', 'split.pcap'));
    assert.equal(replay.code, 0, replay.stderr);
    const report = JSON.parse(replay.stdout) as { packets: number; groups: { vrid: number; split_brain: unknown[] }[] };
    assert.equal(report.packets, 22);
    assert.deepEqual(report.groups.map((g) => [g.vrid, g.split_brain.length]), [[51, 1]]);
  });

  it('once in a lab namespace: the Nagios user through check_vrrpwatch, the service user with the unit\'s capability; without it, UNKNOWN', async () => {
    lab.create();
    const confA = lab.keepalived('a', [inst('VI_1', 150)]);
    lab.keepalived('b', [inst('VI_1', 100)]);
    assert.equal(inRoot(root, ['useradd', '--system', '--user-group', '--no-create-home', 'nagios']).code, 0);
    const ns = lab.ns('w');
    const peers = ['--peer', ADDRESS.a.v4, '--peer', ADDRESS.b.v4];
    const asNagios = ['setpriv', '--reuid=nagios', '--regid=nagios', '--init-groups'];

    // The README's Nagios command line on node a, run as the user nagios holding no capability of its own.
    mkdirSync(join(root, 'etc', 'keepalived'));
    copyFileSync(confA, join(root, 'etc', 'keepalived', 'keepalived.conf'));
    let nagios: Result = { code: null, stdout: '', stderr: '' };
    for (let i = 0; i < 8; i++) {
      nagios = inRoot(root, [...asNagios, PLUGIN, '--keepalived-config', '/etc/keepalived/keepalived.conf', '--gateway', ADDRESS.gw.v4], { netns: lab.ns('a') });
      if (nagios.code === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(nagios.code, 0, nagios.stdout + nagios.stderr);
    assert.match(nagios.stdout, /^VRRP OK - .*VRID 51 master 192\.0\.2\.11 .*\| /);
    assert.match(nagios.stdout, /this node master/);
    // On the witness.
    const witness = inRoot(root, [...asNagios, PLUGIN, '-i', 'eth0', ...peers], { netns: ns });
    assert.equal(witness.code, 0, witness.stdout + witness.stderr);
    assert.match(witness.stdout, /^VRRP OK - .*VRID 51 master 192\.0\.2\.11 \| /);

    // The wrapper runs node with its own environment: NODE_OPTIONS cannot load code into the capable process.
    writeFileSync(join(root, 'tmp', 'inject.cjs'), "console.log('INJECTED'); process.exit(9);\n");
    const injected = inRoot(root, [...asNagios, PLUGIN, '-i', 'eth0', ...peers], { netns: ns, env: { NODE_OPTIONS: '--require /tmp/inject.cjs' } });
    rmSync(join(root, 'tmp', 'inject.cjs'));
    assert.equal(injected.code, 0, injected.stdout + injected.stderr);
    assert.doesNotMatch(injected.stdout, /INJECTED/);

    // As systemd starts the service: the user vrrpwatch with CAP_NET_RAW ambient and nothing else bounded.
    const service = inRoot(root, ['setpriv', '--reuid=vrrpwatch', '--regid=vrrpwatch', '--init-groups', '--inh-caps=-all,+net_raw', '--ambient-caps=+net_raw', '--bounding-set=-all,+net_raw', 'vrrpwatch', 'once', '-i', 'eth0', ...peers], { netns: ns });
    assert.equal(service.code, 0, service.stdout + service.stderr);
    assert.match(service.stdout, /^VRRP OK - /);

    // The same user without the capability, and the Nagios user running vrrpwatch itself (not the check).
    for (const prefix of [['setpriv', '--reuid=vrrpwatch', '--regid=vrrpwatch', '--init-groups'], asNagios]) {
      const denied = inRoot(root, [...prefix, 'vrrpwatch', 'once', '-i', 'eth0'], { netns: ns });
      assert.equal(denied.code, 3, denied.stdout + denied.stderr);
      assert.match(denied.stdout, /^VRRP UNKNOWN - capture cannot start: .*needs root or CAP_NET_RAW/);
    }
    lab.destroy();
    rmSync(join(root, 'etc', 'keepalived'), { recursive: true });
  });

  it('systemd-analyze verify passes the installed unit, in the root it was installed into', () => {
    // --man=no: verify would run the host's man, which does not look into the root (the page is checked above).
    const verify = run('systemd-analyze', ['verify', '--man=no', `--root=${root}`, '/lib/systemd/system/vrrpwatch.service']);
    assert.deepEqual([verify.code, verify.stdout + verify.stderr], [0, '']);
    const unit = readFileSync(join(root, 'lib/systemd/system/vrrpwatch.service'), 'utf8');
    for (const line of ['ExecStart=/usr/bin/vrrpwatch serve $VRRPWATCH_ARGS', 'EnvironmentFile=-/etc/default/vrrpwatch', 'User=vrrpwatch', 'AmbientCapabilities=CAP_NET_RAW', 'CapabilityBoundingSet=CAP_NET_RAW']) {
      assert.ok(unit.split('\n').includes(line), `the installed unit has ${line}`);
    }
  });

  it('dpkg --purge leaves nothing of the package but its system user', () => {
    const purge = inRoot(root, ['dpkg', '--purge', 'vrrpwatch']);
    assert.equal(purge.code, 0, purge.stdout + purge.stderr);
    const named = run('find', [root, '-xdev', '-name', '*vrrpwatch*', '-printf', '%P\\n']).stdout.split('\n').filter((p) => p !== '' && !/^var\/(cache|log|lib\/apt)\//.test(p));
    assert.deepEqual(named, []);
    // The root is what it was after the first purge, but for what apt and dpkg keep of any installation
    // (their databases and logs) and /run (a tmpfs on a running system).
    const kept = /^(var\/lib\/apt|var\/cache|var\/log|var\/lib\/dpkg|run)(\/|$)|^etc\/(passwd|group|shadow|gshadow)-$/;
    const left = [...paths(root)].filter((p) => !before0.has(p) && !kept.test(p));
    assert.deepEqual(left, []);
    // The system user stays (with no home, no password, no shell), as Debian keeps system users.
    assert.match(inRoot(root, ['getent', 'passwd', 'vrrpwatch']).stdout, /\/usr\/sbin\/nologin/);
  });
});
