/**
 * What the pipeline feeds VIP ownership (ownership/vip-owners.ts), the same for serve, once and replay:
 * the ARP and NDP claims heard, the adverts' Ethernet sources, the Monitor's failovers, and its groups
 * (ownership/vip-groups.ts's rule), set again at each probe round boundary and whenever masters change.
 * Each boundary is judged, and recorded into a VipHistory when the shell keeps one (replay). Pure.
 *
 * A failover is judged for a missing gratuitous ARP (or unsolicited NA) only in a family whose neighbor
 * messages the capture has carried: a capture without any ARP says nothing about announcements.
 *
 * Replay is passive, so "unanswered" needs a question the capture shows the answer to (`passiveProbes`):
 * a request for the VIP (ARP request, Neighbor Solicitation) counts as a probe when the capturing host
 * sent it (Linux cooked capture tells) or when the capture has shown an answer addressed to that
 * requester before. A mirror port that sees broadcast requests but not the unicast replies to other
 * hosts never judges a VIP unanswered. serve and once send their own probes and count those.
 */
import { claimOf } from '../wire/neighbor.js';
import type { LinkInfo, NeighborMessage } from '../wire/neighbor.js';
import { routerOf } from '../groups/router-state.js';
import type { Monitor } from '../groups/state.js';
import type { Family } from '../base/keys.js';
import type { ExpectedGroup } from '../expect/types.js';
import type { MonitorEvent } from '../groups/types.js';
import { VipHistory } from '../history/vip-history.js';
import { ownershipGroups } from '../ownership/vip-groups.js';
import { VipOwners } from '../ownership/vip-owners.js';
import type { OwnerSettings } from '../ownership/owner-settings.js';
import type { Failover, GroupOwnership, OwnershipView, WatchedVip } from '../ownership/vip-owners.js';

/**
 * Masters that change within this many seconds of the last sync of the groups wait for the next one
 * (or for a view or a claim): a flood of new groups would otherwise walk every group at each of them.
 */
const SYNC_EVERY = 0.1;

/** Requesters whose answers the capture showed, kept per interface (the oldest forgotten first). */
const MAX_REQUESTERS = 4096;

export interface FeedSettings {
  owners: OwnerSettings;
  /** Infer probes from requests whose answers the capture shows (replay); serve and once count their own. */
  passiveProbes: boolean;
  /** Keep the judgements of each round as intervals (replay's report). */
  history: boolean;
}

export class OwnershipFeed {
  readonly #settings: OwnerSettings;
  readonly #passive: boolean;
  readonly owners: VipOwners;
  readonly history: VipHistory | undefined;
  /** Families whose neighbor messages the capture carries. */
  readonly #families = new Set<Family>();
  readonly #answered = new Set<string>();
  #changed = false;
  /** When the groups were last set (capture or clock seconds). */
  #synced = -Infinity;
  /** Failovers since the groups were last set: observed once their VIPs are tracked. */
  #failovers: Failover[] = [];
  /** The next round boundary to judge; undefined before `begin`. */
  #next: number | undefined;
  /** The groups last set, for the shell's local claims. */
  owned: readonly GroupOwnership[] = [];
  expected: readonly ExpectedGroup[] = [];
  /** The watch list (`--vip`, `vips:`), placed on interfaces where it can be. */
  watched: readonly WatchedVip[] = [];
  /** The single capture interface named, where expected groups without an interface live. */
  only: string | undefined;

  constructor(settings: FeedSettings) {
    this.#settings = settings.owners;
    this.#passive = settings.passiveProbes;
    this.owners = new VipOwners(settings.owners);
    this.history = settings.history ? new VipHistory(settings.owners.round * settings.owners.confirmRounds) : undefined;
  }

  /** The Monitor's events: masters changed, and failovers after which an announcement is expected. */
  readonly onEvent = (e: MonitorEvent): void => {
    if (e.type !== 'master_start' && e.type !== 'master_end' && e.type !== 'failover') return;
    this.#changed = true;
    if (e.type === 'failover' && this.#families.has(e.group.key.family)) {
      this.#failovers.push({ key: e.group.key, to: e.to, vips: [...(routerOf(e.group, e.to)?.addresses ?? [])], time: e.time });
    }
  };

