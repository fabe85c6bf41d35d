/**
 * The one frame pipeline serve, once and replay run: frames (bytes, link type, interface, capture time)
 * go in; groups, the node's judgement, VIP owners, foreign traffic, router errors and invalid packets
 * come out. Each frame is decoded once: a VRRP advert goes to the Monitor (and its router's Ethernet
 * source to VIP ownership), a rejected protocol-112 packet is counted by interface and reason, marks
 * foreign traffic and counts against its router; an ARP or NDP frame is a claim for VIP ownership.
 * The shells only feed it (capture, a file) and read it (`view`); time is the frames' and the caller's.
 * Pure.
 */
import { MAX_ADDRESSES } from '../wire/decode.js';
import { Decoder } from '../wire/decoder.js';
import { readLinkHeader, sourceMacKey } from '../wire/link-header.js';
import { decodeNeighbor } from '../wire/neighbor.js';
import { packetRecord } from '../wire/packet-record.js';
import type { PacketRecord } from '../wire/packet-record.js';
import { disturbedSince, FOREIGN_SETTINGS, ForeignTraffic, foreignAt, foreignOf } from '../groups/foreign.js';
import type { ForeignDisturbance, ForeignSettings } from '../groups/foreign.js';
import { ADVERT_VIPS_KEPT } from '../groups/router-addresses.js';
import { RouterErrors } from '../groups/router-errors.js';
import type { RouterErrorCount } from '../groups/router-errors.js';
import { DEFAULT_SETTINGS, Monitor } from '../groups/state.js';
import { groupView } from '../groups/views.js';
import type { GroupView } from '../groups/views.js';
import { vipConflicts } from '../groups/vips.js';
import type { VipConflict } from '../groups/vips.js';
import { HmacGroups } from '../expect/hmac-groups.js';
import { NodeJudge } from '../node/node.js';
import type { NodeGroupView, NodeObservations } from '../node/node.js';
import { DEFAULT_OWNER_SETTINGS } from '../ownership/owner-settings.js';
import type { OwnerSettings } from '../ownership/owner-settings.js';
import type { OwnershipView, VipOwners, WatchedVip } from '../ownership/vip-owners.js';
import { placeWatched } from '../ownership/watched-vips.js';
import { Timeline } from '../history/timeline.js';
import { groupId } from '../base/keys.js';
import type { GroupKey } from '../base/keys.js';
import type { ExpectedGroup } from '../expect/types.js';
import type { EventSink } from '../groups/types.js';
import type { Advert, Decoded } from '../wire/types.js';
import { interfaceLabel, NO_VLAN_DEVICES } from './interface-label.js';
import { OwnershipFeed } from './ownership-feed.js';

export interface PipelineView {
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

/** This node's interfaces as VIP ownership needs them: MACs by interface, and the single capture interface. */
export interface LocalLinks<Details extends { mac: string } = { mac: string }> {
  details: ReadonlyMap<string, Details>;
  /** The one interface captured when `-i` names exactly one. */
  only: string | undefined;
  /** The interfaces `-i` names (empty: every one): where watched VIPs are placed. */
  captured?: readonly string[];
}

export const NO_LINKS: LocalLinks = { details: new Map(), only: undefined };

/** What a replay observes: nothing of a host. */
export const NO_OBSERVATIONS: NodeObservations = { localAddresses: new Map(), keepalived: new Map(), peerAnswers: undefined };

export interface PipelineSettings {
  /** When the node's judgement starts (its start-up grace counts from it). */
  started: number;
  expected: readonly ExpectedGroup[];
  /** A group unheard this long is forgotten; Infinity keeps everything (replay). */
  groupExpirySeconds: number;
  foreign: ForeignSettings;
  /** Called with each Monitor event (after the pipeline's own listeners). */
  sink: EventSink;
  /** Only these VRIDs are watched (`once --vrid`); undefined: all. */
  vrids: ReadonlySet<number> | undefined;
  /** The node findings' hold for an interval (once's window); undefined: serve's. */
  hold: ((interval: number) => number) | undefined;
  owners: OwnerSettings;
  /** Address texts the decoder makes per advert (the tables keep ADVERT_VIPS_KEPT; `--packets` lists all). */
  addressTexts: number;
  /** Infer VIP probes from the capture (replay); serve and once count their own. */
  passiveProbes: boolean;
  /** Keep the history replay reports: the timeline, VIP ownership intervals, the times of invalid packets. */
  history: boolean;
  /** Called with each VRRP packet's `replay --packets` record. */
  onPacket: ((record: PacketRecord) => void) | undefined;
  /** How long after a gap the capture's drop counters are known (MonitorSettings.dropLagSeconds); 0 by default. */
  dropLagSeconds?: number;
}

/** Interface labels the invalid-packet counts keep (one per VLAN heard); those over it count on the capture interface. */
export const INVALID_LABELS_MAX = 256;

/** The times of this many invalid packets are kept for the picture of invalid packets over time. */
const INVALID_TIMES_KEPT = 100_000;

export class Pipeline {
  readonly monitor: Monitor;
  readonly #feed: OwnershipFeed;
  readonly #decoder: Decoder;
  readonly #settings: PipelineSettings;
  /** The source MAC last bound for each advert the decoder handed out, and when. */
  readonly #sources = new WeakMap<Advert, { key: number; at: number }>();
  /** Protocol-112 traffic of other protocols (CARP), per segment and vhid. */
  readonly foreign: ForeignTraffic;
  /** interface → reason → count */
  readonly invalid = new Map<string, Map<string, number>>();
  /** Capture times of the first invalid packets, and the counts by reason in the order first seen (history only). */
  readonly invalidTimes: number[] = [];
  readonly invalidByReason = new Map<string, number>();
  /** ARP and NDP frames that could not be read, by reason. */
  readonly neighborInvalid = new Map<string, number>();
  neighborMessages = 0;
  /** keepalived 2.4 auth_hmac per group (freshness windows, keys): set from the settings, and on reload. */
  hmac = new HmacGroups();
  /** Per-router error counters of packets from a group's known routers. */
  readonly routerErrors = new RouterErrors((key) => this.hmac.key(key));
  /** Each group's history (replay), when kept. */
  readonly timeline: Timeline | undefined;
  readonly #node: NodeJudge;
  #watched: readonly WatchedVip[] = [];
  adverts = 0;
  /** Largest advertisement interval heard, seconds (0 before any). */
  largestInterval = 0;
  /** `PARENT.VID` → VLAN device, from the capture plan: names tagged packets seen on a parent. */
  vlanNames: ReadonlyMap<string, string> = NO_VLAN_DEVICES;

