/**
 * The live pipeline shared by `serve` and `once`: frames → decoder → monitor, invalid packets counted
 * by interface and reason, and the node's own judgement on top; ARP and NDP frames → neighbor decoder
 * → VIP ownership (with the adverts' Ethernet sources, the Monitor's failovers and this node's VIPs). Wall-clock time comes in here from
 * the capture timestamps and the callers' clocks; the core stays pure.
 */
import { Decoder } from '../core/wire/decode.js';
import { ADVERT_VIPS_KEPT } from '../core/groups/router-addresses.js';
import { readLinkHeader, sourceMacKey } from '../core/wire/link-header.js';
import { claimOf, decodeNeighbor } from '../core/wire/neighbor.js';
import { ownershipGroups } from '../core/ownership/vip-groups.js';
import { DEFAULT_OWNER_SETTINGS, VipOwners } from '../core/ownership/vip-owners.js';
import type { OwnershipView, OwnerSettings } from '../core/ownership/vip-owners.js';
import type { InterfaceDetails } from '../adapters/addresses.js';
import { vlanInterface } from '../core/wire/links.js';
import { disturbedSince, ForeignTraffic, foreignAt, foreignOf } from '../core/groups/foreign.js';
import type { ForeignDisturbance } from '../core/groups/foreign.js';
import { NodeJudge } from '../core/node/node.js';
import type { NodeGroupView, NodeObservations } from '../core/node/node.js';
import { RouterErrors } from '../core/groups/router-errors.js';
import type { RouterErrorCount } from '../core/groups/router-errors.js';
import { DEFAULT_SETTINGS, Monitor } from '../core/groups/state.js';
import { HmacGroups } from '../core/expect/hmac-groups.js';
import { groupId } from '../core/types.js';
import type { Advert, EventSink, ExpectedGroup, GroupKey } from '../core/types.js';
import { groupView } from '../core/groups/views.js';
import type { GroupView } from '../core/groups/views.js';
import { vipConflicts } from '../core/groups/vips.js';
import type { VipConflict } from '../core/groups/vips.js';

export interface WatchView {
  now: number;
  groups: GroupView[];
  node: NodeGroupView[];
  /** Groups whose master advertises a VIP that another VRID's master on the interface advertises too. */
  conflicts: Map<GroupKey, VipConflict[]>;
  /** Foreign traffic disturbing a heard or expected group now, by group id. */
  foreign: Map<string, readonly ForeignDisturbance[]>;
  /** Per-router error counts (MIB-like) of the groups that have any, by the view's key. */
  routerErrors: Map<GroupKey, RouterErrorCount[]>;
  /** Who answers for each VIP on the wire, and the failovers without a gratuitous ARP. */
  owners: OwnershipView;
}

/** This node's interfaces as the VIP ownership needs them: MACs and addresses, and the single capture interface. */
export interface LocalLinks {
  details: ReadonlyMap<string, InterfaceDetails>;
  /** The one interface captured when `-i` names exactly one. */
  only: string | undefined;
}

const NO_LINKS: LocalLinks = { details: new Map(), only: undefined };

/** Interface labels the invalid-packet counts keep (one per VLAN heard); those over it count on the capture interface. */
export const INVALID_LABELS_MAX = 256;

/**
 * Labels already made, by the tag list they were made from: the Decoder hands out the same (immutable)
 * list for every repeat of an advert, so a tagged advert costs no new string.
 */
const labels = new WeakMap<readonly number[], { name: string; names: ReadonlyMap<string, string>; label: string }>();
const NO_VLAN_DEVICES: ReadonlyMap<string, string> = new Map();
/** Labels of singly tagged packets by capture interface, then VLAN id (for the `vlanNames` they were made with). */
const oneTag = new Map<string, { names: ReadonlyMap<string, string>; labels: Map<number, string> }>();

/**
 * The interface a packet belongs to: the capture's interface, then for each VLAN tag the VLAN device
 * of that id on it (`vlanNames`, from the capture plan) or `.VID`.
 */
