/**
 * What 20 reloads switching the capture between eth0 and `any` leave behind, for `npm run bench`: the
 * share of a core `vrrpwatch serve` uses afterwards, beside the share before them. A capture session
 * left open after its reload would keep reading (and the process busy); the e2e test checks that one
 * packet socket is left, this prints the CPU figure.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, sleep, waitFor } from '../lab/lab.js';
import { cpuSeconds, labSkipped } from './lab-serve.js';
import { beside, heading } from './machine.js';

const RELOADS = 20;
const MEASURE_MS = 4000;

async function share(pid: number): Promise<number> {
  const cpu0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  await sleep(MEASURE_MS);
  return (cpuSeconds(pid) - cpu0) / (Number(process.hrtime.bigint() - t0) / 1e9);
}

export async function benchReloads(): Promise<void> {
  heading(`vrrpwatch serve after ${RELOADS} reloads switching the capture between eth0 and any (namespace lab)`);
  const skipped = labSkipped();
  if (skipped !== undefined) {
    console.log(`  skipped: ${skipped}`);
    return;
  }
  const lab = new Lab(['a', 'w']);
  try {
    lab.create();
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150, state: 'MASTER' }]);
    const config = join(lab.dir, 'w.yml');
    writeFileSync(config, 'interfaces: [eth0]\n');
    const pid = lab.serve('w', ['-c', config]).pid;
    if (pid === undefined) throw new Error('vrrpwatch serve did not start');
    await waitFor('the capture on eth0', () => lab.logs('vrrpwatch-w', { interface: 'eth0', msg: 'capture running' })[0], 15_000);
    await sleep(5000);
    const before = await share(pid);
    for (let i = 1; i <= RELOADS; i++) {
      writeFileSync(config, `interfaces: [${i % 2 === 1 ? 'any' : 'eth0'}]\n`);
      process.kill(pid, 'SIGHUP');
      await waitFor(`reload ${i}`, () => lab.logs('vrrpwatch-w', { msg: 'config reloaded' }).length === i || undefined, 15_000);
      await sleep(300);
    }
    const after = await share(pid);
    console.log(`  ${beside(`${(100 * before).toFixed(2)}% of a core before, ${(100 * after).toFixed(2)}% after, over ${MEASURE_MS / 1000} s each`, 'under 20% after: a session left reading takes a whole core', after < 0.2)}`);
  } finally {
    lab.destroy();
  }
}
