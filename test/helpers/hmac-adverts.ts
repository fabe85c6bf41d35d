/**
 * Adverts signed with keepalived 2.4's auth_hmac trailer, built as Ethernet frames for generated
 * captures (draft-cassen-vrrp-auth-hmac-00; node:crypto computes the HMAC, independently of the core's).
 */
import { createHmac } from 'node:crypto';
import { isIPv4 } from 'node:net';

/** The key of the upstream test vector: bytes 00..1f. */
export const VECTOR_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i));

export interface SignedAdvert {
  src: string;
  dst?: string;
  vrid?: number;
  priority?: number;
  /** Centiseconds (VRRPv3). */
  intervalCs?: number;
  vip?: string;
  keyId?: number;
  /** The trailer clock, seconds since the epoch (its fraction in 1/65536 s). */
  time: number;
  counter?: number;
  key?: Buffer;
  /** A malformed trailer: another type, or reserved bytes set. */
  type?: number;
  reserved?: number;
  /** No trailer at all. */
  unsigned?: boolean;
}

function addr(a: string): Buffer {
  if (isIPv4(a)) return Buffer.from(a.split('.').map(Number));
  const [head = '', tail = ''] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = a.includes('::') && tail !== '' ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), 2 * i));
  return b;
}

function checksum(parts: Buffer[]): number {
  const b = Buffer.concat(parts);
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += ((b[i] ?? 0) << 8) + (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** A VRRPv3 advert with an auth_hmac trailer (unless `unsigned`) in an Ethernet frame, IPv4 or IPv6 by `src`. */
export function signedAdvertFrame(a: SignedAdvert): Buffer {
  const v6 = !isIPv4(a.src);
  const dst = a.dst ?? (v6 ? 'ff02::12' : '224.0.0.18');
  const vrid = a.vrid ?? 51;
  const vip = addr(a.vip ?? (v6 ? '2001:db8::100' : '192.0.2.100'));
  const msg = Buffer.concat([Buffer.from([0x31, vrid, a.priority ?? 200, 1, 0, a.intervalCs ?? 100, 0, 0]), vip]);
  let trailer = Buffer.alloc(0);
  if (a.unsigned !== true) {
    const seconds = Math.floor(a.time);
    const head = Buffer.alloc(12);
    head.writeUInt8(a.type ?? 1, 0);
    head.writeUInt8(a.keyId ?? 1, 1);
    head.writeUInt16BE(a.reserved ?? 0, 2);
    head.writeUInt32BE(seconds, 4);
    head.writeUInt16BE(Math.floor((a.time - seconds) * 65536), 8);
    head.writeUInt16BE(a.counter ?? 0, 10);
    const pseudo = Buffer.concat([Buffer.from([v6 ? 6 : 4, 3, vrid, 0]), addr(a.src), Buffer.alloc(v6 ? 0 : 12)]);
    const tag = createHmac('sha256', a.key ?? VECTOR_KEY).update(Buffer.concat([pseudo, msg, head, Buffer.alloc(16)])).digest().subarray(0, 16);
    trailer = Buffer.concat([head, tag]);
  }
  // IPv4: the checksum covers the message only (with the RFC 5798 pseudo-header); IPv6: the trailer too.
  const covered = v6 ? Buffer.concat([msg, trailer]) : msg;
  const pseudo = v6
    ? Buffer.concat([addr(a.src), addr(dst), Buffer.from([0, 0, covered.length >> 8, covered.length & 0xff, 0, 0, 0, 112])])
    : Buffer.concat([addr(a.src), addr(dst), Buffer.from([0, 112, covered.length >> 8, covered.length & 0xff])]);
  msg.writeUInt16BE(checksum([pseudo, covered]), 6);
  const payload = Buffer.concat([msg, trailer]);
  let ip: Buffer;
  if (v6) {
    ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(payload.length, 4);
    ip.writeUInt8(112, 6);
    ip.writeUInt8(255, 7);
    addr(a.src).copy(ip, 8);
    addr(dst).copy(ip, 24);
  } else {
    ip = Buffer.alloc(20);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(20 + payload.length, 2);
    ip.writeUInt8(255, 8);
    ip.writeUInt8(112, 9);
    addr(a.src).copy(ip, 12);
    addr(dst).copy(ip, 16);
    ip.writeUInt16BE(checksum([ip]), 10);
  }
  const eth = Buffer.from(`01005e000012020000000b01${v6 ? '86dd' : '0800'}`, 'hex');
  return Buffer.concat([eth, ip, payload]);
}
