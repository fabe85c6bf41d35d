/**
 * What goes into VIP ownership (vip-owners.ts) and what comes out of its judgement: the claims, advert
 * sources, failovers and groups observed, and the view of every VIP's owners. Types only.
 */
import type { ClaimKind } from '../wire/neighbor.js';
import type { Family, GroupKey } from '../base/keys.js';

/** An address heard claimed at a MAC (see claimOf), or held by this node (kind `local`). */
export interface OwnerClaim {
  interface: string;
  ip: string;
  mac: string;
  kind: ClaimKind;
  time: number;
}

/** A group as the monitor sees it now: its VIPs, its masters and every router heard (addresses). */
export interface GroupOwnership {
  key: GroupKey;
  vips: readonly string[];
  masters: readonly string[];
  routers: readonly string[];
  /** Expected (YAML groups, keepalived.conf, `--vip`): its VIPs and routers have reserved room. */
  expected?: boolean;
}

export interface AdvertSource {
  interface: string;
  router: string;
  mac: string;
  time: number;
}

export interface Failover {
  key: GroupKey;
  /** The new master's address. */
  to: string;
  vips: readonly string[];
  time: number;
}

export interface VipOwner {
  mac: string;
  /** The router whose MAC it is, when known. */
  router: string | undefined;
  /** One of this node's MACs. */
  local: boolean;
  kinds: readonly ClaimKind[];
  /** When it began answering, as far as the recent rounds tell (it has answered since without a round's pause). */
  since: number;
  last: number;
}

/** `shared`: several holders by design (anycast, a load-balancer pair answering alike): never a duplicate. */
export type VipMode = 'exclusive' | 'shared';

/** A VIP watched on the wire with or without VRRP (`--vip`, the YAML `vips:` list). */
export interface WatchedVip {
  /** Where it is probed and judged; undefined: wherever it is heard (replay), placed by the caller live. */
  interface: string | undefined;
  vip: string;
  mode: VipMode;
  /** The MACs expected to answer; any other is a foreign owner. Undefined: any MAC may. */
  owners: readonly string[] | undefined;
}

/** The MAC answering a VIP alone changed (a failover on the wire, whatever the HA system). */
export interface OwnerChange {
  /** Increases by one per change: the log writes those it has not written yet. */
  seq: number;
  interface: string;
  vip: string;
  /** The previous and the new owner's MAC. */
  from: string;
  to: string;
  /** The start of the first probe round the new owner answered alone. */
  time: number;
}

export interface VipView {
  interface: string;
  vip: string;
  family: Family;
  groups: readonly GroupKey[];
  /** A VIP of an expected group (not only learned from adverts). */
  expected: boolean;
  /** Some group of the VIP has a master now. */
  hasMaster: boolean;
  /** MACs that answered in the current round or the last closed one. */
  owners: readonly VipOwner[];
  duplicate: boolean;
  /** MACs judged foreign owners. */
  foreign: readonly string[];
  unanswered: boolean;
  /** Whether it is on the watch list (`--vip`, `vips:`), and how. */
  watched: boolean;
  mode: VipMode;
  /** Times the MAC answering it alone changed, since it was first watched. */
  ownerChanges: number;
  /** The last gratuitous ARP or unsolicited NA heard for it; undefined: none. */
  lastAnnouncement: number | undefined;
}

export interface MissedGarp {
  /** Increases by one per failover counted: the log writes those it has not written yet. */
  seq: number;
  key: GroupKey;
  router: string;
  time: number;
  vips: readonly string[];
}

export interface OwnershipView {
  vips: readonly VipView[];
  /** Probes sent per interface, since start. */
  probes: ReadonlyMap<string, number>;
  failoversWithoutGarp: readonly { key: GroupKey; count: number }[];
  missedGarps: readonly MissedGarp[];
  /** The recent owner changes, oldest first (at most OwnerSettings.recentMissedGarps). */
  ownerChanges: readonly OwnerChange[];
  /** Entries dropped or refused for room: VIPs, MACs per VIP, bindings learned from ARP/NDP and from adverts. */
  evicted: { vips: number; macs: number; bindings: number; routerBindings: number };
}
