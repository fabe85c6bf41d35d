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
 * Watched VIPs (`--vip`, `vips:`) need no VRRP: duplicate as above unless `mode: shared` or a MAC that is
 * shared by construction answers (Windows NLB's 02:bf/03:bf, any multicast MAC); foreign owner: a MAC
 * outside the expected `owners` (when given) answers in each round; unanswered: each round was probed
 * and nobody answered. A watched VIP has the room of an expected one. For every VIP the MAC answering
 * alone is followed: when another MAC answers alone in a later round, the owner changed (a failover on
 * the wire, whatever the HA system).
 */
import { isAnnouncement } from '../wire/neighbor.js';
import { BindingLimit } from './binding-limit.js';
import { GarpWatch } from './garp-watch.js';
import { isVirtualMac, sharedMac } from './macs.js';
import { NeighborBindings } from './neighbor-bindings.js';
import { closedRounds, followOwner, hadMaster, newEntry, recentMacs, roundAt, sameMasters, STATES_PER_ROUND } from './vip-rounds.js';
import type { Masters, Round, VipEntry } from './vip-rounds.js';
import { groupId, vipId } from '../base/keys.js';
import type { Family } from '../base/keys.js';
import { DEFAULT_OWNER_SETTINGS } from './owner-settings.js';
import type { OwnerSettings } from './owner-settings.js';
import type { AdvertSource, Failover, GroupOwnership, OwnerChange, OwnerClaim, OwnershipView, VipOwner, VipView, WatchedVip } from './vip-owner-types.js';

export type { AdvertSource, Failover, GroupOwnership, MissedGarp, OwnerChange, OwnerClaim, OwnershipView, VipMode, VipOwner, VipView, WatchedVip } from './vip-owner-types.js';

export class VipOwners {
  readonly #settings: OwnerSettings;
  readonly #vips = new Map<string, VipEntry>();
  /** Bindings learned from ARP and NDP claims. */
  readonly #bindings: NeighborBindings;
  /** Bindings learned from adverts' Ethernet sources (router → MAC). */
  readonly #routerBindings: NeighborBindings;
  readonly #newBindings = new BindingLimit();
  readonly #routers = new Map<string, Set<string>>();
  /** Routers of expected groups, by interface: their bindings are evicted last. */
  #expectedRouters = new Map<string, Set<string>>();
  readonly #localMacs = new Map<string, ReadonlySet<string>>();
  readonly #probes = new Map<string, number>();
  readonly #garps: GarpWatch;
  /** Watched VIPs by `interface|vip`, and those without an interface by address (taken where first heard). */
  readonly #watched = new Map<string, WatchedVip>();
  readonly #watchedAnywhere = new Map<string, WatchedVip>();
  #changes: OwnerChange[] = [];
  #changeSeq = 0;
  readonly #evicted = { vips: 0, macs: 0 };

  constructor(settings: OwnerSettings = DEFAULT_OWNER_SETTINGS) {
    this.#settings = settings;
    this.#garps = new GarpWatch(settings.garpWindow, settings.recentMissedGarps);
    this.#bindings = new NeighborBindings(settings.maxBindings);
    this.#routerBindings = new NeighborBindings(settings.maxBindings, (iface, ip) => this.#expectedRouters.get(iface)?.has(ip) === true);
  }

  /** The groups and their masters now; VIPs no group names any more are forgotten. */
  setGroups(groups: readonly GroupOwnership[], now: number): void {
    const seen = new Map<string, { vip: string; list: GroupOwnership[] }>();
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
        const id = vipId(g.key.interface, vip);
        const named = seen.get(id);
        if (named === undefined) seen.set(id, { vip, list: [g] });
        else named.list.push(g);
      }
    }
    for (const [id, entry] of this.#vips) {
      if (seen.has(id)) continue;
      if (entry.watch === undefined) this.#vips.delete(id);
      else {
        // A watched VIP stays when no group names it any more, and its rounds go on.
        entry.groups = [];
        this.#touch(entry, now);
      }
    }
    for (const [id, { vip, list }] of seen) {
      let entry = this.#vips.get(id);
      if (entry === undefined) {
        const iface = list[0]?.key.interface ?? '';
        const watch = this.#watchOf(iface, vip);
        if (this.#vips.size >= this.#settings.maxVips && !((watch !== undefined || list.some((g) => g.expected === true)) && this.#evictNewestLearned())) {
          this.#evicted.vips++;
          continue;
        }
        entry = newEntry(iface, vip, watch);
        this.#vips.set(id, entry);
      }
      entry.groups = list;
      this.#touch(entry, now);
    }
    this.#garps.keepGroups(new Set(groups.map((g) => groupId(g.key))));
  }

  /** Makes room for an expected VIP: the learned VIP tracked last goes (counted); false when every VIP is expected. */
  #evictNewestLearned(): boolean {
    let newest: string | undefined;
    for (const [id, e] of this.#vips) if (e.watch === undefined && !e.groups.some((g) => g.expected === true)) newest = id;
    if (newest === undefined) return false;
    this.#vips.delete(newest);
    this.#evicted.vips++;
    return true;
  }

  /**
   * The watch list (`--vip`, `vips:`): those with an interface are watched there at once (with the room
   * of an expected VIP), the others where a claim or a probe for them is first seen. VIPs that leave the
   * list and no group names are forgotten.
   */
  setWatched(list: readonly WatchedVip[], now: number): void {
    if (list.length === 0 && this.#watched.size === 0 && this.#watchedAnywhere.size === 0) return;
    this.#watched.clear();
    this.#watchedAnywhere.clear();
    for (const w of list) {
      if (w.interface === undefined) this.#watchedAnywhere.set(w.vip, w);
      else this.#watched.set(vipId(w.interface, w.vip), w);
    }
    for (const [id, entry] of this.#vips) {
      entry.watch = this.#watchOf(entry.interface, entry.vip);
      if (entry.watch === undefined && entry.groups.length === 0) this.#vips.delete(id);
    }
    for (const [id, w] of this.#watched) {
      let entry = this.#vips.get(id);
      if (entry === undefined) {
        if (this.#vips.size >= this.#settings.maxVips && !this.#evictNewestLearned()) {
          this.#evicted.vips++;
          continue;
        }
        this.#vips.set(id, (entry = newEntry(w.interface ?? '', w.vip, w)));
      }
      this.#touch(entry, now);
    }
  }

  #watchOf(iface: string, vip: string): WatchedVip | undefined {
    return this.#watched.get(vipId(iface, vip)) ?? this.#watchedAnywhere.get(vip);
  }

  /** The entry of a VIP on an interface; a VIP watched without an interface is taken on the first one it is heard on. */
  #find(iface: string, vip: string): VipEntry | undefined {
    const id = vipId(iface, vip);
    const entry = this.#vips.get(id);
    if (entry !== undefined) return entry;
    const watch = this.#watchedAnywhere.get(vip);
    if (watch === undefined || (this.#vips.size >= this.#settings.maxVips && !this.#evictNewestLearned())) return undefined;
    const adopted = newEntry(iface, vip, watch);
    this.#vips.set(id, adopted);
    return adopted;
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
    if (claim.kind !== 'local' && (this.#bindings.has(claim.interface, claim.ip, claim.mac) || this.#newBindings.take(claim.mac, claim.time))) this.#bindings.bind(claim.interface, claim.ip, claim.mac);
    const entry = this.#find(claim.interface, claim.ip);
    if (entry === undefined) return;
    if (isAnnouncement(claim.kind)) {
      entry.lastAnnounce = Math.max(entry.lastAnnounce, claim.time);
      this.#garps.announced(claim.interface, claim.ip, claim.time);
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
      round.macs.set(claim.mac, (seen = { first: claim.time, last: claim.time, kinds: new Set() }));
    }
    seen.last = Math.max(seen.last, claim.time);
    seen.kinds.add(claim.kind);
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
    const entry = this.#find(iface, vip);
    if (entry === undefined) return;
    const round = this.#touch(entry, time);
    if (round !== undefined) round.probed = true;
  }

  /**
   * A failover the monitor judged (its `failover` event): an announcement is now expected. Judged only
   * when one of its VIPs is tracked (announcements are heard for tracked VIPs only).
   */
  observeFailover(failover: Failover): void {
    const entries = failover.vips.map((vip) => this.#vips.get(vipId(failover.key.interface, vip))).filter((e) => e !== undefined);
    this.#garps.failover(
      failover,
      entries.map((e) => e.lastAnnounce),
    );
  }

  judge(now: number): OwnershipView {
    this.#garps.settle(now);
    const vips: VipView[] = [];
    for (const entry of this.#vips.values()) vips.push(this.#view(entry, now));
    return {
      vips,
      probes: new Map(this.#probes),
      failoversWithoutGarp: this.#garps.counts(),
      missedGarps: this.#garps.missed,
      ownerChanges: this.#changes,
      evicted: { ...this.#evicted, bindings: this.#bindings.evicted + this.#newBindings.refused, routerBindings: this.#routerBindings.evicted },
    };
  }

  /** The round `time` falls in, with the VIP's groups now added to it; undefined when older than those kept. */
  #touch(entry: VipEntry, time: number): Round | undefined {
    const round = roundAt(entry, Math.floor(time / this.#settings.round), this.#settings.confirmRounds);
    if (round === undefined) return undefined;
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
    const whole = closedRounds(entry, current, confirmRounds);
    // The masters' MACs are worked out only for a VIP somebody answers for.
    let present: Masters | undefined;
    const mastersNow = (): Masters => (present ??= this.#addMasters(entry.interface, entry.groups, { routers: new Set(), macs: new Set(), known: false }));
    const watch = entry.watch;
    const duplicate =
      watch?.mode !== 'shared' &&
      whole.length > 0 &&
      whole.every((r) => {
        if (r.macs.size < 2) return false;
        for (const mac of r.macs.keys()) if (sharedMac(mac)) return false;
        const masters = () => this.#mastersIn(entry, r).routers;
        return new Set([...r.macs.keys()].map((mac) => this.#routerOf(entry, mac, masters) ?? mac)).size >= 2;
      });
    // A watched VIP has no master to require an answer: nobody answering the probes is the finding.
    const unanswered = whole.length > 0 && whole.every((r) => r.probed && r.macs.size === 0 && (watch !== undefined || hadMaster(r)));
    const foreign: string[] = [];
    const local = this.#localMacs.get(entry.interface);
    const owned = watch?.owners;
    for (const mac of whole[0]?.macs.keys() ?? []) {
      // A watched VIP with its owners listed: any other MAC answering in each round (this host's too).
      if (owned !== undefined) {
        if (!owned.includes(mac) && whole.every((r) => r.macs.has(mac))) foreign.push(mac);
        continue;
      }
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
    this.#follow(entry, current);
    const recent = recentMacs(entry, current);
    for (const mac of entry.since.keys()) if (!recent.has(mac)) entry.since.delete(mac);
    const nowMasters = () => mastersNow().routers;
    const owners: VipOwner[] = [...recent]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([mac, o]) => {
        let since = entry.since.get(mac);
        if (since === undefined) entry.since.set(mac, (since = o.first));
        return { mac, router: this.#routerOf(entry, mac, nowMasters), local: local?.has(mac) === true || o.kinds.has('local'), kinds: [...o.kinds].sort(), since, last: o.last };
      });
    // A watched VIP is probed as an expected one is (first, with room kept for it).
    const expected = watch !== undefined || entry.groups.some((g) => g.expected === true);
    const hasMaster = entry.groups.some((g) => g.masters.length > 0);
    return {
      interface: entry.interface,
      vip: entry.vip,
      family: entry.family,
      groups: entry.groups.map((g) => g.key),
      expected,
      hasMaster,
      owners,
      duplicate,
      foreign: foreign.sort(),
      unanswered,
      watched: watch !== undefined,
      mode: watch?.mode ?? 'exclusive',
      ownerChanges: entry.changes,
      lastAnnouncement: entry.lastAnnounce === -Infinity ? undefined : entry.lastAnnounce,
    };
  }

  /** Records the owner changes of the rounds closed since the last judgement. */
  #follow(entry: VipEntry, current: number): void {
    for (const c of followOwner(entry, current)) {
      this.#changes = [...this.#changes, { seq: ++this.#changeSeq, interface: entry.interface, vip: entry.vip, from: c.from, to: c.to, time: c.round * this.#settings.round }].slice(-this.#settings.recentMissedGarps);
    }
  }
}
