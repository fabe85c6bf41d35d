/**
 * vrrpwatch against FRR's vrrpd, a second VRRP implementation: nodes a and b run zebra and vrrpd
 * (VRRPv3 over IPv4 and IPv6 on VRID 51, macvlans with the virtual MACs), the witness w runs vrrpwatch
 * serve. FRR sends IPv4 adverts from eth0's address and IPv6 adverts from the macvlan's random
 * link-local, and keeps the VIPs on its macvlans in protodown while backup. Needs root and the frr
 * package (scripts/setup.sh).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ADDRESS, CLI, sleep, valueOf, VIP, waitFor } from '../../lab/lab.js';
import type { FrrRouter, HostName, Lab } from '../../lab/lab.js';
import { sampleDuring, useLab } from '../helpers/lab.js';

const V4 = { interface: 'eth0', family: 'ipv4', vrid: '51' };
const V6 = { ...V4, family: 'ipv6' };
const A = ADDRESS.a.v4;
const B = ADDRESS.b.v4;

let lab: Lab;

function router(priority: number): FrrRouter {
  return { vrid: 51, priority, vips: [VIP.v4, VIP.v6] };
}

/** FRR on a (priority 150) and b (100), vrrpwatch serve on the witness. */
function pair(): void {
  lab.frr('a', [router(150)]);
  lab.frr('b', [router(100)]);
  lab.serve('w', ['--peer', A, '--peer', B]);
}

