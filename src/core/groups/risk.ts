/**
 * Failover risk: a master's advert gaps measured against its takeover deadline (the Master_Down_Interval
 * its adverts give a backup), and the rule that judges a group at risk while its recent gaps come close
 * to that deadline often enough. Gaps during which our own capture dropped packets are not judged (the
 * packets may have been lost here, not on the wire). Bounded per group: a few masters' marks, a fixed
 * ring of lossy gaps, a fixed histogram. Pure: capture times only, the Monitor calls it.
 */
import { masterDownInterval } from './judge.js';
import type { RouterState } from './types.js';

/**
 * The risk window, in the master's advert intervals: 60 s at advert_int 1, 6 s at 0.1. Gaps are judged
 * over this many intervals, so a fast group needs no longer to be judged than its adverts take.
 */
export const RISK_WINDOW_INTERVALS = 60;

/** Adverts missing in the window (10% of them) that make a group at risk, with a near failover among them. */
export const RISK_MISSED_ADVERTS = 6;

/** A near failover is never shorter than this many intervals: at least two adverts in a row missing. */
export const NEAR_FAILOVER_FLOOR_INTERVALS = 2.5;

/**
 * A gap longer than this many of its deadlines is an outage (the master was gone and came back), not a
 * stall a backup nearly acted on: the failover and no-master findings speak of it, the risk does not.
 */
export const OUTAGE_DEADLINES = 2;

/** A gap shorter than this many intervals lost no advert: it is only counted in the histogram. */
export const LOSSY_GAP_INTERVALS = 1.5;

/** The histogram's upper bounds, in advert intervals (the deadline lies between 3 and 4). */
export const GAP_BUCKETS: readonly number[] = [1.5, 2.5, 3, 3.5, 4, 6];

/** Lossy gaps kept per group (a ring): the rule needs 6 missed adverts, so 16 gaps are plenty. */
export const LOSSY_GAPS_KEPT = 16;

/** Marks kept per group: routers that counted as master at their last advert (a split has a few). */
const MARKS_KEPT = 4;

/** Capture drop windows kept; older drops are remembered only as "before this time". */
const DROP_WINDOWS_KEPT = 32;

/** Estimated bytes of a group's risk state at its fullest (marks, ring, histogram), for the byte bound. */
export const RISK_BYTES = 160 + MARKS_KEPT * 72 + LOSSY_GAPS_KEPT * 88 + (GAP_BUCKETS.length + 1) * 8;

/** A router that counted as master when it last advertised: its next advert ends a gap. */
interface MasterMark {
  router: string;
  last: number;
  interval: number;
  /** Its Master_Down_Interval from that advert's interval and priority, seconds. */
  deadline: number;
  priority: number;
  addressOrder: string;
}

/** A gap of a master that lost at least one advert. */
export interface LossyGap {
  router: string;
  start: number;
  end: number;
  interval: number;
  deadline: number;
  /** Adverts missing in it: the gap in intervals, rounded, less one. */
  missed: number;
  /** Within one interval of the deadline (or past it), and two or more adverts missing. */
  near: boolean;
  /** `pending` until the capture's drop reports for its time are in, then `counted` or `excluded`. */
  state: 'pending' | 'counted' | 'excluded';
}

/** The gaps of a group's masters in intervals, as a Prometheus histogram (cumulative by GAP_BUCKETS at output). */
export interface GapHistogram {
  /** Per bucket (not cumulative), the last one +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export interface GroupRisk {
  marks: MasterMark[];
  gaps: LossyGap[];
  histogram: GapHistogram;
  /** Lossy gaps not judged because the capture dropped packets during them. */
  excluded: number;
  /** Since when the group is judged at risk (undefined: not at risk). */
  since: number | undefined;
}

export function newGroupRisk(): GroupRisk {
  return { marks: [], gaps: [], histogram: { counts: new Array<number>(GAP_BUCKETS.length + 1).fill(0), sum: 0, count: 0 }, excluded: 0, since: undefined };
}

/** When our own capture lost packets: windows [from, to], merged, bounded. */
export class CaptureDrops {
  readonly windows: { from: number; to: number }[] = [];
  /** Drops forgotten for room happened before this time: a gap starting earlier is treated as dropped into. */
  forgottenBefore = -Infinity;
  /** Packets reported dropped in all. */
  total = 0;

