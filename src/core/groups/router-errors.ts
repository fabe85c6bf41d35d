/**
 * Per-router error counters like the VRRP MIBs' (RFC 2787 vrrpRouterStatsTable, RFC 6527
 * vrrpv3StatisticsTable): packets that carry the source address of a router the group knows, counted
 * by what was wrong with them. Bounded by the Monitor's router table: a source the group never heard
 * a valid advert from is not a router and stays in the per-interface invalid count only. Pure.
 */
import { newerSequence } from '../wire/hmac-trailer.js';
import type { AuthSecret } from '../base/secret.js';
import { routerOf } from './router-state.js';
import type { GroupKey } from '../base/keys.js';
import type { GroupState } from './types.js';
import type { Advert, InvalidReason } from '../wire/types.js';

/** The errors counted, with the MIB object each answers (the table in docs/judgement.md, "Per-router errors"). */
export const ROUTER_ERRORS = [
  'ttl', // vrrpStatsIpTtlErrors
  'advert_interval', // vrrpStatsAdvertiseIntervalErrors
  'addresses', // vrrpStatsAddressListErrors
  'auth_type', // vrrpStatsAuthTypeMismatch
  'invalid_auth_type', // vrrpStatsInvalidAuthType
  'auth_failure', // vrrpStatsAuthFailures
  'priority_zero', // vrrpStatsPriorityZeroPktsRcvd / PktsSent
  'invalid_type', // vrrpStatsInvalidTypePktsRcvd
  'length', // vrrpStatsPacketLengthErrors
  'checksum', // vrrpRouterChecksumErrors
  'version', // vrrpRouterVersionErrors
  'hmac_malformed', // keepalived 2.4 auth_hmac: a trailer of another type, or reserved bytes set
  'hmac_replay', // a trailer sequence no newer than the router's last
  'hmac_invalid', // a trailer whose HMAC the group's key does not give (keyed verification only)
] as const;
export type RouterError = (typeof ROUTER_ERRORS)[number];

/** The error an invalid packet from a known router counts as (undefined: not a per-router error). */
const INVALID_ERROR: Partial<Record<InvalidReason, RouterError>> = {
  truncated: 'length',
  addr_count_mismatch: 'length',
  bad_version: 'version',
  bad_type: 'invalid_type',
  bad_auth_type: 'invalid_auth_type',
  bad_interval: 'advert_interval',
  bad_checksum: 'checksum',
  hmac_malformed: 'hmac_malformed',
};

/** The last auth_hmac sequence of a router, and the destinations its copies went to (unicast to several peers). */
interface LastSequence {
  seconds: number;
  fraction: number;
  counter: number;
  destinations: string[];
}

/** Destinations remembered per sequence: keepalived unicasts one advert to each of its peers. */
const COPIES_KEPT = 32;

/** One router's non-zero error counts. */
export interface RouterErrorCount {
  router: string;
  error: RouterError;
  count: number;
}

export class RouterErrors {
  /** Counts by group, then router address; a group that goes (expired, evicted) takes its counts along. */
  readonly #counts = new WeakMap<GroupState, Map<string, Uint32Array>>();
  /** The last auth_hmac sequence by group, then router address (bounded like the counts). */
  readonly #sequences = new WeakMap<GroupState, Map<string, LastSequence>>();

  /** `hmacKey`: the auth_hmac key configured for a group, for keyed verification (undefined: none). */
  constructor(private readonly hmacKey: (key: GroupKey) => AuthSecret | undefined = () => undefined) {}

