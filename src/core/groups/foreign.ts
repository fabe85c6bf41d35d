/**
 * Foreign traffic on a VRID: protocol-112 messages of another protocol (CARP from ucarp, pfSense,
 * OpenBSD; a VRRP-shaped header of an unknown version) whose vhid or VRID byte equals a VRRP group's
 * VRID on the same segment (interface + family). VRRP routers read them as their own group's adverts
 * and are disturbed (keepalived 2.2.7 logs `vrrp packet too short` and the VRID flaps). A bounded table
 * of what was heard, per segment and vhid, as episodes; and the one question every output and the
 * failover forensics ask of it: is this group disturbed at time t. Pure: time comes in as an argument.
 */
import type { Family, GroupKey } from '../base/keys.js';
import type { Decoded } from '../wire/types.js';

/** `carp`: a CARP advertisement; `other`: a VRRP-shaped header (type 1) of a version that is neither 2 nor 3. */
export type ForeignProtocol = 'carp' | 'other';

/** What one packet says, once it is attributable to a VRID. */
export interface ForeignHeard {
  protocol: ForeignProtocol;
  /** The vhid (CARP) or VRID byte that VRRP routers read as their VRID. */
  vhid: number;
  /** Seconds between its adverts, when the protocol says (CARP's advbase + advskew / 256). */
  interval: number | undefined;
}

/** A stretch of time the traffic kept arriving (gaps shorter than its hold time join one episode). */
export interface ForeignEpisode {
  start: number;
  /** When its last packet arrived. */
  last: number;
  packets: number;
  /** Its source addresses, in the order first heard, at most SOURCES_KEPT. */
  sources: string[];
  /** Sources beyond SOURCES_KEPT, counted. */
  moreSources: number;
}

export interface ForeignEntry {
  protocol: ForeignProtocol;
  vhid: number;
  /** The last interval it said, seconds (undefined: not said). */
  interval: number | undefined;
  /** Oldest first, at most EPISODES_KEPT; the last is the current one. */
  episodes: ForeignEpisode[];
}

export interface ForeignSettings {
  /** Most segments (interface + family) kept. */
  maxSegments: number;
  /** Most (protocol, vhid) entries kept per segment (a spoofer can send every vhid). */
  maxEntriesPerSegment: number;
  /** An entry unheard for this long is forgotten, seconds; Infinity keeps everything (replay). */
  expirySeconds: number;
}

export const FOREIGN_SETTINGS: ForeignSettings = { maxSegments: 64, maxEntriesPerSegment: 32, expirySeconds: 600 };

/** Sources kept per episode, and episodes per entry. */
export const SOURCES_KEPT = 8;
export const EPISODES_KEPT = 64;

/** How long traffic counts as disturbing after its last packet: 3 intervals, at least 10 s. */
export function foreignHoldSeconds(interval: number | undefined): number {
  return Math.max(10, 3 * (interval ?? 0));
}

/**
 * The foreign traffic a decoded packet is, or undefined. CARP is recognised by the decoder; a header
 * that reads as a VRRP advertisement (type 1, VRID > 0) of another version is attributed too: a VRRP
 * router reads its VRID byte all the same. Anything else (truncated, bad type) names no VRID safely.
 */
export function foreignOf(decoded: Decoded): ForeignHeard | undefined {
  if (decoded.kind !== 'invalid') return undefined;
  if (decoded.foreign !== undefined) return { protocol: decoded.foreign.protocol, vhid: decoded.foreign.vhid, interval: decoded.foreign.interval };
  const h = decoded.header;
  if (decoded.reason === 'bad_version' && h.type === 1 && h.vrid !== undefined && h.vrid > 0) return { protocol: 'other', vhid: h.vrid, interval: undefined };
  return undefined;
}

function segmentId(iface: string, family: Family): string {
  return `${iface}|${family}`;
}

/** What disturbs one group now (or at a time): the entry and the episode that covers the time. */
export interface ForeignDisturbance {
  protocol: ForeignProtocol;
  vhid: number;
  episode: ForeignEpisode;
  /** When it stops counting unless more arrives. */
  until: number;
}

/** The table: per segment, per (protocol, vhid). Bounded by ForeignSettings. */
export class ForeignTraffic {
  readonly segments = new Map<string, ForeignEntry[]>();
  /** Entries dropped because a segment (or the table) was full. */
  evicted = 0;

  constructor(readonly settings: ForeignSettings = FOREIGN_SETTINGS) {}

  /** A packet of foreign traffic from `src` on the segment at `ts`. */
  heard(iface: string, family: Family, what: ForeignHeard, src: string, ts: number): void {
    const id = segmentId(iface, family);
    let entries = this.segments.get(id);
    if (entries === undefined) {
      if (this.segments.size >= this.settings.maxSegments) this.#evictSegment();
      entries = [];
      this.segments.set(id, entries);
    }
    let entry = entries.find((e) => e.vhid === what.vhid && e.protocol === what.protocol);
    if (entry === undefined) {
      if (entries.length >= this.settings.maxEntriesPerSegment) this.#evictEntry(entries);
      entry = { protocol: what.protocol, vhid: what.vhid, interval: what.interval, episodes: [] };
      entries.push(entry);
    }
    if (what.interval !== undefined) entry.interval = what.interval;
    const current = entry.episodes[entry.episodes.length - 1];
    if (current === undefined || ts > current.last + foreignHoldSeconds(entry.interval)) {
      if (entry.episodes.length >= EPISODES_KEPT) entry.episodes.shift();
      entry.episodes.push({ start: ts, last: ts, packets: 1, sources: [src], moreSources: 0 });
      return;
    }
    if (ts > current.last) current.last = ts;
    current.packets++;
    if (current.sources.includes(src)) return;
    if (current.sources.length < SOURCES_KEPT) current.sources.push(src);
    else current.moreSources++;
  }