  constructor(settings: PipelineSettings) {
    this.#settings = settings;
    this.#decoder = new Decoder(settings.addressTexts);
    this.foreign = new ForeignTraffic(settings.foreign);
    this.#feed = new OwnershipFeed({ owners: settings.owners, passiveProbes: settings.passiveProbes, history: settings.history });
    this.#feed.expected = settings.expected;
    const timeline = settings.history ? new Timeline() : undefined;
    this.timeline = timeline;
    const feed = this.#feed;
    this.monitor = new Monitor({ ...DEFAULT_SETTINGS, groupExpirySeconds: settings.groupExpirySeconds, hmacWindow: (key) => this.hmac.window(key), dropLagSeconds: settings.dropLagSeconds ?? 0 }, (e) => {
      timeline?.onEvent(e);
      feed.onEvent(e);
      settings.sink(e);
    });
    this.#node = new NodeJudge(settings.started, settings.expected, settings.hold);
  }

  /** Who answers for each VIP: the VIP probe reports the probes it sends here. */
  get owners(): VipOwners {
    return this.#feed.owners;
  }

  /** VIP ownership as intervals (history only). */
  get ownerHistory(): OwnershipFeed['history'] {
    return this.#feed.history;
  }

  /** The Decoder's remembered adverts, estimated bytes. */
  get decoderBytes(): number {
    return this.#decoder.bytes;
  }

  /** New expectations and watch list (config reload); the tables, their history and the node's open findings stay. */
  expect(expected: readonly ExpectedGroup[], watched: readonly WatchedVip[] = this.#watched): void {
    this.#node.expect(expected);
    this.#feed.expected = expected;
    this.watched = watched;
  }

  /** The watch list (`--vip`, `vips:`): placed on interfaces at each view; unplaced ones are taken where first heard. */
  get watched(): readonly WatchedVip[] {
    return this.#watched;
  }

  set watched(list: readonly WatchedVip[]) {
    this.#watched = list;
    this.#feed.watched = list;
  }

  /** A frame from a live capture: bytes[0, length). */
  readonly onFrame = (iface: string, linkType: number, bytes: Uint8Array, length: number, ts: number): void => {
    this.frame(iface, linkType, bytes, 0, length, ts);
  };

