/**
 * Why a group's master changed, decided once from what was heard: the one rule that serve's log and
 * metrics, replay's report and its HTML page all format. Also the near failovers: a master's adverts
 * pausing for more than two intervals while it stayed master. Pure functions of the tables and the time.
 */
import type { RouterState } from './types.js';

/** The causes of a master change, in the order they are tried (the first that fits is the cause). */
export const FAILOVER_CAUSES = ['resigned', 'split_healed', 'foreign', 'priority_drop', 'preempted', 'master_down'] as const;
export type FailoverCause = (typeof FAILOVER_CAUSES)[number];

/** A count of none for each cause. */
export function noFailovers(): Record<FailoverCause, number> {
  return { resigned: 0, split_healed: 0, foreign: 0, priority_drop: 0, preempted: 0, master_down: 0 };
}

/** What the cause is decided from and what supports it (replay's `failovers[]` carries these fields). */
export interface FailoverReason {
  cause: FailoverCause;
  /** Seconds from the old master's last advert to the change; null when the old master is no longer in the tables. */
  silent_seconds: number | null;
  /** The old master's priority while it was master (before a drop or a resignation); null when not in the tables. */
  from_priority_before: number | null;
  /** The old master's last advertised priority (0 when it resigned). */
  from_priority_after: number | null;
  /** The new master's advertised priority. */
  to_priority: number;
}

/** A fall of the master's own advertised priority (a track_script weight), remembered for its group. */
export interface PriorityDrop {
  router: string;
  /** The priority before the first fall of the run of falls. */
  from: number;
  to: number;
  time: number;
}

/**
 * A fall of the master's priority explains a takeover within this many of its intervals: a backup that
 * preempts waits its Master_Down_Interval (under four intervals) after the fall.
 */
export const PRIORITY_DROP_WINDOW_INTERVALS = 5;

/**
 * A master still heard within this many of its intervals of the new master's first advert was still
 * advertising when it was replaced (preempted), not silent (master_down).
 */
export const STILL_ADVERTISING_INTERVALS = 1.5;

/** A gap between a master's adverts of more than this many of its intervals is a near failover. */
export const NEAR_FAILOVER_INTERVALS = 2;

/** The near failover gauge keeps the longest gap among those that ended this long ago at most, seconds. */
export const RECENT_GAP_SECONDS = 600;

/** Most near-failover gaps remembered per group for the gauge. */
export const RECENT_GAPS_KEPT = 8;

export interface CauseInput {
  /** The old master as the tables know it (undefined when evicted). */
  old: Pick<RouterState, 'address' | 'priority' | 'last' | 'interval'> | undefined;
  next: Pick<RouterState, 'priority' | 'masterSince'>;
  /** The new master wins the election against the old one (higher priority, then address). */
  nextWins: boolean;
  /** When the change is dated. */
  time: number;
  /** A split-brain ended in the same judgement: one side stepped down. */
  splitHealed: boolean;
  /** Since when another protocol's traffic (CARP) uses the group's VRID; undefined when none. */
  foreignSince: number | undefined;
  /** The last fall of a master's priority in the group. */
  drop: PriorityDrop | undefined;
}

/** The cause of one master change and what supports it. */
export function failoverReason(input: CauseInput): FailoverReason {
  const { old, next, time } = input;
  const drop = old !== undefined && input.drop?.router === old.address ? input.drop : undefined;
  const reason = (cause: FailoverCause): FailoverReason => ({
    cause,
    silent_seconds: old === undefined ? null : round(Math.max(0, time - old.last)),
    from_priority_before: old === undefined ? null : (drop?.from ?? old.priority),
    from_priority_after: old === undefined ? null : old.priority,
    to_priority: next.priority,
  });
  if (old === undefined) return reason(input.splitHealed ? 'split_healed' : 'master_down');
  if (old.priority === 0) return reason('resigned');
  if (input.splitHealed) return reason('split_healed');
  if (input.foreignSince !== undefined && input.foreignSince <= time) return reason('foreign');
  if (drop !== undefined && old.priority < drop.from && next.priority > old.priority && next.priority <= drop.from && drop.time >= next.masterSince - PRIORITY_DROP_WINDOW_INTERVALS * old.interval) {
    return reason('priority_drop');
  }
  if (input.nextWins && old.last + STILL_ADVERTISING_INTERVALS * old.interval >= next.masterSince) return reason('preempted');
  return reason('master_down');
}

/**
 * The group's remembered fall after a master's advert moved its priority from `before` to `after`:
 * a fall (to 0 too: what it had before resigning) starts or extends one, a rise back to where it was
 * forgets it.
 */
export function priorityDropAfter(previous: PriorityDrop | undefined, router: string, before: number, after: number, time: number): PriorityDrop | undefined {
  if (after === before) return previous;
  const same = previous?.router === router ? previous : undefined;
  if (after < before) return { router, from: same === undefined ? before : Math.max(same.from, before), to: after, time };
  return same !== undefined && after >= same.from ? undefined : same === undefined ? previous : { ...same, to: after };
}

/** Whether a master's next advert after `gap` seconds is a near failover. */
export function isNearFailover(gap: number, interval: number): boolean {
  return gap > NEAR_FAILOVER_INTERVALS * interval;
}

/** A near failover: the master's adverts paused from `start` to `end` and it went on as master. */
export interface AdvertGap {
  router: string;
  start: number;
  end: number;
}

/** The longest of the recent gaps that ended within RECENT_GAP_SECONDS of `now`, seconds (0 without any). */
export function longestRecentGap(gaps: readonly AdvertGap[], now: number): number {
  let longest = 0;
  for (const g of gaps) if (now - g.end <= RECENT_GAP_SECONDS && g.end - g.start > longest) longest = g.end - g.start;
  return round(longest);
}

/** Milliseconds are what a capture's clock is worth here. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
