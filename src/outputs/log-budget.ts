/**
 * The log's rate bound. A spoofer can start thousands of findings and failovers a second (groups made,
 * evicted and made again, each advertising VIPs that others do), and a line for each fills a disk and
 * takes the CPU the capture needs. So lines are let through by token buckets: per kind (a finding's
 * name, or the event's type), LOG_RATE.perKind lines at once and then so many a second, and in all
 * LOG_RATE.total; one kind's flood never holds back another's first lines. What is held back:
 * - a finding's start line waits, and is written at a later judgement if the finding lasts (its end line
 *   only follows a start line that was written);
 * - an event's line (a failover, a split-brain the Monitor saw start) is not written; an end event whose
 *   start was not written is not written either.
 * Both are counted by kind, and one summary line at most every LOG_RATE.summaryEveryS says what was held
 * back. Ordinary operation stays well inside the bound. Pure, with the clock passed in.
 */
import type { MonitorEvent } from '../core/groups/types.js';
import type { LogRecord } from './log-lines.js';

/** Lines at once (`burst`) and a second after (`perSecond`), per kind and in all; and how often the summary may come. */
export const LOG_RATE = {
  // A burst as large as an interface's VRIDs: a sync group of them failing over together is logged whole.
  perKind: { burst: 256, perSecond: 2 },
  total: { burst: 512, perSecond: 10 },
  summaryEveryS: 10,
} as const;

/** Event starts held back whose ends are awaited, at most (a flood of groups: the oldest are forgotten). */
const HELD_STARTS_KEPT = 10_000;

class Bucket {
  #tokens: number;
  #at = -Infinity;

  constructor(private readonly rate: { burst: number; perSecond: number }) {
    this.#tokens = rate.burst;
  }

  /** Whether a line may go now (without taking it). */
  has(now: number): boolean {
    if (now > this.#at) {
      this.#tokens = Math.min(this.rate.burst, this.#tokens + (this.#at === -Infinity ? 0 : (now - this.#at) * this.rate.perSecond));
      this.#at = now;
    }
    return this.#tokens >= 1;
  }

  take(): void {
    this.#tokens -= 1;
  }
}

/** Start and end events of one trouble: an end whose start was held back is held back too. */
const STARTS: Partial<Record<MonitorEvent['type'], string>> = { split_start: 'split', no_master_start: 'no_master', mismatch_start: 'mismatch', risk_start: 'failover_risk' };
const ENDS: Partial<Record<MonitorEvent['type'], string>> = { split_end: 'split', no_master_end: 'no_master', mismatch_end: 'mismatch', risk_end: 'failover_risk' };

function troubleOf(e: MonitorEvent, pair: string): string {
  const field = e.type === 'mismatch_start' || e.type === 'mismatch_end' ? e.field : '';
  return 'group' in e ? `${e.group.id}|${pair}|${field}` : pair;
}

export class LogBudget {
  readonly #total = new Bucket(LOG_RATE.total);
  readonly #kinds = new Map<string, Bucket>();
  /** Lines held back since start, by kind: event lines dropped, and each finding whose start line had to wait (once). */
  readonly heldBack = new Map<string, number>();
  readonly #sinceSummary = new Map<string, number>();
  /** The findings waiting for their start line now, by id → kind. */
  #waiting = new Map<string, string>();
  #waitingNext = new Map<string, string>();
  readonly #heldStarts = new Set<string>();
  #lastSummary = -Infinity;

  /** Whether a line of `kind` may be written now; takes it from both buckets when it may. */
  admit(kind: string, now: number): boolean {
    let bucket = this.#kinds.get(kind);
    if (bucket === undefined) this.#kinds.set(kind, (bucket = new Bucket(LOG_RATE.perKind)));
    if (!bucket.has(now) || !this.#total.has(now)) return false;
    bucket.take();
    this.#total.take();
    return true;
  }

  /**
   * A finding's start line at a judgement: written (true) or left to wait (false: the caller keeps it
   * out of the findings it calls logged, so it starts again at the next judgement). Call `judged` after
   * each judgement's lines.
   */
  findingStart(id: string, kind: string, now: number): boolean {
    if (this.admit(kind, now)) return true;
    this.#waitingNext.set(id, kind);
    if (!this.#waiting.has(id)) this.#count(kind);
    return false;
  }

  /** The judgement's lines are done: the findings that wait are those left waiting in it. */
  judged(): void {
    this.#waiting = this.#waitingNext;
    this.#waitingNext = new Map();
  }

  /** Whether the event's line (of level info and above) is written. */
  event(e: MonitorEvent, record: LogRecord): boolean {
    if (record.level === 'debug') return true;
    const end = ENDS[e.type];
    if (end !== undefined) return !this.#heldStarts.delete(troubleOf(e, end));
    const kind = typeof record.fields.finding === 'string' ? record.fields.finding : e.type;
    if (this.admit(kind, e.time)) return true;
    this.#count(kind);
    const start = STARTS[e.type];
    if (start !== undefined) {
      if (this.#heldStarts.size >= HELD_STARTS_KEPT) this.#heldStarts.clear();
      this.#heldStarts.add(troubleOf(e, start));
    }
    return false;
  }

  /** At most every LOG_RATE.summaryEveryS, while anything was held back: the line that says what. */
  summary(now: number): LogRecord | undefined {
    if (now - this.#lastSummary < LOG_RATE.summaryEveryS || (this.#sinceSummary.size === 0 && this.#waiting.size === 0)) return undefined;
    this.#lastSummary = now;
    const waiting: Record<string, number> = {};
    for (const kind of this.#waiting.values()) waiting[kind] = (waiting[kind] ?? 0) + 1;
    const fields = { held_back: Object.fromEntries(this.#sinceSummary), findings_waiting: waiting };
    this.#sinceSummary.clear();
    return { level: 'warn', fields, msg: `log lines held back by the log's rate bound (${LOG_RATE.total.perSecond} lines a second after a burst; a flood or a spoofer?); the metrics show every finding` };
  }

  #count(kind: string): void {
    this.heldBack.set(kind, (this.heldBack.get(kind) ?? 0) + 1);
    this.#sinceSummary.set(kind, (this.#sinceSummary.get(kind) ?? 0) + 1);
  }
}