  /** A frame: bytes[offset, offset + length), captured on `iface` at `ts`. */
  frame(iface: string, linkType: number, bytes: Uint8Array, offset: number, length: number, ts: number): void {
    const decoded = this.#decoder.decode(linkType, bytes, offset, length);
    this.#feed.advance(this.monitor, ts);
    if (decoded.kind === 'other') {
      this.#neighbor(iface, linkType, offset === 0 ? bytes.subarray(0, length) : bytes.subarray(offset, offset + length), ts);
      return;
    }
    const label = interfaceLabel(iface, decoded.vlans, this.vlanNames);
    this.#settings.onPacket?.(packetRecord(ts, label, decoded));
    if (decoded.kind === 'invalid') {
      this.#invalid(iface, label, decoded, ts);
      return;
    }
    const advert = decoded.advert;
    if (this.#settings.vrids !== undefined && !this.#settings.vrids.has(advert.vrid)) return;
    this.adverts++;
    if (advert.advertInterval > this.largestInterval) this.largestInterval = advert.advertInterval;
    const monitor = this.monitor;
    const group = monitor.advert(label, advert, ts);
    // The only master repeating itself changed nothing the router errors compare, the timeline notes or
    // VIP ownership follows: only the counts of every packet and the source binding remain.
    const repeated = monitor.repeated;
    if (!repeated || !advert.ttlOk || advert.priority === 0) this.routerErrors.advert(group, advert);
    // A disturbance ends when the foreign traffic's hold time runs out: seen at the group's adverts and at each view.
    if (group.foreignSince !== undefined) group.foreignSince = disturbedSince(this.foreign, group.key, ts);
    if (!repeated) this.timeline?.advert(label, advert, ts, monitor.heard);
    if (this.#feed.begun) this.#advertSource(label, linkType, offset === 0 ? bytes : bytes.subarray(offset, offset + length), advert, ts);
    if (!repeated) this.#feed.applied(monitor, ts);
  }

  /** A rejected protocol-112 packet: counted by interface and reason, foreign traffic, an error of its router. */
  #invalid(iface: string, label: string, decoded: Extract<Decoded, { kind: 'invalid' }>, ts: number): void {
    // Random VLAN tags make a label each: past the bound they are counted on the capture interface.
    const counted = this.invalid.has(label) || this.invalid.size < INVALID_LABELS_MAX ? label : iface;
    let reasons = this.invalid.get(counted);
    if (reasons === undefined) {
      reasons = new Map();
      this.invalid.set(counted, reasons);
    }
    reasons.set(decoded.reason, (reasons.get(decoded.reason) ?? 0) + 1);
    if (this.#settings.history) {
      if (this.invalidTimes.length < INVALID_TIMES_KEPT) this.invalidTimes.push(ts);
      this.invalidByReason.set(decoded.reason, (this.invalidByReason.get(decoded.reason) ?? 0) + 1);
    }
    const vrids = this.#settings.vrids;
    const foreign = foreignOf(decoded);
    if (foreign !== undefined && decoded.ip !== undefined && (vrids === undefined || vrids.has(foreign.vhid))) {
      this.foreign.heard(label, decoded.ip.family, foreign, decoded.ip.src, ts);
      this.monitor.markForeign(label, decoded.ip.family, foreign.vhid, disturbedSince(this.foreign, { interface: label, family: decoded.ip.family, vrid: foreign.vhid }, ts));
    }
    const vrid = decoded.header.vrid;
    if (decoded.ip === undefined || vrid === undefined || (vrids !== undefined && !vrids.has(vrid))) return;
    const group = this.monitor.group(label, decoded.ip.family, vrid);
    if (group !== undefined) this.routerErrors.invalid(group, decoded.ip.src, decoded.reason);
    return;
    }

  /**
   * Binds the advert's Ethernet source to its router, when it changed or a second after the last time
   * (which keeps the binding among the recently heard): the decoder hands back the same advert for each
   * repeat, so the check costs no string.
   */
  #advertSource(label: string, linkType: number, frame: Uint8Array, advert: Advert, ts: number): void {
    const key = sourceMacKey(linkType, frame);
    if (key === undefined) return;
    const last = this.#sources.get(advert);
    if (last !== undefined && last.key === key && ts - last.at < 1 && ts >= last.at) return;
    const source = readLinkHeader(linkType, frame)?.source;
    if (source === undefined) return;
    this.#feed.advertSource(label, advert.src, source, ts);
    if (last === undefined) this.#sources.set(advert, { key, at: ts });
    else {
      last.key = key;
      last.at = ts;
    }
  }

  /** An ARP or NDP frame: the address it claims, if any, is an owner of that address. */
  #neighbor(iface: string, linkType: number, frame: Uint8Array, ts: number): void {
    const n = decodeNeighbor(linkType, frame);
    if (n.kind === 'invalid') this.neighborInvalid.set(n.reason, (this.neighborInvalid.get(n.reason) ?? 0) + 1);
    if (n.kind !== 'neighbor') return;
    this.neighborMessages++;
    this.#feed.begin(this.monitor, ts);
    // A claim is judged against the groups as they are now, masters changed a moment ago included.
    this.#feed.applied(this.monitor, ts, true);
    this.#feed.neighbor(interfaceLabel(iface, n.link.vlans, this.vlanNames), n.message, n.link, ts);
  }