export function interfaceLabel(name: string, vlans: readonly number[], vlanNames: ReadonlyMap<string, string> = NO_VLAN_DEVICES): string {
  if (vlans.length === 0) return name;
  const known = labels.get(vlans);
  if (known !== undefined && known.name === name && known.names === vlanNames) return known.label;
  // An advert decoded afresh brings a new tag list: one tag is looked up by its id (at most 4,096 per interface).
  const vid = vlans.length === 1 ? (vlans[0] as number) : undefined;
  let byVid = vid === undefined ? undefined : oneTag.get(name);
  if (byVid !== undefined && byVid.names !== vlanNames) byVid = undefined;
  const label = (vid === undefined ? undefined : byVid?.labels.get(vid)) ?? vlanInterface(name, vlans, vlanNames);
  if (vid !== undefined) {
    if (byVid === undefined) oneTag.set(name, (byVid = { names: vlanNames, labels: new Map() }));
    byVid.labels.set(vid, label);
  }
  labels.set(vlans, { name, names: vlanNames, label });
  return label;
}

export class Watcher {
  readonly monitor: Monitor;
  readonly owners: VipOwners;
  /** Only the addresses the tables keep are made text (the count and fingerprint cover them all). */
  readonly #decoder = new Decoder(ADVERT_VIPS_KEPT);
  /** The source MAC last bound for each advert the decoder handed out, and when. */
  readonly #sources = new WeakMap<Advert, { key: number; at: number }>();
  /** Protocol-112 traffic of other protocols (CARP), per segment and vhid. */
  readonly foreign = new ForeignTraffic();
  /** interface → reason → count */
  readonly invalid = new Map<string, Map<string, number>>();
  /** keepalived 2.4 auth_hmac per group (freshness windows, keys): set from the settings, and on reload. */
  hmac = new HmacGroups();
  /** Per-router error counters of packets from a group's known routers. */
  readonly routerErrors = new RouterErrors((key) => this.hmac.key(key));
  readonly #node: NodeJudge;
  adverts = 0;
  /** Largest advertisement interval heard, seconds (0 before any). */
  largestInterval = 0;
  /** `PARENT.VID` → VLAN device, from the capture plan: names tagged packets seen on a parent. */
  vlanNames: ReadonlyMap<string, string> = NO_VLAN_DEVICES;

  constructor(
    started: number,
    expected: readonly ExpectedGroup[],
    groupExpirySeconds: number,
    sink: EventSink,
    private readonly vrids?: ReadonlySet<number>,
    private readonly hold?: (interval: number) => number,
    ownerSettings: OwnerSettings = DEFAULT_OWNER_SETTINGS,
  ) {
    const owners = new VipOwners(ownerSettings);
    this.owners = owners;
    this.monitor = new Monitor({ ...DEFAULT_SETTINGS, groupExpirySeconds, hmacWindow: (key) => this.hmac.window(key) }, (e) => {
      if (e.type === 'failover') {
        const vips = e.group.routers.find((r) => r.address === e.to)?.addresses ?? [];
        owners.observeFailover({ key: e.group.key, to: e.to, vips, time: e.time });
      }
      sink(e);
    });
    this.#node = new NodeJudge(started, expected, hold);
  }

  /** New expectations (config reload); the tables, their history and the node's open findings stay. */
  expect(expected: readonly ExpectedGroup[]): void {
    this.#node.expect(expected);
  }

  /** A frame is bytes[0, length). */
  readonly onFrame = (iface: string, linkType: number, bytes: Uint8Array, length: number, ts: number): void => {
    const decoded = this.#decoder.decode(linkType, bytes, 0, length);
    if (decoded.kind === 'other') {
      this.#neighbor(iface, linkType, bytes.subarray(0, length), ts);
      return;
    }
    const label = interfaceLabel(iface, decoded.vlans, this.vlanNames);
    if (decoded.kind === 'invalid') {
      // Random VLAN tags make a label each: past the bound they are counted on the capture interface.
      const counted = this.invalid.has(label) || this.invalid.size < INVALID_LABELS_MAX ? label : iface;
      let reasons = this.invalid.get(counted);
      if (reasons === undefined) {
        reasons = new Map();
        this.invalid.set(counted, reasons);
      }
      reasons.set(decoded.reason, (reasons.get(decoded.reason) ?? 0) + 1);
      const foreign = foreignOf(decoded);
      if (foreign !== undefined && decoded.ip !== undefined && (this.vrids === undefined || this.vrids.has(foreign.vhid))) {
        this.foreign.heard(label, decoded.ip.family, foreign, decoded.ip.src, ts);
        this.monitor.markForeign(label, decoded.ip.family, foreign.vhid, disturbedSince(this.foreign, { interface: label, family: decoded.ip.family, vrid: foreign.vhid }, ts));
      }
      const vrid = decoded.header.vrid;
      if (decoded.ip === undefined || vrid === undefined || (this.vrids !== undefined && !this.vrids.has(vrid))) return;
      const group = this.monitor.group(label, decoded.ip.family, vrid);
      if (group !== undefined) this.routerErrors.invalid(group, decoded.ip.src, decoded.reason);
      return;
    }
    if (this.vrids !== undefined && !this.vrids.has(decoded.advert.vrid)) return;
    this.adverts++;
    if (decoded.advert.advertInterval > this.largestInterval) this.largestInterval = decoded.advert.advertInterval;
    this.routerErrors.advert(this.monitor.advert(label, decoded.advert, ts), decoded.advert);
    this.#advertSource(label, linkType, bytes, decoded.advert, ts);
  };

