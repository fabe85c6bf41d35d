/**
 * The Monitor: what the watcher knows about each VRRP group, updated by advertisements and by the
 * passage of time. Time is always an argument (capture timestamps in replay, the wall clock in serve),
 * so every shell judges a sequence of packets identically. The rules (who counts as master, when a
 * group has no master, mismatches) live in judge.ts, the split-brain rule in split-brain.ts, a router's
 * entry in router-state.ts, the state's types in groups/types.ts and the views outputs read in views.ts; this
 * file keeps the tables, bounds them, applies the rules and turns changes of judgement into events.
 */
import { failoverReason, isNearFailover, noFailovers, priorityDropAfter, RECENT_GAPS_KEPT } from './causes.js';
import { isMaster, masterDownInterval, mismatchesOf, nextDeadline, noMasterAt, wins, MISMATCH_BIT } from './judge.js';
import { GROUP_BYTES } from './router-addresses.js';
import { CaptureDrops, judgeRisk, newGroupRisk, nextRiskDeadline, riskAdvert, riskRepeat } from './risk.js';
import { newRouter, routerBytes, routerOf, updateRouter } from './router-state.js';
import { judgeOverlap, judgeSplit } from './split-brain.js';
import { groupId } from '../base/keys.js';
import type { Family, GroupKey } from '../base/keys.js';
import type { EventSink, GroupState, MismatchField, MonitorSettings, RouterState } from './types.js';
import type { Advert } from '../wire/types.js';

export const DEFAULT_SETTINGS: MonitorSettings = {
  maxGroups: 4096,
  maxRoutersPerGroup: 32,
  maxBytes: 16 * 2 ** 20,
  mismatchHoldSeconds: 60,
  groupExpirySeconds: 600,
};

/** A group's place in its interface's slots: the VRID for IPv4, 256 + VRID for IPv6. */
export function slotOf(family: Family, vrid: number): number {
  return family === 'ipv4' ? vrid : 256 + vrid;
}

export class Monitor {
  readonly groups = new Map<string, GroupState>();
  /** The same groups indexed by interface, then family and VRID (vrid, or 256 + vrid for IPv6): no string keys per packet. */
  readonly #byInterface = new Map<string, (GroupState | undefined)[]>();
  /** The interface of the last advert and its slots: adverts come in runs from one interface. */
  #lastInterface: string | undefined;
  #lastSlots: (GroupState | undefined)[] = [];
  readonly evictions = { group: 0, router: 0 };
  /** The tables' estimated size in bytes (router-addresses.ts), bounded by settings.maxBytes. */
  #bytes = 0;
  /**
   * Whether the last advert was its group's only master repeating itself (nothing judged, no event):
   * what follows it in the pipeline (router errors, the timeline) has nothing new to note either.
   */
  repeated = false;
  /** The router the last advert was applied to. */
  heard: RouterState | undefined;
  /** When our own capture dropped packets: gaps during them are not judged for the failover risk. */
  readonly drops = new CaptureDrops();

  constructor(
    readonly settings: MonitorSettings,
    private readonly sink: EventSink = () => undefined,
  ) {}

