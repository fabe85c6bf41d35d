/**
 * The core's types: what a packet decodes to (Advert, invalid reasons), a group's key and what is
 * expected of it, and the Monitor's state of each group and router with the events it emits.
 */
import type { AdvertGap, FailoverCause, FailoverReason, PriorityDrop } from './groups/causes.js';
import type { GroupRisk } from './groups/risk.js';
import type { AuthSecret } from './base/secret.js';
import type { InstanceTracking } from './expect/track.js';
import type { HmacTrailer } from './wire/hmac-trailer.js';

export type Family = 'ipv4' | 'ipv6';

/** How a VRRPv3 (or keepalived v2/IPv6) checksum was computed by the sender. */
export type ChecksumForm = 'message' | 'pseudo_header' | 'pseudo_header_multicast';

/** Why a packet carrying IP protocol 112 (or AH around it) was not accepted as a VRRP advertisement. */
export const INVALID_REASONS = [
  'truncated',
  'fragmented',
  'bad_ip_header',
  'bad_version',
  'bad_type',
  'bad_vrid',
  'bad_auth_type',
  'bad_interval',
  'bad_checksum',
  'addr_count_mismatch',
  'not_vrrp',
  'hmac_malformed',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** The IP layer of a packet that carried protocol 112 (directly or inside AH). */
export interface IpInfo {
  family: Family;
  src: string;
  dst: string;
  ttl: number;
  /** true when the VRRP message came inside an IPsec AH header (keepalived `auth_type AH`). */
  ah: boolean;
}

/** An accepted VRRP advertisement. */
export interface Advert extends IpInfo {
  version: 2 | 3;
  type: 1;
  vrid: number;
  priority: number;
  /** The advertised addresses as text: all of them, or the first the decoder was asked to make text (see decodeFrame). */
  addresses: string[];
  /** How many addresses the advert lists (more than `addresses` holds when the decoder made fewer text). */
  addressCount: number;
  /** A fingerprint of the whole list, whatever its order (wire/addresses-key.ts). */
  addressesKey: string;
  /** Seconds (v2 whole seconds, v3 centiseconds converted). */
  advertInterval: number;
  /** v2 only: 0 none, 1 simple password, 2 IP AH. */
  authType: number | undefined;
  /** v2 with auth type 1: the password, comparable but never printable. */
  authSecret: AuthSecret | undefined;
  checksumForm: ChecksumForm;
  ttlOk: boolean;
  /** Bytes after the VRRP message (Ethernet padding is cut off by the IP length, not counted here). */
  trailerLength: number;
  /** keepalived 2.4's auth_hmac trailer, when the message is followed by one (hmac-trailer.ts). */
  hmac?: HmacTrailer | undefined;
}

/**
 * Another protocol's advertisement on IP protocol 112 (CARP: OpenBSD, pfSense, ucarp). It is not VRRP,
 * but VRRP routers on the segment read it as VRRP, and its vhid as a VRID: one equal to a group's VRID
 * disturbs that group (keepalived logs `vrrp packet too short` and the VRID flaps).
 */
export interface ForeignAdvert {
  protocol: 'carp';
  /** CARP's virtual host id, which a VRRP router reads as its VRID. */
  vhid: number;
  /** Whole seconds between adverts. */
  advbase: number;
  /** 1/256ths of a second added to advbase (the lower, the more preferred as master). */
  advskew: number;
  /** The demotion counter (0 when healthy; OpenBSD raises it on a failing interface). */
  demote: number;
  /** Seconds between adverts: advbase + advskew / 256. */
  interval: number;
}

/** VLAN ids from 802.1Q/802.1ad tags, outermost first. */
export type VlanTags = readonly number[];

export type Decoded =
  | { kind: 'advert'; advert: Advert; vlans: VlanTags }
  | {
      kind: 'invalid';
      reason: InvalidReason;
      ip: IpInfo | undefined;
      header: PartialHeader;
      vlans: VlanTags;
      /** Set when the packet is another protocol's advertisement (CARP): counted as `not_vrrp`. */
      foreign?: ForeignAdvert;
    }
  /** Not IP protocol 112/51: nothing to do with VRRP (a capture filter usually keeps these out). */
  | { kind: 'other' };

/** What could be read of a rejected VRRP header, for `--packets`. */
export interface PartialHeader {
  version?: number;
  type?: number;
  vrid?: number;
  priority?: number;
}

export interface GroupKey {
  interface: string;
  family: Family;
  vrid: number;
}

/** A group's identity as text, `interface|family|vrid`: the one place it is spelled. */
export function groupId(key: GroupKey): string {
  return `${key.interface}|${key.family}|${key.vrid}`;
}

/**
 * What routers of a group can disagree on besides authentication. The `hmac_*` fields are keepalived
 * 2.4's auth_hmac: some sign and others do not, different key ids, trailer clocks apart by more than
 * half the freshness window (hmac-trailer.ts).
 */
export type MismatchField = 'advert_interval' | 'addresses' | 'version' | 'checksum_form' | 'auth_hmac' | 'hmac_key_id' | 'hmac_clock';

/** A group this node or witness expects to see (from the YAML config or imported from keepalived.conf). */
export interface ExpectedGroup {
  vrid: number;
  /** Capture interface the group lives on; undefined matches any. */
  interface: string | undefined;
  family: Family;
  /** Canonical address text. */
  vips: string[];
  /** Seconds; undefined when not known. */
  advertInterval: number | undefined;
  /** keepalived's instance name, to map notify_fifo lines; set when imported from keepalived.conf. */
  instance: string | undefined;
  /** Where the expectation came from, for messages: `config` or `keepalived.conf:LINE`. */
  source: string;
  /** keepalived.conf only: the configured priority and the tracker weights that move it. */
  tracking?: InstanceTracking;
  /** YAML config only: keepalived 2.4 auth_hmac's freshness window (seconds) and the file holding the key. */
  hmacWindow?: number | undefined;
  hmacKeyFile?: string | undefined;
}

export interface MonitorSettings {
  /** Most groups kept; beyond it the least recently heard are evicted (and counted). */
  maxGroups: number;
  /** Most routers kept per group (a spoofer can send from any source). */
  maxRoutersPerGroup: number;
  /**
   * Most bytes the tables may take, by the estimate of router-addresses.ts; beyond it the least recently
   * heard groups are evicted (and counted), as beyond maxGroups.
   */
  maxBytes: number;
  /** How long a router that fell silent still takes part in mismatch comparison, seconds. */
  mismatchHoldSeconds: number;
  /** A group unheard for this long is forgotten (serve); Infinity keeps everything (replay). */
  groupExpirySeconds: number;
  /** The auth_hmac freshness window configured for a group, seconds (undefined: keepalived's default). */
  hmacWindow?: (key: GroupKey) => number | undefined;
  /**
   * How long after a gap ends its capture's drop counters are known, seconds (serve polls them each
   * second); the failover risk judges a gap only then. 0 (replay: drops come with the packets) by default.
   */
  dropLagSeconds?: number;
}

export interface RouterState {
  address: string;
  /** The address in a form that sorts as addresses do (the election's tie-break). */
  addressOrder: string;
  adverts: number;
  firstSeen: number;
  /** Time of the last advertisement. */
  last: number;
  priority: number;
  /** Distinct priorities advertised, in the order first seen (bounded). */
  priorities: number[];
  interval: number;
  version: 2 | 3;
  /** The first ADVERT_VIPS_KEPT advertised addresses (router-addresses.ts): all that is judged. */
  addresses: string[];
  /** How many addresses the last advert listed (more than `addresses` holds when it listed over 64). */
  addressCount: number;
  /** A fingerprint of the whole advertised list, in any order, for comparison. */
  addressesKey: string;
  checksumForm: string;
  authType: number | undefined;
  authSecret: AuthSecret | undefined;
  /** The last advert's auth_hmac key id, and its trailer clock minus the capture time (undefined: unsigned). */
  hmacKeyId: number | undefined;
  hmacOffset: number | undefined;
  ttl: number;
  /**
   * The last Advert object applied: the same object again means the same content (see Decoder). Not
   * kept for an advert with more addresses than a router keeps (it would hold them all).
   */
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

export interface GroupState {
  id: string;
  key: GroupKey;
  /** At most maxRoutersPerGroup: an array searched by address is cheaper per advert than a Map. */
  routers: RouterState[];
  firstSeen: number;
  lastSeen: number;
  /** Evaluated up to this time. */
  settledAt: number;
  /** The master of record, for failover counting (kept when the group has no master). */
  lastMaster: string | undefined;
  masterChanges: number;
  /** The same master changes counted by cause (core/causes.ts): their sum is masterChanges. */
  failoverCauses: Record<FailoverCause, number>;
  /** The last fall of a master's own priority, for the cause of the next change. */
  priorityDrop: PriorityDrop | undefined;
  /** Gaps of more than two intervals in a master's adverts after which it went on as master. */
  nearFailovers: number;
  /** The latest of those gaps (at most RECENT_GAPS_KEPT), for the longest-recent-gap gauge. */
  recentGaps: AdvertGap[];
  /** The master's gaps against its takeover deadline, and the failover risk judged from them (risk.ts). */
  risk: GroupRisk;
  /**
   * Set by the watcher (Monitor.markForeign) while protocol-112 traffic of another protocol (CARP)
   * uses this VRID on the interface: since when. A master change while it is set has cause `foreign`.
   */
  foreignSince?: number | undefined;
  /** When two or more routers started counting as master at once. */
  overlapSince: number | undefined;
  split: SplitState | undefined;
  /** Since when no router counts as master (after one did), judged or not yet. */
  masterlessSince: number | undefined;
  /** When the judged "no master" began: set once the gap outlasts a takeover (takeoverGrace). */
  noMasterSince: number | undefined;
  authMismatchSince: number | undefined;
  configMismatchSince: Map<MismatchField, number>;
  /**
   * Until this time nothing about a group with several routers changes unless something new is heard
   * (its next deadline); NaN when not known since the last judgement.
   */
  quietUntil: number;
}

export type MonitorEvent =
  | { type: 'master_start'; group: GroupState; router: string; time: number }
  | { type: 'master_end'; group: GroupState; router: string; time: number }
  | { type: 'failover'; group: GroupState; from: string; to: string; time: number; reason: FailoverReason }
  /** The master's adverts paused from `start` to `end` (more than two intervals) and it went on as master. */
  | { type: 'near_failover'; group: GroupState; router: string; start: number; end: number; interval: number; time: number }
  /** The failover risk judgement began or ended (risk.ts). */
  | { type: 'risk_start' | 'risk_end'; group: GroupState; time: number }
  | { type: 'split_start'; group: GroupState; split: SplitState; time: number }
  | { type: 'split_end'; group: GroupState; split: SplitState; time: number }
  | { type: 'no_master_start' | 'no_master_end'; group: GroupState; time: number }
  | { type: 'mismatch_start' | 'mismatch_end'; group: GroupState; field: MismatchField | 'auth'; time: number }
  | { type: 'group_expired'; group: GroupState; time: number }
  | { type: 'evicted'; what: 'group' | 'router'; group: GroupState; time: number };

export type EventSink = (event: MonitorEvent) => void;
