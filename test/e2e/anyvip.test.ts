/**
 * Watched VIPs with no VRRP at all, in a namespace lab (hosts a and b hold the VIP by `ip addr`, as
 * kube-vip, MetalLB or Pacemaker's IPaddr2 do; arping sends their gratuitous ARP; a witness w runs
 * `serve --vip` with the VIP probe on). Each case is judged in the metrics, the status API and `once`.
 * Documentation addresses only, inside the lab's namespaces. Needs root.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PORT, valueOf, VIP, waitFor } from '../../lab/lab.js';
import type { HostName, Lab, Sample } from '../../lab/lab.js';
import type { StatusDocument, StatusVip } from '../../src/outputs/status-api.js';
import { useLab } from '../helpers/lab.js';

let lab: Lab;

function m(): Sample[] | undefined {
  return lab.metrics('w');
}

/** The witness's view of the VIP in its status API. */
function apiVip(vip: string): StatusVip | undefined {
  const r = lab.fetch('w', `http://127.0.0.1:${PORT}/api/v1/status`);
  if (r?.status !== 200) return undefined;
  return (JSON.parse(r.body) as StatusDocument).vips.find((v) => v.address === vip);
}

function hold(host: HostName, vip: string, on: boolean): void {
  const cidr = vip.includes(':') ? `${vip}/64` : `${vip}/24`;
  lab.exec(host, ['ip', 'addr', on ? 'add' : 'del', cidr, 'dev', 'eth0', ...(on && vip.includes(':') ? ['nodad'] : [])]);
}

async function metric(what: string, name: string, labels: Record<string, string>, value: number): Promise<void> {
  await waitFor(what, () => valueOf(m(), name, labels) === value, 30_000);
}

describe('watched VIPs without VRRP (real ARP and NDP)', () => {
  lab = useLab(['a', 'b', 'w']);
  const V4 = { interface: 'eth0', vip: VIP.v4 };

  it('announced by gratuitous ARP, taken silently by a second host (a duplicate only the probe finds), moved, then held by nobody', async () => {
    hold('a', VIP.v4, true);
    lab.serve('w', ['-i', 'eth0', '--vip', VIP.v4]);
    await metric('a answering for the VIP', 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: '' }, 1);
    lab.exec('a', ['arping', '-q', '-i', 'eth0', '-U', '-S', VIP.v4, '-c', '2', '-W', '0.2', VIP.v4], true);
    await waitFor('the gratuitous ARP to be seen', () => (valueOf(m(), 'vrrpwatch_vip_last_announcement_timestamp_seconds', V4) ?? 0) > 0, 15_000);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_duplicate', V4), 0);

    hold('b', VIP.v4, true);
    await metric('the duplicate', 'vrrpwatch_vip_duplicate', V4, 1);
    const vip = apiVip(VIP.v4);
    assert.deepEqual(vip?.owners.map((o) => o.mac).sort(), [lab.macOf('a'), lab.macOf('b')].sort());
    assert.deepEqual([vip.watched, vip.groups, vip.findings.map((f) => [f.kind, f.group])], [true, [], [['vip_duplicate', undefined]]]);
    await lab.waitForLog('vrrpwatch-w', { finding: 'vip_duplicate', vip: VIP.v4 });
    const check = spawnSync('ip', ['netns', 'exec', lab.ns('w'), process.execPath, CLI, 'once', '-i', 'eth0', '--vip', VIP.v4, '--window', '9'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(check.status, 2, check.stdout);
    assert.match(check.stdout, new RegExp(`^VRRP CRITICAL - VIP ${VIP.v4.replace(/\./g, '\\.')} on eth0 is answered by .*: split-brain on the wire`));

    hold('a', VIP.v4, false);
    await metric('the duplicate to end', 'vrrpwatch_vip_duplicate', V4, 0);
    await waitFor('b alone, an owner change counted', () => {
      const v = apiVip(VIP.v4);
      return v?.owners.length === 1 && v.owners[0]?.mac === lab.macOf('b') && v.owner_changes >= 1;
    }, 30_000);
    assert.ok((valueOf(m(), 'vrrpwatch_vip_owner_changes_total', V4) ?? 0) >= 1);

    hold('b', VIP.v4, false);
    await metric('nobody answering', 'vrrpwatch_vip_unanswered', V4, 1);
    assert.deepEqual(apiVip(VIP.v4)?.findings.map((f) => f.kind), ['vip_unanswered']);
  });

  it('a shared VIP held by two hosts is never a duplicate; an exclusive IPv6 VIP held by two is', async () => {
    hold('a', VIP.v4, true);
    hold('b', VIP.v4, true);
    hold('a', VIP.v6, true);
    hold('b', VIP.v6, true);
    const config = join(lab.dir, 'w-shared.yml');
    writeFileSync(config, `interfaces: [eth0]\nvips:\n  - address: ${VIP.v4}\n    mode: shared\n  - address: "${VIP.v6}"\n`);
    lab.serve('w', ['-c', config]);
    const V6 = { interface: 'eth0', vip: VIP.v6 };
    await metric('two owners of the shared VIP', 'vrrpwatch_vip_owners', V4, 2);
    await metric('the IPv6 duplicate', 'vrrpwatch_vip_duplicate', V6, 1);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_duplicate', V4), 0);
    const shared = apiVip(VIP.v4);
    assert.deepEqual([shared?.mode, shared?.duplicate, shared?.findings], ['shared', false, []]);
    assert.deepEqual(apiVip(VIP.v6)?.owners.map((o) => o.mac).sort(), [lab.macOf('a'), lab.macOf('b')].sort());
    hold('a', VIP.v6, false);
    hold('b', VIP.v6, false);
  });
});