  /**
   * Our own capture dropped `count` packets between `from` and `to` (serve's poll of the counters, a
   * pcapng file's drop counts): the failover risk does not judge the masters' gaps of that time.
   */
  captureDrops(from: number, to: number, count: number): void {
    this.monitor.captureDrops(from, to, count);
  }

  /** Settles the tables at `now`: round boundaries judged, silent masters ended, foreign traffic expired. */
  settle(now: number): void {
    this.#feed.begin(this.monitor, now);
    this.#feed.advance(this.monitor, now);
    this.monitor.settle(now);
    this.#feed.applied(this.monitor, now, true);
    this.foreign.expire(now);
  }

  /**
   * Settles the tables at `now` and judges groups, node and VIP owners (this node's VIPs count as
   * answered by its own MAC: the probe it sends never reaches its own stack).
   */
  view(now: number, obs: NodeObservations = NO_OBSERVATIONS, links: LocalLinks = NO_LINKS): PipelineView {
    this.#feed.only = links.only;
    if (this.#watched.length > 0) this.#feed.watched = placeWatched(this.#watched, links.details, links.captured ?? (links.only === undefined ? [] : [links.only]));
    this.settle(now);
    const groups: GroupView[] = [];
    const routerErrors = new Map<GroupKey, RouterErrorCount[]>();
    for (const group of this.monitor.groups.values()) {
      if (group.foreignSince !== undefined) group.foreignSince = disturbedSince(this.foreign, group.key, now);
      groups.push(groupView(group));
      const errors = this.routerErrors.of(group);
      if (errors.length > 0) routerErrors.set(group.key, errors);
    }
    const node = this.#node.judge(groups, obs, now);
    const macs = new Set<string>();
    for (const d of links.details.values()) macs.add(d.mac);
    const held = (iface: string, vip: string): void => {
      const holder = obs.localAddresses.get(vip);
      const mac = holder === undefined ? undefined : links.details.get(holder)?.mac;
      if (mac !== undefined) this.owners.observeClaim({ interface: iface, ip: vip, mac, kind: 'local', time: now });
    };
    for (const g of this.#feed.owned) {
      this.owners.setLocalMacs(g.key.interface, macs);
      for (const vip of g.vips) held(g.key.interface, vip);
    }
    for (const w of this.#feed.watched) {
      if (w.interface === undefined) continue;
      this.owners.setLocalMacs(w.interface, macs);
      held(w.interface, w.vip);
    }
    const foreign = new Map<string, readonly ForeignDisturbance[]>();
    if (this.foreign.segments.size > 0) {
      for (const n of node) {
        const on = foreignAt(this.foreign, n.key, now);
        if (on.length > 0) foreign.set(groupId(n.key), on);
      }
    }
    return { now, groups, node, conflicts: vipConflicts(groups), foreign, routerErrors, owners: this.#feed.judge(now) };
  }
}

/** How often serve and once read their capture's drop counters, seconds. */
export const CAPTURE_POLL_SECONDS = 1;

/** What serve and once start from; the rest of their settings are the same. */
export interface LiveOptions {
  started: number;
  expected: readonly ExpectedGroup[];
  groupExpirySeconds: number;
  sink: EventSink;
  owners: OwnerSettings;
  vrids?: ReadonlySet<number>;
  hold?: (interval: number) => number;
}

/** serve and once: judged at each view, groups and foreign traffic forgotten, their own VIP probes counted. */
export function liveSettings(o: LiveOptions): PipelineSettings {
  return {
    ...o,
    foreign: FOREIGN_SETTINGS,
    vrids: o.vrids,
    hold: o.hold,
    // Only the addresses the tables keep are made text (the count and fingerprint cover them all).
    addressTexts: ADVERT_VIPS_KEPT,
    passiveProbes: false,
    history: false,
    onPacket: undefined,
    // The capture's counters are read once a second (serve's tick): a gap is judged once they are in.
    dropLagSeconds: CAPTURE_POLL_SECONDS + 1,
  };
}

/** replay: nothing ages out of a post-mortem, probes are inferred from the capture, the history is kept. */
export function replaySettings(onPacket: ((record: PacketRecord) => void) | undefined): PipelineSettings {
  return {
    started: 0,
    expected: [],
    groupExpirySeconds: Infinity,
    foreign: { ...FOREIGN_SETTINGS, expirySeconds: Infinity },
    sink: () => undefined,
    vrids: undefined,
    hold: undefined,
    owners: DEFAULT_OWNER_SETTINGS,
    // Each packet's line lists all its addresses; the report needs those the tables keep.
    addressTexts: onPacket === undefined ? ADVERT_VIPS_KEPT : MAX_ADDRESSES,
    passiveProbes: true,
    history: true,
    onPacket,
  };
}
