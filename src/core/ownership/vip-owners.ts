/**
 * Who answers for each VIP on the wire, compared with who VRRP says is master. Pure, with the clock
 * passed in: plain observations go in (address claims heard or held, probes sent, advert sources,
 * failovers, the groups' masters), and `judge(now)` gives the owners of every VIP and the findings.
 *
 * Time is cut into probe rounds of `round` seconds (round n is [n·round, (n+1)·round), the rounds the
 * probe plan sends in). A judgement needs `confirmRounds` (3) closed rounds in a row, so a normal
 * failover, where the old owner stops answering within a round of the new one's takeover (both heard
 * in at most two rounds), is never judged; with rounds of 2 s a split on the wire is judged in 6-8 s:
 * - duplicate: two or more owners answer in each round. MACs of one router are one owner, and so is the
 *   group's virtual MAC (use_vmac: 00:00:5e:00:01:VRID, 00:00:5e:00:02:VRID for IPv6) while the group
 *   has one master, so use_vmac's shared MAC is never a duplicate;
 * - foreign owner: a MAC answers in each round and belongs to no master of the VIP's groups in that
 *   round nor now (judged only in rounds where some master's MAC is known);
 * - unanswered: each round was probed, the VIP's group had a master, and nobody answered.
 * A router's MACs are learned from its adverts' Ethernet source and its own claims (its ARP and NDP),
 * which also gives the real MAC of a use_vmac router. After a failover, a gratuitous ARP or unsolicited
 * NA for one of the group's VIPs is expected within `garpWindow` seconds either side (keepalived sends
 * it as it takes over, before the monitor may have seen the new master); without one it is counted.
 * Bounded, with room a spoofer cannot take: VIPs (over the bound new learned VIPs are left out, so
 * tracked ones keep whole rounds, and an expected VIP takes the place of the newest learned one), MACs per
 * VIP per round (the oldest MAC of no router evicted first), and address bindings, those learned from
 * ARP/NDP apart from those learned from adverts (an ARP/NDP flood cannot evict a router's MAC; routers of
 * expected groups are evicted last), with new ARP/NDP bindings limited per source MAC and in all each
 * second. Every drop is counted.
 */
import { isAnnouncement } from '../wire/neighbor.js';
import { NeighborBindings } from './neighbor-bindings.js';
import type { ClaimKind } from '../wire/neighbor.js';
import { groupId } from '../types.js';
import type { Family, GroupKey } from '../types.js';
import type { AdvertSource, Failover, GroupOwnership, MissedGarp, OwnerClaim, OwnershipView, VipOwner, VipView } from './vip-owner-types.js';

export type { AdvertSource, Failover, GroupOwnership, MissedGarp, OwnerClaim, OwnershipView, VipOwner, VipView } from './vip-owner-types.js';

/**
 * `round`: seconds per probe round (the probe interval); `confirmRounds`: closed rounds in a row a
 * judgement needs; `garpWindow`: seconds either side of a failover for the new master's announcement;
 * `maxMacsPerVip`: distinct MACs kept per VIP per round; `maxBindings`: address → MAC bindings kept
 * (routers and hosts heard, all interfaces); `recentMissedGarps`: unannounced failovers kept for views.
 */
export interface OwnerSettings {
  round: number;
  confirmRounds: number;
  garpWindow: number;
  maxVips: number;
  maxMacsPerVip: number;
  maxBindings: number;
  recentMissedGarps: number;
}

/** New ARP/NDP bindings taken per source MAC, and from all sources, per second. */
const NEW_BINDINGS_PER_SOURCE = 16;
const NEW_BINDINGS_PER_SECOND = 512;

export const DEFAULT_OWNER_SETTINGS: OwnerSettings = {
  round: 2,
  confirmRounds: 3,
  garpWindow: 5,
  maxVips: 4096,
  maxMacsPerVip: 8,
  maxBindings: 4096,
  recentMissedGarps: 32,
};

interface MacSeen {
  last: number;
  kinds: Set<ClaimKind>;
}

/** Masters of a VIP's groups and their MACs (learned or virtual). */
interface Masters {
  routers: Set<string>;
  macs: Set<string>;
  /** Some master's MAC was learned (not only assumed virtual). */
  known: boolean;
}

/** Lists of a VIP's groups a round holds before it folds them into its masters. */
const STATES_PER_ROUND = 4;

