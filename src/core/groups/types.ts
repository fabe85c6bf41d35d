/**
 * The Monitor's state of each group and router, its settings, and the events it emits when a
 * judgement changes. Types only.
 */
import type { AuthSecret } from '../base/secret.js';
import type { GroupKey } from '../base/keys.js';
import type { Advert } from '../wire/types.js';
import type { AdvertGap, FailoverCause, FailoverReason, PriorityDrop } from './causes.js';
import type { GroupRisk } from './risk.js';

/**
 * What routers of a group can disagree on besides authentication. The `hmac_*` fields are keepalived
 * 2.4's auth_hmac: some sign and others do not, different key ids, trailer clocks apart by more than
 * half the freshness window (hmac-trailer.ts).
 */
export type MismatchField = 'advert_interval' | 'addresses' | 'version' | 'checksum_form' | 'auth_hmac' | 'hmac_key_id' | 'hmac_clock';

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
