/**
 * The hostile capture of issue 19: maximal VRRPv2 adverts (255 IPv4 addresses each) from 32 sources over
 * 17 VLANs x 255 VRIDs, what a spoofer on a trunk can send. Frames for the bench's live flood, and a pcap
 * file written as it is made (the bench's is 300 MB) for replay.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { pcapHeader, writeRecordHeader } from './fixtures.js';

export const MAXIMAL = { sources: 32, vlans: 17, vrids: 255, addresses: 255, firstVlan: 201 } as const;

/** The documentation addresses (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24): 768 to draw lists from. */
function documentationAddress(i: number): number[] {
  const net = [[192, 0, 2], [198, 51, 100], [203, 0, 113]][Math.floor(i / 256) % 3] ?? [192, 0, 2];
  return [...net, i % 256];
}

function checksum(b: Buffer, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] ?? 0) * 256 + (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/**
 * A VRRPv2 advert in an 802.1Q-tagged Ethernet frame from 192.0.2.(100 + source) with 255 addresses, a
 * window of the documentation ranges that starts at a place of its own per VLAN and VRID.
 */
export function maximalAdvert(vlan: number, vrid: number, source: number, priority: number): Buffer {
  const count = MAXIMAL.addresses;
  const ip = 18;
  const v = ip + 20;
  const length = 20 + 8 + 4 * count + 8;
  const b = Buffer.alloc(ip + length);
  Buffer.from('01005e000012', 'hex').copy(b, 0);
  Buffer.from([0x00, 0x00, 0x5e, 0x00, 0x01, vrid]).copy(b, 6);
  b.writeUInt16BE(0x8100, 12);
  b.writeUInt16BE(vlan, 14);
  b.writeUInt16BE(0x0800, 16);
  b.writeUInt8(0x45, ip);
  b.writeUInt16BE(length, ip + 2);
  b.writeUInt8(255, ip + 8);
  b.writeUInt8(112, ip + 9);
  Buffer.from([192, 0, 2, 100 + source]).copy(b, ip + 12);
  Buffer.from([224, 0, 0, 18]).copy(b, ip + 16);
  b.writeUInt16BE(checksum(b, ip, ip + 20), ip + 10);
  b.set([0x21, vrid, priority, count, 0, 1], v);
  const from = (vlan * 255 + vrid * 3) % 768;
  for (let i = 0; i < count; i++) b.set(documentationAddress(from + i), v + 8 + 4 * i);
  b.writeUInt16BE(checksum(b, v, v + 8 + 4 * count + 8), v + 6);
  return b;
}

/** The n-th advert of the flood: round robin over VLANs, VRIDs and sources, each source its own priority. */
export function maximalFloodFrame(n: number): Buffer {
  const source = n % MAXIMAL.sources;
  const vrid = 1 + (Math.floor(n / MAXIMAL.sources) % MAXIMAL.vrids);
  const vlan = MAXIMAL.firstVlan + (Math.floor(n / (MAXIMAL.sources * MAXIMAL.vrids)) % MAXIMAL.vlans);
  return maximalAdvert(vlan, vrid, source, 100 + 4 * source);
}

/** Writes `adverts` adverts of the flood spread evenly over `seconds` to a pcap file; returns its size in bytes. */
export function writeMaximalCapture(file: string, adverts: number, seconds: number, t0 = 1_800_000_000): number {
  const fd = openSync(file, 'w');
  try {
    let size = writeSync(fd, pcapHeader(1));
    const chunk: Buffer[] = [];
    for (let n = 0; n < adverts; n++) {
      const frame = maximalFloodFrame(n);
      const rec = Buffer.alloc(16);
      writeRecordHeader(rec, 0, t0 + (n * seconds) / adverts, frame.length);
      chunk.push(rec, frame);
      if (chunk.length >= 2048 || n === adverts - 1) {
        size += writeSync(fd, Buffer.concat(chunk));
        chunk.length = 0;
      }
    }
    return size;
  } finally {
    closeSync(fd);
  }
}