interface Round {
  index: number;
  macs: Map<string, MacSeen>;
  probed: boolean;
  /**
   * The VIP's groups each time the round was touched and their masters had changed (at most
   * STATES_PER_ROUND), not yet folded into `masters`. Worked out only when a judgement needs it: a VIP
   * nobody answers for (a flood of groups sharing its address) costs a reference per touch, not its
   * masters' MACs.
   */
  states: (readonly GroupOwnership[])[];
  /** Masters of the VIP's groups while the round was open, as far as folded. */
  masters: Masters | undefined;
}

interface VipEntry {
  interface: string;
  vip: string;
  family: Family;
  groups: GroupOwnership[];
  /** Oldest first, at most confirmRounds + 1. */
  rounds: Round[];
  lastAnnounce: number;
}

interface Pending {
  failover: Failover;
  satisfied: boolean;
}

/** Whether two lists of a VIP's groups name the same groups with the same masters (made anew at every judgement). */
function sameMasters(a: readonly GroupOwnership[], b: readonly GroupOwnership[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as GroupOwnership;
    const y = b[i] as GroupOwnership;
    if (x.key.vrid !== y.key.vrid || x.key.family !== y.key.family || x.masters.length !== y.masters.length) return false;
    if (x.masters === y.masters) continue;
    for (let k = 0; k < x.masters.length; k++) if (x.masters[k] !== y.masters[k]) return false;
  }
  return true;
}

/** Whether a MAC is a VRRP virtual MAC (00:00:5e:00:01:XX or 00:00:5e:00:02:XX, RFC 5798 section 7.3). */
export function isVirtualMac(mac: string): boolean {
  return mac.startsWith('00:00:5e:00:01:') || mac.startsWith('00:00:5e:00:02:');
}

/** The virtual MAC of a VRRP group (RFC 5798 section 7.3). */
export function virtualMac(family: Family, vrid: number): string {
  return `00:00:5e:00:0${family === 'ipv4' ? 1 : 2}:${vrid.toString(16).padStart(2, '0')}`;
}

export class VipOwners {
  readonly #settings: OwnerSettings;
  readonly #vips = new Map<string, VipEntry>();
  /** Bindings learned from ARP and NDP claims. */
  readonly #bindings: NeighborBindings;
  /** Bindings learned from adverts' Ethernet sources (router → MAC). */
  readonly #routerBindings: NeighborBindings;
  /** New ARP/NDP bindings taken in second `second`, by source MAC and in all. */
  #newBindings = { second: -Infinity, bySource: new Map<string, number>(), all: 0, refused: 0 };
  readonly #routers = new Map<string, Set<string>>();
  /** Routers of expected groups, by interface: their bindings are evicted last. */
  #expectedRouters = new Map<string, Set<string>>();
  readonly #localMacs = new Map<string, ReadonlySet<string>>();
  readonly #probes = new Map<string, number>();
  readonly #pending = new Map<string, Pending>();
  readonly #missedCounts = new Map<string, { key: GroupKey; count: number }>();
  #missed: MissedGarp[] = [];
  #seq = 0;
  readonly #evicted = { vips: 0, macs: 0 };

  constructor(settings: OwnerSettings = DEFAULT_OWNER_SETTINGS) {
    this.#settings = settings;
    this.#bindings = new NeighborBindings(settings.maxBindings);
    this.#routerBindings = new NeighborBindings(settings.maxBindings, (iface, ip) => this.#expectedRouters.get(iface)?.has(ip) === true);
  }

