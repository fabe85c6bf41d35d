/**
 * The failover risk on real keepalived (docs/judgement.md): a clean pair is never at risk, at advert_int 1
 * (VRRPv2) and 0.1 (VRRPv3) alike; a master that loses a quarter of its adverts at random on its way out
 * (iptables statistic on its OUTPUT) is at risk within 2 minutes, whether or not the backup takes over
 * meanwhile. Judged by a witness's exporter, as a monitoring host sees it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, valueOf, VIP, waitFor } from '../../lab/lab.js';
import type { KeepalivedInstance } from '../../lab/lab.js';
import { useLab } from '../helpers/lab.js';

const G51 = { interface: 'eth0', family: 'ipv4', vrid: '51' };
const G52 = { interface: 'eth0', family: 'ipv4', vrid: '52' };

/** VRID 51 at 1 s (VRRPv2) and VRID 52 at 0.1 s (VRRPv3), a master over b. */
function pair(priority: number): KeepalivedInstance[] {
  return [
    { name: 'VI_1', vrid: 51, priority, vips: [VIP.v4] },
    { name: 'VI_2', vrid: 52, priority, vips: [VIP.v4b], advertInt: 0.1, version: 3 },
  ];
}

/** Every JSON line of a process's output, parsed. */
function logLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('failover risk with real keepalived', { timeout: 300_000 }, () => {
  const lab = useLab(['a', 'b', 'w']);

  it('a clean pair at advert_int 1 and 0.1 is never at risk over two minutes', async () => {
    lab.keepalived('a', pair(150));
    lab.keepalived('b', pair(100));
    lab.serve('w');
    await waitFor('w to see both groups with a master', () => {
      const s = lab.metrics('w');
      return valueOf(s, 'vrrpwatch_vrid_masters', G51) === 1 && valueOf(s, 'vrrpwatch_vrid_masters', G52) === 1;
    }, 30_000);
    const until = Date.now() + 120_000;
    let samples = 0;
    while (Date.now() < until) {
      const s = lab.metrics('w');
      if (s !== undefined) {
        samples++;
        assert.equal(valueOf(s, 'vrrpwatch_vrid_failover_risk', G51), 0, 'VRID 51 (1 s) not at risk');
        assert.equal(valueOf(s, 'vrrpwatch_vrid_failover_risk', G52), 0, 'VRID 52 (0.1 s) not at risk');
      }
      await sleep(2000);
    }
    assert.ok(samples >= 30, `scraped ${samples} times`);
    const s = lab.metrics('w');
    // Ten adverts a second for two minutes, each gap counted in intervals: nearly all within 1.5.
    const count = valueOf(s, 'vrrpwatch_vrid_advert_gap_intervals_count', G52) ?? 0;
    assert.ok(count > 1000, `VRID 52's gaps counted: ${count}`);
    assert.ok((valueOf(s, 'vrrpwatch_vrid_advert_gap_margin_seconds', G51) ?? 0) > 2, 'a margin of the deadline less one interval');
    assert.deepEqual(logLines(lab.log('vrrpwatch-w')).filter((l) => l.finding === 'failover_risk'), [], 'no failover_risk line');
  });

  it('a master losing a quarter of its adverts at random is at risk within 2 minutes', async () => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150, vips: [VIP.v4] }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100, vips: [VIP.v4] }]);
    lab.serve('w');
    await waitFor('w to see a as the master', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_masters', G51) === 1, 30_000);
    lab.exec('a', ['iptables', '-A', 'OUTPUT', '-p', '112', '-m', 'statistic', '--mode', 'random', '--probability', '0.25', '-j', 'DROP']);
    const lossFrom = Date.now();
    await waitFor('w to judge VRID 51 at risk', () => valueOf(lab.metrics('w'), 'vrrpwatch_vrid_failover_risk', G51) === 1, 120_000, 1000);
    const tookS = Math.round((Date.now() - lossFrom) / 1000);
    const s = lab.metrics('w');
    assert.ok((valueOf(s, 'vrrpwatch_vrid_advert_gap_margin_seconds', G51) ?? Infinity) < 1, 'a gap within an interval of the deadline');
    const line = logLines(lab.log('vrrpwatch-w')).find((l) => l.finding === 'failover_risk');
    assert.ok(line !== undefined, `the log says so (at risk after ${tookS} s)`);
    assert.equal(line.level, 40, 'at warn');
    assert.ok(typeof line.near_failovers === 'number' && line.near_failovers >= 1);
    assert.ok(typeof line.missed_adverts === 'number' && line.missed_adverts >= 6);
  });
});
