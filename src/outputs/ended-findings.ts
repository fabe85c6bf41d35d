/**
 * The findings that ended lately, with how long each lasted: what the status page and the status API
 * show after a 58 s split-brain healed, instead of "no findings". Fed every judgement (the findings and
 * since when each is found, from FindingClock); a finding absent from a judgement has ended then.
 * Bounded in entries and in bytes (text and labels cut, the oldest dropped first), so that findings
 * with hostile labels or a flapping one cannot grow it. Pure: time comes in.
 */
import { findingId } from '../core/findings/findings.js';
import type { Finding, FindingKind, Severity } from '../core/findings/findings.js';
import type { GroupKey } from '../core/base/keys.js';
import { findingText, groupName } from './finding-words.js';

export interface EndedFinding {
  kind: FindingKind;
  severity: Severity;
  /** The group it concerned, if any (its interface cut to LABEL_CHARS). */
  group: GroupKey | undefined;
  /** The VIP it concerned, if any. */
  vip: string | undefined;
  /** Its words as it started (cut to TEXT_CHARS). */
  text: string;
  since: number;
  ended: number;
}

export interface EndedLimits {
  /** How long an ended finding is kept, seconds. */
  windowSeconds: number;
  entries: number;
  /** What the kept entries may take, estimated as two bytes a character plus a fixed overhead each. */
  bytes: number;
}

export const ENDED_LIMITS: EndedLimits = { windowSeconds: 3600, entries: 200, bytes: 128 * 1024 };

const TEXT_CHARS = 300;
const LABEL_CHARS = 64;
const ENTRY_OVERHEAD_BYTES = 160;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function sizeOf(e: EndedFinding): number {
  return ENTRY_OVERHEAD_BYTES + 2 * (e.text.length + (e.group?.interface.length ?? 0) + (e.vip?.length ?? 0));
}

type Open = Omit<EndedFinding, 'ended'>;

export class EndedFindings {
  #open = new Map<string, Open>();
  /** Oldest first. */
  #ended: EndedFinding[] = [];
  #bytes = 0;
  /** Ended findings dropped before their hour was up, to keep within the bounds. */
  dropped = 0;

  constructor(readonly limits: EndedLimits = ENDED_LIMITS) {}

  /** A judgement at `now` found `list`; `since` says since when each (by findingId) is found. */
  judged(list: readonly Finding[], since: ReadonlyMap<string, number>, now: number): void {
    const next = new Map<string, Open>();
    for (const f of list) {
      const id = findingId(f);
      if (next.has(id)) continue;
      next.set(id, this.#open.get(id) ?? this.#opened(f, since.get(id) ?? now));
    }
    for (const [id, f] of this.#open) if (!next.has(id)) this.#add({ ...f, ended: now });
    this.#open = next;
    this.#expire(now);
  }

  /** The findings that ended within the window before `now`, the latest end first. */
  recent(now: number): EndedFinding[] {
    this.#expire(now);
    return [...this.#ended].reverse();
  }

  /** The estimated bytes the kept entries take. */
  get bytes(): number {
    return this.#bytes;
  }

  #opened(f: Finding, since: number): Open {
    const group = f.key === undefined ? undefined : { interface: cut(f.key.interface, LABEL_CHARS), family: f.key.family, vrid: f.key.vrid };
    const vip = f.details.vip === undefined ? undefined : cut(f.details.vip, LABEL_CHARS);
    return { kind: f.kind, severity: f.severity, group, vip, text: cut(findingText(f, f.key === undefined ? '' : groupName(f.key)), TEXT_CHARS), since };
  }

  #add(e: EndedFinding): void {
    this.#ended.push(e);
    this.#bytes += sizeOf(e);
    while (this.#ended.length > this.limits.entries || (this.#bytes > this.limits.bytes && this.#ended.length > 0)) {
      this.#drop();
      this.dropped++;
    }
  }

  #expire(now: number): void {
    while (this.#ended.length > 0 && (this.#ended[0]?.ended ?? now) < now - this.limits.windowSeconds) this.#drop();
  }

  #drop(): void {
    const first = this.#ended.shift();
    if (first !== undefined) this.#bytes -= sizeOf(first);
  }
}
