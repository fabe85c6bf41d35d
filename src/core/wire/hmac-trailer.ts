/**
 * keepalived 2.4's `auth_hmac` trailer (draft-cassen-vrrp-auth-hmac-00; keepalived's
 * vrrp_auth_hmac.c): 28 bytes right after the VRRP message, known only by length (the IP payload is the
 * VRRP length + 28). Type (1 = HMAC-SHA256 cut to 128 bits), key id, 2 reserved bytes, UTC seconds,
 * a fraction in 1/65536 s, a counter, then the 16-byte HMAC. The HMAC covers a 20-byte pseudo-header
 * (4 or 6, the VRRP version, the VRID, 0, the source zero-padded to 16 bytes), the message with its
 * checksum read as 0, the trailer's first 12 bytes and 16 zero bytes. Pure.
 */
import type { Family } from '../base/keys.js';

export const HMAC_TRAILER = 28;
const HMAC_HEAD = 12;
const HMAC_TAG = 16;
const PSEUDO_HEADER = 20;
/** The one trailer type keepalived 2.4 sends. */
export const HMAC_SHA256_128 = 1;

/** A well-formed trailer as an advert carries it. */
export interface HmacTrailer {
  keyId: number;
  /** UTC seconds, the fraction in 1/65536 s and the counter: together the sender's sequence. */
  seconds: number;
  fraction: number;
  counter: number;
  /** The trailer's clock, seconds since the epoch (seconds + fraction / 65536). */
  time: number;
  /** The bytes the HMAC covers, and the HMAC: what keyed verification (secret.ts) checks. */
  signed: Uint8Array;
  tag: Uint8Array;
}

/** Why a 28-byte trailer is not one keepalived sends: undefined when it is. */
export function trailerProblem(b: Uint8Array, at: number): 'hmac_malformed' | undefined {
  return b[at] !== HMAC_SHA256_128 || b[at + 2] !== 0 || b[at + 3] !== 0 ? 'hmac_malformed' : undefined;
}

/**
 * Reads the trailer at `at` (after a message at [start, at)), given the source address at `srcAt`. The
 * caller has checked that the 28 bytes are there and well formed (trailerProblem).
 */
export function readTrailer(b: Uint8Array, family: Family, start: number, at: number, srcAt: number): HmacTrailer {
  const u16 = (o: number): number => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
  const seconds = u16(at + 4) * 65536 + u16(at + 6);
  const fraction = u16(at + 8);
  const msgLen = at - start;
  const signed = new Uint8Array(PSEUDO_HEADER + msgLen + HMAC_HEAD + HMAC_TAG);
  signed[0] = family === 'ipv4' ? 4 : 6;
  signed[1] = (b[start] ?? 0) >> 4;
  signed[2] = b[start + 1] ?? 0;
  signed.set(b.subarray(srcAt, srcAt + (family === 'ipv4' ? 4 : 16)), 4);
  signed.set(b.subarray(start, at), PSEUDO_HEADER);
  // The checksum is read as 0 (it sits at bytes 6-7 of the message in v2 and v3 alike).
  signed[PSEUDO_HEADER + 6] = 0;
  signed[PSEUDO_HEADER + 7] = 0;
  signed.set(b.subarray(at, at + HMAC_HEAD), PSEUDO_HEADER + msgLen);
  return {
    keyId: b[at + 1] ?? 0,
    seconds,
    fraction,
    counter: u16(at + 10),
    time: seconds + fraction / 65536,
    signed,
    tag: b.slice(at + HMAC_HEAD, at + HMAC_TRAILER),
  };
}

/** Whether sequence `a` (seconds, fraction, counter) is newer than `b`. */
export function newerSequence(a: Pick<HmacTrailer, 'seconds' | 'fraction' | 'counter'>, b: Pick<HmacTrailer, 'seconds' | 'fraction' | 'counter'>): boolean {
  if (a.seconds !== b.seconds) return a.seconds > b.seconds;
  if (a.fraction !== b.fraction) return a.fraction > b.fraction;
  return a.counter > b.counter;
}

/**
 * keepalived's freshness window of a group: max(3 x advert interval, 5 s) unless set for the group. Half
 * of it is keepalived's own warning threshold, and the `hmac_clock` mismatch's.
 */
export function hmacWindow(interval: number, configured: number | undefined): number {
  return configured ?? Math.max(3 * interval, 5);
}