  /**
   * Ownership starts at the first ARP or NDP message, or at serve's first view: a capture without any
   * has nothing to judge, and replay's tables are not walked at every round for it.
   */
  begin(monitor: Monitor, time: number): void {
    if (this.#next !== undefined) return;
    this.#next = Math.floor(time / this.#settings.round) * this.#settings.round + this.#settings.round;
    this.#sync(monitor, time);
  }

  /** Whether ownership has begun (before, adverts' sources are not bound: nothing is judged yet). */
  get begun(): boolean {
    return this.#next !== undefined;
  }

  /** Before a frame at `time` is applied (or a view at it): judges each round boundary up to it. */
  advance(monitor: Monitor, time: number): void {
    const round = this.#settings.round;
    if (this.#next === undefined) return;
    let t = this.#next;
    if (time < t) return;
    // After a silence longer than the confirming rounds nothing more can be judged: skip to the packet.
    const quietFrom = t + (this.#settings.confirmRounds + 2) * round;
    for (; t <= time; t += round) {
      if (t > quietFrom) t = Math.max(t, Math.floor(time / round) * round);
      monitor.settle(t);
      this.#sync(monitor, t);
      // serve and once judge at each view; replay keeps each round's judgement.
      this.history?.record(this.owners.judge(t), t);
    }
    this.#next = t;
  }

  /**
   * After the monitor applied a frame or settled: its groups, when masters changed. Changes in a burst
   * (a thousand groups heard at once) are taken together, at most every SYNC_EVERY seconds, unless
   * `now` (a view, a claim about to be applied): each sync walks every group.
   */
  applied(monitor: Monitor, time: number, now = false): void {
    if (!this.#changed || this.#next === undefined) return;
    if (!now && time >= this.#synced && time < this.#synced + SYNC_EVERY) return;
    this.#sync(monitor, time);
  }

  /** An advertisement's Ethernet source names a MAC of its router. */
  advertSource(iface: string, router: string, mac: string, time: number): void {
    if (this.#next === undefined) return;
    this.owners.observeAdvertSource({ interface: iface, router, mac, time });
  }

  /** An ARP or NDP message heard on `iface` (applied after `advance` to its time). */
  neighbor(iface: string, message: NeighborMessage, link: LinkInfo, time: number): void {
    this.#families.add(message.protocol === 'arp' ? 'ipv4' : 'ipv6');
    if (this.#passive) this.#question(iface, message, link, time);
    const claim = claimOf(message, link);
    if (claim === undefined) return;
    this.history?.claim(iface, claim.ip, claim.mac, time);
    this.owners.observeClaim({ interface: iface, ...claim, time });
  }

  judge(now: number): OwnershipView {
    return this.owners.judge(now);
  }

  /** Requests for an address count as probes when their answers can be seen; answers mark their requester. */
  #question(iface: string, m: NeighborMessage, link: LinkInfo, time: number): void {
    if (m.protocol === 'arp') {
      if (m.op === 'reply') this.#answer(`${iface}|${m.targetMac}`);
      else if (!m.gratuitous && !m.probe && (link.outgoing === true || this.#answered.has(`${iface}|${m.senderMac}`))) this.owners.observeProbe(iface, m.targetIp, time);
      return;
    }
    if (m.type === 'advertisement') this.#answer(`${iface}|${m.dst}`);
    else if (!m.dad && (link.outgoing === true || this.#answered.has(`${iface}|${m.src}`))) this.owners.observeProbe(iface, m.target, time);
  }

  #answer(requester: string): void {
    this.#answered.delete(requester);
    this.#answered.add(requester);
    if (this.#answered.size > MAX_REQUESTERS) {
      const oldest = this.#answered.values().next();
      if (oldest.done !== true) this.#answered.delete(oldest.value);
    }
  }

  #sync(monitor: Monitor, now: number): void {
    this.#synced = now;
    this.owned = ownershipGroups(monitor.groups.values(), this.expected, this.only);
    this.owners.setWatched(this.watched, now);
    this.owners.setGroups(this.owned, now);
    for (const f of this.#failovers) this.owners.observeFailover(f);
    this.#failovers = [];
    this.#changed = false;
  }
}
