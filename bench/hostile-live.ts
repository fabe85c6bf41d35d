/**
 * The maximal-advert flood of issue 19 live, for `npm run bench` (root only; figures, no pass/fail):
 * `vrrpwatch serve` on the witness of the namespace lab while a lab host sends 20,000 adverts/s of 255
 * addresses each (32 sources over 17 VLANs x 255 VRIDs) for 30 s, scraped every second. Peak resident
 * memory beside the 150 MB target, scrapes answered, what was decoded, rejected and dropped, and what
 * the log wrote.
 */
import { fileURLToPath } from 'node:url';
import { Lab, sleep, valueOf } from '../lab/lab.js';
import { memory, memoryMiB, scrape } from './lab-serve.js';
import { beside, heading } from './machine.js';

const FLOOD = fileURLToPath(new URL('./flood.js', import.meta.url));
const RATE = 20_000;
const SECONDS = 30;

export async function benchHostileLive(): Promise<void> {
  heading(`the maximal-advert flood live (${RATE.toLocaleString('en')} adverts/s x 255 addresses for ${SECONDS} s, vrrpwatch serve on the witness, scraped every second)`);
  if (process.getuid?.() !== 0) {
    console.log('  skipped: the lab needs root (network namespaces)');
    return;
  }
  const lab = new Lab(['a', 'w']);
  try {
    lab.create();
    const pid = lab.serve('w', ['-i', 'eth0']).pid;
    if (pid === undefined) throw new Error('vrrpwatch serve did not start');
    await sleep(3000);
    const child = lab.start('flood', 'a', [process.execPath, FLOOD, 'eth0', String(RATE), String(SECONDS), 'maximal']);
    const flood = { running: true };
    child.once('exit', () => {
      flood.running = false;
    });
    let scrapes = 0;
    let answered = 0;
    while (flood.running) {
      scrapes++;
      if (scrape(lab) !== undefined) answered++;
      await sleep(1000);
    }
    await sleep(2000);
    const m = lab.metrics('w') ?? [];
    const sent = (JSON.parse(lab.log('flood').trim().split('\n').pop() ?? '{}') as { sent?: number }).sent ?? 0;
    const counted = m.filter((s) => s.name === 'vrrpwatch_adverts_total').reduce((a, s) => a + s.value, 0);
    const truncated = m.filter((s) => s.name === 'vrrpwatch_packets_invalid_total').reduce((a, s) => a + s.value, 0);
    const dropped = valueOf(m, 'vrrpwatch_capture_dropped_packets_total', { interface: 'eth0' }) ?? Number.NaN;
    const received = valueOf(m, 'vrrpwatch_capture_received_packets_total', { interface: 'eth0' }) ?? Number.NaN;
    const groups = m.filter((s) => s.name === 'vrrpwatch_vrid_masters').length;
    const log = lab.log('vrrpwatch-w');
    const heldBack = m.filter((s) => s.name === 'vrrpwatch_log_lines_held_back_total').reduce((a, s) => a + s.value, 0);
    console.log(
      `  sent ${sent.toLocaleString('en')}; ${beside(`peak RSS ${memory(pid, 'VmHWM')}`, 'under 150 MB', memoryMiB(pid, 'VmHWM') * 1.048576 < 150)}; ${answered}/${scrapes} scrapes answered (target: all); ` +
        `adverts counted by the routers still in the tables ${counted.toLocaleString('en')}, ${groups.toLocaleString('en')} groups kept, rejected ${truncated.toLocaleString('en')} (target: 0, decoded not cut), libpcap received ${received.toLocaleString('en')} and dropped ${dropped.toLocaleString('en')}; ` +
        `the log ${log.split('\n').length.toLocaleString('en')} lines, ${(log.length / 1e6).toFixed(2)} MB (its rate bound held back ${heldBack.toLocaleString('en')})`,
    );
  } finally {
    lab.destroy();
  }
}
