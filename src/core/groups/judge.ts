/**
 * The rules: who counts as master, when a group has no master, when routers disagree (the split-brain
 * rule is split-brain.ts). Pure functions of a group's state and the time; state.ts applies them and
 * records what changed.
 */
import type { GroupState, MismatchField, MonitorSettings, RouterState } from './types.js';
import { hmacWindow } from '../wire/hmac-trailer.js';

/**
 * A master that goes quiet for this many of its intervals while a router that beats it in the
 * election keeps advertising has been preempted: it stops counting without waiting for the full
 * Master_Down_Interval. More than one interval, so one lost advertisement does not end a mastership.
 */
export const PREEMPTED_AFTER_INTERVALS = 1.5;

/**
 * How long a group may be without a master while a backup takes over: after a priority-0 advert the
 * backup waits its skew (under one interval), after a crash its own Master_Down_Interval ends within a
 * skew of the old master's. Only a gap longer than this many intervals is judged "no master".
 */
export const TAKEOVER_INTERVALS = 1.5;

/** The takeover grace of a group: TAKEOVER_INTERVALS of its slowest router's interval. */
export function takeoverGrace(group: GroupState): number {
  let interval = 0;
  for (const r of group.routers) if (r.interval > interval) interval = r.interval;
  return TAKEOVER_INTERVALS * interval;
}

/**
 * When the group's gap without a master is judged "no master": once it outlasts a takeover (undefined
 * while a master counts).
 */
export function noMasterAt(group: GroupState): number | undefined {
  return group.masterlessSince === undefined ? undefined : group.masterlessSince + takeoverGrace(group);
}

/** RFC 3768/5798 Master_Down_Interval: 3 intervals plus the skew of this router's priority. */
export function masterDownInterval(r: Pick<RouterState, 'interval' | 'priority' | 'version'>): number {
  const skew = r.version === 2 ? (256 - r.priority) / 256 : ((256 - r.priority) * r.interval) / 256;
  return 3 * r.interval + skew;
}

/** Whether `a` wins the VRRP election against `b`: higher priority, then the higher address. */
export function wins(a: RouterState, b: RouterState): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.addressOrder > b.addressOrder;
}

/** A form of an IPv4 or IPv6 address as text that sorts as the address does (kept per router). */
export function addressOrder(address: string): string {
  if (!address.includes(':')) return address.split('.').map((p) => p.padStart(3, '0')).join('.');
  const [head = '', tail = ''] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = address.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

/** The time at which `r`, if it says nothing more, has been preempted by a winner that spoke after it. */
function preemptedAt(group: GroupState, r: RouterState): number | undefined {
  if (r.inSplit) return undefined;
  for (const other of group.routers) {
    if (other !== r && other.priority > 0 && other.last > r.last && wins(other, r)) {
      return r.last + PREEMPTED_AFTER_INTERVALS * r.interval;
    }
  }
  return undefined;
}

/** Whether `r` counts as master at `now`. */
export function isMaster(group: GroupState, r: RouterState, now: number): boolean {
  if (r.priority === 0) return false;
  // A deadline is the instant of change: at it, the router no longer counts.
  if (now >= r.last + masterDownInterval(r)) return false;
  const preempted = preemptedAt(group, r);
  return preempted === undefined || now < preempted;
}

/** The next time at which the group's judgement can change without a new advertisement. */
export function nextDeadline(group: GroupState, settings: MonitorSettings): number | undefined {
  let next = Infinity;
  const after = group.settledAt;
  const mismatchActive = group.authMismatchSince !== undefined || group.configMismatchSince.size > 0;
  for (const r of group.routers) {
    if (r.master) {
      const down = r.last + masterDownInterval(r);
      if (down > after && down < next) next = down;
      const preempted = preemptedAt(group, r);
      if (preempted !== undefined && preempted > after && preempted < next) next = preempted;
    }
    if (mismatchActive) {
      const hold = r.last + settings.mismatchHoldSeconds;
      if (hold > after && hold < next) next = hold;
    }
  }
  const judged = group.noMasterSince === undefined ? noMasterAt(group) : undefined;
  if (judged !== undefined && judged > after && judged < next) next = judged;
  return next === Infinity ? undefined : next;
}

/** Bits of what `mismatchesOf` found (a number, not a set: it is asked on every judgement of a group). */
export const MISMATCH_BIT: Readonly<Record<MismatchField | 'auth', number>> = {
  auth: 1,
  advert_interval: 2,
  addresses: 4,
  version: 8,
  checksum_form: 16,
  auth_hmac: 32,
  hmac_key_id: 64,
  hmac_clock: 128,
};

/**
 * What the routers heard within the mismatch hold disagree on, as MISMATCH_BIT bits. Backups are
 * silent, so two routers of a group are only heard together around a failover or in a split; the hold
 * keeps the finding up long enough to be seen.
 */
export function mismatchesOf(group: GroupState, now: number, settings: MonitorSettings): number {
  let found = 0;
  let first: RouterState | undefined;
  for (const r of group.routers) {
    if (now >= r.last + settings.mismatchHoldSeconds) continue;
    if (first === undefined) {
      first = r;
      continue;
    }
    if (r.interval !== first.interval) found |= MISMATCH_BIT.advert_interval;
    if (r.addressesKey !== first.addressesKey) found |= MISMATCH_BIT.addresses;
    if (r.version !== first.version) found |= MISMATCH_BIT.version;
    if (r.checksumForm !== first.checksumForm) found |= MISMATCH_BIT.checksum_form;
    if (r.authType !== first.authType) found |= MISMATCH_BIT.auth;
    else if (r.authSecret !== undefined && first.authSecret !== undefined && !r.authSecret.equals(first.authSecret)) found |= MISMATCH_BIT.auth;
    if ((r.hmacOffset === undefined) !== (first.hmacOffset === undefined)) found |= MISMATCH_BIT.auth_hmac;
    else if (r.hmacOffset !== undefined && first.hmacOffset !== undefined) {
      if (r.hmacKeyId !== first.hmacKeyId) found |= MISMATCH_BIT.hmac_key_id;
      // keepalived warns when a peer's clock is off by more than half its freshness window.
      const window = hmacWindow(Math.max(r.interval, first.interval), settings.hmacWindow?.(group.key));
      if (Math.abs(r.hmacOffset - first.hmacOffset) > window / 2) found |= MISMATCH_BIT.hmac_clock;
    }
  }
  return found;
}

/**
 * How many of an advert's virtual addresses the judgements across addresses look at (the VIPs a node
 * holds, VIPs shared across VRIDs). keepalived sends at most 20; a spoofed advert may list 255, and every
 * router of every group listing 255 made each judgement of the segment take seconds.
 */
export const ADVERT_VIPS_JUDGED = 64;
