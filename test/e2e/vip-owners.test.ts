/**
 * Who answers ARP and NDP for a VIP, on the wire, against real keepalived in a namespace lab (nodes a
 * and b, a third host c, a witness w on one bridge, documentation addresses only). vrrpwatch `serve`
 * runs on the witness with the VIP probe on; the assertions are on its /metrics and its log lines, and
 * on `vrrpwatch once` where a user would run it. Every probe goes to the lab's VIPs inside its
 * namespaces. Needs root.
 */
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDRESS, CLI, sleep, valueOf, VIP, waitFor } from '../../lab/lab.js';
import type { HostName, Lab, Sample } from '../../lab/lab.js';
import { sampleDuring, useLab } from '../helpers/lab.js';

const A = ADDRESS.a.v4;
const B = ADDRESS.b.v4;
const V4 = { interface: 'eth0', vip: VIP.v4 };

let lab: Lab;

function m(): Sample[] | undefined {
  return lab.metrics('w');
}

/** `vrrpwatch once` on a host. */
function once(host: HostName, args: string[]): { status: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns(host), process.execPath, CLI, 'once', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The witness, capturing on eth0, told which group and VIPs to watch (it may hear no advert). */
function witness(vrid: number, vips: string[]): void {
  const config = join(lab.dir, 'w.yml');
  writeFileSync(config, `interfaces: [eth0]\ngroups:\n  - vrid: ${vrid}\n    interface: eth0\n    vips: [${vips.map((v) => JSON.stringify(v)).join(', ')}]\n`);
  lab.serve('w', ['-c', config]);
}

/** Waits until the foreign-owner series of the MAC is 0 or gone (a MAC that stopped answering leaves the owners). */
async function notForeign(vip: string, mac: string): Promise<void> {
  await waitFor(`${mac} to be no foreign owner of ${vip}`, () => (valueOf(m(), 'vrrpwatch_vip_foreign_owner', { interface: 'eth0', vip, mac }) ?? 0) === 0, 30_000);
}

async function metric(what: string, name: string, labels: Record<string, string>, value: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(what, () => valueOf(m(), name, labels) === value, timeoutMs);
}

/** Samples the duplicate and foreign-owner gauges of the VIP every 200 ms while `episode` runs; returns the largest of each. */
async function worstDuring(episode: () => Promise<void>): Promise<{ duplicate: number; foreign: number }> {
  const worst = { duplicate: 0, foreign: 0 };
  await sampleDuring(episode, () => {
    const s = m();
    worst.duplicate = Math.max(worst.duplicate, valueOf(s, 'vrrpwatch_vip_duplicate', V4) ?? 0);
    for (const x of s ?? []) if (x.name === 'vrrpwatch_vip_foreign_owner' && x.labels.vip === VIP.v4) worst.foreign = Math.max(worst.foreign, x.value);
  });
  return worst;
}

describe('VIP ownership on the wire (real keepalived, real ARP and NDP)', () => {
  lab = useLab(['a', 'b', 'c', 'w']);
  beforeEach(() => {
    for (const k of ['all', 'eth0']) lab.exec('c', ['sysctl', '-qw', `net.ipv4.conf.${k}.arp_ignore=0`, `net.ipv4.conf.${k}.arp_announce=0`]);
    lab.exec('c', ['ip', 'addr', 'del', `${VIP.v4}/32`, 'dev', 'lo'], true);
  });

  it('a unicast pair split by a firewall: the witness, which hears no VRRP, sees both MACs answer, and the end after healing', async () => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150, unicastPeers: [B] }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100, unicastPeers: [A] }]);
    witness(51, [VIP.v4]);
    await metric('one owner (a) answering for the VIP', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a') }, 1);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_duplicate', V4), 0);
    assert.ok((valueOf(m(), 'vrrpwatch_vip_probes_total', { interface: 'eth0' }) ?? 0) > 0);
    // The witness hears no advert of the unicast pair.
    assert.equal(valueOf(m(), 'vrrpwatch_vrid_masters', { interface: 'eth0', family: 'ipv4', vrid: '51' }), 0);
    assert.equal(m()?.some((s) => s.name === 'vrrpwatch_adverts_total'), false);
    lab.cutVrrp('b', true);
    await metric('the duplicate', 'vrrpwatch_vip_duplicate', V4, 1);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_owners', V4), 2);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('b'), router: '' }), 1);
    await lab.waitForLog('vrrpwatch-w', { finding: 'vip_duplicate', msg: 'more than one MAC answers for the VIP: split-brain on the wire' });
    // `once` on the witness, listening long enough for three probe rounds, says so too.
    const check = once('w', ['-c', join(lab.dir, 'w.yml'), '--window', '9']);
    assert.equal(check.status, 2, check.out);
    assert.match(check.out, new RegExp(`^VRRP CRITICAL - .*VIP ${VIP.v4.replace(/\./g, '\\.')} of VRID 51 on eth0 is answered by .*${lab.macOf('a')}.*: split-brain on the wire`));
    lab.cutVrrp('b', false);
    await metric('the duplicate to end', 'vrrpwatch_vip_duplicate', V4, 0);
    await lab.waitForLog('vrrpwatch-w', { msg: 'ended: more than one MAC answers for the VIP: split-brain on the wire' });
  });

  it('a healthy pair and a third host holding the VIP on lo: a foreign owner named by its MAC, quiet after arp_ignore=1 and arp_announce=2', async () => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    witness(51, [VIP.v4]);
    await metric('a answering as router', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: A }, 1);
    lab.exec('c', ['ip', 'addr', 'add', `${VIP.v4}/32`, 'dev', 'lo']);
    const c = lab.macOf('c');
    await metric("c's MAC judged a foreign owner", 'vrrpwatch_vip_foreign_owner', { ...V4, mac: c }, 1);
    await lab.waitForLog('vrrpwatch-w', { finding: 'vip_foreign_owner', mac: c, msg: 'a MAC that belongs to no master answers for the VIP' });
    for (const k of ['all', 'eth0']) lab.exec('c', ['sysctl', '-qw', `net.ipv4.conf.${k}.arp_ignore=1`, `net.ipv4.conf.${k}.arp_announce=2`]);
    await notForeign(VIP.v4, c);
    await metric('one owner again', 'vrrpwatch_vip_owners', V4, 1);
    await lab.waitForLog('vrrpwatch-w', { msg: 'ended: a MAC that belongs to no master answers for the VIP' });
  });

  it('a graceful failover and a preemption: never a duplicate, never a foreign owner', async () => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    witness(51, [VIP.v4]);
    await metric('a answering as router', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: A }, 1);
    const worst = await worstDuring(async () => {
      await lab.kill('keepalived-a');
      await metric('b answering as router', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('b'), router: B }, 1);
      // Three rounds with b alone, then a comes back and preempts.
      await sleep(7000);
      lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
      await waitFor('a to answer alone again', () => {
        const s = m();
        return valueOf(s, 'vrrpwatch_vip_owners', V4) === 1 && valueOf(s, 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: A }) === 1;
      }, 30_000);
      await sleep(7000);
    });
    assert.deepEqual(worst, { duplicate: 0, foreign: 0 });
    assert.equal(valueOf(m(), 'vrrpwatch_vrid_failovers_without_garp_total', { interface: 'eth0', family: 'ipv4', vrid: '51' }), 0);
  });

  it("the master's VIP deleted behind keepalived's back: the witness judges it unanswered, node a says master without it, both end once it is back", async () => {
    // no_track: keepalived stays master without the VIP (else it falls back to backup and re-adds it at once).
    const conf = lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150, vipNoTrack: true }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    witness(51, [VIP.v4]);
    await metric('a answering as router', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: A }, 1);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_unanswered', V4), 0);
    lab.exec('a', ['ip', 'addr', 'del', `${VIP.v4}/24`, 'dev', 'eth0']);
    await metric('the VIP judged unanswered', 'vrrpwatch_vip_unanswered', V4, 1);
    assert.equal(valueOf(m(), 'vrrpwatch_vrid_master_info', { interface: 'eth0', family: 'ipv4', vrid: '51', router: A }), 1, 'a still advertises as master');
    await lab.waitForLog('vrrpwatch-w', { finding: 'vip_unanswered', vip: VIP.v4, msg: 'the group has a master but nobody answers for the VIP' });
    // A window of 6 s: a node finding must hold for 3.5 s from the node's first advert heard, which the
    // default window (3.5 s, the finding held for 2.6 s of it) leaves to chance.
    const check = once('a', ['--keepalived-config', conf, '--window', '6']);
    assert.equal(check.status, 2, check.out);
    assert.match(check.out, /^VRRP CRITICAL - .*this node is master of VRID 51 on eth0 but does not hold VIP 192\.0\.2\.100/);
    lab.exec('a', ['ip', 'addr', 'add', `${VIP.v4}/24`, 'dev', 'eth0']);
    await metric('the VIP answered again', 'vrrpwatch_vip_unanswered', V4, 0);
    await lab.waitForLog('vrrpwatch-w', { msg: 'ended: the group has a master but nobody answers for the VIP' });
    const healed = once('a', ['--keepalived-config', conf, '--window', '6']);
    assert.equal(healed.status, 0, healed.out);
  });

  // A failover with its gratuitous ARPs counts none: see the graceful failover and preemption above.
  it('a failover whose gratuitous ARPs never reach the segment: counted once for the group and logged, naming the new master', async () => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    // The witness starts after a's own announcements as it took over (a set, and a second 5 s later), so
    // that none of them falls within the window of b's takeover.
    await waitFor("a's second set of gratuitous ARPs", () => lab.log('keepalived-a').match(/Sending\/queueing gratuitous ARPs on eth0/g)?.length === 2, 30_000);
    witness(51, [VIP.v4]);
    await metric('a answering as router', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: A }, 1);
    const G = { interface: 'eth0', family: 'ipv4', vrid: '51' };
    assert.equal(valueOf(m(), 'vrrpwatch_vrid_failovers_without_garp_total', G), 0);
    lab.dropGarps('b', VIP.v4);
    await lab.kill('keepalived-a');
    await metric('the failover counted without a GARP', 'vrrpwatch_vrid_failovers_without_garp_total', G, 1);
    assert.ok(lab.garpsDropped('b', VIP.v4) > 0, 'b sent gratuitous ARPs as it took over, all dropped');
    await metric('b answering as router', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('b'), router: B }, 1);
    await lab.waitForLog('vrrpwatch-w', { finding: 'failover_without_garp' });
    const lines = lab.logs('vrrpwatch-w', { finding: 'failover_without_garp' });
    assert.equal(lines.length, 1, 'logged once');
    const { interface: iface, family, vrid, router, vips, level, msg } = lines[0] ?? {};
    assert.deepEqual(
      { interface: iface, family, vrid, router, vips, level, msg },
      { interface: 'eth0', family: 'ipv4', vrid: 51, router: B, vips: [VIP.v4], level: 40, msg: 'the new master sent no gratuitous ARP or unsolicited NA after the failover' },
    );
  });

  it("use_vmac: the group's virtual MAC answers, named as the master, never a duplicate", async () => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150, useVmac: true }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100, useVmac: true }]);
    witness(51, [VIP.v4]);
    await metric('the virtual MAC answering as a', 'vrrpwatch_vip_owner_info', { ...V4, mac: '00:00:5e:00:01:33', router: A }, 1, 40_000);
    const worst = await worstDuring(() => sleep(8000));
    assert.deepEqual(worst, { duplicate: 0, foreign: 0 });
  });

  it('IPv6: Neighbor Advertisements name the master, and a third host holding the VIP on its eth0 is a foreign owner', async () => {
    lab.keepalived('a', [{ name: 'VI_6', vrid: 61, priority: 150, ipv6: true }]);
    lab.keepalived('b', [{ name: 'VI_6', vrid: 61, priority: 100, ipv6: true }]);
    witness(61, [VIP.v6]);
    const V6 = { interface: 'eth0', vip: VIP.v6 };
    await waitFor("a's MAC answering as a router", () => m()?.find((s) => s.name === 'vrrpwatch_vip_owner_info' && s.labels.vip === VIP.v6 && s.labels.mac === lab.macOf('a') && s.labels.router !== ''), 40_000);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_duplicate', V6), 0);
    lab.exec('c', ['ip', 'addr', 'add', `${VIP.v6}/128`, 'dev', 'eth0', 'nodad']);
    try {
      await metric("c's MAC judged a foreign owner", 'vrrpwatch_vip_foreign_owner', { ...V6, mac: lab.macOf('c') }, 1);
    } finally {
      lab.exec('c', ['ip', 'addr', 'del', `${VIP.v6}/128`, 'dev', 'eth0'], true);
    }
    await notForeign(VIP.v6, lab.macOf('c'));
  });
});