  /** The capture dropped `count` packets between `from` and `to` (capture or wall-clock seconds). */
  add(from: number, to: number, count: number): void {
    if (!(count > 0) || !(to >= from)) return;
    this.total += count;
    const last = this.windows[this.windows.length - 1];
    if (last !== undefined && from <= last.to && to >= last.from) {
      last.from = Math.min(last.from, from);
      last.to = Math.max(last.to, to);
      return;
    }
    if (this.windows.length >= DROP_WINDOWS_KEPT) {
      const gone = this.windows.shift();
      if (gone !== undefined) this.forgottenBefore = Math.max(this.forgottenBefore, gone.to);
    }
    this.windows.push({ from, to });
  }

  /** Whether packets may have been dropped during [start, end]. */
  during(start: number, end: number): boolean {
    if (start <= this.forgottenBefore) return true;
    for (const w of this.windows) if (w.from <= end && w.to >= start) return true;
    return false;
  }
}

/** Whether a gap of `gap` seconds is a near failover for a master with this interval and deadline. */
export function isRiskGap(gap: number, interval: number, deadline: number): boolean {
  return gap >= Math.max(deadline - interval, NEAR_FAILOVER_FLOOR_INTERVALS * interval) && gap <= OUTAGE_DEADLINES * deadline;
}

/** Adverts missing in a gap: its length in intervals, rounded, less one. */
export function missedAdverts(gap: number, interval: number): number {
  return Math.max(0, Math.round(gap / interval) - 1);
}

function observe(h: GapHistogram, intervals: number): void {
  let i = 0;
  while (i < GAP_BUCKETS.length && intervals > (GAP_BUCKETS[i] as number)) i++;
  (h.counts[i] as number)++;
  h.sum += intervals;
  h.count++;
}

/**
 * A master's advert that repeats (the Monitor's steady state): a short gap is only counted. Returns
 * false when the advert needs the full `riskAdvert` (a lossy gap, or no mark).
 */
export function riskRepeat(risk: GroupRisk, router: string, now: number): boolean {
  const mark = risk.marks.length === 1 ? risk.marks[0] : undefined;
  if (mark === undefined || mark.router !== router) return false;
  const gap = now - mark.last;
  if (gap >= LOSSY_GAP_INTERVALS * mark.interval || gap < 0) return false;
  observe(risk.histogram, gap / mark.interval);
  mark.last = now;
  return true;
}

/**
 * An advert of `r` at `now`, after the Monitor applied and judged it (`r.master` is its judgement now).
 * Ends the gap since its last advert as master; a priority-0 advert (a graceful stop) and a router that
 * another one preempted end no gap.
 */
export function riskAdvert(risk: GroupRisk, r: Pick<RouterState, 'address' | 'addressOrder' | 'priority' | 'interval' | 'version' | 'master'>, now: number): void {
  const at = risk.marks.findIndex((m) => m.router === r.address);
  const mark = at < 0 ? undefined : risk.marks[at];
  if (r.priority === 0) {
    // Resigned: what it lost before is no longer the group's risk.
    if (at >= 0) risk.marks.splice(at, 1);
    forgetRouter(risk, r.address);
    return;
  }
  if (mark !== undefined) {
    const gap = now - mark.last;
    if (gap >= 0 && gap <= OUTAGE_DEADLINES * mark.deadline) {
      if (gap < LOSSY_GAP_INTERVALS * mark.interval) observe(risk.histogram, gap / mark.interval);
      else {
        if (risk.gaps.length >= LOSSY_GAPS_KEPT) risk.gaps.shift();
        risk.gaps.push({ router: r.address, start: mark.last, end: now, interval: mark.interval, deadline: mark.deadline, missed: missedAdverts(gap, mark.interval), near: isRiskGap(gap, mark.interval, mark.deadline), state: 'pending' });
      }
    }
  }
  if (!r.master) {
    if (at >= 0) risk.marks.splice(at, 1);
    return;
  }
  const next: MasterMark = { router: r.address, last: now, interval: r.interval, deadline: masterDownInterval(r), priority: r.priority, addressOrder: r.addressOrder };
  if (at >= 0) risk.marks[at] = next;
  else {
    if (risk.marks.length >= MARKS_KEPT) risk.marks.shift();
    risk.marks.push(next);
  }
  // Masters this one wins against were preempted (or gave way to it): their silence is no gap, and what
  // they lost before is no longer the group's risk.
  for (let i = risk.marks.length - 1; i >= 0; i--) {
    const m = risk.marks[i] as MasterMark;
    if (m.router !== r.address && (r.priority > m.priority || (r.priority === m.priority && r.addressOrder > m.addressOrder))) {
      risk.marks.splice(i, 1);
      forgetRouter(risk, m.router);
    }
  }
}

