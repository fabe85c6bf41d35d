/**
 * Only real findings in the log: real keepalived stopped gracefully (SIGTERM, what `systemctl stop
 * keepalived` sends: a priority-0 advert) on each node in turn while it is master, and started again
 * (the second time with a priority that preempts),
 * while vrrpwatch serves on both nodes (with keepalived.conf, notify_fifo and the peer pinged) and on a
 * witness. Every log line is parsed: no finding starts, and nothing is logged at warn or above, on any
 * of the three.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADDRESS, sleep, valueOf, waitFor } from '../../lab/lab.js';
import type { HostName, KeepalivedInstance } from '../../lab/lab.js';
import { useLab } from '../helpers/lab.js';

const A = ADDRESS.a.v4;
const B = ADDRESS.b.v4;
const G51 = { interface: 'eth0', family: 'ipv4', vrid: '51' };

function inst(priority: number): KeepalivedInstance {
  return { name: 'VI_1', vrid: 51, priority, authPass: 'Zq7s3cr3' };
}

/** Every JSON line of a process's output, parsed. */
function logLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('a graceful stop of keepalived is no finding in any log', { timeout: 600_000 }, () => {
  const lab = useLab(['a', 'b', 'w']);

  it('stops keepalived on a, then on b, each as master and started again: no finding starts, nothing at warn or error', async () => {
    const conf = { a: lab.keepalived('a', [inst(150)], { notifyFifo: true }), b: lab.keepalived('b', [inst(100)], { notifyFifo: true }) };
    lab.serve('a', ['--keepalived-config', conf.a, '--peer', B]);
    lab.serve('b', ['--keepalived-config', conf.b, '--peer', A]);
    lab.serve('w', ['--peer', A, '--peer', B]);
    const steady = async (router: string): Promise<void> => {
      for (const h of ['a', 'b', 'w'] as const) {
        await waitFor(`${h} to see ${router} as the only master`, () => {
          const s = lab.metrics(h);
          return valueOf(s, 'vrrpwatch_vrid_masters', G51) === 1 && valueOf(s, 'vrrpwatch_vrid_master_info', { ...G51, router }) === 1;
        }, 30_000);
      }
    };
    await steady(A);
    // Past the start-up grace of the node judgement, and the lines of the start are left behind.
    await sleep(5000);
    const logs: Record<HostName, number> = { a: 0, b: 0, c: 0, d: 0, w: 0, gw: 0 };
    for (const h of ['a', 'b', 'w'] as const) logs[h] = logLines(lab.log(`vrrpwatch-${h}`)).length;

    // a stops as master; comes back below b; b stops as master; comes back above a and preempts it.
    await lab.kill('keepalived-a');
    await steady(B);
    await sleep(5000);
    lab.keepalived('a', [inst(50)], { notifyFifo: true });
    await sleep(5000);
    await steady(B);
    await lab.kill('keepalived-b');
    await steady(A);
    await sleep(5000);
    lab.keepalived('b', [inst(100)], { notifyFifo: true });
    await steady(B);
    await sleep(5000);

    for (const h of ['a', 'b', 'w'] as const) {
      const lines = logLines(lab.log(`vrrpwatch-${h}`)).slice(logs[h]);
      assert.ok(lines.some((l) => l.from !== undefined && l.to !== undefined), `${h} logged the failovers`);
      const findings = lines.filter((l) => l.finding !== undefined);
      assert.deepEqual(findings, [], `${h}: no finding starts or ends`);
      const loud = lines.filter((l) => typeof l.level === 'number' && l.level >= 40);
      assert.deepEqual(loud, [], `${h}: nothing at warn or error`);
    }
    const causes = lab.metrics('w');
    assert.equal(valueOf(causes, 'vrrpwatch_vrid_failovers_total', { ...G51, cause: 'resigned' }), 2, 'each node stopped as master');
    assert.equal(valueOf(causes, 'vrrpwatch_vrid_failovers_total', { ...G51, cause: 'preempted' }), 1);
  });
});
