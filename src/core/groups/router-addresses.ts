/**
 * What a router keeps of the virtual addresses it advertises, and what the tables cost in bytes. An
 * advert may list 255 addresses; a router keeps the first ADVERT_VIPS_KEPT as text (the judgements
 * across addresses look at no more), the full count, and a fingerprint of the whole list for the
 * `addresses` mismatch. A spoofed flood of long lists therefore costs a fixed amount per router, and the
 * Monitor bounds the sum in bytes (MonitorSettings.maxBytes) as well as in entries. Pure.
 */
import { ADVERT_VIPS_JUDGED } from './judge.js';
import { RISK_BYTES } from './risk.js';

/** Addresses a router keeps as text: those the judgements read (see ADVERT_VIPS_JUDGED). */
export const ADVERT_VIPS_KEPT = ADVERT_VIPS_JUDGED;

/**
 * Estimated heap bytes of a router's fixed part (the object, its address texts, its priorities) and of
 * a group's (the object, its key, its id, its map entries, its failover risk at its fullest). Estimates, from V8's object layout with
 * compressed pointers rounded up: what the byte bound is judged on.
 */
export const ROUTER_BYTES = 480;
export const GROUP_BYTES = 640 + RISK_BYTES;

/** Estimated bytes of one address text in a kept list: the string and the array slot. */
export function addressBytes(text: string): number {
  return 24 + text.length;
}

/** Estimated bytes of a kept address list. */
export function listBytes(addresses: readonly string[]): number {
  let n = 16;
  for (const a of addresses) n += addressBytes(a);
  return n;
}

/** The addresses kept of an advert's list: the list itself when short enough (shared, not copied). */
export function keptAddresses(addresses: string[]): string[] {
  return addresses.length <= ADVERT_VIPS_KEPT ? addresses : addresses.slice(0, ADVERT_VIPS_KEPT);
}
