/**
 * The announcement expected after a failover: keepalived sends a gratuitous ARP or unsolicited NA for
 * the group's VIPs as it takes over, so one is expected within `window` seconds either side of each
 * failover the monitor judges; a failover without one is counted per group and kept among the recent.
 */
import { groupId } from '../base/keys.js';
import type { GroupKey } from '../base/keys.js';
import type { Failover, MissedGarp } from './vip-owner-types.js';

interface Pending {
  failover: Failover;
  satisfied: boolean;
}

export class GarpWatch {
  readonly #window: number;
  readonly #recent: number;
  readonly #pending = new Map<string, Pending>();
  readonly #counts = new Map<string, { key: GroupKey; count: number }>();
  #missed: MissedGarp[] = [];
  #seq = 0;

  /** `window`: seconds either side of a failover; `recent`: unannounced failovers kept for views. */
  constructor(window: number, recent: number) {
    this.#window = window;
    this.#recent = recent;
  }

  /** A gratuitous ARP or unsolicited NA heard for `ip` on `iface`. */
  announced(iface: string, ip: string, time: number): void {
    for (const p of this.#pending.values()) {
      const f = p.failover;
      if (f.key.interface === iface && f.vips.includes(ip) && Math.abs(time - f.time) <= this.#window) p.satisfied = true;
    }
  }

  /**
   * A failover of a group: `lastAnnounces` holds the last announcement of each of its VIPs that is
   * tracked (none tracked: nothing is expected, announcements are heard for tracked VIPs only). A
   * previous failover of the group still unannounced is counted now.
   */
  failover(failover: Failover, lastAnnounces: readonly number[]): void {
    const id = groupId(failover.key);
    const before = this.#pending.get(id);
    if (before !== undefined && !before.satisfied) this.#count(before.failover);
    this.#pending.delete(id);
    if (lastAnnounces.length === 0) return;
    const satisfied = lastAnnounces.some((t) => t >= failover.time - this.#window);
    this.#pending.set(id, { failover, satisfied });
  }

  /** Counts the failovers whose window closed at `now` without an announcement. */
  settle(now: number): void {
    for (const [id, p] of this.#pending) {
      if (p.satisfied) this.#pending.delete(id);
      else if (now >= p.failover.time + this.#window) {
        this.#count(p.failover);
        this.#pending.delete(id);
      }
    }
  }

  /** Forgets the counts of groups not in `live` (group ids). */
  keepGroups(live: ReadonlySet<string>): void {
    for (const id of this.#counts.keys()) if (!live.has(id)) this.#counts.delete(id);
  }

  /** Failovers without an announcement, per group still known. */
  counts(): { key: GroupKey; count: number }[] {
    return [...this.#counts.values()].map((c) => ({ key: c.key, count: c.count }));
  }

  /** The most recent unannounced failovers, oldest first. */
  get missed(): readonly MissedGarp[] {
    return this.#missed;
  }

  #count(failover: Failover): void {
    const id = groupId(failover.key);
    const counted = this.#counts.get(id);
    if (counted === undefined) this.#counts.set(id, { key: failover.key, count: 1 });
    else counted.count++;
    this.#missed = [...this.#missed, { seq: ++this.#seq, key: failover.key, router: failover.to, time: failover.time, vips: failover.vips }].slice(-this.#recent);
  }
}
