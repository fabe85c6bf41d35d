/**
 * Raw frames sent from inside a lab namespace with python3 (an AF_PACKET socket, no library): what a
 * spoofer on the segment sends. The frames are built here in TypeScript and handed over as hex.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, HostName } from '../../lab/lab.js';

/** Sends each hex frame of argv[3..] out of argv[1], argv[2] times a second for argv[3] seconds (once when 0). */
const SENDER = `
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
rate, seconds = float(sys.argv[2]), float(sys.argv[3])
frames = [bytes.fromhex(h) for h in open(sys.argv[4]).read().split()]
end = time.time() + seconds
while True:
    start = time.time()
    for f in frames:
        s.send(f)
    if time.time() >= end:
        break
    time.sleep(max(0.0, 1.0 / rate - (time.time() - start)))
`;

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function v4(text: string): number[] {
  return text.split('.').map(Number);
}

function mac(text: string): number[] {
  return text.split(':').map((h) => parseInt(h, 16));
}

/**
 * A VRRPv2 advert over IPv4 to 224.0.0.18 from `src` (Ethernet source `srcMac`) for `vrid`, listing
 * `addresses`, with `vlans` 802.1Q tags (the outer one `outerType`, 0x8100 or 0x88a8), as bytes.
 */
export function vrrpV2Frame(o: { srcMac: string; src: string; vrid: number; priority?: number; addresses: string[]; vlans?: number[]; outerType?: number }): Uint8Array {
  const vrrp = [0x21, o.vrid, o.priority ?? 100, o.addresses.length, 0, 1, 0, 0, ...o.addresses.flatMap(v4), 0, 0, 0, 0, 0, 0, 0, 0];
  const sum = checksum(Uint8Array.from(vrrp));
  vrrp[6] = sum >> 8;
  vrrp[7] = sum & 0xff;
  const total = 20 + vrrp.length;
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, 0, 0, 0, 255, 112, 0, 0, ...v4(o.src), 224, 0, 0, 18];
  const ipSum = checksum(Uint8Array.from(ip));
  ip[10] = ipSum >> 8;
  ip[11] = ipSum & 0xff;
  const tags: number[] = [];
  (o.vlans ?? []).forEach((vid, i) => {
    const type = i === 0 ? (o.outerType ?? 0x8100) : 0x8100;
    tags.push(type >> 8, type & 0xff, (vid >> 8) & 0x0f, vid & 0xff);
  });
  return Uint8Array.from([0x01, 0x00, 0x5e, 0x00, 0x00, 0x12, ...mac(o.srcMac), ...tags, 0x08, 0x00, ...ip, ...vrrp]);
}

/** Starts sending `frames` out of `dev` on `host`, `rate` bursts a second for `seconds` (a lab process named `name`). */
export function sendFrames(lab: Lab, host: HostName, name: string, dev: string, frames: readonly Uint8Array[], rate: number, seconds: number): void {
  const file = join(lab.dir, `${name}.frames`);
  writeFileSync(file, frames.map((f) => Buffer.from(f).toString('hex')).join('\n'));
  lab.start(name, host, ['python3', '-c', SENDER, dev, String(rate), String(seconds), file]);
}
