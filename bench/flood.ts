/**
 * Sends VRRPv2 advertisements from inside a lab namespace at a steady rate, for `npm run bench`:
 * 1,000 groups (VLANs 101-104 x VRIDs 1-250) x 4 routers (192.0.2.31-34), round robin, with libpcap's
 * inject. Run as `flood IFACE RATE SECONDS [maximal]`; with `maximal`, the adverts of issue 19's
 * hostile capture instead (255 addresses each, 32 sources over 17 VLANs x 255 VRIDs, see
 * test/helpers/maximal.ts), made as they are sent. Prints {"sent": N, "seconds": S} when done. Only for
 * the lab: it writes to the given interface of the namespace it runs in.
 */
import { createRequire } from 'node:module';
import { vrrpFrame } from '../test/helpers/fixtures.js';
import { maximalFloodFrame } from '../test/helpers/maximal.js';

interface InjectSession {
  inject(frame: Buffer): void;
  close(): void;
}
interface PcapInject {
  createSession(device: string, options: { filter: string }): InjectSession;
}

const [iface = '', rateText = '', secondsText = '', kind = 'small'] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
if (iface === '' || !(rate > 0) || !(seconds > 0) || (kind !== 'small' && kind !== 'maximal')) {
  console.error('usage: flood IFACE RATE SECONDS [maximal]');
  process.exit(2);
}

const frames: Buffer[] = [];
if (kind === 'small') {
  for (let vlan = 101; vlan <= 104; vlan++) {
    for (let vrid = 1; vrid <= 250; vrid++) for (let r = 0; r < 4; r++) frames.push(vrrpFrame(vrid, 31 + r, 200 - 10 * r, vlan));
  }
}
const frameOf = (n: number): Buffer => (kind === 'maximal' ? maximalFloodFrame(n) : (frames[n % frames.length] as Buffer));

// The session's own capture is never read: a filter that matches nothing keeps it idle.
const session = (createRequire(import.meta.url)('pcap') as PcapInject).createSession(iface, { filter: 'ip proto 253' });
const total = Math.round(rate * seconds);
const start = process.hrtime.bigint();
let sent = 0;
const pump = (): void => {
  const due = Math.min(total, Math.floor((Number(process.hrtime.bigint() - start) / 1e9) * rate));
  while (sent < due) {
    session.inject(frameOf(sent));
    sent++;
  }
  if (sent < total) {
    setTimeout(pump, 1);
    return;
  }
  console.log(JSON.stringify({ sent, seconds: Number(process.hrtime.bigint() - start) / 1e9 }));
  // The pcap session keeps the event loop alive even when closed.
  process.exit(0);
};
pump();
