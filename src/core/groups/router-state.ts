/**
 * A router's entry in its group: made from its first advert, updated by each one after, and its
 * estimated size in bytes (the Monitor bounds its tables by it).
 */
import { addressOrder } from './judge.js';
import { keptAddresses, ADVERT_VIPS_KEPT, listBytes, ROUTER_BYTES } from './router-addresses.js';
import type { GroupState, RouterState } from './types.js';
import type { Advert } from '../wire/types.js';

const MAX_PRIORITIES_KEPT = 16;

export function routerOf(group: GroupState, address: string): RouterState | undefined {
  for (const r of group.routers) if (r.address === address) return r;
  return undefined;
}

export function newRouter(advert: Advert, now: number): RouterState {
  return {
    address: advert.src,
    addressOrder: addressOrder(advert.src),
    adverts: 0,
    firstSeen: now,
    last: now,
    priority: advert.priority,
    priorities: [],
    interval: advert.advertInterval,
    version: advert.version,
    addresses: keptAddresses(advert.addresses),
    addressCount: advert.addressCount,
    addressesKey: advert.addressesKey,
    checksumForm: advert.checksumForm,
    authType: advert.authType,
    authSecret: advert.authSecret,
    hmacKeyId: advert.hmac?.keyId,
    hmacOffset: advert.hmac === undefined ? undefined : advert.hmac.time - now,
    ttl: advert.ttl,
    lastAdvert: undefined,
    master: false,
    masterSince: now,
    overlapAdverts: 0,
    inSplit: false,
  };
}

/** Estimated bytes of a router in the tables. */
export function routerBytes(r: RouterState): number {
  return ROUTER_BYTES + listBytes(r.addresses);
}

/** Applies an advert to its router; returns by how many bytes the router grew (or shrank). */
export function updateRouter(r: RouterState, a: Advert, now: number): number {
  // An advert listing more than a router keeps is not held (see RouterState.lastAdvert).
  r.lastAdvert = a.addressCount <= ADVERT_VIPS_KEPT ? a : undefined;
  r.adverts++;
  r.last = now;
  r.priority = a.priority;
  if (!r.priorities.includes(a.priority) && r.priorities.length < MAX_PRIORITIES_KEPT) r.priorities.push(a.priority);
  r.interval = a.advertInterval;
  r.version = a.version;
  let grown = 0;
  // A new router (its first advert) took its addresses from this advert already.
  if (r.adverts > 1 && (r.addressesKey !== a.addressesKey || !sameStart(r.addresses, a.addresses))) {
    grown -= listBytes(r.addresses);
    r.addresses = keptAddresses(a.addresses);
    grown += listBytes(r.addresses);
    r.addressCount = a.addressCount;
    r.addressesKey = a.addressesKey;
  }
  r.checksumForm = a.checksumForm;
  r.authType = a.authType;
  r.authSecret = a.authSecret;
  r.hmacKeyId = a.hmac?.keyId;
  r.hmacOffset = a.hmac === undefined ? undefined : a.hmac.time - now;
  r.ttl = a.ttl;
  return grown;
}

/** Whether `advertised` begins with the addresses `kept` (the kept ones are its first). */
function sameStart(kept: readonly string[], advertised: readonly string[]): boolean {
  // The decoder hands out the same list for each repeat of an advert.
  if (kept === advertised) return true;
  if (advertised.length < kept.length) return false;
  for (let i = 0; i < kept.length; i++) if (kept[i] !== advertised[i]) return false;
  return true;
}
