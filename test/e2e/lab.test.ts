/**
 * vrrpwatch against real keepalived in a namespace lab: nodes a and b, a witness w and a gateway gw on
 * one bridge, documentation addresses only. vrrpwatch `serve` runs on the witness and on each node;
 * the assertions are on their /metrics, their logs and `once` exit codes. Needs root (CI runs as root);
 * without it the lab fails with a clear message rather than skipping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDRESS, BRIDGE, CLI, MACVLAN, sleep, valueOf, VIP, waitFor } from '../../lab/lab.js';
import type { HostName, KeepalivedInstance, Lab, Sample } from '../../lab/lab.js';
import { sampleDuring, useLab } from '../helpers/lab.js';

const A = ADDRESS.a.v4;
const B = ADDRESS.b.v4;
const G51 = { interface: 'eth0', family: 'ipv4', vrid: '51' };
const PASS = 'Zq7s3cr3'; // keepalived uses the first 8 characters

let lab: Lab;

function once(host: HostName, args: string[], prefix: string[] = []): { code: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns(host), ...prefix, process.execPath, CLI, 'once', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Starts keepalived on a and b and vrrpwatch on w, a and b (nodes read their keepalived.conf). */
function pair(a: KeepalivedInstance[], b: KeepalivedInstance[], options: { fifo?: boolean; witnessArgs?: string[] } = {}): { confA: string; confB: string } {
  const confA = lab.keepalived('a', a, { notifyFifo: options.fifo === true });
  const confB = lab.keepalived('b', b, { notifyFifo: options.fifo === true });
  lab.serve('w', ['--peer', A, '--peer', B, '--gateway', ADDRESS.gw.v4, ...(options.witnessArgs ?? [])]);
  lab.serve('a', ['--keepalived-config', confA, '--gateway', ADDRESS.gw.v4]);
  lab.serve('b', ['--keepalived-config', confB, '--gateway', ADDRESS.gw.v4]);
  return { confA, confB };
}

function m(host: HostName): Sample[] | undefined {
  return lab.metrics(host);
}

async function steadyMaster(host: HostName, router: string, labels: Record<string, string> = G51): Promise<void> {
  await waitFor(`${host} to see ${router} as the only master`, () => {
    const s = m(host);
    return valueOf(s, 'vrrpwatch_vrid_masters', labels) === 1 && valueOf(s, 'vrrpwatch_vrid_master_info', { ...labels, router }) === 1;
  }, 20_000);
}

/** Samples split-brain on every observer every 200 ms while `episode` runs; returns every value seen. */
async function watchSplit(hosts: HostName[], labels: Record<string, string>, episode: () => Promise<void>): Promise<Map<HostName, number[]>> {
  const seen = new Map<HostName, number[]>(hosts.map((h) => [h, []]));
  await sampleDuring(episode, () => {
    for (const h of hosts) {
      const v = valueOf(m(h), 'vrrpwatch_vrid_split_brain', labels);
      if (v !== undefined) seen.get(h)?.push(v);
    }
  });
  return seen;
}

function inst(priority: number, extra: Partial<KeepalivedInstance> = {}): KeepalivedInstance {
  return { name: 'VI_1', vrid: 51, priority, authPass: PASS, ...extra };
}

