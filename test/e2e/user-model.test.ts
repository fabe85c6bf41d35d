/**
 * The shipped unit's user model against real keepalived 2.2.7 in the namespace lab: vrrpwatch runs as a
 * fixed unprivileged system user holding only CAP_NET_RAW (as `User=vrrpwatch` with
 * `AmbientCapabilities=CAP_NET_RAW` runs it), never as root. keepalived is told to make its notify FIFO
 * that user's (`notify_fifo PATH USER`), and keepalived.conf is made readable by the user's group; then
 * the other way round, with what keepalived does by default (a FIFO of root's, mode 0600) and a
 * keepalived.conf of mode 0600, vrrpwatch says so: a metric, one log line, a line on the page.
 * The test makes its own system user (named after the lab prefix) and removes it after.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { ADDRESS, PORT, sleep, valueOf, waitFor } from '../../lab/lab.js';
import type { KeepalivedInstance } from '../../lab/lab.js';
import { useLab } from '../helpers/lab.js';

const G51 = { interface: 'eth0', family: 'ipv4', vrid: '51' };
const USER = `${process.env.VRRPWATCH_LAB_PREFIX ?? 'vwlab'}-vrrpwatch`;
const INSTANCE: KeepalivedInstance = { name: 'VI_1', vrid: 51, priority: 150, authPass: 'Zq7s3cr3' };

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Every JSON line of a process's output, parsed. */
function logLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the unit\'s user model: an unprivileged vrrpwatch with CAP_NET_RAW reads keepalived', { timeout: 300_000 }, () => {
  const lab = useLab(['a', 'b']);
  let created = false;
  let uid = 0;
  let gid = 0;
  /** As the unit runs it: the user, its groups, and CAP_NET_RAW as an ambient capability. */
  const asUser = (): string[] => ['setpriv', `--reuid=${USER}`, `--regid=${USER}`, '--init-groups', '--inh-caps=+net_raw', '--ambient-caps=+net_raw'];

  before(() => {
    if (spawnSync('id', [USER]).status !== 0) {
      run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER]);
      created = true;
    }
    uid = Number(run('id', ['-u', USER]));
    gid = Number(run('id', ['-g', USER]));
  });
  after(() => {
    if (created) run('userdel', [USER]);
  });

  /** keepalived on a with a notify FIFO (made anew: keepalived keeps one that exists as it is). */
  const keepalived = (fifoOwner: string | undefined): string => {
    // The user must reach the FIFO and the config in the lab's folder (mkdtemp makes it 0700).
    chmodSync(lab.dir, 0o711);
    rmSync(lab.fifo('a'), { force: true });
    const conf = lab.keepalived('a', [INSTANCE], { notifyFifo: true, ...(fifoOwner === undefined ? {} : { fifoOwner }) });
    lab.keepalived('b', [{ ...INSTANCE, priority: 100 }]);
    return conf;
  };

  it('keepalived makes the FIFO the named user\'s; vrrpwatch, not root, reads its states and keepalived.conf of mode 0640', async () => {
    const conf = keepalived(USER);
    chownSync(conf, 0, gid);
    chmodSync(conf, 0o640);
    await waitFor('keepalived to create its FIFO', () => existsSync(lab.fifo('a')), 15_000);
    const fifo = statSync(lab.fifo('a'));
    assert.ok(fifo.isFIFO());
    assert.deepEqual([fifo.uid, fifo.mode & 0o777], [uid, 0o600], 'keepalived 2.2.7 gives the FIFO to the user named, mode 0600');

    const child = lab.serve('a', ['--keepalived-config', conf], { prefix: asUser() });
    await waitFor('vrrpwatch to read MASTER from the FIFO', () => valueOf(lab.metrics('a'), 'vrrpwatch_keepalived_state', { keepalived_instance: 'VI_1', state: 'MASTER' }) === 1, 30_000);
    const s = lab.metrics('a');
    assert.equal(valueOf(s, 'vrrpwatch_source_readable', { source: 'keepalived_config', path: conf }), 1);
    assert.equal(valueOf(s, 'vrrpwatch_source_readable', { source: 'notify_fifo', path: lab.fifo('a') }), 1);
    assert.equal(valueOf(s, 'vrrpwatch_vrid_expected', G51), 1, 'the expectations of keepalived.conf are read');
    assert.equal(valueOf(s, 'vrrpwatch_capture_up', { interface: 'eth0' }), 1);
    const status = readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8');
    assert.match(status, new RegExp(`^Uid:\\t${uid}\\t${uid}\\t`, 'm'), 'vrrpwatch runs as the user, not root');
    assert.match(status, /^CapEff:\t0000000000002000$/m, 'holding CAP_NET_RAW and nothing else');
    assert.equal(lab.fetch('a', `http://127.0.0.1:${PORT}/healthz`)?.body, 'ok\n');
    assert.deepEqual(logLines(lab.log('vrrpwatch-a')).filter((l) => l.finding === 'source_unreadable'), []);
  });

  it('says once, in a metric and on the page, that it cannot read a FIFO of root\'s or a keepalived.conf of mode 0600', async () => {
    const conf = keepalived(undefined);
    chownSync(conf, 0, gid);
    chmodSync(conf, 0o640);
    await waitFor('keepalived to create its FIFO', () => existsSync(lab.fifo('a')), 15_000);
    assert.deepEqual([statSync(lab.fifo('a')).uid, statSync(lab.fifo('a')).mode & 0o777], [0, 0o600], "keepalived's default: root's, mode 0600");
    lab.serve('a', ['--keepalived-config', conf], { prefix: asUser() });
    await waitFor('the FIFO to be said unreadable', () => valueOf(lab.metrics('a'), 'vrrpwatch_source_readable', { source: 'notify_fifo', path: lab.fifo('a') }) === 0, 30_000);
    // The reader retries every 2 s: the log says it once.
    await sleep(5000);
    const fifoLines = logLines(lab.log('vrrpwatch-a')).filter((l) => l.finding === 'source_unreadable');
    assert.equal(fifoLines.length, 1, JSON.stringify(fifoLines));
    assert.equal(fifoLines.at(0)?.level, 40);
    assert.equal(fifoLines.at(0)?.source, 'notify_fifo');
    assert.match(String(fifoLines.at(0)?.problem), new RegExp(`^cannot open ${lab.fifo('a')}: permission denied for user ${USER} \\(keepalived makes it root's with mode 0600: name the reader in keepalived.conf, notify_fifo ${lab.fifo('a')} ${USER}, then remove the FIFO and restart keepalived\\)$`));
    const page = lab.fetch('a', `http://127.0.0.1:${PORT}/`)?.body ?? '';
    assert.match(page, /<title>WARNING · /);
    assert.match(page, /<li><span class="sev warning">WARNING<\/span>keepalived&#39;s notify_fifo not read: cannot open [^<]*: permission denied for user /);
    const health = lab.fetch('a', `http://127.0.0.1:${PORT}/healthz`);
    assert.equal(health?.status, 200, 'an unreadable source is a warning: the wire is still seen');

    await lab.kill('vrrpwatch-a');
    chownSync(conf, 0, 0);
    chmodSync(conf, 0o600);
    const child = lab.serve('a', ['--keepalived-config', conf], { prefix: asUser() });
    await waitFor('keepalived.conf to be said unreadable', () => valueOf(lab.metrics('a'), 'vrrpwatch_source_readable', { source: 'keepalived_config', path: conf }) === 0, 30_000);
    await waitFor('the wire to be judged all the same', () => valueOf(lab.metrics('a'), 'vrrpwatch_vrid_master_info', { ...G51, router: ADDRESS.a.v4 }) === 1, 30_000);
    const confLines = logLines(lab.log('vrrpwatch-a')).filter((l) => l.finding === 'source_unreadable');
    assert.equal(confLines.length, 1, JSON.stringify(confLines));
    assert.equal(confLines.at(0)?.source, 'keepalived_config');
    assert.equal(confLines.at(0)?.problem, `permission denied for user ${USER} (keepalived.conf is often root's with mode 0600: make it readable by a group vrrpwatch runs in, e.g. chgrp vrrpwatch ${conf} && chmod 0640 ${conf})`);
    assert.equal(valueOf(lab.metrics('a'), 'vrrpwatch_vrid_expected', G51), undefined, 'no expectations from a file not read');

    // Made readable to the user's group, it is read at the next reload.
    chownSync(conf, 0, gid);
    chmodSync(conf, 0o640);
    child.kill('SIGHUP');
    await waitFor('keepalived.conf to be read on reload', () => {
      const s = lab.metrics('a');
      return valueOf(s, 'vrrpwatch_source_readable', { source: 'keepalived_config', path: conf }) === 1 && valueOf(s, 'vrrpwatch_vrid_expected', G51) === 1;
    }, 15_000);
  });
});
