/**
 * The views: what outputs read of a group at one moment, copied out of the Monitor's tables (call
 * `Monitor.settle(now)` first). Views are read, never changed.
 */
import { longestRecentGap, noFailovers } from './causes.js';
import { riskMargin, riskTally } from './risk.js';
import type { GapHistogram } from './risk.js';
import type { FailoverCause } from './causes.js';
import type { GroupKey } from '../base/keys.js';
import type { GroupState, MismatchField, RouterState } from './types.js';

export interface RouterView {
  address: string;
  adverts: number;
  priority: number;
  interval: number;
  last: number;
  master: boolean;
  version: 2 | 3;
  addresses: readonly string[];
  /** keepalived 2.4 auth_hmac: the last advert's key id, its trailer clock minus the capture time (undefined: unsigned). */
  hmacKeyId?: number | undefined;
  hmacOffset?: number | undefined;
}

export interface GroupView {
  key: GroupKey;
  masters: readonly string[];
  splitBrain: boolean;
  noMaster: boolean;
  masterChanges: number;
  /** The master changes by cause (their sum is masterChanges). */
  failoverCauses: Readonly<Record<FailoverCause, number>>;
  /** Gaps of more than two intervals in a master's adverts after which it stayed master. */
  nearFailovers: number;
  /** The longest of those gaps among the recent ones (RECENT_GAP_SECONDS), seconds; 0 without any. */
  longestRecentGap: number;
  authMismatch: boolean;
  configMismatch: readonly MismatchField[];
  routers: readonly RouterView[];
  /** Failover risk (risk.ts): since when the group is at risk (undefined: not at risk). */
  riskSince: number | undefined;
  /** In the risk window: near failovers, and adverts the masters missed. */
  riskNear: number;
  riskMissed: number;
  /** The smallest margin in the risk window, seconds (the deadline less the gap); undefined without a master. */
  gapMargin: number | undefined;
  /** The masters' gaps in advert intervals (the group's own, read only). */
  gapHistogram: Readonly<GapHistogram>;
  /** Lossy gaps not judged because our capture dropped packets during them. */
  gapsExcluded: number;
}

/** The empty list every view without entries shares (views are read, never changed). */
export const NONE: readonly never[] = Object.freeze([]);

/** The counts every view of a group that never failed over shares. */
export const NO_FAILOVERS: Readonly<Record<FailoverCause, number>> = Object.freeze(noFailovers());

function routerView(r: RouterState): RouterView {
  return { address: r.address, adverts: r.adverts, priority: r.priority, interval: r.interval, last: r.last, master: r.master, version: r.version, addresses: r.addresses, hmacKeyId: r.hmacKeyId, hmacOffset: r.hmacOffset };
}

/** A copy of what a group is now (made at every scrape for every group: no spare arrays). */
export function groupView(group: GroupState): GroupView {
  let masters: string[] | undefined;
  for (const r of group.routers) if (r.master) (masters ??= []).push(r.address);
  return {
    key: group.key,
    masters: masters ?? NONE,
    splitBrain: group.split !== undefined,
    noMaster: group.noMasterSince !== undefined,
    masterChanges: group.masterChanges,
    // A copy only once there is something to copy: most groups never fail over.
    failoverCauses: group.masterChanges === 0 ? NO_FAILOVERS : { ...group.failoverCauses },
    nearFailovers: group.nearFailovers,
    longestRecentGap: group.recentGaps.length === 0 ? 0 : longestRecentGap(group.recentGaps, group.settledAt),
    authMismatch: group.authMismatchSince !== undefined,
    configMismatch: group.configMismatchSince.size === 0 ? NONE : [...group.configMismatchSince.keys()],
    routers: group.routers.map(routerView),
    riskSince: group.risk.since,
    ...riskCounts(group),
    gapMargin: riskMargin(group.risk, group.settledAt),
    gapHistogram: group.risk.histogram,
    gapsExcluded: group.risk.excluded,
  };
}

function riskCounts(group: GroupState): { riskNear: number; riskMissed: number } {
  if (group.risk.gaps.length === 0) return { riskNear: 0, riskMissed: 0 };
  const { near, missed } = riskTally(group.risk, group.settledAt);
  return { riskNear: near, riskMissed: missed };
}
