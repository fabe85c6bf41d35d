/**
 * The text exposition format written as bytes: a pooled buffer that one scrape writes into, and the label
 * text of each group kept between scrapes, so that a scrape of thousands of series makes little garbage.
 */
import type { NodeGroupView } from '../core/node/node.js';
import type { GroupView } from '../core/groups/views.js';
import type { GroupKey } from '../core/base/keys.js';

export type Labels = Record<string, string>;

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** `{name="value",...}` (empty without labels). */
export function labelText(labels: Labels): string {
  let out = '';
  for (const name in labels) out += `${out === '' ? '' : ','}${name}="${escapeLabel(labels[name] ?? '')}"`;
  return out === '' ? '' : `{${out}}`;
}

/** `labelText` as bytes, for label sets kept between scrapes. */
function labelBytes(labels: Labels): Buffer {
  return Buffer.from(labelText(labels));
}

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return String(value);
}


/** A rendered scrape: `body` stays valid until `release()`, after which its memory serves a later scrape. */
export interface Rendered {
  body: Buffer;
  release: () => void;
}

/**
 * The exposition text of one scrape, written as bytes into a buffer from a small pool. A scrape of
 * 1,000 groups x 4 routers is some 30,000 lines: as strings joined at the end they kept the young
 * generation full and every scavenge copied them; and a fresh 3 MB buffer per scrape piled up outside
 * the heap until the next full collection.
 */
export class Exposition {
  #buf: Buffer;
  #at = 0;

  constructor(
    buf: Buffer,
    private readonly done: (buf: Buffer) => void,
  ) {
    this.#buf = buf;
  }

  #reserve(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.#buf.length, this.#at + n));
    this.#buf.copy(bigger, 0, 0, this.#at);
    this.#buf = bigger;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
  }

  text(s: string): void {
    this.#reserve(3 * s.length);
    this.#at += this.#buf.write(s, this.#at, 'utf8');
  }

  byte(c: number): void {
    this.#reserve(1);
    this.#buf[this.#at++] = c;
  }

  number(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      this.text(valueText(v));
      return;
    }
    // Counters and flags are whole numbers: their digits are written without making a string.
    let digits = 1;
    for (let d = v; d >= 10; d = Math.floor(d / 10)) digits++;
    this.#reserve(digits);
    let end = this.#at + digits;
    this.#at = end;
    let d = v;
    do {
      this.#buf[--end] = 48 + (d % 10);
      d = Math.floor(d / 10);
    } while (d > 0);
  }

  /** Bytes written so far: a mark to `rewind` to. */
  get length(): number {
    return this.#at;
  }

  /** Drops what was written after `mark` (a family that failed half-way leaves no partial lines). */
  rewind(mark: number): void {
    this.#at = Math.min(this.#at, mark);
  }

  finish(): Rendered {
    const buf = this.#buf;
    let released = false;
    return {
      body: buf.subarray(0, this.#at),
      release: () => {
        if (released) return;
        released = true;
        this.done(buf);
      },
    };
  }
}

/** Label text of one group, kept from scrape to scrape while the group lives. */
export class GroupLabels {
  /** The group labels inside the braces, so other label sets can extend them. */
  readonly inner: string;
  /** `{inner}` */
  readonly labels: Buffer;
  /** `{inner,router="..."}` by router address */
  readonly #routers = new Map<string, Buffer>();
  /** `{inner,field="..."}` by config field */
  readonly #fields = new Map<string, Buffer>();
  /** `{inner,cause="..."}` by failover cause */
  readonly #causes = new Map<string, Buffer>();
  /** `{interface,vrid,vip}` by interface, then vip */
  readonly #vips = new Map<string, Map<string, Buffer>>();
  // Made once per group: a closure made per call would be garbage on every sample of every scrape.
  readonly #routerText = (address: string): Buffer => Buffer.from(`{${this.inner},router="${escapeLabel(address)}"}`);
  readonly #fieldText = (field: string): Buffer => Buffer.from(`{${this.inner},field="${field}"}`);
  readonly #causeText = (cause: string): Buffer => Buffer.from(`{${this.inner},cause="${cause}"}`);

  constructor(readonly key: GroupKey) {
    this.inner = `interface="${escapeLabel(key.interface)}",family="${key.family}",vrid="${key.vrid}"`;
    this.labels = Buffer.from(`{${this.inner}}`);
  }

  router(address: string): Buffer {
    return cached(this.#routers, address, this.#routerText);
  }

  field(field: string): Buffer {
    return cached(this.#fields, field, this.#fieldText);
  }

  cause(cause: string): Buffer {
    return cached(this.#causes, cause, this.#causeText);
  }

  /** `{inner,router="...",error="..."}`: rare (only errors seen), so made when asked. */
  routerError(address: string, error: string): string {
    return `{${this.inner},router="${escapeLabel(address)}",error="${error}"}`;
  }

  vip(iface: string, vip: string): Buffer {
    const byVip = cached(this.#vips, iface, newMap<string, Buffer>);
    let text = byVip.get(vip);
    if (text === undefined) {
      text = labelBytes({ interface: iface, vrid: String(this.key.vrid), vip });
      byVip.set(vip, text);
    }
    return text;
  }

  /** Routers and addresses that left the group (expired, or evicted by a flood) leave with a prune. */
  prune(view: GroupView | undefined, node: NodeGroupView | undefined): void {
    if (this.#routers.size > 2 * (view?.routers.length ?? 0) + 8) this.#routers.clear();
    let vips = 0;
    for (const byVip of this.#vips.values()) vips += byVip.size;
    if (vips > 2 * (node?.vips.length ?? 0) + 8) this.#vips.clear();
  }
}

/** The value kept for `key`, made from it and kept on first use. */
function cached<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: (key: K) => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make(key);
    map.set(key, v);
  }
  return v;
}

function newMap<K, V>(): Map<K, V> {
  return new Map<K, V>();
}

function newGroupLabels(key: GroupKey): GroupLabels {
  return new GroupLabels(key);
}

/**
 * Label text by group, built once per group rather than once per scrape: a group's key object lives as
 * long as the group, so its text goes when the group expires.
 */
export class LabelCache {
  readonly #byKey = new WeakMap<GroupKey, GroupLabels>();
  /** `{interface="...",vip="..."}` by interface, then VIP: the VIP ownership families' series. */
  readonly #vips = new Map<string, Map<string, Buffer>>();
  #vipCount = 0;

  group(key: GroupKey): GroupLabels {
    return cached(this.#byKey, key, newGroupLabels);
  }

  vip(iface: string, vip: string): Buffer {
    const byVip = cached(this.#vips, iface, newMap<string, Buffer>);
    let text = byVip.get(vip);
    if (text === undefined) {
      text = labelBytes({ interface: iface, vip });
      byVip.set(vip, text);
      this.#vipCount++;
    }
    return text;
  }

  /** VIPs no longer watched leave with a prune: all go once the cache holds over twice those watched now. */
  pruneVips(watched: number): void {
    if (this.#vipCount <= 2 * watched + 64) return;
    this.#vips.clear();
    this.#vipCount = 0;
  }
}

/** Label text back into an object (for prom-client's JSON view; never on the scrape path). */
export function parseLabelText(text: string): Labels {
  const labels: Labels = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) {
    labels[m[1] ?? ''] = (m[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}
