/**
 * The live capture's sessions over their life, with a real keepalived master (host a) advertising to
 * vrrpwatch serve on the witness (w) in a namespace lab: reloads that switch the capture interfaces
 * and interface flaps release every session they replace (its packet socket closed; the CPU the
 * process uses afterwards is `node dist/bench/run.js reloads`); a descriptor shortage is a capture down with its reason and a log line, retried, never a
 * crash; and an advertisement of the largest legal size is captured whole. The counts come from /proc
 * (the process's descriptors, its namespace's packet sockets). Needs root.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDRESS, MACVLAN, sleep, valueOf, waitFor } from '../../lab/lab.js';
import type { KeepalivedInstance, Lab } from '../../lab/lab.js';
import type { LogMatch } from '../../lab/log-match.js';
import { useLab } from '../helpers/lab.js';
import { largeIpv6Advert } from '../helpers/fixtures.js';

const SERVE = 'vrrpwatch-w';
const MASTER: KeepalivedInstance = { name: 'VI_1', vrid: 51, priority: 150, state: 'MASTER' };

let lab: Lab;

/** The pid of vrrpwatch (`ip netns exec` execs it in place). */
function pidOf(child: { pid?: number | undefined }): number {
  assert.ok(child.pid !== undefined, 'vrrpwatch started');
  return child.pid;
}

function descriptors(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // Closed while listed.
    }
  }
  return out;
}

/** The process's packet sockets (libpcap captures): its socket inodes listed in its namespace's /proc/net/packet. */
function packetSockets(pid: number): number {
  const inodes = new Set(readFileSync(`/proc/${pid}/net/packet`, 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).at(-1)));
  return descriptors(pid).filter((d) => inodes.has(/^socket:\[(\d+)\]$/.exec(d)?.[1])).length;
}

/** How many of the exporter's log lines carry every field of `want`. */
function count(want: LogMatch): number {
  return lab.logs(SERVE, want).length;
}

async function advertsArrive(iface: string): Promise<void> {
  const labels = { interface: iface, family: 'ipv4', vrid: '51', router: ADDRESS.a.v4 };
  const before = valueOf(lab.metrics('w'), 'vrrpwatch_adverts_total', labels) ?? 0;
  await waitFor(`adverts from a on ${iface}`, () => (valueOf(lab.metrics('w'), 'vrrpwatch_adverts_total', labels) ?? 0) >= before + 2, 20_000);
}

/** The descriptor count once it holds still for a second (a scrape's connection closes meanwhile). */
async function steadyDescriptors(pid: number): Promise<number> {
  const end = Date.now() + 20_000;
  let last = descriptors(pid).length;
  for (;;) {
    await sleep(1000);
    const now = descriptors(pid).length;
    if (now === last) return now;
    if (Date.now() > end) throw new Error(`the descriptor count of ${pid} never held still (${last}, then ${now})`);
    last = now;
  }
}

