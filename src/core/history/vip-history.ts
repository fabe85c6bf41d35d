/**
 * VIP ownership over a capture, as intervals per group: the judgements of VipOwners taken at each
 * probe round boundary and turned into who answered for each VIP when, duplicates, foreign owners,
 * unanswered VIPs and failovers without a gratuitous ARP. Pure; `replay` feeds it and reports it.
 */
import { groupId, ownerId, vipId } from '../base/keys.js';
import type { GroupKey } from '../base/keys.js';
import type { OwnershipView, VipMode, VipView } from '../ownership/vip-owners.js';

/** A MAC answering for a VIP: from its first claim heard until the last before it fell silent. */
export interface VipOwnerInterval {
  vip: string;
  mac: string;
  /** The router the MAC belongs to; null when unknown (a host that is no router heard). */
  router: string | null;
  start: number;
  end: number | null;
}
/** Two or more owners answered in each of the confirming rounds. */
export interface VipDuplicateInterval {
  vip: string;
  /** Every MAC that answered while the duplicate lasted. */
  macs: string[];
  /** When the second of them began answering. */
  start: number;
  /** When it was judged (the live exporter's vrrpwatch_vip_duplicate turns 1 then). */
  judged: number;
  end: number | null;
}
export interface VipForeignInterval {
  vip: string;
  mac: string;
  /** When the MAC began answering. */
  start: number;
  judged: number;
  end: number | null;
}
export interface VipUnansweredInterval {
  vip: string;
  /** The start of the first round in which a request for the VIP went unanswered. */
  start: number;
  judged: number;
  end: number | null;
}
export interface FailoverWithoutGarp {
  /** The failover's time. */
  time: number;
  /** The new master, which sent no gratuitous ARP or unsolicited NA for the group's VIPs. */
  router: string;
  vips: string[];
}
export interface VipFindings {
  vip_owners: VipOwnerInterval[];
  vip_duplicates: VipDuplicateInterval[];
  vip_foreign_owners: VipForeignInterval[];
  vip_unanswered: VipUnansweredInterval[];
  failovers_without_garp: FailoverWithoutGarp[];
  /** Entries of these lists not kept because one reached its bound. */
  vip_omitted: number;
}

/** A watched VIP's history (`--vip`): who answered when, its findings, and when the MAC answering alone changed. */
export interface WatchedVipHistory extends VipFindings {
  interface: string;
  address: string;
  mode: VipMode;
  owner_changes: { time: number; from: string; to: string }[];
  /** The last gratuitous ARP or unsolicited NA heard for it; null: none. */
  last_announcement: number | null;
}

/** Watched VIPs kept in a history (more are counted in `watchedOmitted`). */
const MAX_WATCHED = 4096;

/** Each list of a group keeps at most this many entries (the timeline's bound). */
const MAX_ENTRIES = 10_000;

interface OwnerRun {
  /** The VIP's vipId. */
  vip: string;
  entry: VipOwnerInterval;
  last: number;
}

/** Ends the open entries whose id was not seen in this judgement. */
function closeUnseen(open: Map<string, { end: number | null }>, seen: ReadonlySet<string>, end: number): void {
  for (const [id, entry] of open) {
    if (seen.has(id)) continue;
    entry.end = end;
    open.delete(id);
  }
}

export class VipHistory {
  readonly #lead: number;
  readonly #groups = new Map<string, VipFindings>();
  readonly #owners = new Map<string, OwnerRun>();
  readonly #duplicates = new Map<string, VipDuplicateInterval>();
  readonly #foreign = new Map<string, VipForeignInterval>();
  readonly #unanswered = new Map<string, VipUnansweredInterval>();
  /** First claim heard per interface|vip|mac since the last record, for owners' exact start. */
  readonly #firstClaims = new Map<string, number>();
  #known = new Set<string>();
  #seq = 0;
  readonly #watched = new Map<string, WatchedVipHistory>();
  #changeSeq = 0;
  /** Watched VIPs beyond MAX_WATCHED, not kept. */
  watchedOmitted = 0;

  /**
   * `lead`: seconds from an unanswered VIP's first round to its judgement (round x confirmRounds), and the
   * longest pause in an owner's answers that keeps its interval open.
   */
  constructor(lead: number) {
    this.#lead = lead;
  }

