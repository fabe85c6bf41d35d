/**
 * The last minutes of each group for the live status page: master intervals, split-brain intervals,
 * no-master intervals and failovers, from the monitor's events. Older entries are dropped as new ones
 * come, and each list is bounded, so a long-running exporter keeps only a window. Pure.
 */
import type { FailoverCause } from '../groups/causes.js';
import type { GroupKey } from '../base/keys.js';
import type { MonitorEvent } from '../groups/types.js';

/** Most entries of each list kept per group (a flapping group would otherwise grow within the window). */
const MAX_ENTRIES = 200;

export interface RecentInterval {
  start: number;
  end: number | null;
}
export interface RecentMaster extends RecentInterval {
  router: string;
}
export interface RecentFailover {
  time: number;
  from: string;
  to: string;
  cause: FailoverCause;
}
export interface RecentGroup {
  key: GroupKey;
  masters: RecentMaster[];
  splits: RecentInterval[];
  noMaster: RecentInterval[];
  failovers: RecentFailover[];
}

export class RecentHistory {
  readonly #groups = new Map<string, RecentGroup>();

  /** `windowSeconds`: how far back the page's history reaches. */
  constructor(readonly windowSeconds: number) {}

  readonly onEvent = (e: MonitorEvent): void => {
    if (e.type === 'group_expired' || (e.type === 'evicted' && e.what === 'group')) {
      this.#groups.delete(e.group.id);
      return;
    }
    if (e.type === 'evicted') return;
    let g = this.#groups.get(e.group.id);
    if (g === undefined) {
      g = { key: e.group.key, masters: [], splits: [], noMaster: [], failovers: [] };
      this.#groups.set(e.group.id, g);
    }
    switch (e.type) {
      case 'master_start':
        this.#add(g.masters, { router: e.router, start: e.time, end: null });
        break;
      case 'master_end':
        close(g.masters, e.time, (m) => m.router === e.router);
        break;
      case 'split_start':
        this.#add(g.splits, { start: e.split.onset, end: null });
        break;
      case 'split_end':
        close(g.splits, e.time);
        break;
      case 'no_master_start':
        this.#add(g.noMaster, { start: e.time, end: null });
        break;
      case 'no_master_end':
        close(g.noMaster, e.time);
        break;
      case 'failover':
        this.#add(g.failovers, { time: e.time, from: e.from, to: e.to, cause: e.reason.cause });
        break;
      case 'mismatch_start':
      case 'mismatch_end':
        break;
    }
  };

  /** A group's history within the window before `now` (undefined when nothing happened in it). */
  of(id: string, now: number): RecentGroup | undefined {
    const g = this.#groups.get(id);
    if (g === undefined) return undefined;
    const from = now - this.windowSeconds;
    for (const list of [g.masters, g.splits, g.noMaster]) prune(list, (i) => i.end !== null && i.end < from);
    prune(g.failovers, (f) => f.time < from);
    return g;
  }

  #add<T>(list: T[], entry: T): void {
    list.push(entry);
    if (list.length > MAX_ENTRIES) list.shift();
  }
}

function close<T extends RecentInterval>(list: T[], time: number, match: (entry: T) => boolean = () => true): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const entry = list[i];
    if (entry !== undefined && entry.end === null && match(entry)) {
      entry.end = time;
      return;
    }
  }
}

/** Removes the leading entries that are `old` (lists are in time order). */
function prune<T>(list: T[], old: (entry: T) => boolean): void {
  let n = 0;
  for (const entry of list) {
    if (!old(entry)) break;
    n++;
  }
  if (n > 0) list.splice(0, n);
}
