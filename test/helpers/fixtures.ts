/** Reads the hex packet fixtures and writes captures for tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const CAPTURES = join(FIXTURES, 'captures');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export interface PacketFixture {
  name: string;
  description: string;
  source: string;
  linkType: number;
  bytes: Uint8Array;
}

/** A hex fixture from test/fixtures/DIR (`packets`: VRRP, `neighbor`: ARP and NDP). */
export function packetFixture(name: string, dir = 'packets'): PacketFixture {
  const text = readFileSync(join(FIXTURES, dir, `${name}.hex`), 'utf8');
  const lines = text.split('\n');
  const description = (lines[0] ?? '').replace(/^# /, '');
  const source = (lines[1] ?? '').replace(/^# source: /, '');
  const linkType = Number((lines[2] ?? '').replace('linktype ', ''));
  const hex = lines.slice(3).join('').trim();
  return { name, description, source, linkType, bytes: Uint8Array.from(Buffer.from(hex, 'hex')) };
}

export function allPacketFixtures(dir = 'packets'): PacketFixture[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((f) => packetFixture(f.replace(/\.hex$/, ''), dir));
}

export interface Frame {
  ts: number;
  bytes: Uint8Array;
}

/** The global header of a classic little-endian microsecond pcap file. */
export function pcapHeader(linkType: number): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(linkType, 20);
  return header;
}

/** Writes the 16-byte record header of a packet of `length` bytes at `at` in `out`. */
export function writeRecordHeader(out: Buffer, at: number, ts: number, length: number): void {
  const sec = Math.floor(ts);
  out.writeUInt32LE(sec, at);
  out.writeUInt32LE(Math.round((ts - sec) * 1e6), at + 4);
  out.writeUInt32LE(length, at + 8);
  out.writeUInt32LE(length, at + 12);
}

/** A classic little-endian microsecond pcap file. */
export function pcapFile(linkType: number, frames: Frame[]): Buffer {
  const parts = [pcapHeader(linkType)];
  for (const f of frames) {
    const rec = Buffer.alloc(16);
    writeRecordHeader(rec, 0, f.ts, f.bytes.length);
    parts.push(rec, Buffer.from(f.bytes));
  }
  return Buffer.concat(parts);
}

function internetChecksum(b: Buffer, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] ?? 0) * 256 + (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** An Ethernet ARP reply (RFC 826) from `mac` saying `ip` is at it, to the host at `to`. */
export function arpReplyFrame(mac: string, ip: string, to: { mac: string; ip: string }): Buffer {
  const m = Buffer.from(mac.replace(/:/g, ''), 'hex');
  const dst = Buffer.from(to.mac.replace(/:/g, ''), 'hex');
  const b = Buffer.alloc(42);
  dst.copy(b, 0);
  m.copy(b, 6);
  b.writeUInt16BE(0x0806, 12);
  Buffer.from([0, 1, 8, 0, 6, 4, 0, 2]).copy(b, 14);
  m.copy(b, 22);
  Buffer.from(ip.split('.').map(Number)).copy(b, 28);
  dst.copy(b, 32);
  Buffer.from(to.ip.split('.').map(Number)).copy(b, 38);
  return b;
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
  b.writeUInt16BE(internetChecksum(b, ip, ip + 20), ip + 10);
  const v = ip + 20;
  b.writeUInt8(0x21, v);
  b.writeUInt8(vrid, v + 1);
  b.writeUInt8(priority, v + 2);
  b.writeUInt8(1, v + 3);
  b.writeUInt8(0, v + 4);
  b.writeUInt8(1, v + 5);
  Buffer.from([198, 51, 100, vrid]).copy(b, v + 8);
  b.writeUInt16BE(internetChecksum(b, v, v + 20), v + 6);
  return b;
}

function sum16(parts: Uint8Array[]): number {
  let s = 0;
  for (const p of parts) for (let i = 0; i < p.length; i += 2) s += ((p[i] ?? 0) << 8) + (p[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/**
 * A VRRPv3 advertisement over IPv6 from 2001:db8::11 with 255 addresses (2001:db8::1 to ::ff), VRID 51,
 * behind two VLAN tags (802.1ad 100, then 802.1Q 200) unless `tags` is false, in a Linux cooked or an Ethernet frame;
 * optionally a hop-by-hop header of `hopByHop` bytes and a trailer of `trailer` bytes after the message.
 */
export function largeIpv6Advert(options: { link: 'sll' | 'ethernet'; tags?: boolean; hopByHop?: number; trailer?: number }): Uint8Array {
  const count = 255;
  const message = new Uint8Array(8 + count * 16);
  message.set([0x31, 51, 150, count, 0x00, 100]);
  for (let i = 0; i < count; i++) message.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i + 1], 8 + i * 16);
  const src = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11]);
  const dst = Uint8Array.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12]);
  const sum = sum16([src, dst, Uint8Array.from([0, 0, message.length >> 8, message.length & 0xff, 0, 0, 0, 112]), message]);
  message.set([sum >> 8, sum & 0xff], 6);
  const hopByHop = new Uint8Array(options.hopByHop ?? 0);
  // Next header VRRP; one PadN option fills the rest.
  if (hopByHop.length > 0) hopByHop.set([112, hopByHop.length / 8 - 1, 0x01, hopByHop.length - 4]);
  const trailer = new Uint8Array(options.trailer ?? 0);
  const payload = hopByHop.length + message.length + trailer.length;
  const ipv6 = new Uint8Array(40);
  ipv6.set([0x60, 0, 0, 0, payload >> 8, payload & 0xff, hopByHop.length > 0 ? 0 : 112, 255]);
  ipv6.set(src, 8);
  ipv6.set(dst, 24);
  const link = options.link === 'sll'
    ? Uint8Array.from([0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 0x11, 0, 0])
    : Uint8Array.from([0x33, 0x33, 0, 0, 0, 0x12, 0x00, 0x00, 0x5e, 0x00, 0x02, 51]);
  const tags = options.tags === false ? Uint8Array.from([0x86, 0xdd]) : Uint8Array.from([0x88, 0xa8, 0x00, 100, 0x81, 0x00, 0x00, 200, 0x86, 0xdd]);
  const frame = new Uint8Array(link.length + tags.length + ipv6.length + payload);
  let at = 0;
  for (const part of [link, tags, ipv6, hopByHop, message, trailer]) {
    frame.set(part, at);
    at += part.length;
  }
  return frame;
}

