/**
 * Turns the monitor's events into the per-group history a post-mortem needs: master intervals,
 * failovers with their causes, near failovers (gaps in a master's adverts), split-brain intervals,
 * mismatches, failover risk, VIPs advertised by masters of two VRIDs at once, and from the adverts themselves each
 * router's priority over time. Pure; `replay` builds its report from it.
 */
import type { AdvertGap, FailoverReason } from '../groups/causes.js';
import type { RouterError, RouterErrors } from '../groups/router-errors.js';
import { ADVERT_VIPS_KEPT } from '../groups/router-addresses.js';
import { slotOf } from '../groups/state.js';
import type { Monitor } from '../groups/state.js';
import { groupId } from '../base/keys.js';
import type { Family, GroupKey } from '../base/keys.js';
import type { GroupState, MismatchField, MonitorEvent, RouterState } from '../groups/types.js';
import type { Advert } from '../wire/types.js';
import { vipConflictIntervals } from '../groups/vips.js';
import type { VipConflictInterval, VipSpan } from '../groups/vips.js';
import { likelySplitCause } from '../groups/split-brain.js';

/** Each list of a group keeps at most this many entries; the rest are counted, not kept. */
export const MAX_ENTRIES = 10_000;
/**
 * All the lists of all groups keep at most this many entries together (some 100 bytes each, and as
 * many again in the JSON report); the rest are counted in each group's `omitted`.
 */
export const MAX_REPORT_ENTRIES = 500_000;
/**
 * At most this many (master interval, VIP) pairs are compared for VIP conflicts across VRIDs; the
 * conflicts of the rest are not looked for, and their pairs are counted in their group's `omitted`.
 */
export const MAX_VIP_SPANS = 100_000;

export interface MasterInterval {
  router: string;
  start: number;
  end: number | null;
}
/** A master change with its cause and what supports it (core/causes.ts decides; serve logs the same). */
export interface Failover extends FailoverReason {
  time: number;
  from: string;
  to: string;
}
/** A router's advertised priority from `time` on (one entry per change, the first advert included). */
export interface PriorityChange {
  router: string;
  time: number;
  priority: number;
}
/** A near failover: a master's adverts paused for more than two of its intervals and it stayed master. */
export interface AdvertGapEntry extends AdvertGap {
  /** end - start, and the same in the master's advert intervals. */
  seconds: number;
  intervals: number;
}
export interface SplitInterval {
  start: number;
  /** When the interleaving was judged a split-brain (the live exporter's gauge turns 1 then). */
  judged: number;
  end: number | null;
  routers: string[];
  /** The mismatch its routers showed when it began that likely caused it (keepalived 2.4 auth_hmac). */
  likely_cause?: MismatchField;
}
export interface MismatchInterval {
  field: MismatchField | 'auth';
  start: number;
  end: number | null;
}
export interface Interval {
  start: number;
  end: number | null;
}
export interface RouterSummary {
  address: string;
  adverts: number;
  priorities: number[];
  version: number;
  advert_interval: number;
  auth_type: number | null;
  checksum_form: string;
  first_seen: number;
  last_seen: number;
  /** The virtual addresses in its last advertisement: the first 64 (ADVERT_VIPS_KEPT) of them. */
  addresses: string[];
  /** Its packets with an error, by error (core/router-errors.ts; only those seen). */
  errors: Partial<Record<RouterError, number>>;
  /** How many it listed (more than `addresses` holds when over 64). */
  address_count: number;
  /** keepalived 2.4 auth_hmac, when its last advert was signed: the key id, the trailer clock minus the capture time. */
  hmac_key_id?: number;
  hmac_clock_offset?: number;
}
export interface GroupHistory {
  interface: string;
  family: Family;
  vrid: number;
  routers: RouterSummary[];
  masters: MasterInterval[];
  failovers: Failover[];
  split_brain: SplitInterval[];
  mismatches: MismatchInterval[];
  no_master: Interval[];
  /** When this group's master and a master of another VRID on the interface advertised the same address. */
  vip_conflicts: VipConflictInterval[];
  priorities: PriorityChange[];
  advert_gaps: AdvertGapEntry[];
  /** When the master's gaps came close to its takeover deadline often enough (core/groups/risk.ts). */
  failover_risk: Interval[];
  /** Entries not kept because a list reached its bound. */
  omitted: number;
}

/** What the timeline remembers of a router's previous advert. */
interface LastAdvert {
  router: string;
  /**
   * The Advert object itself: the Decoder hands out the same one for a repeat, so a repeat costs one
   * comparison. Undefined for an advert with more addresses than a router keeps (not held).
   */
  advert: Advert | undefined;
  time: number;
  priority: number;
  /** The Monitor's router it was applied to: its repeats go no further than the Monitor, which keeps their time. */
  state: RouterState | undefined;
}

