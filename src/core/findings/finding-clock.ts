/**
 * When each finding began: the first judgement that found it, kept while each later judgement finds it
 * again (by `findingId`), forgotten at the first one that does not. What the status API's `since` says.
 * Pure: the time of each judgement comes in; it holds no more entries than the findings of the last one.
 */
import { findingId } from './findings.js';
import type { Finding } from './findings.js';

export class FindingClock {
  #since = new Map<string, number>();

  /** Judged at `now`: the start of each of `list`, by its findingId. */
  mark(list: readonly Finding[], now: number): ReadonlyMap<string, number> {
    const next = new Map<string, number>();
    for (const f of list) {
      const id = findingId(f);
      next.set(id, this.#since.get(id) ?? next.get(id) ?? now);
    }
    this.#since = next;
    return next;
  }
}