/**
 * 1,000 groups (VLANs 101-104 x VRIDs 1-250, master 192.0.2.11 at priority 150) for `seconds` rounds, with
 * a second master (192.0.2.12) for the middle 40% of the capture in every 50th VRID of VLAN 102: five
 * split-brains among 995 healthy groups. Frames in time order.
 */
export function thousandGroupFrames(seconds: number, t0 = 1_800_000_000): Frame[] {
  const frames: Frame[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let vlan = 101; vlan <= 104; vlan++) {
      for (let vrid = 1; vrid <= 250; vrid++) {
        const at = t0 + s + (vlan - 101) * 0.1 + vrid * 0.0003;
        frames.push({ ts: at, bytes: vrrpFrame(vrid, 11, 150, vlan) });
        if (vlan === 102 && vrid % 50 === 0 && s >= seconds * 0.3 && s < seconds * 0.7) frames.push({ ts: at + 0.5, bytes: vrrpFrame(vrid, 12, 100, vlan) });
      }
    }
  }
  return frames.sort((x, y) => x.ts - y.ts);
}

/** A pcapng block of `type` around `body` (padded to 32 bits), in either byte order. */
export function block(type: number, body: Uint8Array, little = true): Uint8Array {
  const len = 12 + Math.ceil(body.length / 4) * 4;
  const b = Buffer.alloc(len);
  const w = (v: number, o: number): number => (little ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  w(type, 0);
  w(len, 4);
  Buffer.from(body).copy(b, 8);
  w(len, len - 4);
  return b;
}

/** A pcapng section header block. */
export function shb(little = true): Uint8Array {
  const body = Buffer.alloc(16);
  if (little) body.writeUInt32LE(0x1a2b3c4d, 0);
  else body.writeUInt32BE(0x1a2b3c4d, 0);
  body.writeInt32LE(-1, 8);
  body.writeInt32LE(-1, 12);
  return block(0x0a0d0d0a, body, little);
}

/** A pcapng option (code, length, value padded to 32 bits). */
export function option(code: number, value: Uint8Array, little = true): Buffer {
  const b = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  if (little) {
    b.writeUInt16LE(code, 0);
    b.writeUInt16LE(value.length, 2);
  } else {
    b.writeUInt16BE(code, 0);
    b.writeUInt16BE(value.length, 2);
  }
  Buffer.from(value).copy(b, 4);
  return b;
}

/** A pcapng interface description block named `name` (if_name), with if_tsresol when given. */
export function idb(linkType: number, name: string, tsresol?: number, little = true): Uint8Array {
  const head = Buffer.alloc(8);
  if (little) {
    head.writeUInt16LE(linkType, 0);
    head.writeUInt32LE(262144, 4);
  } else {
    head.writeUInt16BE(linkType, 0);
    head.writeUInt32BE(262144, 4);
  }
  const opts = [option(2, Buffer.from(name), little)];
  if (tsresol !== undefined) opts.push(option(9, Uint8Array.of(tsresol), little));
  opts.push(Buffer.alloc(4));
  return block(1, Buffer.concat([head, ...opts]), little);
}

/** A pcapng option holding a 64-bit count (epb_dropcount, isb_ifdrop, isb_osdrop). */
export function count64(code: number, n: number, little = true): Buffer {
  const v = Buffer.alloc(8);
  if (little) v.writeBigUInt64LE(BigInt(n));
  else v.writeBigUInt64BE(BigInt(n));
  return option(code, v, little);
}

/** A pcapng interface statistics block of interface `iface` at `ticks`, with these options (opt_endofopt added). */
export function isb(iface: number, ticks: bigint, options: Buffer[], little = true): Uint8Array {
  const head = Buffer.alloc(12);
  const w = (v: number, o: number): number => (little ? head.writeUInt32LE(v, o) : head.writeUInt32BE(v, o));
  w(iface, 0);
  w(Number(ticks >> 32n), 4);
  w(Number(ticks & 0xffffffffn), 8);
  return block(5, Buffer.concat([head, ...options, Buffer.alloc(4)]), little);
}

/** A pcapng enhanced packet block of interface `iface` at `ticks` of its time resolution (options after the data, when given). */
export function epb(iface: number, ticks: bigint, data: Uint8Array, little = true, options: Buffer[] = []): Uint8Array {
  const head = Buffer.alloc(20);
  const w = (v: number, o: number): number => (little ? head.writeUInt32LE(v, o) : head.writeUInt32BE(v, o));
  w(iface, 0);
  w(Number(ticks >> 32n), 4);
  w(Number(ticks & 0xffffffffn), 8);
  w(data.length, 12);
  w(data.length, 16);
  const padded = Buffer.alloc(Math.ceil(data.length / 4) * 4);
  Buffer.from(data).copy(padded);
  return block(6, Buffer.concat([head, options.length === 0 ? Buffer.from(data) : padded, ...options, ...(options.length === 0 ? [] : [Buffer.alloc(4)])]), little);
}

/** A little-endian pcapng file of Ethernet frames on one interface named `ifName` (microsecond times). */
export function pcapngFile(ifName: string, frames: Frame[]): Buffer {
  return Buffer.concat([shb(), idb(1, ifName), ...frames.map((f) => epb(0, BigInt(Math.round(f.ts * 1e6)), f.bytes))]);
}
