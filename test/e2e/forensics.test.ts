/**
 * Why each failover happened, against real keepalived in a namespace lab: a pair a/b and a witness w
 * running `vrrpwatch serve`. Each test makes one kind of master change happen and asserts on the
 * witness's log line and its vrrpwatch_vrid_failovers_total{cause}. Needs root, as the other labs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADDRESS, valueOf, waitFor } from '../../lab/lab.js';
import type { KeepalivedInstance, Lab } from '../../lab/lab.js';
import { useLab } from '../helpers/lab.js';

const A = ADDRESS.a.v4;
const B = ADDRESS.b.v4;
const G51 = { interface: 'eth0', family: 'ipv4', vrid: '51' };

let lab: Lab;

function inst(priority: number, extra: Partial<KeepalivedInstance> = {}): KeepalivedInstance {
  return { name: 'VI_1', vrid: 51, priority, ...extra };
}

async function master(router: string): Promise<void> {
  await waitFor(`the witness to see ${router} as the only master`, () => {
    const s = lab.metrics('w');
    return valueOf(s, 'vrrpwatch_vrid_masters', G51) === 1 && valueOf(s, 'vrrpwatch_vrid_master_info', { ...G51, router }) === 1;
  }, 30_000);
}

/** Waits for the witness's failover line from `from` to `to` with this cause. */
async function failover(from: string, to: string, cause: string, words: RegExp): Promise<void> {
  await lab.waitForLog('vrrpwatch-w', { from, to, cause, msg: new RegExp(`^failover: the master changed: ${words.source}`) }, 30_000);
}

function failovers(cause: string): number | undefined {
  return valueOf(lab.metrics('w'), 'vrrpwatch_vrid_failovers_total', { ...G51, cause });
}

describe('failover causes against real keepalived', { timeout: 600_000 }, () => {
  lab = useLab(['a', 'b', 'w']);

  it('a graceful stop of the master is resigned', async () => {
    lab.keepalived('a', [inst(150)]);
    lab.keepalived('b', [inst(100)]);
    lab.serve('w');
    await master(A);
    await lab.kill('keepalived-a');
    await failover(A, B, 'resigned', /the master sent priority 0: a graceful stop \(old master priority 150 -> 0, new master priority 100/);
    assert.equal(failovers('resigned'), 1);
    assert.equal(valueOf(lab.metrics('w'), 'vrrpwatch_router_errors_total', { ...G51, router: A, error: 'priority_zero' }), 1);
  });

  it('SIGKILL of the master is master_down; its return is preempted', async () => {
    lab.keepalived('a', [inst(150)]);
    lab.keepalived('b', [inst(100)]);
    lab.serve('w');
    await master(A);
    lab.killKeepalived('a');
    await failover(A, B, 'master_down', /the master fell silent for its Master_Down_Interval \(old master priority 150, new master priority 100, old master last heard 3\.\d s before\)/);
    lab.keepalived('a', [inst(150)]);
    await failover(B, A, 'preempted', /preempted: the old master was still advertising \(old master priority 100, new master priority 150/);
    assert.equal(failovers('master_down'), 1);
    assert.equal(failovers('preempted'), 1);
    assert.equal(valueOf(lab.metrics('w'), 'vrrpwatch_vrid_master_changes_total', G51), 2);
  });

  it('a track_script that starts failing is priority_drop', async () => {
    lab.track('chk', true);
    lab.keepalived('a', [inst(150, { trackFile: { name: 'chk', weight: -100 } })]);
    lab.keepalived('b', [inst(100)]);
    lab.serve('w');
    await master(A);
    lab.track('chk', false);
    await failover(A, B, 'priority_drop', /the master's own priority fell below the backup's \(a track_script weight\?\) \(old master priority 150 -> 50, new master priority 100/);
    assert.equal(failovers('priority_drop'), 1);
    assert.equal(failovers('preempted'), 0);
  });

  it('a firewall split that heals with the master of record stepping down is split_healed', async () => {
    // b is master alone; a (higher) comes up while b drops VRRP: both master until the firewall goes.
    lab.keepalived('b', [inst(100)]);
    lab.serve('w');
    await master(B);
    lab.cutVrrp('b', true);
    lab.keepalived('a', [inst(150)]);
    await lab.waitForLog('vrrpwatch-w', { finding: 'split_brain', msg: 'split-brain: more than one master' }, 30_000);
    lab.cutVrrp('b', false);
    await failover(B, A, 'split_healed', /a split-brain ended and this side stepped down/);
    await lab.waitForLog('vrrpwatch-w', { msg: 'split-brain ended' }, 10_000);
    assert.equal(failovers('split_healed'), 1);
  });
});