/** `vrrpwatch once` inside a host's namespace. */
function once(host: HostName, args: string[] = []): { code: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns(host), process.execPath, CLI, 'once', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** The routers `host` advertises as, per family: eth0's IPv4 address, the IPv6 macvlan's link-local. */
function routersOf(host: HostName): [typeof V4, string][] {
  return [[V4, ADDRESS[host].v4], [V6, lab.linkLocal(host, 'vrrp6-2-51')]];
}

/** Waits until the witness sees `host` as the one master of VRID 51 in both families. */
async function onlyMaster(host: HostName): Promise<void> {
  const routers = routersOf(host);
  await waitFor(`the witness to see ${host} as the only master over IPv4 and IPv6`, () => {
    const s = lab.metrics('w');
    return routers.every(([labels, r]) => valueOf(s, 'vrrpwatch_vrid_masters', labels) === 1 && valueOf(s, 'vrrpwatch_vrid_master_info', { ...labels, router: r }) === 1);
  }, 30_000);
}

describe('vrrpwatch against FRR vrrpd in a namespace lab', { timeout: 600_000 }, () => {
  lab = useLab(['gw', 'a', 'b', 'w']);

  it('steady: one master per family, no split, nothing invalid; once OK on the witness and on both nodes', async () => {
    pair();
    await onlyMaster('a');
    // b may have advertised before a's vrrpd was up (two daemons started one after the other on a busy
    // machine): from now on, a few more rounds in which b must stay silent and nothing be judged.
    const heard = (s: ReturnType<Lab['metrics']>, host: HostName) => routersOf(host).map(([labels, r]) => valueOf(s, 'vrrpwatch_adverts_total', { ...labels, router: r }) ?? 0);
    const before = heard(lab.metrics('w'), 'b');
    await sleep(4000);
    const w = lab.metrics('w');
    for (const [labels, r] of routersOf('a')) {
      assert.equal(valueOf(w, 'vrrpwatch_vrid_split_brain', labels), 0, labels.family);
      assert.equal(valueOf(w, 'vrrpwatch_router_priority', { ...labels, router: r }), 150, labels.family);
      assert.equal(valueOf(w, 'vrrpwatch_router_advert_interval_seconds', { ...labels, router: r }), 1, labels.family);
      for (const field of ['advert_interval', 'addresses', 'version', 'checksum_form']) assert.equal(valueOf(w, 'vrrpwatch_vrid_config_mismatch', { ...labels, field }) ?? 0, 0, `${labels.family} ${field}`);
    }
    assert.deepEqual(heard(w, 'b'), before, 'the backup advertised (IPv4, IPv6 advert counts)');
    const invalid = (w ?? []).filter((s) => s.name === 'vrrpwatch_packets_invalid_total' && s.value > 0);
    assert.deepEqual(invalid, [], 'FRR adverts rejected');
    // With IPv4 peers: FRR's IPv6 adverts come from a random link-local no peer list names, which they leave unjudged.
    const ow = once('w', ['--peer', A, '--peer', B]);
    assert.equal(ow.code, 0, ow.out);
    assert.match(ow.out, /^VRRP OK - 2 groups ok: VRID 51 master 192\.0\.2\.11; VRID 51 master fe80::[0-9a-f:]+ \| /);
    // On the nodes the macvlans are left to eth0: each group once, under the interface FRR names.
    const oa = once('a');
    assert.equal(oa.code, 0, oa.out);
    assert.match(oa.out, /^VRRP OK - 2 groups ok: /);
    assert.match(oa.out, /VRID 51 on eth0: master 192\.0\.2\.11 \(priority 150\) - this node master - ok/);
    // b's VIPs sit on its macvlans in protodown: they answer nothing, so b does not hold them.
    const ob = once('b');
    assert.equal(ob.code, 0, ob.out);
    assert.match(ob.out, /^VRRP OK - 2 groups ok: /);
    assert.doesNotMatch(ob.out, /this node master|holding/);
  });

  it('firewall split: b drops VRRP and becomes a second master; the witness judges split-brain in both families, once CRITICAL, cleared when healed', async () => {
    pair();
    await onlyMaster('a');
    lab.cutVrrp('b', true);
    await waitFor('the witness to judge split-brain over IPv4 and IPv6', () => {
      const s = lab.metrics('w');
      return valueOf(s, 'vrrpwatch_vrid_split_brain', V4) === 1 && valueOf(s, 'vrrpwatch_vrid_split_brain', V6) === 1;
    }, 20_000);
    const w = lab.metrics('w');
    assert.equal(valueOf(w, 'vrrpwatch_vrid_masters', V4), 2);
    assert.equal(valueOf(w, 'vrrpwatch_vrid_masters', V6), 2);
    const o = once('w');
    assert.equal(o.code, 2, o.out);
    assert.match(o.out, /^VRRP CRITICAL - split-brain on VRID 51/);
    lab.cutVrrp('b', false);
    // b hears a again, which has the higher priority: it steps down.
    await onlyMaster('a');
    await waitFor('the witness to clear split-brain', () => {
      const s = lab.metrics('w');
      return valueOf(s, 'vrrpwatch_vrid_split_brain', V4) === 0 && valueOf(s, 'vrrpwatch_vrid_split_brain', V6) === 0;
    }, 20_000);
  });

  it('graceful stop: SIGTERM to vrrpd sends priority 0, b takes over in both families, never a split', async () => {
    pair();
    await onlyMaster('a');
    const seen: number[] = [];
    const resigned = routersOf('a');
    await sampleDuring(
      async () => {
        await lab.kill('vrrpd-a');
        await onlyMaster('b');
        await sleep(3000);
      },
      () => {
        const s = lab.metrics('w');
        for (const labels of [V4, V6]) {
          const v = valueOf(s, 'vrrpwatch_vrid_split_brain', labels);
          if (v !== undefined) seen.push(v);
        }
      },
    );
    assert.ok(seen.length > 20, `${seen.length} samples`);
    assert.ok(seen.every((v) => v === 0), `split-brain judged during a graceful stop: ${seen.join('')}`);
    const w = lab.metrics('w');
    for (const [labels, r] of resigned) {
      assert.equal(valueOf(w, 'vrrpwatch_router_priority', { ...labels, router: r }), 0, `a's last ${labels.family} advert`);
      assert.equal(valueOf(w, 'vrrpwatch_vrid_master_changes_total', labels), 1, labels.family);
    }
  });
});