  /** A claim heard for an address: the exact start of an owner interval (claims for no known VIP are ignored). */
  claim(iface: string, ip: string, mac: string, time: number): void {
    if (!this.#known.has(vipId(iface, ip))) return;
    const id = ownerId(iface, ip, mac);
    if (!this.#owners.has(id) && !this.#firstClaims.has(id)) this.#firstClaims.set(id, time);
  }

  /** The judgement at `now` (a round boundary). */
  record(view: OwnershipView, now: number): void {
    const seen = new Set<string>();
    const known = new Set<string>();
    for (const v of view.vips) {
      known.add(vipId(v.interface, v.vip));
      this.#recordVip(v, now, seen);
    }
    // An owner stays one interval across pauses up to the confirming rounds (clients ask now and then).
    for (const [id, run] of this.#owners) {
      if (!seen.has(id) && (now - run.last > this.#lead || !known.has(run.vip))) {
        run.entry.end = run.last;
        this.#owners.delete(id);
      }
    }
    closeUnseen(this.#duplicates, seen, now);
    closeUnseen(this.#foreign, seen, now);
    closeUnseen(this.#unanswered, seen, now);
    this.#firstClaims.clear();
    this.#known = known;
    for (const c of view.ownerChanges) {
      if (c.seq <= this.#changeSeq) continue;
      this.#changeSeq = c.seq;
      const w = this.#watched.get(vipId(c.interface, c.vip));
      if (w !== undefined) this.#push(w, w.owner_changes, { time: c.time, from: c.from, to: c.to });
    }
    for (const m of view.missedGarps) {
      if (m.seq <= this.#seq) continue;
      this.#seq = m.seq;
      const findings = this.#findings(m.key);
      this.#push(findings, findings.failovers_without_garp, { time: m.time, router: m.router, vips: [...m.vips] });
    }
  }

  /** The watched VIPs' histories, by interface and address. */
  watched(): WatchedVipHistory[] {
    return [...this.#watched.values()].sort((a, b) => (a.interface < b.interface ? -1 : a.interface > b.interface ? 1 : a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  #watchedOf(v: VipView): WatchedVipHistory | undefined {
    const id = vipId(v.interface, v.vip);
    let w = this.#watched.get(id);
    if (w === undefined) {
      if (this.#watched.size >= MAX_WATCHED) {
        this.watchedOmitted++;
        return undefined;
      }
      w = { interface: v.interface, address: v.vip, mode: v.mode, ...noVipFindings(), owner_changes: [], last_announcement: null };
      this.#watched.set(id, w);
    }
    w.last_announcement = v.lastAnnouncement ?? null;
    return w;
  }

  /** A group's VIP findings (empty lists when there are none). */
  of(key: GroupKey): VipFindings {
    return this.#groups.get(groupId(key)) ?? noVipFindings();
  }

  #recordVip(v: VipView, now: number, seen: Set<string>): void {
    const vip = vipId(v.interface, v.vip);
    const groups = v.groups.map((k) => this.#findings(k));
    const watched = v.watched ? this.#watchedOf(v) : undefined;
    if (watched !== undefined) groups.push(watched);
    const starts: number[] = [];
    for (const o of v.owners) {
      const id = ownerId(v.interface, v.vip, o.mac);
      seen.add(id);
      let run = this.#owners.get(id);
      if (run === undefined) {
        const entry: VipOwnerInterval = { vip: v.vip, mac: o.mac, router: o.router ?? null, start: this.#firstClaims.get(id) ?? o.last, end: null };
        this.#pushAll(groups, (f) => f.vip_owners, entry);
        run = { vip, entry, last: o.last };
        this.#owners.set(id, run);
      }
      run.last = Math.max(run.last, o.last);
      run.entry.router ??= o.router ?? null;
      starts.push(run.entry.start);
    }
    if (v.duplicate) {
      const id = `${vip}|duplicate`;
      seen.add(id);
      const macs = v.owners.map((o) => o.mac);
      const open = this.#duplicates.get(id);
      if (open === undefined) {
        const second = starts.sort((a, b) => a - b)[1] ?? now;
        const entry: VipDuplicateInterval = { vip: v.vip, macs, start: second, judged: now, end: null };
        this.#pushAll(groups, (f) => f.vip_duplicates, entry);
        this.#duplicates.set(id, entry);
      } else {
        open.macs = [...new Set([...open.macs, ...macs])].sort();
      }
    }
    for (const mac of v.foreign) {
      const id = `${vip}|foreign|${mac}`;
      seen.add(id);
      if (this.#foreign.has(id)) continue;
      const entry: VipForeignInterval = { vip: v.vip, mac, start: this.#owners.get(ownerId(v.interface, v.vip, mac))?.entry.start ?? now, judged: now, end: null };
      this.#pushAll(groups, (f) => f.vip_foreign_owners, entry);
      this.#foreign.set(id, entry);
    }
    if (v.unanswered) {
      const id = `${vip}|unanswered`;
      seen.add(id);
      if (!this.#unanswered.has(id)) {
        const entry: VipUnansweredInterval = { vip: v.vip, start: now - this.#lead, judged: now, end: null };
        this.#pushAll(groups, (f) => f.vip_unanswered, entry);
        this.#unanswered.set(id, entry);
      }
    }
  }

  #findings(key: GroupKey): VipFindings {
    const id = groupId(key);
    let findings = this.#groups.get(id);
    if (findings === undefined) this.#groups.set(id, (findings = noVipFindings()));
    return findings;
  }

  /** The entry is shared by the lists of every group the VIP belongs to, so ending it ends it in each. */
  #pushAll<T>(groups: readonly VipFindings[], list: (f: VipFindings) => T[], entry: T): void {
    for (const f of groups) this.#push(f, list(f), entry);
  }

  #push<T>(findings: VipFindings, list: T[], entry: T): void {
    if (list.length >= MAX_ENTRIES) findings.vip_omitted++;
    else list.push(entry);
  }
}

/** The findings of a group whose VIPs nothing was heard for. */
export function noVipFindings(): VipFindings {
  return { vip_owners: [], vip_duplicates: [], vip_foreign_owners: [], vip_unanswered: [], failovers_without_garp: [], vip_omitted: 0 };
}