describe('vrrpwatch against real keepalived in a namespace lab', { timeout: 900_000 }, () => {
  lab = useLab(['gw', 'a', 'b', 'w']);

  it('1. master/backup with PASS auth: one master, no findings, once OK everywhere; keepalived state from notify_fifo', async () => {
    pair([inst(150)], [inst(100)], { fifo: true });
    for (const h of ['w', 'a', 'b'] as const) await steadyMaster(h, A);
    await waitFor('the witness to ping both peers', () => valueOf(m('w'), 'vrrpwatch_probe_up', { target: B, role: 'peer' }) === 1, 15_000);
    await waitFor('node a to read MASTER from notify_fifo', () => valueOf(m('a'), 'vrrpwatch_keepalived_state', { keepalived_instance: 'VI_1', state: 'MASTER' }) === 1, 15_000);
    const w = m('w');
    const a = m('a');
    const b = m('b');
    assert.equal(valueOf(w, 'vrrpwatch_vrid_split_brain', G51), 0);
    assert.equal(valueOf(w, 'vrrpwatch_vrid_auth_mismatch', G51), 0);
    assert.equal(valueOf(w, 'vrrpwatch_router_priority', { ...G51, router: A }), 150);
    assert.equal(valueOf(w, 'vrrpwatch_probe_up', { target: ADDRESS.gw.v4, role: 'gateway' }), 1);
    assert.equal(valueOf(a, 'vrrpwatch_node_master', G51), 1);
    assert.equal(valueOf(a, 'vrrpwatch_vip_local', { vip: VIP.v4, interface: 'eth0' }), 1);
    assert.equal(valueOf(a, 'vrrpwatch_vrid_expected', G51), 1);
    assert.equal(valueOf(b, 'vrrpwatch_node_master', G51), 0);
    assert.equal(valueOf(b, 'vrrpwatch_vip_local', { vip: VIP.v4 }), 0);
    assert.equal(valueOf(b, 'vrrpwatch_vip_backup_holding', { vrid: '51', vip: VIP.v4 }), 0);
    for (const field of ['advert_interval', 'addresses']) assert.equal(valueOf(b, 'vrrpwatch_vrid_config_mismatch', { ...G51, field }), 0, `b: ${field}`);
    assert.equal(valueOf(w, 'vrrpwatch_capture_up', { interface: 'eth0' }), 1);
    assert.equal(valueOf(w, 'vrrpwatch_build_info'), 1);
    const ow = once('w', ['--peer', A, '--peer', B]);
    assert.equal(ow.code, 0, ow.out);
    assert.match(ow.out, /^VRRP OK - .*VRID 51 master 192\.0\.2\.11 \| /);
    const oa = once('a', ['--keepalived-config', lab.dir + '/ka-a.conf']);
    assert.equal(oa.code, 0, oa.out);
    assert.match(oa.out, /this node master/);
    const ob = once('b', ['--keepalived-config', lab.dir + '/ka-b.conf']);
    assert.equal(ob.code, 0, ob.out);
  });

  it('1b. runs without root holding only CAP_NET_RAW; without it, once is UNKNOWN and says why', async () => {
    lab.keepalived('a', [inst(150)]);
    const caps = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=+net_raw', '--ambient-caps=+net_raw'];
    lab.serve('w', [], { prefix: caps });
    await steadyMaster('w', A);
    assert.equal(valueOf(m('w'), 'vrrpwatch_capture_up', { interface: 'eth0' }), 1);
    const ok = once('w', [], caps);
    assert.equal(ok.code, 0, ok.out);
    const denied = once('w', [], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    assert.equal(denied.code, 3, denied.out);
    assert.match(denied.out, /^VRRP UNKNOWN - capture cannot start: .*needs root or CAP_NET_RAW/);
    assert.doesNotMatch(denied.out, /at .*\.js:\d+/);
  });

  it('2. graceful failover and preemption back: master changes counted, split-brain never judged', async () => {
    pair([inst(150)], [inst(100)]);
    for (const h of ['w', 'a', 'b'] as const) await steadyMaster(h, A);
    const seen = await watchSplit(['w', 'a', 'b'], G51, async () => {
      await lab.kill('keepalived-a');
      await steadyMaster('w', B);
      await sleep(2000);
      lab.keepalived('a', [inst(150)]);
      await steadyMaster('w', A);
      await sleep(3000);
    });
    for (const [h, values] of seen) {
      // Each sample scrapes three exporters: a loaded machine takes fewer of them, but never fewer than one
      // per second of the episode's own sleeps (5 s) and takeovers.
      assert.ok(values.length >= 8, `${h}: ${values.length} samples`);
      assert.ok(values.every((v) => v === 0), `${h} judged split-brain during a failover: ${values.join('')}`);
    }
    assert.equal(valueOf(m('w'), 'vrrpwatch_vrid_master_changes_total', G51), 2);
  });

  it('3. nopreempt pair: the backup that took over stays master when the other returns, never a split', async () => {
    const np = (p: number): KeepalivedInstance => inst(p, { nopreempt: true });
    pair([np(150)], [np(100)]);
    await steadyMaster('w', A);
    const seen = await watchSplit(['w'], G51, async () => {
      await lab.kill('keepalived-a');
      await steadyMaster('w', B);
      lab.keepalived('a', [np(150)]);
      await sleep(6000);
    });
    assert.ok(seen.get('w')?.every((v) => v === 0));
    await steadyMaster('w', B);
    assert.equal(valueOf(m('w'), 'vrrpwatch_vrid_master_changes_total', G51), 1);
  });

  it('4. dual-master: VRID 51 on a and VRID 52 on b is two healthy groups, no split-brain', async () => {
    const vi = (name: string, vrid: number, p: number, vip: string): KeepalivedInstance => ({ name, vrid, priority: p, authPass: PASS, vips: [vip] });
    pair([vi('VI_51', 51, 150, VIP.v4), vi('VI_52', 52, 100, VIP.v4b)], [vi('VI_51', 51, 100, VIP.v4), vi('VI_52', 52, 150, VIP.v4b)]);
    const G52 = { ...G51, vrid: '52' };
    await steadyMaster('w', A, G51);
    await steadyMaster('w', B, G52);
    await sleep(4000);
    const w = m('w');
    assert.equal(valueOf(w, 'vrrpwatch_vrid_split_brain', G51), 0);
    assert.equal(valueOf(w, 'vrrpwatch_vrid_split_brain', G52), 0);
    assert.equal(valueOf(m('a'), 'vrrpwatch_node_master', G52), 0);
    assert.equal(valueOf(m('b'), 'vrrpwatch_node_master', G52), 1);
    const o = once('w', []);
    assert.equal(o.code, 0, o.out);
  });

  it('5. split-brain from a firewall: judged on the witness and both nodes, once CRITICAL, cleared when healed', async () => {
    const conf = pair([inst(150)], [inst(100)]);
    for (const h of ['w', 'a', 'b'] as const) await steadyMaster(h, A);
    lab.cutVrrp('b', true);
    // Detection latency: from the first sample showing b as a second master to the judgement.
    const second = await waitFor('b to start advertising as a second master', () => (valueOf(m('w'), 'vrrpwatch_vrid_master_info', { ...G51, router: B }) === 1 ? Date.now() : undefined), 15_000, 100);
    const judged = await waitFor('the witness to judge split-brain', () => (valueOf(m('w'), 'vrrpwatch_vrid_split_brain', G51) === 1 ? Date.now() : undefined), 15_000, 100);
    process.stdout.write(`# split-brain detection latency on the witness: ${((judged - second) / 1000).toFixed(1)} s after the second master's first advertisement was visible\n`);
    for (const h of ['a', 'b'] as const) await waitFor(`${h} to judge split-brain`, () => valueOf(m(h), 'vrrpwatch_vrid_split_brain', G51) === 1, 10_000);
    assert.equal(valueOf(m('w'), 'vrrpwatch_vrid_masters', G51), 2);
    const o = once('w', []);
    assert.equal(o.code, 2, o.out);
    assert.match(o.out, /^VRRP CRITICAL - split-brain on VRID 51/);
    for (const [h, file] of [['a', conf.confA], ['b', conf.confB]] as const) {
      const node = once(h, ['--keepalived-config', file]);
      assert.equal(node.code, 2, `${h}: ${node.out}`);
      assert.match(node.out, /^VRRP CRITICAL - split-brain on VRID 51 on eth0: /);
    }
    await lab.waitForLog('vrrpwatch-w', { finding: 'split_brain', msg: 'split-brain: more than one master' });
    lab.cutVrrp('b', false);
    for (const h of ['w', 'a', 'b'] as const) await waitFor(`${h} to clear split-brain`, () => valueOf(m(h), 'vrrpwatch_vrid_split_brain', G51) === 0, 20_000);
    await steadyMaster('w', A);
    await lab.waitForLog('vrrpwatch-w', { msg: 'split-brain ended' });
  });

  it('6. auth mismatch: judged, and the passwords appear in no metric, log or output', async () => {
    const pa = 'Pw4aXXXX';
    const pb = 'Pw4bYYYY';
    pair([inst(150, { authPass: pa })], [inst(100, { authPass: pb })]);
    // keepalived 2.2.7 drops the other's adverts as "invalid passwd", so b too becomes master.
    for (const h of ['w', 'a', 'b'] as const) await waitFor(`${h} to judge an auth mismatch`, () => valueOf(m(h), 'vrrpwatch_vrid_auth_mismatch', G51) === 1, 20_000);
    // keepalived's behaviour past that varies from run to run (one goes quiet keeping the VIP, or they take
    // turns), so the checks are run for their output only: no password may appear in it.
    const ow = once('w', []);
    const oa = once('a', ['--keepalived-config', lab.dir + '/ka-a.conf']);
    const ob = once('b', ['--keepalived-config', lab.dir + '/ka-b.conf']);
    assert.ok([ow, oa, ob].every((o) => /^VRRP (OK|WARNING|CRITICAL) - /.test(o.out)), `${ow.out}\n${oa.out}\n${ob.out}`);
    for (const h of ['w', 'a', 'b'] as const) {
      const texts = [lab.fetch(h, 'http://127.0.0.1:9842/metrics')?.body ?? '', lab.log(`vrrpwatch-${h}`), ow.out, oa.out, ob.out];
      for (const text of texts) assert.ok(!text.includes('Pw4a') && !text.includes('Pw4b'), `a password leaked on ${h}`);
    }
    await lab.waitForLog('vrrpwatch-w', { finding: 'auth_mismatch' });
  });

  it('7. keepalived killed with SIGKILL on the master: the VIP stays behind and that node reports a backup holding it', async () => {
    // With notify_fifo: keepalived's last word here was MASTER, and SIGKILL says nothing more.
    pair([inst(150)], [inst(100)], { fifo: true });
    await steadyMaster('w', A);
    await steadyMaster('a', A);
    await waitFor('node a to read MASTER from notify_fifo', () => valueOf(m('a'), 'vrrpwatch_keepalived_state', { keepalived_instance: 'VI_1', state: 'MASTER' }) === 1, 15_000);
    lab.killKeepalived('a');
    await lab.waitForLog('vrrpwatch-a', { msg: 'keepalived closed notify_fifo (stopped or killed): its states are forgotten until it reports again' });
    assert.equal(valueOf(m('a'), 'vrrpwatch_keepalived_state', { keepalived_instance: 'VI_1', state: 'MASTER' }), undefined);
    await steadyMaster('w', B);
    assert.match(lab.exec('a', ['ip', '-o', 'addr', 'show', 'dev', 'eth0']), /192\.0\.2\.100\//);
    await waitFor('a to report a backup holding the VIP', () => valueOf(m('a'), 'vrrpwatch_vip_backup_holding', { vrid: '51', vip: VIP.v4 }) === 1, 15_000);
    assert.equal(valueOf(m('b'), 'vrrpwatch_vip_backup_holding', { vrid: '51', vip: VIP.v4 }), 0);
    assert.equal(valueOf(m('b'), 'vrrpwatch_node_master', G51), 1);
    // Node findings reach the log at the exporter's next re-judgement, within a second.
    await lab.waitForLog('vrrpwatch-a', { finding: 'backup_holding_vip' }, 3000);
    const o = once('a', ['--keepalived-config', lab.dir + '/ka-a.conf']);
    assert.equal(o.code, 2, o.out);
    assert.match(o.out, /holds VIP 192\.0\.2\.100 of VRID 51 on eth0 but is not master/);
  });

  it('8. unicast peers with the witness listed: the witness sees and judges the group', async () => {
    const W = ADDRESS.w.v4;
    pair([inst(150, { unicastPeers: [B, W] })], [inst(100, { unicastPeers: [A, W] })]);
    await steadyMaster('w', A);
    lab.cutVrrp('b', true);
    await waitFor('the witness to judge the unicast split-brain', () => valueOf(m('w'), 'vrrpwatch_vrid_split_brain', G51) === 1, 20_000);
  });

  it('9. VRRPv3 over IPv6: one master, then a split-brain', async () => {
    const v6 = (p: number): KeepalivedInstance => ({ name: 'VI_6', vrid: 61, priority: p, ipv6: true });
    pair([v6(150)], [v6(100)]);
    const G61 = { interface: 'eth0', family: 'ipv6', vrid: '61' };
    const A6 = lab.exec('a', ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']).match(/inet6 (fe80::[0-9a-f:]+)\//)?.[1];
    assert.ok(A6 !== undefined, 'a has a link-local address');
    await steadyMaster('w', A6, G61);
    // The nodes know their own role from their link-local source address, and hold the IPv6 VIP.
    await steadyMaster('a', A6, G61);
    await waitFor('a to see itself as master of the IPv6 group', () => valueOf(m('a'), 'vrrpwatch_node_master', G61) === 1, 10_000);
    assert.equal(valueOf(m('a'), 'vrrpwatch_vip_local', { vip: VIP.v6, vrid: '61' }), 1);
    assert.equal(valueOf(m('b'), 'vrrpwatch_node_master', G61), 0);
    assert.equal(valueOf(m('b'), 'vrrpwatch_vip_backup_holding', { vip: VIP.v6, vrid: '61' }), 0);
    for (const field of ['advert_interval', 'addresses']) assert.equal(valueOf(m('b'), 'vrrpwatch_vrid_config_mismatch', { ...G61, field }), 0, `b: ${field}`);
    lab.cutVrrp('b', true);
    await waitFor('the witness to judge the IPv6 split-brain', () => valueOf(m('w'), 'vrrpwatch_vrid_split_brain', G61) === 1, 20_000);
    await waitFor('b to judge the IPv6 split-brain', () => valueOf(m('b'), 'vrrpwatch_vrid_split_brain', G61) === 1, 10_000);
  });

  it('10. track_script weight drops the master below the backup: a failover, never a split-brain', async () => {
    lab.track('chk', true);
    pair([inst(150, { trackFile: { name: 'chk', weight: -100 } })], [inst(100)]);
    await steadyMaster('w', A);
    const seen = await watchSplit(['w', 'a', 'b'], G51, async () => {
      lab.track('chk', false);
      await steadyMaster('w', B);
      await sleep(4000);
    });
    for (const [h, values] of seen) assert.ok(values.every((v) => v === 0), `${h} judged split-brain on a priority change: ${values.join('')}`);
    assert.equal(valueOf(m('w'), 'vrrpwatch_router_priority', { ...G51, router: A }), 50);
    assert.ok((valueOf(m('w'), 'vrrpwatch_vrid_master_changes_total', G51) ?? 0) >= 1);
  });

  it("11. the witness's interface goes down and up: the capture recovers without a restart", async () => {
    pair([inst(150)], [inst(100)]);
    await steadyMaster('w', A);
    lab.exec('w', ['ip', 'link', 'set', 'eth0', 'down']);
    await waitFor('capture_up to drop to 0', () => valueOf(m('w'), 'vrrpwatch_capture_up', { interface: 'eth0' }) === 0, 10_000);
    await lab.waitForLog('vrrpwatch-w', { msg: 'capture down' });
    lab.exec('w', ['ip', 'link', 'set', 'eth0', 'up']);
    await waitFor('capture_up back at 1', () => valueOf(m('w'), 'vrrpwatch_capture_up', { interface: 'eth0' }) === 1, 10_000);
    const before = valueOf(m('w'), 'vrrpwatch_adverts_total', { ...G51, router: A }) ?? 0;
    await waitFor('adverts counted again', () => (valueOf(m('w'), 'vrrpwatch_adverts_total', { ...G51, router: A }) ?? 0) >= before + 2, 10_000);
  });

  it('11b. a named capture interface disappears and is made again: capture_up follows it, without a restart', async () => {
    lab.addMacvlan('w');
    lab.keepalived('a', [inst(150)]);
    lab.serve('w', ['-i', MACVLAN]);
    const GM = { ...G51, interface: MACVLAN };
    await steadyMaster('w', A, GM);
    lab.exec('w', ['ip', 'link', 'del', MACVLAN]);
    await waitFor('capture_up to drop to 0', () => valueOf(m('w'), 'vrrpwatch_capture_up', { interface: MACVLAN }) === 0, 10_000);
    await lab.waitForLog('vrrpwatch-w', { interface: 'mv0', problem: 'the interface disappeared', msg: 'capture down' });
    lab.addMacvlan('w');
    await waitFor('capture_up back at 1', () => valueOf(m('w'), 'vrrpwatch_capture_up', { interface: MACVLAN }) === 1, 10_000);
    const before = valueOf(m('w'), 'vrrpwatch_adverts_total', { ...GM, router: A }) ?? 0;
    await waitFor('adverts counted again', () => (valueOf(m('w'), 'vrrpwatch_adverts_total', { ...GM, router: A }) ?? 0) >= before + 2, 10_000);
  });

  it('12. the gateway host goes away: the gateway probe reports it', async () => {
    const config = join(lab.dir, 'w.yml');
    writeFileSync(config, `gateway: ${ADDRESS.gw.v4}\nprobe:\n  interval_seconds: 1\n  timeout_seconds: 1\n  count: 2\n`);
    lab.keepalived('a', [inst(150)]);
    lab.serve('w', ['-c', config]);
    await waitFor('the gateway to answer', () => valueOf(m('w'), 'vrrpwatch_probe_up', { target: ADDRESS.gw.v4, role: 'gateway' }) === 1, 15_000);
    lab.exec('gw', ['ip', 'link', 'set', 'eth0', 'down']);
    await waitFor('the gateway probe to fail', () => valueOf(m('w'), 'vrrpwatch_probe_up', { target: ADDRESS.gw.v4, role: 'gateway' }) === 0, 15_000);
    assert.equal(valueOf(m('w'), 'vrrpwatch_probe_loss_ratio', { target: ADDRESS.gw.v4, role: 'gateway' }), 1);
    await lab.waitForLog('vrrpwatch-w', { finding: 'probe_down', msg: 'gateway does not answer ping' });
    const o = once('w', ['--gateway', ADDRESS.gw.v4]);
    assert.equal(o.code, 1, o.out);
    assert.match(o.out, /^VRRP WARNING - gateway 192\.0\.2\.1 does not answer ping/);
  });

  it("13. keepalived's use_vmac on the nodes, a bridge on the witness: each group seen once, under keepalived's interface", async () => {
    lab.bridgeEth0('w');
    const { confA } = pair([inst(150, { useVmac: true })], [inst(100, { useVmac: true })]);
    await steadyMaster('w', A, { ...G51, interface: BRIDGE });
    for (const h of ['a', 'b'] as const) await steadyMaster(h, A);
    assert.match(lab.exec('a', ['ip', '-o', 'addr', 'show', 'dev', 'vrrp.51']), /192\.0\.2\.100\//);
    // The vmac interface and the bridge port see the same adverts as eth0 and the bridge: not captured.
    const interfaces = (h: 'a' | 'b' | 'w', metric: string): string[] => [...new Set((m(h) ?? []).filter((s) => s.name === metric).map((s) => s.labels.interface ?? ''))].sort();
    for (const h of ['a', 'b'] as const) {
      assert.deepEqual(interfaces(h, 'vrrpwatch_vrid_masters'), ['eth0'], h);
      assert.deepEqual(interfaces(h, 'vrrpwatch_capture_up'), ['eth0'], h);
    }
    assert.deepEqual(interfaces('w', 'vrrpwatch_vrid_masters'), [BRIDGE]);
    assert.deepEqual(interfaces('w', 'vrrpwatch_capture_up'), [BRIDGE]);
    assert.equal(valueOf(m('a'), 'vrrpwatch_vip_local', { vip: VIP.v4, interface: 'vrrp.51' }), 1);
    await lab.waitForLog('vrrpwatch-a', { skipped: { 'vrrp.51': 'stacked on eth0, captured there' } });
    const ok = once('a', ['--keepalived-config', confA]);
    assert.equal(ok.code, 0, ok.out);
    lab.cutVrrp('b', true);
    await waitFor('the witness to judge split-brain on the bridge', () => valueOf(m('w'), 'vrrpwatch_vrid_split_brain', { ...G51, interface: BRIDGE }) === 1, 15_000);
    await waitFor('a to judge split-brain on eth0', () => valueOf(m('a'), 'vrrpwatch_vrid_split_brain', G51) === 1, 10_000);
    const split = once('a', ['--keepalived-config', confA]);
    assert.equal(split.code, 2, split.out);
    assert.match(split.out, /^VRRP CRITICAL - split-brain on VRID 51 on eth0: [^;|]+ \| /);
  });

  it('14. multicast stops reaching the witness (its switch port): adverts blocked while the peers answer ping', async () => {
    const config = join(lab.dir, 'w.yml');
    writeFileSync(config, `peers: [${A}, ${B}]\ngroups:\n  - vrid: 51\n    vips: [${VIP.v4}]\nprobe: { interval_seconds: 1, timeout_seconds: 1, count: 2 }\n`);
    lab.keepalived('a', [inst(150)]);
    lab.keepalived('b', [inst(100)]);
    lab.serve('w', ['-c', config]);
    await steadyMaster('w', A);
    await waitFor('the witness to ping both peers', () => valueOf(m('w'), 'vrrpwatch_probe_up', { target: B, role: 'peer' }) === 1, 15_000);
    assert.equal(valueOf(m('w'), 'vrrpwatch_vrid_adverts_blocked', G51), 0);
    lab.multicastTo('w', false);
    await waitFor('the witness to judge the adverts blocked', () => valueOf(m('w'), 'vrrpwatch_vrid_adverts_blocked', G51) === 1, 15_000);
    assert.equal(valueOf(m('w'), 'vrrpwatch_probe_up', { target: A, role: 'peer' }), 1);
    await lab.waitForLog('vrrpwatch-w', { finding: 'adverts_blocked', msg: 'peers answer ping but no advertisement of the group arrives: VRRP is blocked' });
    const o = once('w', ['-c', config]);
    assert.match(o.out, /no advertisement of VRID 51 .*arrives although peers answer ping: VRRP blocked\?/);
    lab.multicastTo('w', true);
    await waitFor('the adverts to be heard again', () => valueOf(m('w'), 'vrrpwatch_vrid_adverts_blocked', G51) === 0, 15_000);
    await steadyMaster('w', A);
  });

  it("15. VRRP dropped on its way out of the master: only that node can tell, from keepalived's word, and judges the split-brain", async () => {
    pair([inst(150)], [inst(100)], { fifo: true });
    for (const h of ['w', 'a', 'b'] as const) await steadyMaster(h, A);
    await waitFor('node a to read MASTER from notify_fifo', () => valueOf(m('a'), 'vrrpwatch_keepalived_state', { keepalived_instance: 'VI_1', state: 'MASTER' }) === 1, 15_000);
    lab.cutVrrp('a', true, 'OUTPUT');
    // b hears nothing and takes over; a hears b's lower priority and stays master: both hold the VIP.
    await steadyMaster('w', B);
    await waitFor('a to judge split-brain', () => valueOf(m('a'), 'vrrpwatch_vrid_split_brain', G51) === 1, 15_000);
    assert.match(lab.exec('b', ['ip', '-o', 'addr', 'show', 'dev', 'eth0']), /192\.0\.2\.100\//);
    assert.match(lab.exec('a', ['ip', '-o', 'addr', 'show', 'dev', 'eth0']), /192\.0\.2\.100\//);
    // The witness and b hear one master; only the VIP held twice (VrrpVipOnSeveralNodes) shows it there.
    assert.equal(valueOf(m('w'), 'vrrpwatch_vrid_split_brain', G51), 0);
    assert.equal(valueOf(m('b'), 'vrrpwatch_vip_local', { vip: VIP.v4 }), 1);
    await lab.waitForLog('vrrpwatch-a', {
      finding: 'split_brain',
      routers: ['192.0.2.12'],
      msg: "split-brain: keepalived here is MASTER and another router advertises as master; this node's adverts are not seen leaving it",
    });
    lab.cutVrrp('a', false, 'OUTPUT');
    await waitFor('a to clear the split-brain', () => valueOf(m('a'), 'vrrpwatch_vrid_split_brain', G51) === 0, 15_000);
    await steadyMaster('w', A);
  });

  it('16. a wrong virtual_router_id on b: each VRID has one master, both hold the VIP, judged as a split-brain across VRIDs', async () => {
    pair([inst(150)], [inst(100, { vrid: 52 })]);
    const G52 = { ...G51, vrid: '52' };
    await steadyMaster('w', A, G51);
    await steadyMaster('w', B, G52);
    for (const labels of [G51, G52]) {
      await waitFor(`the witness to judge the VIP conflict on VRID ${labels.vrid}`, () => valueOf(m('w'), 'vrrpwatch_vrid_vip_conflict', labels) === 1, 10_000);
      assert.equal(valueOf(m('w'), 'vrrpwatch_vrid_split_brain', labels), 0, 'each group alone has one master');
    }
    await lab.waitForLog('vrrpwatch-w', { finding: 'vip_conflict', vip: '192.0.2.100', other_vrids: [52], msg: "split-brain across VRIDs: another VRID's master advertises this group's VIP" });
    const o = once('w', []);
    assert.equal(o.code, 2, o.out);
    assert.match(o.out, /^VRRP CRITICAL - VIP 192\.0\.2\.100 of VRID 51 on eth0 is also advertised by the master of VRID 52 \(192\.0\.2\.12\): both hold it/);
    // b gets the right VRID back: it hears a, stays backup and drops the address.
    lab.keepalived('b', [inst(100)]);
    await waitFor('the conflict to end', () => valueOf(m('w'), 'vrrpwatch_vrid_vip_conflict', G51) === 0, 20_000);
    await steadyMaster('w', A, G51);
  });

  it('17. advert_int differs on the backup: it drops the master\'s adverts and takes the VIP without advertising; its node pages and names the cause', async () => {
    const { confB } = pair([inst(150)], [inst(100, { advertInt: 2 })]);
    const field = { ...G51, field: 'advert_interval' };
    // keepalived 2.2.7 on b logs "advertisement interval mismatch", times out, enters MASTER and sets the
    // VIP, yet the witness hears a alone as master: a split only b's own view shows.
    await steadyMaster('b', A);
    await waitFor('b to hold the VIP', () => /192\.0\.2\.100\//.test(lab.exec('b', ['ip', '-o', 'addr', 'show', 'dev', 'eth0'])), 15_000);
    await waitFor('b to report holding the VIP without being master', () => valueOf(m('b'), 'vrrpwatch_vip_backup_holding', { vrid: '51', vip: VIP.v4 }) === 1, 15_000);
    await waitFor("b to judge a's interval against its keepalived.conf", () => valueOf(m('b'), 'vrrpwatch_vrid_config_mismatch', field) === 1, 15_000);
    await lab.waitForLog('vrrpwatch-b', { finding: 'config_mismatch', field: 'advert_interval', config: /ka-b\.conf:\d+$/, msg: "the master's adverts disagree with this node's config" });
    const o = once('b', ['--keepalived-config', confB]);
    assert.equal(o.code, 2, o.out);
    assert.match(o.out, /^VRRP CRITICAL - this node holds VIP 192\.0\.2\.100 of VRID 51 on eth0 but is not master; /);
    // The group's detail line names the cause. (When once's window covers three probe rounds, both hosts
    // answering ARP for the VIP is also judged, and listed before it: a split on the wire, which it is.)
    assert.match(o.out, /\nVRID 51 on eth0: .*; advert_interval of the master differs from this node's \S+ka-b\.conf:\d+\n/);
  });
});
