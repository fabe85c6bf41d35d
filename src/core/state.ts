/**
 * What the watcher knows about each VRRP group, updated by advertisements and by the passage of time.
 * Time is always an argument (capture timestamps in replay, the wall clock in serve), so every shell
 * judges a sequence of packets identically. Judgement itself (who counts as master, what is a
 * split-brain) lives in judge.ts; this file keeps the tables, bounds them, and turns changes of
 * judgement into events.
 */
import { isMaster, masterDownInterval, mismatchesOf, nextDeadline, wins, SPLIT_ADVERTS } from './judge.js';
import type { Advert, Family, GroupKey, MismatchField } from './types.js';
import type { AuthSecret } from './secret.js';

export interface MonitorSettings {
  /** Most groups kept; beyond it the least recently heard are evicted (and counted). */
  maxGroups: number;
  /** Most routers kept per group (a spoofer can send from any source). */
  maxRoutersPerGroup: number;
  /** How long a router that fell silent still takes part in mismatch comparison, seconds. */
  mismatchHoldSeconds: number;
  /** A group unheard for this long is forgotten (serve); Infinity keeps everything (replay). */
  groupExpirySeconds: number;
}

export const DEFAULT_SETTINGS: MonitorSettings = {
  maxGroups: 4096,
  maxRoutersPerGroup: 32,
  mismatchHoldSeconds: 60,
  groupExpirySeconds: 600,
};

const MAX_PRIORITIES_KEPT = 16;

export interface RouterState {
  address: string;
  adverts: number;
  firstSeen: number;
  /** Time of the last advertisement. */
  last: number;
  priority: number;
  /** Distinct priorities advertised, in the order first seen (bounded). */
  priorities: number[];
  interval: number;
  version: 2 | 3;
  addresses: string[];
  /** The advertised addresses sorted and joined, for comparison. */
  addressesKey: string;
  checksumForm: string;
  authType: number | undefined;
  authSecret: AuthSecret | undefined;
  ttl: number;
  /** The last Advert object applied: the same object again means the same content (see Decoder). */
  lastAdvert: Advert | undefined;
  /** Judgement: counted as master now, since when. */
  master: boolean;
  masterSince: number;
  /** Adverts sent while two or more routers counted as master (split-brain evidence). */
  overlapAdverts: number;
  /** Part of a judged split-brain: it keeps its mastership for a full Master_Down_Interval. */
  inSplit: boolean;
}

export interface SplitState {
  /** When a second router started acting as master. */
  onset: number;
  /** When the interleaving made it a split-brain. */
  judged: number;
  routers: string[];
}

export type FindingKind = 'split_brain' | 'no_master' | 'auth_mismatch' | `config_mismatch:${MismatchField}`;

export interface GroupState {
  id: string;
  key: GroupKey;
  routers: Map<string, RouterState>;
  firstSeen: number;
  lastSeen: number;
  /** Evaluated up to this time. */
  settledAt: number;
  /** The master of record, for failover counting (kept when the group has no master). */
  lastMaster: string | undefined;
  masterChanges: number;
  /** When two or more routers started counting as master at once. */
  overlapSince: number | undefined;
  split: SplitState | undefined;
  noMasterSince: number | undefined;
  authMismatchSince: number | undefined;
  configMismatchSince: Map<MismatchField, number>;
}

export type MonitorEvent =
  | { type: 'master_start'; group: GroupState; router: string; time: number }
  | { type: 'master_end'; group: GroupState; router: string; time: number }
  | { type: 'failover'; group: GroupState; from: string; to: string; time: number }
  | { type: 'split_start'; group: GroupState; split: SplitState; time: number }
  | { type: 'split_end'; group: GroupState; split: SplitState; time: number }
  | { type: 'no_master_start' | 'no_master_end'; group: GroupState; time: number }
  | { type: 'mismatch_start' | 'mismatch_end'; group: GroupState; field: MismatchField | 'auth'; time: number }
  | { type: 'group_expired'; group: GroupState; time: number }
  | { type: 'evicted'; what: 'group' | 'router'; group: GroupState; time: number };

export type EventSink = (event: MonitorEvent) => void;

/** A group's place in its interface's slots: the VRID for IPv4, 256 + VRID for IPv6. */
function slotOf(family: Family, vrid: number): number {
  return family === 'ipv4' ? vrid : 256 + vrid;
}

export function groupId(key: GroupKey): string {
  return `${key.interface}|${key.family}|${key.vrid}`;
}

export class Monitor {
  readonly groups = new Map<string, GroupState>();
  /** The same groups indexed by interface, then family and VRID (vrid, or 256 + vrid for IPv6): no string keys per packet. */
  readonly #byInterface = new Map<string, (GroupState | undefined)[]>();
  readonly evictions = { group: 0, router: 0 };