describe('the capture releases what it closes, and survives a descriptor shortage', { timeout: 600_000 }, () => {
  lab = useLab(['a', 'w']);
  beforeEach(() => {
    lab.keepalived('a', [MASTER]);
  });

  it('20 reloads switching between eth0 and any leave one packet socket, capturing on eth0 (the CPU left is in the bench)', async () => {
    const config = join(lab.dir, 'w.yml');
    writeFileSync(config, 'interfaces: [eth0]\n');
    const pid = pidOf(lab.serve('w', ['-c', config]));
    await lab.waitForLog(SERVE, { interface: 'eth0', msg: 'capture running' }, 15_000);
    await advertsArrive('eth0');
    // Reload lines are rate-bounded (one per 10 s), so each reload is seen by the capture it starts.
    const started = count({ msg: 'capture running' });
    for (let i = 1; i <= 20; i++) {
      const iface = i % 2 === 1 ? 'any' : 'eth0';
      writeFileSync(config, `interfaces: [${iface}]\n`);
      process.kill(pid, 'SIGHUP');
      await waitFor(`reload ${i}`, () => count({ msg: 'capture running' }) >= started + i, 15_000);
      // Adverts reach the session just replaced too: a session left open keeps them waiting in its ring.
      await sleep(300);
    }
    await advertsArrive('eth0');
    assert.equal(packetSockets(pid), 1, 'one capture, on eth0');
    const captures = (lab.metrics('w') ?? []).filter((s) => s.name === 'vrrpwatch_capture_up');
    assert.deepEqual(captures.map((s) => [s.labels.interface, s.value]), [['eth0', 1]]);
  });

  it('10 flaps of the captured interface leave the descriptor count flat', async () => {
    const pid = pidOf(lab.serve('w'));
    await lab.waitForLog(SERVE, { interface: 'eth0', msg: 'capture running' }, 15_000);
    await advertsArrive('eth0');
    const before = await steadyDescriptors(pid);
    assert.equal(packetSockets(pid), 1);
    for (let i = 1; i <= 10; i++) {
      lab.exec('w', ['ip', 'link', 'set', 'eth0', 'down']);
      await waitFor(`capture down ${i}`, () => count({ interface: 'eth0', problem: 'the interface is down', msg: 'capture down' }) === i, 15_000);
      lab.exec('w', ['ip', 'link', 'set', 'eth0', 'up']);
      await waitFor(`capture running ${i}`, () => count({ interface: 'eth0', msg: 'capture running' }) === i + 1, 15_000);
    }
    await advertsArrive('eth0');
    assert.equal(packetSockets(pid), 1, 'one capture, on eth0');
    assert.equal(await steadyDescriptors(pid), before, 'as many descriptors as before the flaps');
  });

  it('out of descriptors: the capture is down with the reason and one log line, serve keeps running, and it recovers', async () => {
    lab.addMacvlan('w');
    const child = lab.serve('w', ['-i', MACVLAN]);
    const pid = pidOf(child);
    await lab.waitForLog(SERVE, { interface: 'mv0', msg: 'capture running' }, 15_000);
    await advertsArrive(MACVLAN);
    const limit = /^(\d+)/.exec(spawnSync('prlimit', ['--pid', String(pid), '--nofile', '--output', 'SOFT', '--noheadings'], { encoding: 'utf8' }).stdout.trim())?.[1];
    assert.ok(limit !== undefined, 'prlimit reads the limit');
    // A soft limit of 3 (stdin, stdout, stderr): no descriptor is free below it, so every open fails,
    // as when idle connections took them all.
    assert.equal(spawnSync('prlimit', ['--pid', String(pid), '--nofile=3:']).status, 0);
    try {
      // The interface is made again: its capture needs a new session, which cannot open.
      lab.exec('w', ['ip', 'link', 'del', MACVLAN]);
      // (/sys cannot be read to tell why: the session's read error says it stopped.)
      await lab.waitForLog(SERVE, { interface: 'mv0', problem: /./, msg: 'capture down' }, 15_000);
      lab.addMacvlan('w');
      await lab.waitForLog(SERVE, { interface: 'mv0', problem: /Too many open files \(the process is out of file descriptors; retrying\)$/, msg: 'capture down' }, 15_000);
      await lab.waitForLog(SERVE, { problem: 'cannot read /sys/class/net: too many open files (EMFILE)', msg: 'cannot list the network interfaces; the running captures go on, retrying every second' }, 15_000);
      // Several checks and retries later: still running, and each problem was logged once.
      await sleep(4000);
      assert.equal(child.exitCode, null, `serve still runs:\n${lab.log(SERVE)}`);
      assert.equal(count({ msg: /^cannot list the network interfaces/ }), 1);
      assert.equal(count({ problem: /Too many open files \(the process/ }), 1);
    } finally {
      spawnSync('prlimit', ['--pid', String(pid), `--nofile=${limit}:`]);
    }
    await lab.waitForLog(SERVE, { msg: 'the network interfaces can be listed again' }, 15_000);
    await waitFor('the capture to be retried and run again', () => count({ interface: 'mv0', msg: 'capture running' }) === 2, 40_000);
    await advertsArrive(MACVLAN);
    assert.equal(valueOf(lab.metrics('w'), 'vrrpwatch_capture_up', { interface: MACVLAN }), 1);
    assert.equal(child.exitCode, null);
  });

  it('an advert of 255 IPv6 addresses (4,142 bytes) is decoded live, not cut', async () => {
    lab.serve('w', ['-i', 'lo']);
    await lab.waitForLog(SERVE, { interface: 'lo', msg: 'capture running' }, 15_000);
    // A raw-socket sender inside the witness's namespace: the frame goes out on its loopback only.
    const sender = 'import socket, sys\ns = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\ns.bind(("lo", 0))\ns.send(bytes.fromhex(sys.argv[1]))\n';
    const frame = Buffer.from(largeIpv6Advert({ link: 'ethernet', tags: false }));
    assert.equal(frame.length, 4142);
    const group = { interface: 'lo', family: 'ipv6', vrid: '51' };
    await waitFor('the advert to be counted', () => {
      lab.exec('w', ['python3', '-c', sender, frame.toString('hex')]);
      return valueOf(lab.metrics('w'), 'vrrpwatch_adverts_total', { ...group, router: '2001:db8::11' }) !== undefined;
    }, 15_000);
    const samples = lab.metrics('w');
    assert.equal(valueOf(samples, 'vrrpwatch_router_priority', { ...group, router: '2001:db8::11' }), 150);
    assert.equal(valueOf(samples, 'vrrpwatch_packets_invalid_total', { interface: 'lo', reason: 'truncated' }), 0);
  });
});
