/**
 * Frame bytes → VRRP advertisement, or a rejection with a reason. Pure and total: no input throws.
 *
 * Layers: link (Ethernet with up to two VLAN tags, Linux cooked v1/v2, raw IP) → IPv4/IPv6 (options and
 * extension headers skipped, AH unwrapped) → VRRPv2/v3 (RFC 3768, RFC 5798/9568, keepalived's v2/IPv6),
 * with keepalived 2.4's auth_hmac trailer read when the IP payload is the message + 28 bytes.
 */
import { ipv4Text, ipv6Text } from '../base/addr.js';
import { carpAdvert } from './carp.js';
import { HMAC_TRAILER, readTrailer, trailerProblem } from './hmac-trailer.js';
import type { HmacTrailer } from './hmac-trailer.js';
import { LinkType, readLinkHeader } from './link-header.js';
import { addressesKeyOf } from './addresses-key.js';
import { AuthSecret } from '../base/secret.js';
import type { Family } from '../base/keys.js';
import type { Advert, ChecksumForm, Decoded, InvalidReason, IpInfo, PartialHeader } from './types.js';

export { LinkType };

export const PROTO_VRRP = 112;
export const PROTO_AH = 51;
export const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const VRRP_HEADER = 8;
const V2_AUTH_DATA = 8;
/** 224.0.0.18 as a 32-bit number, for the old-keepalived unicast checksum form. */
const VRRP_MCAST_V4 = [224, 0, 0, 18] as const;

const OTHER: Decoded = { kind: 'other' };

function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

