/** serve's and once's reading of the captures' drop counters, for the failover risk. */
import type { Pipeline } from '../core/pipeline/pipeline.js';

/**
 * The captures' drop counters, read at each judgement: what grew since the last read was dropped since
 * then, and the failover risk leaves the masters' gaps of that time alone.
 */
export class DropPoll {
  readonly #dropped = new Map<string, number>();
  #at: number | undefined;

  poll(captures: readonly { interface: string; dropped: number }[], at: number, pipeline: Pick<Pipeline, 'captureDrops'>): void {
    let grew = 0;
    for (const c of captures) {
      const before = this.#dropped.get(c.interface) ?? 0;
      if (c.dropped > before) grew += c.dropped - before;
      this.#dropped.set(c.interface, c.dropped);
    }
    if (grew > 0) pipeline.captureDrops(this.#at ?? at, at, grew);
    this.#at = at;
  }
}
