/**
 * Split-brain across VRIDs: masters of two different groups on one interface advertise the same virtual
 * address. Within a group, two masters are a split-brain; across groups that share a VIP each group is
 * healthy on its own, yet both masters hold the address. The classic cause is a node whose keepalived.conf
 * has the wrong virtual_router_id: it hears no one of its own VRID and becomes master. Pure: judged from
 * the views (live) or from master intervals (replay).
 */
import { ADVERT_VIPS_JUDGED } from './judge.js';
import type { GroupView } from './views.js';
import type { GroupKey } from '../base/keys.js';

/** VIP conflicts a group's findings name, at most (the first by address): the rest are counted. */
export const CONFLICT_VIPS_NAMED = 16;

/** Masters of the other VRIDs a conflict names, at most: the rest are counted (a flood of VRIDs shares one address). */
export const CONFLICT_ROUTERS_NAMED = 8;

/** One virtual address advertised by the masters of several VRIDs (shared by every group involved). */
export interface VipConflict {
  vip: string;
  /** Every VRID whose master advertises it, ascending. */
  vrids: number[];
  /** The masters of each of those VRIDs, in the same order (the groups' own lists, not copies). */
  masters: readonly (readonly string[])[];
  /**
   * The first distinct masters in VRID order, enough to name CONFLICT_ROUTERS_NAMED beside any one
   * group's own masters (see othersOf).
   */
  named: readonly string[];
}

/** `named` of a conflict: distinct masters in order, CONFLICT_ROUTERS_NAMED more than the largest group has. */
function namedOf(masters: readonly (readonly string[])[]): string[] {
  let want = 0;
  for (const list of masters) want = Math.max(want, list.length);
  want += CONFLICT_ROUTERS_NAMED;
  const named = new Set<string>();
  for (const list of masters) {
    for (const m of list) {
      named.add(m);
      if (named.size >= want) return [...named];
    }
  }
  return [...named];
}

/** A view's masters as a set, made once per view (views are never changed); undefined for a few, searched as they are. */
const masterSets = new WeakMap<readonly string[], ReadonlySet<string>>();
function mastersSet(masters: readonly string[]): ReadonlySet<string> | undefined {
  if (masters.length <= 8) return undefined;
  let set = masterSets.get(masters);
  if (set === undefined) masterSets.set(masters, (set = new Set(masters)));
  return set;
}

/**
 * The other side of a conflict as seen from one group: the other VRIDs, the first
 * CONFLICT_ROUTERS_NAMED of their masters that are not this group's own, and in `moreRouters` how many
 * masters the other VRIDs have beyond those named (counted per VRID: a router that masters several,
 * this group included, counts in each). Costs the names, not the masters: a flood of VRIDs sharing an
 * address lists hundreds of them.
 */
export function othersOf(conflict: VipConflict, view: Pick<GroupView, 'key' | 'masters'>): { vrids: number[]; routers: string[]; moreRouters: number } {
  const vrids: number[] = [];
  let masters = 0;
  for (let i = 0; i < conflict.vrids.length; i++) {
    const vrid = conflict.vrids[i] as number;
    if (vrid === view.key.vrid) continue;
    vrids.push(vrid);
    masters += conflict.masters[i]?.length ?? 0;
  }
  const mine = mastersSet(view.masters);
  const routers: string[] = [];
  for (const m of conflict.named) {
    if (routers.length >= CONFLICT_ROUTERS_NAMED) break;
    if (mine === undefined ? !view.masters.includes(m) : !mine.has(m)) routers.push(m);
  }
  return { vrids, routers, moreRouters: Math.max(0, masters - routers.length) };
}

type Holders = GroupView | GroupView[];

/**
 * The groups whose current masters advertise an address that a current master of another VRID on the
 * same interface advertises too, by group key. IPv4 and IPv6 addresses never look alike, so the
 * interface alone is the segment.
 */
