/**
 * The rate limit on new ARP/NDP bindings: a flood of claims from one source MAC, or from many, cannot
 * fill the address → MAC table faster than this, and every claim refused is counted.
 */

/** New ARP/NDP bindings taken per source MAC, and from all sources, per second. */
const NEW_BINDINGS_PER_SOURCE = 16;
const NEW_BINDINGS_PER_SECOND = 512;

export class BindingLimit {
  #second = -Infinity;
  readonly #bySource = new Map<string, number>();
  #all = 0;
  /** New bindings refused so far. */
  refused = 0;

  /** Whether a new ARP/NDP binding from `mac` is taken at `time` (the per-source and overall limits). */
  take(mac: string, time: number): boolean {
    const second = Math.floor(time);
    if (second !== this.#second) {
      this.#second = second;
      this.#bySource.clear();
      this.#all = 0;
    }
    const fromSource = this.#bySource.get(mac) ?? 0;
    if (fromSource >= NEW_BINDINGS_PER_SOURCE || this.#all >= NEW_BINDINGS_PER_SECOND) {
      this.refused++;
      return false;
    }
    this.#bySource.set(mac, fromSource + 1);
    this.#all++;
    return true;
  }
}