  /** Forgets entries unheard for the expiry time, and segments left empty. */
  expire(now: number): void {
    if (this.settings.expirySeconds === Infinity) return;
    for (const [id, entries] of this.segments) {
      const kept = entries.filter((e) => now - lastHeard(e) < this.settings.expirySeconds);
      if (kept.length === 0) this.segments.delete(id);
      else if (kept.length < entries.length) this.segments.set(id, kept);
    }
  }

  /** The entries of a segment (empty when nothing was heard there). */
  entriesOf(iface: string, family: Family): readonly ForeignEntry[] {
    return this.segments.get(segmentId(iface, family)) ?? NO_ENTRIES;
  }

  #evictSegment(): void {
    let oldest: [string, number] | undefined;
    for (const [id, entries] of this.segments) {
      const last = Math.max(...entries.map(lastHeard));
      if (oldest === undefined || last < oldest[1]) oldest = [id, last];
    }
    if (oldest === undefined) return;
    this.evicted += this.segments.get(oldest[0])?.length ?? 0;
    this.segments.delete(oldest[0]);
  }

  #evictEntry(entries: ForeignEntry[]): void {
    let at = 0;
    for (let i = 1; i < entries.length; i++) if (lastHeard(entries[i] as ForeignEntry) < lastHeard(entries[at] as ForeignEntry)) at = i;
    entries.splice(at, 1);
    this.evicted++;
  }
}

const NO_ENTRIES: readonly ForeignEntry[] = Object.freeze([]);
const NO_DISTURBANCE: readonly ForeignDisturbance[] = Object.freeze([]);

function lastHeard(e: ForeignEntry): number {
  return e.episodes[e.episodes.length - 1]?.last ?? -Infinity;
}

/**
 * Whether group `key` is disturbed by foreign traffic at time `t`: every (protocol, vhid) on its segment
 * whose vhid is the group's VRID and whose episode covers t (from its first packet to its last plus the
 * hold time). Empty when not. The query the findings, the metrics and the failover forensics share.
 */
export function foreignAt(table: ForeignTraffic, key: GroupKey, t: number): readonly ForeignDisturbance[] {
  const entries = table.entriesOf(key.interface, key.family);
  if (entries.length === 0) return NO_DISTURBANCE;
  let out: ForeignDisturbance[] | undefined;
  for (const e of entries) {
    if (e.vhid !== key.vrid) continue;
    const hold = foreignHoldSeconds(e.interval);
    for (let i = e.episodes.length - 1; i >= 0; i--) {
      const ep = e.episodes[i] as ForeignEpisode;
      if (ep.last + hold < t) break;
      if (ep.start <= t) {
        (out ??= []).push({ protocol: e.protocol, vhid: e.vhid, episode: ep, until: ep.last + hold });
        break;
      }
    }
  }
  return out ?? NO_DISTURBANCE;
}

/**
 * Since when foreign traffic disturbs the group at `t` (the earliest episode still held), or undefined:
 * what the Monitor needs to give a master change the cause `foreign`.
 */
export function disturbedSince(table: ForeignTraffic, key: GroupKey, t: number): number | undefined {
  let since: number | undefined;
  for (const d of foreignAt(table, key, t)) since = since === undefined ? d.episode.start : Math.min(since, d.episode.start);
  return since;
}

/** Every (protocol, vhid) entry of the group's segment that uses its VRID, with its episodes (replay). */
export function foreignOnGroup(table: ForeignTraffic, key: GroupKey): readonly ForeignEntry[] {
  return table.entriesOf(key.interface, key.family).filter((e) => e.vhid === key.vrid);
}

/** One episode of foreign traffic on a group, as replay reports it. */
export interface ForeignInterval {
  protocol: ForeignProtocol;
  vhid: number;
  sources: string[];
  more_sources: number;
  packets: number;
  start: number;
  /** Its last packet; null when it was still within its hold time at the end of the capture. */
  end: number | null;
}

/** The episodes of foreign traffic on the group's VRID, in time order (replay; `end` is the capture's last packet). */
export function foreignIntervals(table: ForeignTraffic, key: GroupKey, end: number): ForeignInterval[] {
  const out: ForeignInterval[] = [];
  for (const e of foreignOnGroup(table, key)) {
    const hold = foreignHoldSeconds(e.interval);
    for (const ep of e.episodes) {
      out.push({ protocol: e.protocol, vhid: e.vhid, sources: [...ep.sources], more_sources: ep.moreSources, packets: ep.packets, start: ep.start, end: ep.last + hold > end ? null : ep.last });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