  /** Applies one advertisement heard on `iface` at time `now`; returns its group. */
  advert(iface: string, advert: Advert, now: number): GroupState {
    let slots = iface === this.#lastInterface ? this.#lastSlots : this.#byInterface.get(iface);
    if (slots === undefined) {
      slots = [];
      this.#byInterface.set(iface, slots);
    }
    this.#lastInterface = iface;
    this.#lastSlots = slots;
    const slot = slotOf(advert.family, advert.vrid);
    let group = slots[slot];
    if (group === undefined) {
      const key: GroupKey = { interface: iface, family: advert.family, vrid: advert.vrid };
      group = this.#newGroup(groupId(key), key, now);
      slots[slot] = group;
    } else {
      const r = routerOf(group, advert.src);
      if (r !== undefined && r.lastAdvert === advert && r.master && group.overlapSince === undefined && now >= r.last && now < this.#quietUntil(group, r) && !isNearFailover(now - r.last, r.interval) && riskRepeat(group.risk, r.address, now)) {
        // The steady state: the only master of the group repeats itself. Nothing can change (same
        // content, no second master, no deadline passed), so nothing is judged.
        r.adverts++;
        r.last = now;
        group.lastSeen = now;
        group.settledAt = now;
        this.repeated = true;
        this.heard = r;
        return group;
      }
      this.#catchUp(group, now);
    }
    this.repeated = false;
    group.lastSeen = now;
    let router = routerOf(group, advert.src);
    if (router === undefined) {
      if (group.routers.length >= this.settings.maxRoutersPerGroup) this.#evictRouter(group, now);
      if (this.#bytes >= this.settings.maxBytes) this.#evictGroups(now, group);
      router = newRouter(advert, now);
      group.routers.push(router);
      this.#bytes += routerBytes(router);
    }
    if (router.master) this.#noteMasterAdvert(group, router, advert, now);
    this.#bytes += updateRouter(router, advert, now);
    this.#judge(group, now);
    if (group.overlapSince !== undefined && router.master) {
      router.overlapAdverts++;
      judgeSplit(group, now, this.sink);
    }
    riskAdvert(group.risk, router, now);
    this.#judgeRisk(group, now);
    this.heard = router;
    return group;
  }

  /** Our own capture dropped `count` packets between `from` and `to`: no gap of that time is judged. */
  captureDrops(from: number, to: number, count: number): void {
    this.drops.add(from, to, count);
  }

  #judgeRisk(group: GroupState, now: number): void {
    const change = judgeRisk(group.risk, now, this.drops, this.settings.dropLagSeconds ?? 0);
    if (change !== undefined) this.sink({ type: change === 'start' ? 'risk_start' : 'risk_end', group, time: now });
  }