  /** The groups and their masters now; VIPs no group names any more are forgotten. */
  setGroups(groups: readonly GroupOwnership[], now: number): void {
    const seen = new Map<string, GroupOwnership[]>();
    this.#routers.clear();
    this.#expectedRouters = new Map();
    for (const g of groups) {
      let routers = this.#routers.get(g.key.interface);
      if (routers === undefined) this.#routers.set(g.key.interface, (routers = new Set()));
      for (const r of g.routers) routers.add(r);
      if (g.expected === true) {
        let kept = this.#expectedRouters.get(g.key.interface);
        if (kept === undefined) this.#expectedRouters.set(g.key.interface, (kept = new Set()));
        for (const r of g.routers) kept.add(r);
      }
      for (const vip of g.vips) {
        const id = `${g.key.interface}|${vip}`;
        const list = seen.get(id);
        if (list === undefined) seen.set(id, [g]);
        else list.push(g);
      }
    }
    for (const id of this.#vips.keys()) if (!seen.has(id)) this.#vips.delete(id);
    for (const [id, list] of seen) {
      let entry = this.#vips.get(id);
      if (entry === undefined) {
        if (this.#vips.size >= this.#settings.maxVips && !(list.some((g) => g.expected === true) && this.#evictNewestLearned())) {
          this.#evicted.vips++;
          continue;
        }
        const first = list[0];
        const vip = id.slice(id.indexOf('|') + 1);
        entry = { interface: first?.key.interface ?? '', vip, family: vip.includes(':') ? 'ipv6' : 'ipv4', groups: list, rounds: [], lastAnnounce: -Infinity };
        this.#vips.set(id, entry);
      }
      entry.groups = list;
      this.#touch(entry, now);
    }
    const live = new Set(groups.map((g) => groupId(g.key)));
    for (const id of this.#missedCounts.keys()) if (!live.has(id)) this.#missedCounts.delete(id);
  }

  /** Makes room for an expected VIP: the learned VIP tracked last goes (counted); false when every VIP is expected. */
  #evictNewestLearned(): boolean {
    let newest: string | undefined;
    for (const [id, e] of this.#vips) if (!e.groups.some((g) => g.expected === true)) newest = id;
    if (newest === undefined) return false;
    this.#vips.delete(newest);
    this.#evicted.vips++;
    return true;
  }

  /** This node's MACs on an interface, to name its own answers. */
  setLocalMacs(iface: string, macs: ReadonlySet<string>): void {
    this.#localMacs.set(iface, macs);
  }

  /** An advertisement's Ethernet source: a MAC of the router that sent it. */
  observeAdvertSource(source: AdvertSource): void {
    this.#routerBindings.bind(source.interface, source.router, source.mac);
  }

  observeClaim(claim: OwnerClaim): void {
    if (claim.kind !== 'local' && (this.#bindings.has(claim.interface, claim.ip, claim.mac) || this.#mayBind(claim.mac, claim.time))) this.#bindings.bind(claim.interface, claim.ip, claim.mac);
    const entry = this.#vips.get(`${claim.interface}|${claim.ip}`);
    if (entry === undefined) return;
    if (isAnnouncement(claim.kind)) {
      entry.lastAnnounce = Math.max(entry.lastAnnounce, claim.time);
      for (const p of this.#pending.values()) {
        const f = p.failover;
        if (f.key.interface === claim.interface && f.vips.includes(claim.ip) && Math.abs(claim.time - f.time) <= this.#settings.garpWindow) p.satisfied = true;
      }
    }
    const round = this.#touch(entry, claim.time);
    if (round === undefined) return;
    let seen = round.macs.get(claim.mac);
    if (seen === undefined) {
      if (round.macs.size >= this.#settings.maxMacsPerVip) {
        // The oldest MAC of no router goes first: a flood of answers evicts only what it taught.
        const routers = this.#routers.get(entry.interface);
        const ofRouter = (mac: string): boolean => this.#ipsOf(entry.interface, mac, entry.family).some((ip) => routers?.has(ip) === true);
        let oldest: string | undefined;
        let oldestTime = Infinity;
        for (const [mac, s] of round.macs) if (s.last < oldestTime && !ofRouter(mac)) [oldest, oldestTime] = [mac, s.last];
        if (oldest === undefined) for (const [mac, s] of round.macs) if (s.last < oldestTime) [oldest, oldestTime] = [mac, s.last];
        if (oldest !== undefined) round.macs.delete(oldest);
        this.#evicted.macs++;
      }
      round.macs.set(claim.mac, (seen = { last: claim.time, kinds: new Set() }));
    }
    seen.last = Math.max(seen.last, claim.time);
    seen.kinds.add(claim.kind);
  }

  /** Whether a new ARP/NDP binding from `mac` is taken at `time` (the per-source and overall limits). */
  #mayBind(mac: string, time: number): boolean {
    const second = Math.floor(time);
    const n = this.#newBindings;
    if (second !== n.second) {
      n.second = second;
      n.bySource.clear();
      n.all = 0;
    }
    const fromSource = n.bySource.get(mac) ?? 0;
    if (fromSource >= NEW_BINDINGS_PER_SOURCE || n.all >= NEW_BINDINGS_PER_SECOND) {
      n.refused++;
      return false;
    }
    n.bySource.set(mac, fromSource + 1);
    n.all++;
    return true;
  }

  /** The addresses `mac` was heard as on `iface`, of `family` only. */
  #ipsOf(iface: string, mac: string, family: Family): string[] {
    const out: string[] = [];
    for (const ip of this.#routerBindings.ipsOf(iface, mac)) if (ip.includes(':') === (family === 'ipv6')) out.push(ip);
    for (const ip of this.#bindings.ipsOf(iface, mac)) if (ip.includes(':') === (family === 'ipv6') && !out.includes(ip)) out.push(ip);
    return out;
  }

  observeProbe(iface: string, vip: string, time: number): void {
    this.#probes.set(iface, (this.#probes.get(iface) ?? 0) + 1);
    const entry = this.#vips.get(`${iface}|${vip}`);
    if (entry === undefined) return;
    const round = this.#touch(entry, time);
    if (round !== undefined) round.probed = true;
  }

  /**
   * A failover the monitor judged (its `failover` event): an announcement is now expected. Judged only
   * when one of its VIPs is tracked (announcements are heard for tracked VIPs only).
   */
  observeFailover(failover: Failover): void {
    const id = groupId(failover.key);
    const before = this.#pending.get(id);
    if (before !== undefined && !before.satisfied) this.#countMissed(before.failover);
    this.#pending.delete(id);
    const entries = failover.vips.map((vip) => this.#vips.get(`${failover.key.interface}|${vip}`)).filter((e) => e !== undefined);
    if (entries.length === 0) return;
    const satisfied = entries.some((e) => e.lastAnnounce >= failover.time - this.#settings.garpWindow);
    this.#pending.set(id, { failover, satisfied });
  }

  judge(now: number): OwnershipView {
    for (const [id, p] of this.#pending) {
      if (p.satisfied) this.#pending.delete(id);
      else if (now >= p.failover.time + this.#settings.garpWindow) {
        this.#countMissed(p.failover);
        this.#pending.delete(id);
      }
    }
    const vips: VipView[] = [];
    for (const entry of this.#vips.values()) vips.push(this.#view(entry, now));
    return {
      vips,
      probes: new Map(this.#probes),
      failoversWithoutGarp: [...this.#missedCounts.values()].map((c) => ({ key: c.key, count: c.count })),
      missedGarps: this.#missed,
      evicted: { ...this.#evicted, bindings: this.#bindings.evicted + this.#newBindings.refused, routerBindings: this.#routerBindings.evicted },
    };
  }

  #countMissed(failover: Failover): void {
    const id = groupId(failover.key);
    const counted = this.#missedCounts.get(id);
    if (counted === undefined) this.#missedCounts.set(id, { key: failover.key, count: 1 });
    else counted.count++;
    this.#missed = [...this.#missed, { seq: ++this.#seq, key: failover.key, router: failover.to, time: failover.time, vips: failover.vips }].slice(-this.#settings.recentMissedGarps);
  }

  /** The round `time` falls in, with the VIP's groups now added to it; undefined when older than those kept. */
  #touch(entry: VipEntry, time: number): Round | undefined {
    const index = Math.floor(time / this.#settings.round);
    let round = entry.rounds.find((r) => r.index === index);
    if (round === undefined) {
      const newest = entry.rounds[entry.rounds.length - 1];
      if (newest !== undefined && index < newest.index - this.#settings.confirmRounds) return undefined;
      round = { index, macs: new Map(), probed: false, states: [], masters: undefined };
      entry.rounds = [...entry.rounds, round].sort((a, b) => a.index - b.index);
      const keep = entry.rounds[entry.rounds.length - 1]?.index ?? index;
      entry.rounds = entry.rounds.filter((r) => r.index >= keep - this.#settings.confirmRounds);
    }
    const last = round.states[round.states.length - 1];
    if (last === undefined || !sameMasters(last, entry.groups)) {
      if (round.states.length >= STATES_PER_ROUND) this.#mastersIn(entry, round);
      round.states.push(entry.groups);
    }
    return round;
  }

  /** The masters of the round: its lists of groups folded in (with the MACs known now). */
  #mastersIn(entry: VipEntry, round: Round): Masters {
    const masters = (round.masters ??= { routers: new Set(), macs: new Set(), known: false });
    for (const groups of round.states) this.#addMasters(entry.interface, groups, masters);
    round.states = [];
    return masters;
  }

  /**
   * The masters of `groups` and their MACs: those their adverts come from, and those ARP/NDP bound to
   * them, except a VRRP virtual MAC, which counts only when the master's adverts come from it (anybody
   * can answer ARP with 00:00:5e:00:01:VRID).
   */
  #addMasters(iface: string, groups: readonly GroupOwnership[], into: Masters): Masters {
    for (const g of groups) {
      for (const m of g.masters) {
        into.routers.add(m);
        for (const mac of this.#routerBindings.macsOf(iface, m)) {
          into.macs.add(mac);
          into.known = true;
        }
        for (const mac of this.#bindings.macsOf(iface, m)) {
          if (isVirtualMac(mac)) continue;
          into.macs.add(mac);
          into.known = true;
        }
      }
    }
    return into;
  }

  /** Whether the round had a master (without working out their MACs). */
  static #hadMaster(round: Round): boolean {
    if (round.masters !== undefined && round.masters.routers.size > 0) return true;
    return round.states.some((groups) => groups.some((g) => g.masters.length > 0));
  }

  /**
   * The router a MAC belongs to, of the VIP's address family: for a group's virtual MAC its single master
   * whose adverts come from it (use_vmac), else a router it was heard as (adverts first, then ARP/NDP,
   * where a virtual MAC proves nothing).
   */
  #routerOf(entry: VipEntry, mac: string, masters: () => ReadonlySet<string>): string | undefined {
    const routers = this.#routers.get(entry.interface);
    if (isVirtualMac(mac)) {
      const sending = [...masters()].filter((m) => this.#routerBindings.has(entry.interface, m, mac));
      if (sending.length === 1) return sending[0];
      return this.#routerBindings.ipsOf(entry.interface, mac).find((ip) => ip.includes(':') === (entry.family === 'ipv6') && routers?.has(ip) === true);
    }
    return this.#ipsOf(entry.interface, mac, entry.family).find((ip) => routers?.has(ip) === true);
  }

  #view(entry: VipEntry, now: number): VipView {
    const { round, confirmRounds } = this.#settings;
    const current = Math.floor(now / round);
    // The last closed rounds, all of them or none (a round nothing touched was not watched).
    let whole: Round[] = [];
    for (let i = current - confirmRounds; i < current; i++) {
      const r = entry.rounds.find((x) => x.index === i);
      if (r === undefined) {
        whole = [];
        break;
      }
      whole.push(r);
    }
    // The masters' MACs are worked out only for a VIP somebody answers for.
    let present: Masters | undefined;
    const mastersNow = (): Masters => (present ??= this.#addMasters(entry.interface, entry.groups, { routers: new Set(), macs: new Set(), known: false }));
    const duplicate =
      whole.length > 0 &&
      whole.every((r) => {
        if (r.macs.size < 2) return false;
        const masters = () => this.#mastersIn(entry, r).routers;
        return new Set([...r.macs.keys()].map((mac) => this.#routerOf(entry, mac, masters) ?? mac)).size >= 2;
      });
    const unanswered = whole.length > 0 && whole.every((r) => r.probed && r.macs.size === 0 && VipOwners.#hadMaster(r));
    const foreign: string[] = [];
    const local = this.#localMacs.get(entry.interface);
    for (const mac of whole[0]?.macs.keys() ?? []) {
      // This host answering for an address it holds is never a foreign owner of it (a backup holding a VIP is backup_holding_vip).
      if (mastersNow().macs.has(mac) || local?.has(mac) === true) continue;
      if (
        whole.every((r) => {
          if (!r.macs.has(mac)) return false;
          const m = this.#mastersIn(entry, r);
          return m.known && !m.macs.has(mac);
        })
      )
        foreign.push(mac);
    }
    const recent = new Map<string, { last: number; kinds: Set<ClaimKind> }>();
    for (const r of entry.rounds) {
      if (r.index < current - 1 || r.index > current) continue;
      for (const [mac, seen] of r.macs) {
        const o = recent.get(mac);
        if (o === undefined) recent.set(mac, { last: seen.last, kinds: new Set(seen.kinds) });
        else {
          o.last = Math.max(o.last, seen.last);
          for (const k of seen.kinds) o.kinds.add(k);
        }
      }
    }
    const nowMasters = () => mastersNow().routers;
    const owners: VipOwner[] = [...recent]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([mac, o]) => ({ mac, router: this.#routerOf(entry, mac, nowMasters), local: local?.has(mac) === true || o.kinds.has('local'), kinds: [...o.kinds].sort(), last: o.last }));
    const expected = entry.groups.some((g) => g.expected === true);
    const hasMaster = entry.groups.some((g) => g.masters.length > 0);
    return { interface: entry.interface, vip: entry.vip, family: entry.family, groups: entry.groups.map((g) => g.key), expected, hasMaster, owners, duplicate, foreign: foreign.sort(), unanswered };
  }
}
