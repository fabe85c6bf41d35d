/**
 * Turns the monitor's events into the per-group history a post-mortem needs: master intervals,
 * failovers, split-brain intervals, mismatches, and VIPs advertised by masters of two VRIDs at once.
 * Pure; `replay` builds its report from it.
 */
import type { Monitor } from './state.js';
import type { Family, GroupState, MismatchField, MonitorEvent } from './types.js';
import { vipConflictIntervals } from './vips.js';
import type { VipConflictInterval, VipSpan } from './vips.js';

/** Each list of a group keeps at most this many entries; the rest are counted, not kept. */
const MAX_ENTRIES = 10_000;

export interface MasterInterval {
  router: string;
  start: number;
  end: number | null;
}
export interface Failover {
  time: number;
  from: string;
  to: string;
}
export interface SplitInterval {
  start: number;
  /** When the interleaving was judged a split-brain (the live exporter's gauge turns 1 then). */
  judged: number;
  end: number | null;
  routers: string[];
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
  /** The virtual addresses in its last advertisement. */
  addresses: string[];
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
  /** Entries not kept because a list reached its bound. */
  omitted: number;
}

export class Timeline {
  readonly #groups = new Map<string, GroupHistory>();
  evicted = 0;

  readonly onEvent = (e: MonitorEvent): void => {
    if (e.type === 'evicted' || e.type === 'group_expired') {
      if (e.type === 'evicted' && e.what === 'group') {
        this.#groups.delete(e.group.id);
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
        this.#push(h, h.failovers, { time: e.time, from: e.from, to: e.to });
        break;
      case 'split_start':
        this.#push(h, h.split_brain, { start: e.split.onset, judged: e.time, end: null, routers: e.split.routers });
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
    }
  };

  /** The histories, with router summaries taken from the monitor's final state, in a stable order. */
  histories(monitor: Monitor): GroupHistory[] {
    for (const group of monitor.groups.values()) {
      const h = this.#history(group);
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
      }));
    }
    const spans: VipSpan<GroupHistory>[] = [];
    for (const h of this.#groups.values()) {
      for (const m of h.masters) {
        for (const vip of h.routers.find((r) => r.address === m.router)?.addresses ?? []) spans.push({ group: h, vrid: h.vrid, interface: h.interface, vip, start: m.start, end: m.end });
      }
    }
    for (const [h, conflicts] of vipConflictIntervals(spans)) {
      h.vip_conflicts = conflicts.slice(0, MAX_ENTRIES);
      h.omitted += conflicts.length - h.vip_conflicts.length;
    }
    // Code-unit order, not localeCompare: the same on every machine, and ICU's collator cost 15 ms here.
    return [...this.#groups.values()].sort((a, b) => byText(a.interface, b.interface) || byText(a.family, b.family) || a.vrid - b.vrid);
  }

  #history(group: GroupState): GroupHistory {
    let h = this.#groups.get(group.id);
    if (h === undefined) {
      h = {
        interface: group.key.interface,
        family: group.key.family,
        vrid: group.key.vrid,
        routers: [],
        masters: [],
        failovers: [],
        split_brain: [],
        mismatches: [],
        no_master: [],
        vip_conflicts: [],
        omitted: 0,
      };
      this.#groups.set(group.id, h);
    }
    return h;
  }

  #push<T>(h: GroupHistory, list: T[], entry: T): void {
    if (list.length >= MAX_ENTRIES) h.omitted++;
    else list.push(entry);
  }
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

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