  /** The next deadline of the group's rules or of its failover risk. */
  #nextDeadline(group: GroupState): number | undefined {
    const rules = nextDeadline(group, this.settings);
    const risk = nextRiskDeadline(group.risk, group.settledAt, this.settings.dropLagSeconds ?? 0);
    return risk === undefined ? rules : rules === undefined ? risk : Math.min(rules, risk);
  }

  /** The group heard on `iface` with this family and VRID, if any (no key string is made). */
  group(iface: string, family: Family, vrid: number): GroupState | undefined {
    return this.#byInterface.get(iface)?.[slotOf(family, vrid)];
  }

  /**
   * Marks the group as disturbed by another protocol's traffic on its VRID since `since` (undefined:
   * no longer): master changes while marked have cause `foreign`. Set by the watcher.
   */
  markForeign(iface: string, family: Family, vrid: number, since: number | undefined): void {
    const group = this.group(iface, family, vrid);
    if (group !== undefined) group.foreignSince = since;
  }

  /** What an advert of a router that counts as master tells the causes: a fall of its priority, a near failover. */
  #noteMasterAdvert(group: GroupState, r: RouterState, advert: Advert, now: number): void {
    if (advert.priority !== r.priority) group.priorityDrop = priorityDropAfter(group.priorityDrop, r.address, r.priority, advert.priority, now);
    if (!isNearFailover(now - r.last, r.interval)) return;
    group.nearFailovers++;
    const gap = { router: r.address, start: r.last, end: now };
    if (group.recentGaps.length >= RECENT_GAPS_KEPT) group.recentGaps.shift();
    group.recentGaps.push(gap);
    this.sink({ type: 'near_failover', group, router: r.address, start: r.last, end: now, interval: r.interval, time: now });
  }

  /** The end of the time in which `master`'s repeated adverts change nothing in its group. */
  #quietUntil(group: GroupState, master: RouterState): number {
    // Alone, only its own Master_Down_Interval can end its mastership (cheaper than the general case).
    if (group.routers.length === 1 && group.risk.gaps.length === 0) return master.last + masterDownInterval(master);
    if (Number.isNaN(group.quietUntil)) group.quietUntil = this.#nextDeadline(group) ?? Infinity;
    return group.quietUntil;
  }

  /** What the tables hold: groups, routers and their estimated size in bytes (bounded by maxBytes). */
  sizes(): { groups: number; routers: number; bytes: number } {
    let routers = 0;
    for (const group of this.groups.values()) routers += group.routers.length;
    return { groups: this.groups.size, routers, bytes: this.#bytes };
  }

  /** Brings every group's judgement up to `now` (expiries, silent masters, ended findings). */
  settle(now: number): void {
    for (const group of this.groups.values()) {
      this.#settle(group, now);
      if (now >= group.lastSeen + this.settings.groupExpirySeconds) {
        this.#forget(group);
        this.sink({ type: 'group_expired', group, time: now });
      }
    }
  }

  #forget(group: GroupState): void {
    this.groups.delete(group.id);
    this.#bytes -= GROUP_BYTES;
    for (const r of group.routers) this.#bytes -= routerBytes(r);
    const slots = this.#byInterface.get(group.key.interface);
    if (slots === undefined) return;
    slots[slotOf(group.key.family, group.key.vrid)] = undefined;
    if (slots.every((g) => g === undefined)) {
      this.#byInterface.delete(group.key.interface);
      if (this.#lastInterface === group.key.interface) this.#lastInterface = undefined;
    }
  }

  #newGroup(id: string, key: GroupKey, now: number): GroupState {
    if (this.groups.size >= this.settings.maxGroups || this.#bytes >= this.settings.maxBytes) this.#evictGroups(now, undefined);
    this.#bytes += GROUP_BYTES;
    const group: GroupState = {
      id,
      key,
      routers: [],
      firstSeen: now,
      lastSeen: now,
      settledAt: now,
      lastMaster: undefined,
      masterChanges: 0,
      failoverCauses: noFailovers(),
      priorityDrop: undefined,
      nearFailovers: 0,
      recentGaps: [],
      risk: newGroupRisk(),
      overlapSince: undefined,
      split: undefined,
      masterlessSince: undefined,
      noMasterSince: undefined,
      authMismatchSince: undefined,
      configMismatchSince: new Map(),
      quietUntil: NaN,
    };
    this.groups.set(id, group);
    return group;
  }

  /**
   * Evicts the least recently heard groups (but `keep`, the group being heard) until the tables are a
   * tenth under both their bounds, in groups and in bytes: a flood costs one sort per many groups.
   */
  #evictGroups(now: number, keep: GroupState | undefined): void {
    const oldest = [...this.groups.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    const groups = this.settings.maxGroups - Math.max(1, Math.floor(this.settings.maxGroups / 10));
    for (const group of oldest) {
      if (this.groups.size <= groups && this.#bytes <= 0.9 * this.settings.maxBytes) break;
      if (group === keep) continue;
      this.#forget(group);
      this.evictions.group++;
      this.sink({ type: 'evicted', what: 'group', group, time: now });
    }
  }

  #evictRouter(group: GroupState, now: number): void {
    let oldest: RouterState | undefined;
    for (const r of group.routers) if (oldest === undefined || r.last < oldest.last) oldest = r;
    if (oldest === undefined) return;
    group.routers.splice(group.routers.indexOf(oldest), 1);
    this.#bytes -= routerBytes(oldest);
    this.evictions.router++;
    this.sink({ type: 'evicted', what: 'router', group, time: now });
    this.#judge(group, now);
  }

  /** Judges the group at each deadline that passed since it was last judged, then at `now`. */
  #settle(group: GroupState, now: number): void {
    this.#catchUp(group, now);
    this.#judge(group, now);
  }

  /** Judges the group at each deadline up to `now`, so changes get their exact times. */
  #catchUp(group: GroupState, now: number): void {
    for (let guard = 0; guard < 64; guard++) {
      const deadline = this.#nextDeadline(group);
      if (deadline === undefined || deadline > now) break;
      this.#judge(group, Math.max(deadline, group.settledAt));
    }
  }

  #judge(group: GroupState, now: number): void {
    group.settledAt = Math.max(group.settledAt, now);
    group.quietUntil = NaN;
    let masters = 0;
    let best: RouterState | undefined;
    let latestStart = -Infinity;
    for (const r of group.routers) {
      const was = r.master;
      r.master = isMaster(group, r, now);
      if (r.master && !was) {
        r.masterSince = r.last;
        this.sink({ type: 'master_start', group, router: r.address, time: r.last });
      } else if (!r.master && was) {
        r.overlapAdverts = 0;
        r.inSplit = false;
        this.sink({ type: 'master_end', group, router: r.address, time: now });
      }
      if (r.master) {
        masters++;
        if (best === undefined || wins(r, best)) best = r;
        if (r.masterSince > latestStart) latestStart = r.masterSince;
      }
    }

    const healed = judgeOverlap(group, masters, latestStart, best, now, this.sink);

    if (best !== undefined) {
      group.masterlessSince = undefined;
      if (group.noMasterSince !== undefined) {
        this.sink({ type: 'no_master_end', group, time: now });
        group.noMasterSince = undefined;
      }
      const previous = group.lastMaster === undefined ? undefined : routerOf(group, group.lastMaster);
      if (group.lastMaster === undefined || previous === undefined || !previous.master) {
        if (group.lastMaster !== undefined && group.lastMaster !== best.address) {
          group.masterChanges++;
          const time = Math.max(best.masterSince, previous?.last ?? best.masterSince);
          const reason = failoverReason({ old: previous, next: best, nextWins: previous === undefined || wins(best, previous), time, splitHealed: healed, foreignSince: group.foreignSince, drop: group.priorityDrop });
          group.failoverCauses[reason.cause]++;
          group.priorityDrop = undefined;
          this.sink({ type: 'failover', group, from: group.lastMaster, to: best.address, time, reason });
        }
        group.lastMaster = best.address;
      }
    } else if (group.lastMaster !== undefined) {
      group.masterlessSince ??= now;
      if (group.noMasterSince === undefined && now >= (noMasterAt(group) ?? Infinity)) {
        // Dated from when the last master stopped counting: the gap outlasted a takeover.
        group.noMasterSince = group.masterlessSince;
        this.sink({ type: 'no_master_start', group, time: group.masterlessSince });
      }
    }

    this.#judgeMismatches(group, now);
    this.#judgeRisk(group, now);
  }

  #judgeMismatches(group: GroupState, now: number): void {
    // One router cannot disagree with itself: the common case costs nothing.
    if (group.routers.length < 2 && group.authMismatchSince === undefined && group.configMismatchSince.size === 0) return;
    const found = mismatchesOf(group, now, this.settings);
    if (found === 0 && group.authMismatchSince === undefined && group.configMismatchSince.size === 0) return;
    const auth = (found & MISMATCH_BIT.auth) !== 0;
    if (auth && group.authMismatchSince === undefined) {
      group.authMismatchSince = now;
      this.sink({ type: 'mismatch_start', group, field: 'auth', time: now });
    } else if (!auth && group.authMismatchSince !== undefined) {
      group.authMismatchSince = undefined;
      this.sink({ type: 'mismatch_end', group, field: 'auth', time: now });
    }
    for (const field of CONFIG_FIELDS) {
      const on = (found & MISMATCH_BIT[field]) !== 0;
      const since = group.configMismatchSince.get(field);
      if (on && since === undefined) {
        group.configMismatchSince.set(field, now);
        this.sink({ type: 'mismatch_start', group, field, time: now });
      } else if (!on && since !== undefined) {
        group.configMismatchSince.delete(field);
        this.sink({ type: 'mismatch_end', group, field, time: now });
      }
    }
  }
}

export const CONFIG_FIELDS: readonly MismatchField[] = ['advert_interval', 'addresses', 'version', 'checksum_form', 'auth_hmac', 'hmac_key_id', 'hmac_clock'];
