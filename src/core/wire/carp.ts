/**
 * CARP (OpenBSD's carp(4), pfSense, ucarp) recognised in a protocol-112 message. It shares VRRP's
 * protocol number and multicast groups, and VRRP routers on the segment read its vhid as a VRID. Pure.
 */
import type { ForeignAdvert } from './types.js';

/** version/type, vhid, advskew, authlen, demote, advbase, cksum, counter[8], md[20] (SHA1 HMAC). */
const CARP_LENGTH = 36;
/** The counter and HMAC in 32-bit words: what every CARP sender puts in authlen. */
const CARP_AUTHLEN = 7;
/** Version 2, type 1 (advertisement). */
const CARP_VERSION_TYPE = 0x21;

/**
 * The CARP advertisement in b[start, end), or undefined. Read as VRRPv2 it would look like a router
 * resigning with priority 0 (its advskew, as tshark shows it); its fixed 36-byte message cannot hold the
 * 7 addresses (IPv4) or 7 auth-less IPv6 addresses its authlen byte would claim as VRRP, which is how it
 * is told apart. The counter and HMAC are not read: they are derived from the CARP password.
 */
export function carpAdvert(b: Uint8Array, start: number, end: number): ForeignAdvert | undefined {
  if (end - start !== CARP_LENGTH || b[start] !== CARP_VERSION_TYPE || b[start + 3] !== CARP_AUTHLEN) return undefined;
  const advskew = b[start + 2] ?? 0;
  const advbase = b[start + 5] ?? 0;
  return { protocol: 'carp', vhid: b[start + 1] ?? 0, advbase, advskew, demote: b[start + 4] ?? 0, interval: advbase + advskew / 256 };
}