  constructor(
    readonly settings: MonitorSettings,
    private readonly sink: EventSink = () => undefined,
  ) {}

  /** Applies one advertisement heard on `iface` at time `now`. */
  advert(iface: string, advert: Advert, now: number): void {
    let slots = this.#byInterface.get(iface);
    if (slots === undefined) {
      slots = [];
      this.#byInterface.set(iface, slots);
    }
    const slot = slotOf(advert.family, advert.vrid);
    let group = slots[slot];
    if (group === undefined) {
      const key: GroupKey = { interface: iface, family: advert.family, vrid: advert.vrid };
      group = this.#newGroup(groupId(key), key, now);
      slots[slot] = group;
    } else {
      const only = group.routers.size === 1 ? group.routers.get(advert.src) : undefined;
      if (only !== undefined && only.lastAdvert === advert && only.master && now >= only.last && now < only.last + masterDownInterval(only)) {
        // The steady state: the only router of the group repeats itself while it is master. Nothing
        // can change (no second router, same content, no deadline passed), so nothing is judged.
        only.adverts++;
        only.last = now;
        group.lastSeen = now;
        group.settledAt = now;
        return;
      }
      this.#catchUp(group, now);
    }
    group.lastSeen = now;
    let router = group.routers.get(advert.src);
    if (router === undefined) {
      if (group.routers.size >= this.settings.maxRoutersPerGroup) this.#evictRouter(group, now);
      router = newRouter(advert, now);
      group.routers.set(advert.src, router);
    }
    updateRouter(router, advert, now);
    this.#judge(group, now);
    if (group.overlapSince !== undefined && router.master) {
      router.overlapAdverts++;
      this.#judgeSplit(group, now);
    }
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
    const slots = this.#byInterface.get(group.key.interface);
    if (slots === undefined) return;
    slots[slotOf(group.key.family, group.key.vrid)] = undefined;
    if (slots.every((g) => g === undefined)) this.#byInterface.delete(group.key.interface);
  }