/** A group's history and its routers' previous adverts, found per advert without building a key. */
interface Track {
  history: GroupHistory;
  routers: LastAdvert[];
}

/**
 * Most routers remembered per group; beyond it the least recently heard is forgotten (a spoofer can send
 * from any source, and each advert searches this list).
 */
const MAX_ROUTERS = 64;

export class Timeline {
  readonly #groups = new Map<string, GroupHistory>();
  /** interface → slot → track: every advert comes here, so no string key is made for it. */
  readonly #tracks = new Map<string, (Track | undefined)[]>();
  /** The interface of the last advert and its slots: adverts come in runs from one interface. */
  #lastInterface: string | undefined;
  #lastSlots: (Track | undefined)[] = [];
  evicted = 0;
  /** Entries kept in all the lists together (at most MAX_REPORT_ENTRIES). */
  entries = 0;

  /**
   * Called after the monitor applied the advert (to `state`, its router there): priority changes. A
   * repeat of the only master (Monitor.repeated) need not come here: it changes nothing.
   */
  advert(iface: string, advert: Advert, time: number, state?: RouterState): void {
    let slots = iface === this.#lastInterface ? this.#lastSlots : this.#tracks.get(iface);
    if (slots === undefined) {
      slots = [];
      this.#tracks.set(iface, slots);
    }
    this.#lastInterface = iface;
    this.#lastSlots = slots;
    const slot = slotOf(advert.family, advert.vrid);
    let track = slots[slot];
    if (track === undefined) {
      const key: GroupKey = { interface: iface, family: advert.family, vrid: advert.vrid };
      const id = groupId(key);
      track = { history: this.#groups.get(id) ?? this.#create(id, key), routers: [] };
      slots[slot] = track;
    }
    const h = track.history;
    let last: LastAdvert | undefined;
    for (const r of track.routers) {
      if (r.advert === advert) {
        last = r;
        break;
      }
    }
    const router = advert.src;
    if (last === undefined) for (const r of track.routers) if (r.router === router) last = r;
    const held = advert.addressCount <= ADVERT_VIPS_KEPT ? advert : undefined;
    if (last === undefined) {
      const entry = { router, advert: held, time, priority: advert.priority, state };
      if (track.routers.length < MAX_ROUTERS) track.routers.push(entry);
      else track.routers[oldest(track.routers)] = entry;
      this.#push(h, h.priorities, { router, time, priority: advert.priority });
      return;
    }
    if (last.priority !== advert.priority) this.#push(h, h.priorities, { router, time, priority: advert.priority });
    last.advert = held;
    last.time = time;
    last.priority = advert.priority;
    last.state = state;
  }

  readonly onEvent = (e: MonitorEvent): void => {
    if (e.type === 'evicted' || e.type === 'group_expired') {
      if (e.type === 'evicted' && e.what === 'group') {
        const h = this.#groups.get(e.group.id);
        if (h !== undefined) this.entries -= entriesOf(h);
        this.#groups.delete(e.group.id);
        const slots = this.#tracks.get(e.group.key.interface);
        if (slots !== undefined) slots[slotOf(e.group.key.family, e.group.key.vrid)] = undefined;
        this.evicted++;
      }
      return;
    }
    const h = this.#history(e.group);
    switch (e.type) {
      case 'master_start':
        this.#push(h, h.masters, { router: e.router, start: e.time, end: null });
        break;
      case 'master_end':
        closeLast(h.masters, (m) => m.router === e.router, e.time);
        break;
      case 'failover':
        this.#push(h, h.failovers, { time: e.time, from: e.from, to: e.to, ...e.reason });
        break;
      case 'near_failover': {
        const seconds = Math.round((e.end - e.start) * 1000) / 1000;
        this.#push(h, h.advert_gaps, { router: e.router, start: e.start, end: e.end, seconds, intervals: Math.round((seconds / e.interval) * 100) / 100 });
        break;
      }
      case 'split_start':
        {
          const cause = likelySplitCause(e.group.configMismatchSince.keys());
          this.#push(h, h.split_brain, { start: e.split.onset, judged: e.time, end: null, routers: e.split.routers, ...(cause !== undefined ? { likely_cause: cause } : {}) });
        }
        break;
      case 'split_end': {
        const open = h.split_brain.at(-1);
        if (open !== undefined && open.end === null) {
          open.end = e.time;
          open.routers = e.split.routers;
        }
        break;
      }
      case 'no_master_start':
        this.#push(h, h.no_master, { start: e.time, end: null });
        break;
      case 'no_master_end':
        closeLast(h.no_master, () => true, e.time);
        break;
      case 'mismatch_start':
        this.#push(h, h.mismatches, { field: e.field, start: e.time, end: null });
        break;
      case 'mismatch_end':
        closeLast(h.mismatches, (m) => m.field === e.field, e.time);
        break;
      case 'risk_start':
        this.#push(h, h.failover_risk, { start: e.time, end: null });
        break;
      case 'risk_end':
        closeLast(h.failover_risk, () => true, e.time);
        break;
    }
  };

  /** The histories, with router summaries taken from the monitor's final state, in a stable order. */
  histories(monitor: Monitor, routerErrors?: RouterErrors): GroupHistory[] {
    for (const group of monitor.groups.values()) {
      const h = this.#history(group);
      const errors = routerErrors?.of(group) ?? [];
      h.routers = group.routers.map((r) => ({
        address: r.address,
        adverts: r.adverts,
        priorities: r.priorities,
        version: r.version,
        advert_interval: r.interval,
        auth_type: r.authType ?? null,
        checksum_form: r.checksumForm,
        first_seen: r.firstSeen,
        last_seen: r.last,
        addresses: [...r.addresses],
        errors: Object.fromEntries(errors.filter((e) => e.router === r.address).map((e) => [e.error, e.count])),
        address_count: r.addressCount,
        ...(r.hmacKeyId === undefined || r.hmacOffset === undefined ? {} : { hmac_key_id: r.hmacKeyId, hmac_clock_offset: r.hmacOffset }),
      }));
    }
    const spans: VipSpan<GroupHistory>[] = [];
    for (const h of this.#groups.values()) {
      for (const m of h.masters) {
        const vips = h.routers.find((r) => r.address === m.router)?.addresses ?? [];
        if (spans.length + vips.length > MAX_VIP_SPANS) {
          h.omitted += vips.length;
          continue;
        }
        for (const vip of vips) spans.push({ group: h, vrid: h.vrid, interface: h.interface, vip, start: m.start, end: m.end });
      }
    }
    for (const [h, conflicts] of vipConflictIntervals(spans)) {
      const room = Math.max(0, MAX_REPORT_ENTRIES - this.entries);
      h.vip_conflicts = conflicts.slice(0, Math.min(MAX_ENTRIES, room));
      this.entries += h.vip_conflicts.length;
      h.omitted += conflicts.length - h.vip_conflicts.length;
    }
    // Code-unit order, not localeCompare: the same on every machine, and ICU's collator cost 15 ms here.
    return [...this.#groups.values()].sort((a, b) => byText(a.interface, b.interface) || byText(a.family, b.family) || a.vrid - b.vrid);
  }

  #history(group: GroupState): GroupHistory {
    return this.#groups.get(group.id) ?? this.#create(group.id, group.key);
  }

  #create(id: string, key: GroupKey): GroupHistory {
    const h: GroupHistory = {
      interface: key.interface,
      family: key.family,
      vrid: key.vrid,
      routers: [],
      masters: [],
      failovers: [],
      split_brain: [],
      mismatches: [],
      no_master: [],
      vip_conflicts: [],
      priorities: [],
      advert_gaps: [],
      failover_risk: [],
      omitted: 0,
    };
    this.#groups.set(id, h);
    return h;
  }

  #push<T>(h: GroupHistory, list: T[], entry: T): void {
    if (list.length >= MAX_ENTRIES || this.entries >= MAX_REPORT_ENTRIES) {
      h.omitted++;
      return;
    }
    list.push(entry);
    this.entries++;
  }
}

/** The entries a group's lists hold. */
function entriesOf(h: GroupHistory): number {
  return h.masters.length + h.failovers.length + h.split_brain.length + h.mismatches.length + h.no_master.length + h.vip_conflicts.length + h.priorities.length + h.advert_gaps.length + h.failover_risk.length;
}

function closeLast<T extends { end: number | null }>(list: T[], match: (entry: T) => boolean, time: number): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const entry = list[i];
    if (entry !== undefined && entry.end === null && match(entry)) {
      entry.end = time;
      return;
    }
  }
}

/** The index of the least recently heard router (its repeats are timed by the Monitor's router). */
function oldest(routers: readonly LastAdvert[]): number {
  const heard = (r: LastAdvert): number => Math.max(r.time, r.state?.last ?? -Infinity);
  let at = 0;
  routers.forEach((r, i) => {
    const other = routers[at];
    if (other === undefined || heard(r) < heard(other)) at = i;
  });
  return at;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