function forgetRouter(risk: GroupRisk, router: string): void {
  for (let i = risk.gaps.length - 1; i >= 0; i--) if ((risk.gaps[i] as LossyGap).router === router) risk.gaps.splice(i, 1);
}

/** When a counted gap leaves the window. */
function expiresAt(g: LossyGap): number {
  return g.end + RISK_WINDOW_INTERVALS * g.interval;
}

/** The judgement's inputs from the window at `now`: near failovers and adverts missing among counted gaps. */
function tally(risk: GroupRisk, now: number): { near: number; missed: number } {
  let near = 0;
  let missed = 0;
  for (const g of risk.gaps) {
    if (g.state !== 'counted' || now >= expiresAt(g)) continue;
    if (g.near) near++;
    missed += g.missed;
  }
  return { near, missed };
}

/**
 * Judges the group's risk at `now`: gaps whose drop reports are in (`lag` seconds after they ended) are
 * counted or excluded, gaps out of the window are forgotten. A group becomes at risk when its window holds
 * a near failover and RISK_MISSED_ADVERTS missing adverts, and stays at risk until it holds neither (so
 * steady loss does not make the finding flap). Returns 'start' or 'end' when the judgement changed.
 */
export function judgeRisk(risk: GroupRisk, now: number, drops: CaptureDrops, lag: number): 'start' | 'end' | undefined {
  if (risk.gaps.length === 0 && risk.since === undefined) return undefined;
  for (const g of risk.gaps) {
    if (g.state !== 'pending' || now < g.end + lag) continue;
    if (drops.during(g.start, g.end)) {
      g.state = 'excluded';
      risk.excluded++;
    } else {
      g.state = 'counted';
      observe(risk.histogram, (g.end - g.start) / g.interval);
    }
  }
  while (risk.gaps.length > 0 && (risk.gaps[0] as LossyGap).state !== 'pending' && now >= expiresAt(risk.gaps[0] as LossyGap)) risk.gaps.shift();
  const { near, missed } = tally(risk, now);
  if (risk.since === undefined && near > 0 && missed >= RISK_MISSED_ADVERTS) {
    risk.since = now;
    return 'start';
  }
  if (risk.since !== undefined && near === 0 && missed < RISK_MISSED_ADVERTS) {
    risk.since = undefined;
    return 'end';
  }
  return undefined;
}

/** The next time the risk judgement can change without an advert: a pending gap's reports in, a gap leaving the window. */
export function nextRiskDeadline(risk: GroupRisk, after: number, lag: number): number | undefined {
  let next = Infinity;
  for (const g of risk.gaps) {
    const t = g.state === 'pending' ? g.end + lag : g.state === 'counted' ? expiresAt(g) : Infinity;
    if (t > after && t < next) next = t;
  }
  return next === Infinity ? undefined : next;
}

/**
 * The smallest margin in the window: the deadline less the gap, seconds, over the counted gaps (negative
 * when a gap passed the deadline); without any, the master's deadline less one interval (its usual gap);
 * undefined without a master.
 */
export function riskMargin(risk: GroupRisk, now: number): number | undefined {
  let margin: number | undefined;
  // A master that lost nothing leaves a backup its deadline less one interval.
  for (const m of risk.marks) if (margin === undefined || m.deadline - m.interval < margin) margin = m.deadline - m.interval;
  for (const g of risk.gaps) {
    if (g.state !== 'counted' || now >= expiresAt(g)) continue;
    const left = g.deadline - (g.end - g.start);
    if (margin === undefined || left < margin) margin = left;
  }
  return margin === undefined ? undefined : Math.round(margin * 1000) / 1000;
}

/** The window's tally now (for views and the finding's words). */
export function riskTally(risk: GroupRisk, now: number): { near: number; missed: number } {
  return tally(risk, now);
}