/** One's-complement sum of bytes [from, to) added to `sum`, not yet folded. */
function sumBytes(b: Uint8Array, from: number, to: number, sum: number): number {
  let i = from;
  for (; i + 1 < to; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
  if (i < to) sum += (b[i] ?? 0) << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** True when the one's-complement sum including the checksum field is 0xffff. */
function sumOk(sum: number): boolean {
  return fold(sum) === 0xffff;
}

interface IpLayer {
  info: IpInfo;
  /** The VRRP message region inside `bytes`. */
  start: number;
  end: number;
  /** Offsets of the source and destination address in `bytes`, for pseudo-headers. */
  srcAt: number;
  dstAt: number;
}

type IpResult = IpLayer | { reason: InvalidReason; info: IpInfo | undefined } | undefined;

/** An advert lists at most 255 addresses (its count is one byte). */
export const MAX_ADDRESSES = 255;

/**
 * Decodes a frame. An accepted advert's addresses are made text up to `addressTexts` (all by default);
 * their count and fingerprint always cover the whole list, from the bytes (addresses-key.ts).
 */
export function decodeFrame(linkType: number, b: Uint8Array, addressTexts = MAX_ADDRESSES): Decoded {
  const link = readLinkHeader(linkType, b);
  if (link === undefined) return OTHER;
  const { etherType, offset: o, vlans } = link;
  let ip: IpResult;
  if (etherType === ETH_IPV4) ip = ipv4(b, o);
  else if (etherType === ETH_IPV6) ip = ipv6(b, o);
  else return OTHER;
  if (ip === undefined) return OTHER;
  if (!('start' in ip)) return { kind: 'invalid', reason: ip.reason, ip: ip.info, header: {}, vlans };
  return vrrp(b, ip, vlans, addressTexts);
}


function ipv4(b: Uint8Array, o: number): IpResult {
  if (b.length < o + 20) return b.length >= o + 10 && b[o + 9] === PROTO_VRRP ? { reason: 'truncated', info: undefined } : undefined;
  const vihl = b[o] ?? 0;
  const ihl = (vihl & 0x0f) * 4;
  let proto = b[o + 9] ?? 0;
  if (proto !== PROTO_VRRP && proto !== PROTO_AH) return undefined;
  const info: IpInfo = { family: 'ipv4', src: ipv4Text(b, o + 12), dst: ipv4Text(b, o + 16), ttl: b[o + 8] ?? 0, ah: false };
  if (vihl >> 4 !== 4 || ihl < 20) return { reason: 'bad_ip_header', info };
  const total = u16(b, o + 2);
  if (total < ihl) return { reason: 'bad_ip_header', info };
  if (b.length < o + total || b.length < o + ihl) return { reason: 'truncated', info };
  const frag = u16(b, o + 6);
  if ((frag & 0x2000) !== 0 || (frag & 0x1fff) !== 0) return { reason: 'fragmented', info };
  let start = o + ihl;
  const end = o + total;
  if (proto === PROTO_AH) {
    const ah = unwrapAh(b, start, end);
    if (ah === undefined) return undefined;
    if (ah === 'truncated') return { reason: 'truncated', info };
    proto = ah.next;
    start = ah.start;
    info.ah = true;
    if (proto !== PROTO_VRRP) return undefined;
  }
  return { info, start, end, srcAt: o + 12, dstAt: o + 16 };
}

function unwrapAh(b: Uint8Array, o: number, end: number): { next: number; start: number } | 'truncated' | undefined {
  if (end - o < 12) return 'truncated';
  const next = b[o] ?? 0;
  const len = ((b[o + 1] ?? 0) + 2) * 4;
  if (next !== PROTO_VRRP) return undefined;
  if (o + len > end) return 'truncated';
  return { next, start: o + len };
}

const IPV6_SKIPPABLE = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;

function ipv6(b: Uint8Array, o: number): IpResult {
  if (b.length < o + 40) return undefined;
  if ((b[o] ?? 0) >> 4 !== 6) return undefined;
  const info: IpInfo = { family: 'ipv6', src: ipv6Text(b, o + 8), dst: ipv6Text(b, o + 24), ttl: b[o + 7] ?? 0, ah: false };
  const end = o + 40 + u16(b, o + 4);
  let next = b[o + 6] ?? 0;
  let p = o + 40;
  let fragmented = false;
  // Walk the extension header chain; a bounded number of steps so a crafted loop cannot spin.
  for (let steps = 0; steps < 16; steps++) {
    if (next === PROTO_VRRP) {
      if (b.length < end) return { reason: 'truncated', info };
      if (fragmented) return { reason: 'fragmented', info };
      return { info, start: p, end, srcAt: o + 8, dstAt: o + 24 };
    }
    if (next === PROTO_AH) {
      const ah = unwrapAh(b, p, Math.min(end, b.length));
      if (ah === undefined) return undefined;
      if (ah === 'truncated') return { reason: 'truncated', info };
      info.ah = true;
      next = ah.next;
      p = ah.start;
      continue;
    }
    if (next === IPV6_FRAGMENT) {
      if (p + 8 > b.length) return undefined;
      fragmented = true;
      next = b[p] ?? 0;
      p += 8;
      continue;
    }
    if (!IPV6_SKIPPABLE.has(next)) return undefined;
    if (p + 8 > b.length) return undefined;
    next = b[p] ?? 0;
    p += ((b[p + 1] ?? 0) + 1) * 8;
  }
  return undefined;
}

function invalid(reason: InvalidReason, ip: IpInfo, header: PartialHeader, vlans: readonly number[]): Decoded {
  return { kind: 'invalid', reason, ip, header, vlans };
}

function vrrp(b: Uint8Array, ip: IpLayer, vlans: readonly number[], addressTexts: number): Decoded {
  const { start, end, info } = ip;
  const len = end - start;
  if (len < VRRP_HEADER) return invalid('truncated', info, {}, vlans);
  const version = (b[start] ?? 0) >> 4;
  const type = (b[start] ?? 0) & 0x0f;
  const vrid = b[start + 1] ?? 0;
  const priority = b[start + 2] ?? 0;
  const count = b[start + 3] ?? 0;
  const header: PartialHeader = { version, type, vrid, priority };
  const foreign = carpAdvert(b, start, end);
  if (foreign !== undefined) return { kind: 'invalid', reason: 'not_vrrp', ip: info, header: {}, vlans, foreign };
  if (version !== 2 && version !== 3) return invalid('bad_version', info, header, vlans);
  if (type !== 1) return invalid('bad_type', info, header, vlans);
  if (vrid === 0) return invalid('bad_vrid', info, header, vlans);
  const addrLen = info.family === 'ipv4' ? 4 : 16;
  const authLen = version === 2 && info.family === 'ipv4' ? V2_AUTH_DATA : 0;
  const msgLen = VRRP_HEADER + count * addrLen + authLen;
  if (msgLen > len) return invalid('addr_count_mismatch', info, header, vlans);

  let authType: number | undefined;
  let authSecret: AuthSecret | undefined;
  let advertInterval: number;
  if (version === 2) {
    authType = b[start + 4] ?? 0;
    if (authType > 2) return invalid('bad_auth_type', info, header, vlans);
    advertInterval = b[start + 5] ?? 0;
    if (authType === 1 && authLen > 0) {
      const at = start + msgLen - V2_AUTH_DATA;
      authSecret = new AuthSecret(b.subarray(at, at + V2_AUTH_DATA));
    }
  } else {
    advertInterval = (u16(b, start + 4) & 0x0fff) / 100;
  }
  if (advertInterval === 0) return invalid('bad_interval', info, header, vlans);

  let hmac: HmacTrailer | undefined;
  if (len === msgLen + HMAC_TRAILER) {
    const problem = trailerProblem(b, start + msgLen);
    if (problem !== undefined) return invalid(problem, info, header, vlans);
    hmac = readTrailer(b, info.family, start, start + msgLen, ip.srcAt);
  }

  const form = checksumForm(b, ip, version, msgLen);
  if (form === undefined) return invalid('bad_checksum', info, header, vlans);

  const addresses: string[] = [];
  const texts = Math.min(count, addressTexts);
  for (let i = 0, a = start + VRRP_HEADER; i < texts; i++, a += addrLen) {
    addresses.push(addrLen === 4 ? ipv4Text(b, a) : ipv6Text(b, a));
  }
  // Fields listed one by one: an object spread here costs more than the rest of the decode.
  const advert: Advert = {
    family: info.family,
    src: info.src,
    dst: info.dst,
    ttl: info.ttl,
    ah: info.ah,
    version,
    type: 1,
    vrid,
    priority,
    addresses,
    addressCount: count,
    addressesKey: addressesKeyOf(b, start + VRRP_HEADER, count, addrLen),
    advertInterval,
    authType,
    authSecret,
    checksumForm: form,
    ttlOk: info.ttl === 255,
    trailerLength: len - msgLen,
    hmac,
  };
  return { kind: 'advert', advert, vlans };
}

/**
 * Which checksum form the sender used, or undefined when none matches. The message alone is tried
 * first for v2; v3 over IPv4 is sent three ways by real routers, tried in the order they are common.
 * Both the message length and the whole IP payload (message plus trailer) are accepted as the span.
 */
function checksumForm(b: Uint8Array, ip: IpLayer, version: number, msgLen: number): ChecksumForm | undefined {
  const { start, end, info } = ip;
  const spans = end - start === msgLen ? [msgLen] : [msgLen, end - start];
  for (const span of spans) {
    const message = sumBytes(b, start, start + span, 0);
    const withPseudo = (family: Family, dst: number | readonly number[]): boolean => {
      let s = message;
      if (family === 'ipv4') {
        s = sumBytes(b, ip.srcAt, ip.srcAt + 4, s);
        s = typeof dst === 'number' ? sumBytes(b, dst, dst + 4, s) : s + ((dst[0] ?? 0) << 8) + (dst[1] ?? 0) + ((dst[2] ?? 0) << 8) + (dst[3] ?? 0);
        s += PROTO_VRRP + span;
      } else {
        s = sumBytes(b, ip.srcAt, ip.srcAt + 16, s);
        s = sumBytes(b, ip.dstAt, ip.dstAt + 16, s);
        s += (span >>> 16) + (span & 0xffff) + PROTO_VRRP;
      }
      return sumOk(s);
    };
    if (info.family === 'ipv6') {
      // RFC 5798 over IPv6; keepalived's v2/IPv6 also lets the kernel add the pseudo-header.
      if (withPseudo('ipv6', ip.dstAt)) return 'pseudo_header';
      if (version === 2 && sumOk(message)) return 'message';
      continue;
    }
    if (version === 2) {
      if (sumOk(message)) return 'message';
      continue;
    }
    if (withPseudo('ipv4', ip.dstAt)) return 'pseudo_header';
    if (sumOk(message)) return 'message';
    if (withPseudo('ipv4', VRRP_MCAST_V4)) return 'pseudo_header_multicast';
  }
  return undefined;
}