  #newGroup(id: string, key: GroupKey, now: number): GroupState {
    if (this.groups.size >= this.settings.maxGroups) this.#evictGroups(now);
    const group: GroupState = {
      id,
      key,
      routers: new Map(),
      firstSeen: now,
      lastSeen: now,
      settledAt: now,
      lastMaster: undefined,
      masterChanges: 0,
      overlapSince: undefined,
      split: undefined,
      noMasterSince: undefined,
      authMismatchSince: undefined,
      configMismatchSince: new Map(),
    };
    this.groups.set(id, group);
    return group;
  }

  /** Evicts the least recently heard tenth of the groups, so a flood costs one sort per many groups. */
  #evictGroups(now: number): void {
    const oldest = [...this.groups.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    const n = Math.max(1, Math.floor(this.settings.maxGroups / 10));
    for (const group of oldest.slice(0, n)) {
      this.#forget(group);
      this.evictions.group++;
      this.sink({ type: 'evicted', what: 'group', group, time: now });
    }
  }

  #evictRouter(group: GroupState, now: number): void {
    let oldest: RouterState | undefined;
    for (const r of group.routers.values()) if (oldest === undefined || r.last < oldest.last) oldest = r;
    if (oldest === undefined) return;
    group.routers.delete(oldest.address);
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
      const deadline = nextDeadline(group, this.settings);
      if (deadline === undefined || deadline > now) break;
      this.#judge(group, Math.max(deadline, group.settledAt));
    }
  }

  #judge(group: GroupState, now: number): void {
    group.settledAt = Math.max(group.settledAt, now);
    const masters: RouterState[] = [];
    for (const r of group.routers.values()) {
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
      if (r.master) masters.push(r);
    }

    if (masters.length >= 2) {
      if (group.overlapSince === undefined) {
        group.overlapSince = Math.max(...masters.map((m) => m.masterSince));
        // A master already advertising before the overlap began gets that last advert counted: if it
        // keeps going after the newcomer's first advert it was not preempted. The newcomer counts its
        // own adverts from the one that began the overlap.
        for (const m of masters) m.overlapAdverts = m.last < group.overlapSince ? 1 : 0;
      }
    } else {
      group.overlapSince = undefined;
      for (const m of masters) {
        m.overlapAdverts = 0;
        m.inSplit = false;
      }
      if (group.split !== undefined) {
        this.sink({ type: 'split_end', group, split: group.split, time: now });
        group.split = undefined;
      }
    }

    if (masters.length > 0) {
      if (group.noMasterSince !== undefined) {
        this.sink({ type: 'no_master_end', group, time: now });
        group.noMasterSince = undefined;
      }
      const previous = group.lastMaster === undefined ? undefined : group.routers.get(group.lastMaster);
      if (group.lastMaster === undefined || previous === undefined || !previous.master) {
        const next = masters.reduce((best, m) => (wins(m, best) ? m : best));
        if (group.lastMaster !== undefined && group.lastMaster !== next.address) {
          group.masterChanges++;
          const time = Math.max(next.masterSince, previous?.last ?? next.masterSince);
          this.sink({ type: 'failover', group, from: group.lastMaster, to: next.address, time });
        }
        group.lastMaster = next.address;
      }
    } else if (group.lastMaster !== undefined && group.noMasterSince === undefined) {
      group.noMasterSince = now;
      this.sink({ type: 'no_master_start', group, time: now });
    }

    this.#judgeMismatches(group, now);
  }

  #judgeSplit(group: GroupState, now: number): void {
    const evidence = [...group.routers.values()].filter((r) => r.master && r.overlapAdverts >= SPLIT_ADVERTS);
    if (evidence.length < 2) return;
    for (const r of evidence) r.inSplit = true;
    const routers = evidence.map((r) => r.address).sort();
    if (group.split === undefined) {
      group.split = { onset: group.overlapSince ?? now, judged: now, routers };
      this.sink({ type: 'split_start', group, split: group.split, time: now });
    } else {
      for (const r of routers) if (!group.split.routers.includes(r)) group.split.routers = [...group.split.routers, r].sort();
    }
  }

  #judgeMismatches(group: GroupState, now: number): void {
    // One router cannot disagree with itself: the common case costs nothing.
    if (group.routers.size < 2 && group.authMismatchSince === undefined && group.configMismatchSince.size === 0) return;
    const found = mismatchesOf(group, now, this.settings);
    const auth = found.has('auth');
    if (auth && group.authMismatchSince === undefined) {
      group.authMismatchSince = now;
      this.sink({ type: 'mismatch_start', group, field: 'auth', time: now });
    } else if (!auth && group.authMismatchSince !== undefined) {
      group.authMismatchSince = undefined;
      this.sink({ type: 'mismatch_end', group, field: 'auth', time: now });
    }
    for (const field of CONFIG_FIELDS) {
      const on = found.has(field);
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

export const CONFIG_FIELDS: readonly MismatchField[] = ['advert_interval', 'addresses', 'version', 'checksum_form'];

function newRouter(advert: Advert, now: number): RouterState {
  return {
    address: advert.src,
    adverts: 0,
    firstSeen: now,
    last: now,
    priority: advert.priority,
    priorities: [],
    interval: advert.advertInterval,
    version: advert.version,
    addresses: advert.addresses,
    addressesKey: addressesKey(advert.addresses),
    checksumForm: advert.checksumForm,
    authType: advert.authType,
    authSecret: advert.authSecret,
    ttl: advert.ttl,
    lastAdvert: undefined,
    master: false,
    masterSince: now,
    overlapAdverts: 0,
    inSplit: false,
  };
}

function updateRouter(r: RouterState, a: Advert, now: number): void {
  r.lastAdvert = a;
  r.adverts++;
  r.last = now;
  r.priority = a.priority;
  if (!r.priorities.includes(a.priority) && r.priorities.length < MAX_PRIORITIES_KEPT) r.priorities.push(a.priority);
  r.interval = a.advertInterval;
  r.version = a.version;
  if (!sameList(r.addresses, a.addresses)) {
    r.addresses = a.addresses;
    r.addressesKey = addressesKey(a.addresses);
  }
  r.checksumForm = a.checksumForm;
  r.authType = a.authType;
  r.authSecret = a.authSecret;
  r.ttl = a.ttl;
}

function addressesKey(addresses: readonly string[]): string {
  return [...addresses].sort().join(',');
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What outputs need of a group at one moment (call `Monitor.settle(now)` first). */
export interface GroupView {
  key: GroupKey;
  masters: string[];
  splitBrain: boolean;
  noMaster: boolean;
  masterChanges: number;
  authMismatch: boolean;
  configMismatch: MismatchField[];
  routers: {
    address: string;
    adverts: number;
    priority: number;
    interval: number;
    last: number;
    master: boolean;
    version: 2 | 3;
    addresses: string[];
  }[];
}

export function groupView(group: GroupState): GroupView {
  const routers = [...group.routers.values()];
  return {
    key: group.key,
    masters: routers.filter((r) => r.master).map((r) => r.address),
    splitBrain: group.split !== undefined,
    noMaster: group.noMasterSince !== undefined,
    masterChanges: group.masterChanges,
    authMismatch: group.authMismatchSince !== undefined,
    configMismatch: [...group.configMismatchSince.keys()],
    routers: routers.map((r) => ({
      address: r.address,
      adverts: r.adverts,
      priority: r.priority,
      interval: r.interval,
      last: r.last,
      master: r.master,
      version: r.version,
      addresses: r.addresses,
    })),
  };
}