  /**
   * Binds the advert's Ethernet source to its router, when it changed or a second after the last time
   * (which keeps the binding among the recently heard): the decoder hands back the same advert for each
   * repeat, so the check costs no string.
   */
  #advertSource(label: string, linkType: number, bytes: Uint8Array, advert: Advert, ts: number): void {
    const key = sourceMacKey(linkType, bytes);
    if (key === undefined) return;
    const last = this.#sources.get(advert);
    if (last !== undefined && last.key === key && ts - last.at < 1 && ts >= last.at) return;
    const source = readLinkHeader(linkType, bytes)?.source;
    if (source === undefined) return;
    this.owners.observeAdvertSource({ interface: label, router: advert.src, mac: source, time: ts });
    if (last === undefined) this.#sources.set(advert, { key, at: ts });
    else {
      last.key = key;
      last.at = ts;
    }
  }

  /** An ARP or NDP frame: the address it claims, if any, is an owner of that address. */
  #neighbor(iface: string, linkType: number, frame: Uint8Array, ts: number): void {
    const n = decodeNeighbor(linkType, frame);
    if (n.kind !== 'neighbor') return;
    const claim = claimOf(n.message, n.link);
    if (claim === undefined) return;
    this.owners.observeClaim({ interface: interfaceLabel(iface, n.link.vlans, this.vlanNames), ip: claim.ip, mac: claim.mac, kind: claim.kind, time: ts });
  }

  /**
   * Settles the tables at `now` and judges groups, node and VIP owners (this node's VIPs count as
   * answered by its own MAC: the probe it sends never reaches its own stack).
   */
  view(now: number, obs: NodeObservations, links: LocalLinks = NO_LINKS): WatchView {
    this.monitor.settle(now);
    this.foreign.expire(now);
    const groups: GroupView[] = [];
    const routerErrors = new Map<GroupKey, RouterErrorCount[]>();
    for (const group of this.monitor.groups.values()) {
      // A disturbance ends when the foreign traffic's hold time runs out.
      if (group.foreignSince !== undefined) group.foreignSince = disturbedSince(this.foreign, group.key, now);
      groups.push(groupView(group));
      const errors = this.routerErrors.of(group);
      if (errors.length > 0) routerErrors.set(group.key, errors);
    }
    const node = this.#node.judge(groups, obs, now);
    const owned = ownershipGroups(groups, node, links.only);
    this.owners.setGroups(owned, now);
    const macs = new Set<string>();
    for (const d of links.details.values()) macs.add(d.mac);
    for (const g of owned) {
      this.owners.setLocalMacs(g.key.interface, macs);
      for (const vip of g.vips) {
        const holder = obs.localAddresses.get(vip);
        const mac = holder === undefined ? undefined : links.details.get(holder)?.mac;
        if (mac !== undefined) this.owners.observeClaim({ interface: g.key.interface, ip: vip, mac, kind: 'local', time: now });
      }
    }
    const foreign = new Map<string, readonly ForeignDisturbance[]>();
    if (this.foreign.segments.size > 0) {
      for (const n of node) {
        const on = foreignAt(this.foreign, n.key, now);
        if (on.length > 0) foreign.set(groupId(n.key), on);
      }
    }
    return { now, groups, node, conflicts: vipConflicts(groups), foreign, routerErrors, owners: this.owners.judge(now) };
  }
}