export function vipConflicts(views: readonly GroupView[]): Map<GroupKey, VipConflict[]> {
  const byInterface = new Map<string, Map<string, Holders>>();
  let shared = false;
  for (const v of views) {
    if (v.masters.length === 0) continue;
    let vips = byInterface.get(v.key.interface);
    if (vips === undefined) {
      vips = new Map();
      byInterface.set(v.key.interface, vips);
    }
    for (const r of v.routers) {
      if (!r.master) continue;
      const count = Math.min(r.addresses.length, ADVERT_VIPS_JUDGED);
      for (let i = 0; i < count; i++) {
        const vip = r.addresses[i] as string;
        const holders = vips.get(vip);
        if (holders === undefined) vips.set(vip, v);
        else if (Array.isArray(holders)) {
          // Views come group by group: if this group holds the address already, it was the last to add it.
          if (holders[holders.length - 1] !== v) holders.push(v);
        } else if (holders !== v) {
          vips.set(vip, [holders, v]);
          shared = true;
        }
      }
    }
  }
  const out = new Map<GroupKey, VipConflict[]>();
  if (!shared) return out;
  // One conflict object per address, shared by its groups, holding their lists of masters: a flood of
  // VRIDs sharing one address costs a list per address, not one per pair.
  for (const vips of byInterface.values()) {
    for (const [vip, holders] of vips) {
      if (!Array.isArray(holders)) continue;
      holders.sort((a, b) => a.key.vrid - b.key.vrid);
      const masters = holders.map((v) => v.masters);
      const conflict: VipConflict = { vip, vrids: holders.map((v) => v.key.vrid), masters, named: namedOf(masters) };
      for (const v of holders) {
        const list = out.get(v.key);
        if (list === undefined) out.set(v.key, [conflict]);
        else list.push(conflict);
      }
    }
  }
  for (const list of out.values()) if (list.length > 1) list.sort((a, b) => (a.vip < b.vip ? -1 : a.vip > b.vip ? 1 : 0));
  return out;
}

/** A time a group's master advertised an address (replay: from the master intervals). */
export interface VipSpan<G> {
  group: G;
  vrid: number;
  interface: string;
  vip: string;
  start: number;
  end: number | null;
}

export interface VipConflictInterval {
  vip: string;
  /** The other VRIDs whose masters advertised it during the interval. */
  vrids: number[];
  start: number;
  end: number | null;
}

/** The same rule over time: when masters of two or more VRIDs on one interface advertised one address. */
export function vipConflictIntervals<G>(spans: readonly VipSpan<G>[]): Map<G, VipConflictInterval[]> {
  const bySegment = new Map<string, VipSpan<G>[]>();
  for (const s of spans) {
    const id = `${s.interface}\n${s.vip}`;
    const list = bySegment.get(id);
    if (list === undefined) bySegment.set(id, [s]);
    else list.push(s);
  }
  const out = new Map<G, VipConflictInterval[]>();
  for (const list of bySegment.values()) {
    if (new Set(list.map((s) => s.group)).size < 2) continue;
    // Sweep: at each time, ends before starts (a master that hands over at t does not overlap from t).
    const points: [number, 0 | 1, VipSpan<G>][] = [];
    for (const s of list) points.push([s.start, 1, s], [s.end ?? Infinity, 0, s]);
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const active = new Map<G, { spans: number; vrid: number }>();
    const open = new Map<G, VipConflictInterval>();
    for (let i = 0; i < points.length; ) {
      const t = points[i]?.[0] ?? Infinity;
      for (; i < points.length && points[i]?.[0] === t; i++) {
        const [, starts, s] = points[i] as [number, 0 | 1, VipSpan<G>];
        const a = active.get(s.group) ?? { spans: 0, vrid: s.vrid };
        a.spans += starts === 1 ? 1 : -1;
        if (a.spans > 0) active.set(s.group, a);
        else active.delete(s.group);
      }
      for (const [g, interval] of open) {
        if (active.has(g) && active.size >= 2) continue;
        interval.end = t === Infinity ? null : t;
        open.delete(g);
      }
      if (active.size < 2) continue;
      for (const g of active.keys()) {
        let interval = open.get(g);
        if (interval === undefined) {
          interval = { vip: list[0]?.vip ?? '', vrids: [], start: t, end: null };
          open.set(g, interval);
          const intervals = out.get(g);
          if (intervals === undefined) out.set(g, [interval]);
          else intervals.push(interval);
        }
        for (const [o, b] of active) if (o !== g && !interval.vrids.includes(b.vrid)) interval.vrids.push(b.vrid);
        interval.vrids.sort((x, y) => x - y);
      }
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.start - b.start || (a.vip < b.vip ? -1 : a.vip > b.vip ? 1 : 0));
  return out;
}
