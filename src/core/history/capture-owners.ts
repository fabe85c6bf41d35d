/**
 * VIP ownership judged over a capture, as the live exporter judges it: the same VipOwners, fed in time
 * order with the capture's ARP and NDP claims, its adverts' Ethernet sources, the monitor's groups and
 * failovers, and judged at each probe round boundary into a VipHistory. Pure; `replay` drives it.
 *
 * Passive only, so "unanswered" needs a question the capture shows the answer to: a request for the VIP
 * (ARP request, Neighbor Solicitation) counts as a probe when the capturing host sent it (Linux cooked
 * capture tells) or when the capture has shown an answer addressed to that requester before. A mirror
 * port that sees broadcast requests but not the unicast replies to other hosts never judges a VIP
 * unanswered. A capture without any ARP (or NDP) says nothing about its family's announcements, so
 * failovers without a gratuitous ARP are judged only in families whose neighbor messages it carries.
 */
import { readLinkHeader } from '../wire/link-header.js';
import { claimOf } from '../wire/neighbor.js';
import type { LinkInfo, NeighborMessage } from '../wire/neighbor.js';
import { routerOf } from '../groups/state.js';
import type { Monitor } from '../groups/state.js';
import type { Family, MonitorEvent } from '../types.js';
import { VipHistory } from './vip-history.js';
import { DEFAULT_OWNER_SETTINGS, VipOwners } from '../ownership/vip-owners.js';
import type { Failover, GroupOwnership, OwnerSettings } from '../ownership/vip-owners.js';

/** Requesters whose answers the capture showed, kept per interface (the oldest forgotten first). */
const MAX_REQUESTERS = 4096;

/** The monitor's groups as ownership sees them: the addresses their routers advertise, masters, routers. */
export function ownershipGroups(monitor: Monitor): GroupOwnership[] {
  const groups: GroupOwnership[] = [];
  for (const g of monitor.groups.values()) {
    const vips = new Set<string>();
    const masters: string[] = [];
    for (const r of g.routers) {
      for (const a of r.addresses) vips.add(a);
      if (r.master) masters.push(r.address);
    }
    groups.push({ key: g.key, vips: [...vips], masters, routers: g.routers.map((r) => r.address) });
  }
  return groups;
}

export class CaptureOwners {
  readonly #settings: OwnerSettings;
  readonly #owners: VipOwners;
  readonly history: VipHistory;
  /** Families whose neighbor messages the capture carries. */
  readonly #families = new Set<Family>();
  readonly #answered = new Set<string>();
  #failovers: Failover[] = [];
  #changed = false;
  /** The next round boundary to judge; undefined until the first ARP or NDP message (nothing to judge before). */
  #next: number | undefined;

  constructor(settings: OwnerSettings = DEFAULT_OWNER_SETTINGS) {
    this.#settings = settings;
    this.#owners = new VipOwners(settings);
    this.history = new VipHistory(settings.round * settings.confirmRounds);
  }

  /** The monitor's events: masters changed, and failovers after which an announcement is expected. */
  readonly onEvent = (e: MonitorEvent): void => {
    if (this.#next === undefined || (e.type !== 'master_start' && e.type !== 'master_end' && e.type !== 'failover')) return;
    this.#changed = true;
    // Failovers before the first neighbor message are not judged: the capture may not carry ARP at all.
    if (e.type === 'failover') this.#failovers.push({ key: e.group.key, to: e.to, vips: [...(routerOf(e.group, e.to)?.addresses ?? [])], time: e.time });
  };

  /** Before a packet at `time` is applied: judges each round boundary up to it. */
  advance(monitor: Monitor, time: number): void {
    const round = this.#settings.round;
    let t = this.#next;
    if (t === undefined || time < t) return;
    // After a silence longer than the confirming rounds nothing more can be judged: skip to the packet.
    const quietFrom = t + (this.#settings.confirmRounds + 2) * round;
    for (; t <= time; t += round) {
      if (t > quietFrom) t = Math.max(t, Math.floor(time / round) * round);
      monitor.settle(t);
      this.#sync(monitor, t);
      const view = this.#owners.judge(t);
      this.history.record({ ...view, missedGarps: view.missedGarps.filter((m) => this.#families.has(m.key.family)) }, t);
    }
    this.#next = t;
  }

  /** After the monitor applied a packet: its groups and failovers, when they changed. */
  applied(monitor: Monitor, time: number): void {
    if (this.#next !== undefined && this.#changed) this.#sync(monitor, time);
  }

  /** An advertisement's Ethernet source names a MAC of its router. */
  advert(iface: string, router: string, linkType: number, frame: Uint8Array, time: number): void {
    if (this.#next === undefined) return;
    const mac = readLinkHeader(linkType, frame)?.source;
    if (mac !== undefined) this.#owners.observeAdvertSource({ interface: iface, router, mac, time });
  }

  /** An ARP or NDP message heard on `iface` (applied after `advance` to its time). */
  neighbor(monitor: Monitor, iface: string, message: NeighborMessage, link: LinkInfo, time: number): void {
    if (this.#next === undefined) {
      this.#next = Math.floor(time / this.#settings.round) * this.#settings.round + this.#settings.round;
      this.#sync(monitor, time);
    }
    this.#families.add(message.protocol === 'arp' ? 'ipv4' : 'ipv6');
    this.#question(iface, message, link, time);
    const claim = claimOf(message, link);
    if (claim === undefined) return;
    this.history.claim(iface, claim.ip, claim.mac, time);
    this.#owners.observeClaim({ interface: iface, ...claim, time });
  }

  /** Requests for an address count as probes when their answers can be seen; answers mark their requester. */
  #question(iface: string, m: NeighborMessage, link: LinkInfo, time: number): void {
    if (m.protocol === 'arp') {
      if (m.op === 'reply') this.#answer(`${iface}|${m.targetMac}`);
      else if (!m.gratuitous && !m.probe && (link.outgoing === true || this.#answered.has(`${iface}|${m.senderMac}`))) this.#owners.observeProbe(iface, m.targetIp, time);
      return;
    }
    if (m.type === 'advertisement') this.#answer(`${iface}|${m.dst}`);
    else if (!m.dad && (link.outgoing === true || this.#answered.has(`${iface}|${m.src}`))) this.#owners.observeProbe(iface, m.target, time);
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
    this.#owners.setGroups(ownershipGroups(monitor), now);
    for (const f of this.#failovers) this.#owners.observeFailover(f);
    this.#failovers = [];
    this.#changed = false;
  }
}
