/**
 * Writes a synthetic capture for the benchmark: `seconds` rounds of VRRPv2 adverts over 255 VRIDs
 * (one master each), with a split-brain in every 16th VRID during the middle tenth of the capture.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { pcapHeader, writeRecordHeader } from '../test/helpers/fixtures.js';

function checksum(b: Buffer, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] ?? 0) * 256 + (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/**
 * A VRRPv2 advertisement from 192.0.2.SRC to 224.0.0.18 in an Ethernet frame, inside an 802.1Q tag when
 * `vlan` is given; the virtual address is 198.51.100.VRID.
 */
export function vrrpFrame(vrid: number, src: number, priority: number, vlan?: number): Buffer {
  const tag = vlan === undefined ? 0 : 4;
  const b = Buffer.alloc(14 + tag + 20 + 20);
  Buffer.from('01005e000012020000000b01', 'hex').copy(b, 0);
  if (vlan !== undefined) {
    b.writeUInt16BE(0x8100, 12);
    b.writeUInt16BE(vlan, 14);
  }
  b.writeUInt16BE(0x0800, 12 + tag);
  const ip = 14 + tag;
  b.writeUInt8(0x45, ip);
  b.writeUInt16BE(40, ip + 2);
  b.writeUInt8(255, ip + 8);
  b.writeUInt8(112, ip + 9);
  Buffer.from([192, 0, 2, src]).copy(b, ip + 12);
  Buffer.from([224, 0, 0, 18]).copy(b, ip + 16);
  b.writeUInt16BE(checksum(b, ip, ip + 20), ip + 10);
  const v = ip + 20;
  b.writeUInt8(0x21, v);
  b.writeUInt8(vrid, v + 1);
  b.writeUInt8(priority, v + 2);
  b.writeUInt8(1, v + 3);
  b.writeUInt8(0, v + 4);
  b.writeUInt8(1, v + 5);
  Buffer.from([198, 51, 100, vrid]).copy(b, v + 8);
  b.writeUInt16BE(checksum(b, v, v + 20), v + 6);
  return b;
}

/** Returns the number of advertisements written. */
export function writeBenchCapture(path: string, seconds: number): number {
  const fd = openSync(path, 'w');
  writeSync(fd, pcapHeader(1));
  const masters = Array.from({ length: 255 }, (_, i) => vrrpFrame(i + 1, 11, 150));
  const rogues = Array.from({ length: 255 }, (_, i) => vrrpFrame(i + 1, 12, 100));
  const t0 = 1_800_000_000;
  const out = Buffer.alloc(8 * 1024 * 1024);
  let used = 0;
  let count = 0;
  const put = (ts: number, f: Buffer): void => {
    if (used + 16 + f.length > out.length) {
      writeSync(fd, out, 0, used);
      used = 0;
    }
    writeRecordHeader(out, used, ts, f.length);
    f.copy(out, used + 16);
    used += 16 + f.length;
    count++;
  };
  const splitFrom = Math.floor(seconds * 0.45);
  const splitTo = Math.floor(seconds * 0.55);
  for (let s = 0; s < seconds; s++) {
    for (let v = 0; v < 255; v++) {
      put(t0 + s + v * 0.003, masters[v] as Buffer);
      if (v % 16 === 0 && s >= splitFrom && s < splitTo) put(t0 + s + v * 0.003 + 0.5, rogues[v] as Buffer);
    }
  }
  writeSync(fd, out, 0, used);
  closeSync(fd);
  return count;
}