  /**
   * An accepted advert, after the Monitor applied it: its TTL, a priority of 0, and, from a router other
   * than the master of record, how it differs from that master's (the group's) adverts.
   */
  advert(group: GroupState, advert: Advert): void {
    if (!advert.ttlOk) this.#count(group, advert.src, 'ttl');
    if (advert.priority === 0) this.#count(group, advert.src, 'priority_zero');
    if (advert.hmac !== undefined) this.#hmac(group, advert);
    // The steady state is the master repeating itself: nothing to compare.
    if (group.lastMaster === undefined || group.lastMaster === advert.src) return;
    const master = routerOf(group, group.lastMaster);
    if (master === undefined) return;
    if (master.interval !== advert.advertInterval) this.#count(group, advert.src, 'advert_interval');
    // Compared by the fingerprint of each whole list (wire/addresses-key.ts): a router keeps only the
    // first addresses of a long one. The advert was applied, so its router holds its fingerprint.
    const sender = routerOf(group, advert.src);
    if (sender !== undefined && sender.addressesKey !== master.addressesKey) this.#count(group, advert.src, 'addresses');
    if (master.authType !== advert.authType) this.#count(group, advert.src, 'auth_type');
    else if (master.authSecret !== undefined && advert.authSecret !== undefined && !master.authSecret.equals(advert.authSecret)) this.#count(group, advert.src, 'auth_failure');
  }

  /** An advert's auth_hmac trailer: a sequence no newer than the last (but a copy to another peer), a wrong HMAC. */
  #hmac(group: GroupState, advert: Advert): void {
    const t = advert.hmac;
    if (t === undefined) return;
    const key = this.hmacKey(group.key);
    if (key !== undefined && !key.signs(t.signed, t.tag)) this.#count(group, advert.src, 'hmac_invalid');
    let byRouter = this.#sequences.get(group);
    if (byRouter === undefined) {
      byRouter = new Map();
      this.#sequences.set(group, byRouter);
    }
    const last = byRouter.get(advert.src);
    if (last === undefined || newerSequence(t, last)) {
      if (last === undefined && byRouter.size > 2 * group.routers.length + 8) for (const r of byRouter.keys()) if (routerOf(group, r) === undefined) byRouter.delete(r);
      byRouter.set(advert.src, { seconds: t.seconds, fraction: t.fraction, counter: t.counter, destinations: [advert.dst] });
      return;
    }
    const same = last.seconds === t.seconds && last.fraction === t.fraction && last.counter === t.counter;
    if (same && !last.destinations.includes(advert.dst)) {
      if (last.destinations.length < COPIES_KEPT) last.destinations.push(advert.dst);
      return;
    }
    this.#count(group, advert.src, 'hmac_replay');
  }

  /** An invalid packet from `src` in `group` (found by its interface, family and VRID): counted if `src` is one of its routers. */
  invalid(group: GroupState, src: string, reason: InvalidReason): void {
    const error = INVALID_ERROR[reason];
    if (error !== undefined && routerOf(group, src) !== undefined) this.#count(group, src, error);
  }

  /** The non-zero counts of the group's routers still in its table (those evicted are forgotten here). */
  of(group: GroupState): RouterErrorCount[] {
    const byRouter = this.#counts.get(group);
    if (byRouter === undefined) return [];
    const out: RouterErrorCount[] = [];
    for (const [router, counts] of byRouter) {
      if (routerOf(group, router) === undefined) {
        byRouter.delete(router);
        continue;
      }
      counts.forEach((count, i) => {
        const error = ROUTER_ERRORS[i];
        if (count > 0 && error !== undefined) out.push({ router, error, count });
      });
    }
    return out;
  }

  #count(group: GroupState, router: string, error: RouterError): void {
    let byRouter = this.#counts.get(group);
    if (byRouter === undefined) {
      byRouter = new Map();
      this.#counts.set(group, byRouter);
    }
    let counts = byRouter.get(router);
    if (counts === undefined) {
      // Routers evicted from the group (a spoofed flood) leave their counts behind: dropped here too.
      if (byRouter.size > 2 * group.routers.length + 8) for (const r of byRouter.keys()) if (routerOf(group, r) === undefined) byRouter.delete(r);
      counts = new Uint32Array(ROUTER_ERRORS.length);
      byRouter.set(router, counts);
    }
    const i = ROUTER_ERRORS.indexOf(error);
    counts[i] = (counts[i] ?? 0) + 1;
  }
}

