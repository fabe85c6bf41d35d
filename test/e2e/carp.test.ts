/**
 * CARP beside VRRP: a ucarp pair (c and d) on the segment of a keepalived pair (a and b), vrrpwatch
 * serve on the witness w. CARP shares protocol 112 and 224.0.0.18; with its vhid equal to keepalived's
 * VRID, keepalived 2.2.7 reads the CARP adverts as its own VRID's: its master logs `vrrp packet too
 * short` and the VRID flaps. This pins what vrrpwatch shows of it today: CARP counted as `not_vrrp`,
 * never as a router of the group, and the flaps as master changes. Needs root, keepalived and ucarp.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADDRESS, CLI, valueOf, waitFor } from '../../lab/lab.js';
import type { HostName, KeepalivedInstance, Lab } from '../../lab/lab.js';
import { useLab } from '../helpers/lab.js';

const G51 = { interface: 'eth0', family: 'ipv4', vrid: '51' };
const NOT_VRRP = { interface: 'eth0', reason: 'not_vrrp' };

let lab: Lab;

function once(host: HostName, args: string[] = []): { code: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns(host), process.execPath, CLI, 'once', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

function inst(priority: number): KeepalivedInstance {
  return { name: 'VI_1', vrid: 51, priority, authPass: 'Zq7s3cr3' };
}

describe('a ucarp pair beside a keepalived pair', { timeout: 300_000 }, () => {
  lab = useLab(['gw', 'a', 'b', 'c', 'd', 'w']);

  it("with keepalived's VRID as vhid: CARP is counted as not_vrrp, never a router, and the VRID flaps", async () => {
    lab.keepalived('a', [inst(150)]);
    lab.keepalived('b', [inst(100)]);
    lab.serve('w');
    await waitFor('the witness to see a as master', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_master_info', { ...G51, router: ADDRESS.a.v4 }) === 1, 20_000);
    assert.equal(valueOf(lab.metrics('w'), 'vrrpwatch_packets_invalid_total', NOT_VRRP), 0);
    const changesBefore = valueOf(lab.metrics('w'), 'vrrpwatch_vrid_master_changes_total', G51) ?? 0;
    lab.ucarp('c', { vhid: 51 });
    lab.ucarp('d', { vhid: 51, advskew: 100 });
    await lab.waitForOutput('keepalived-a', /vrrp packet too short/, 20_000);
    await waitFor('the witness to count CARP adverts as not_vrrp', () => (valueOf(lab.metrics('w'), 'vrrpwatch_packets_invalid_total', NOT_VRRP) ?? 0) >= 5, 20_000);
    await waitFor('VRID 51 to flap (two more master changes)', () => (valueOf(lab.metrics('w'), 'vrrpwatch_vrid_master_changes_total', G51) ?? 0) >= changesBefore + 2, 60_000, 500);
    const w = lab.metrics('w');
    for (const host of ['c', 'd'] as const) {
      assert.equal(valueOf(w, 'vrrpwatch_adverts_total', { ...G51, router: ADDRESS[host].v4 }), undefined, `CARP from ${host} taken for VRRP`);
    }
    const routers = new Set((w ?? []).filter((s) => s.name === 'vrrpwatch_router_priority').map((s) => s.labels.router));
    assert.deepEqual([...routers].sort(), [ADDRESS.a.v4, ADDRESS.b.v4]);

    // The flaps connected to their cause: foreign traffic on VRID 51, naming the CARP hosts and the vhid.
    assert.equal(valueOf(w, 'vrrpwatch_vrid_foreign_adverts', { ...G51, protocol: 'carp' }), 1);
    const started = await lab.waitForLog('vrrpwatch-w', { interface: 'eth0', family: 'ipv4', vrid: 51, finding: 'foreign_traffic', protocol: 'carp', vhid: 51, msg: 'CARP traffic uses this VRID' });
    assert.match(String((started.sources as unknown[] | undefined)?.[0]), /^192\.0\.2\.1[34]$/);
    const o = once('w');
    assert.equal(o.code, 1, o.out);
    // Only CARP's master advertises: within once's window that is c (d, with advskew 100, is its backup).
    assert.match(o.out, /^VRRP WARNING - CARP traffic uses the VRID of VRID 51 on eth0 \(vhid 51 from 192\.0\.2\.1[34](, 192\.0\.2\.1[34])?\): its routers read it as their own adverts and flap \|/);
    lab.stop('ucarp-c');
    lab.stop('ucarp-d');
    await waitFor('the foreign traffic to end after its hold time', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_foreign_adverts', { ...G51, protocol: 'carp' }) === 0, 30_000);
    await lab.waitForLog('vrrpwatch-w', { finding: 'foreign_traffic', msg: 'ended: CARP traffic uses this VRID' });
  });

  it('with another vhid: CARP is still counted as not_vrrp, and keepalived is left alone', async () => {
    lab.keepalived('a', [inst(150)]);
    lab.keepalived('b', [inst(100)]);
    lab.serve('w');
    await waitFor('the witness to see a as master', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_master_info', { ...G51, router: ADDRESS.a.v4 }) === 1, 20_000);
    const changesBefore = valueOf(lab.metrics('w'), 'vrrpwatch_vrid_master_changes_total', G51);
    lab.ucarp('c', { vhid: 61 });
    lab.ucarp('d', { vhid: 61, advskew: 100 });
    // Some 15 CARP adverts: long enough for the flaps the same vhid causes within a few seconds.
    await waitFor('the witness to count CARP adverts as not_vrrp', () => (valueOf(lab.metrics('w'), 'vrrpwatch_packets_invalid_total', NOT_VRRP) ?? 0) >= 15, 30_000);
    const w = lab.metrics('w');
    assert.equal(valueOf(w, 'vrrpwatch_vrid_master_changes_total', G51), changesBefore);
    assert.equal(valueOf(w, 'vrrpwatch_vrid_master_info', { ...G51, router: ADDRESS.a.v4 }), 1);
    assert.doesNotMatch(lab.log('keepalived-a'), /vrrp packet too short/);
    assert.equal(valueOf(w, 'vrrpwatch_vrid_foreign_adverts', { ...G51, protocol: 'carp' }), undefined);
    assert.deepEqual(lab.logs('vrrpwatch-w', { finding: 'foreign_traffic' }), []);
    const o = once('w');
    assert.equal(o.code, 0, o.out);
    assert.doesNotMatch(o.out, /CARP/);
  });
});
