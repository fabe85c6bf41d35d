/**
 * Prometheus exposition from a snapshot of the views, computed at scrape time. A private Registry holds
 * the families; nothing is kept between scrapes but label text, so groups and routers that left the
 * views (expired) leave the metrics too.
 */
import { createRequire } from 'node:module';
import type { Metric, Registry as PromRegistry } from 'prom-client';
import type { CaptureStatus } from '../adapters/capture.js';
import type { WebCounters } from '../adapters/http.js';
import type { ProbeResult } from '../adapters/pinger.js';
import type { KeepalivedState } from '../core/keepalived-conf.js';
import type { NodeGroupView } from '../core/node.js';
import type { GroupView } from '../core/state.js';
import { INVALID_REASONS } from '../core/types.js';
import type { GroupKey } from '../core/types.js';
import type { VipConflict } from '../core/vips.js';

/**
 * prom-client's Registry on its own: the package's index also loads its default process metrics, and with
 * them @opentelemetry/api (some 80 modules and 10 MB of resident memory that an exporter never uses).
 */
const Registry = createRequire(import.meta.url)('prom-client/lib/registry') as typeof PromRegistry;

export interface MetricsSnapshot {
  groups: readonly GroupView[];
  node: readonly NodeGroupView[];
  /** Groups sharing a VIP with another VRID's master, by the view's key. */
  conflicts: ReadonlyMap<GroupKey, readonly VipConflict[]>;
  invalid: ReadonlyMap<string, ReadonlyMap<string, number>>;
  captures: readonly CaptureStatus[];
  probes: readonly ProbeResult[];
  evictions: { group: number; router: number };
  keepalived: ReadonlyMap<string, KeepalivedState>;
  config: { lastReloadOk: boolean; lastReloadAt: number };
  /** The HTTP server's limits at work (absent until it listens). */
  web?: WebCounters | undefined;
  /** Exceptions that reached the top and were caught there. */
  uncaughtErrors?: number;
  /** notify_fifo lines dropped for being too long. */
  notifyFifoLinesDropped?: number;
}

type Labels = Record<string, string>;

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** `{name="value",...}` (empty without labels). */
function labelText(labels: Labels): string {
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
class Exposition {
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
class GroupLabels {
  /** The group labels inside the braces, so other label sets can extend them. */
  readonly inner: string;
  /** `{inner}` */
  readonly labels: Buffer;
  /** `{inner,router="..."}` by router address */
  readonly #routers = new Map<string, Buffer>();
  /** `{inner,field="..."}` by config field */
  readonly #fields = new Map<string, Buffer>();
  /** `{interface,vrid,vip}` by interface, then vip */
  readonly #vips = new Map<string, Map<string, Buffer>>();
  // Made once per group: a closure made per call would be garbage on every sample of every scrape.
  readonly #routerText = (address: string): Buffer => Buffer.from(`{${this.inner},router="${escapeLabel(address)}"}`);
  readonly #fieldText = (field: string): Buffer => Buffer.from(`{${this.inner},field="${field}"}`);

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

/** One group as the families see it: heard (view), expected (node) or both, with its label text. */
interface ScrapeGroup {
  view: GroupView | undefined;
  node: NodeGroupView | undefined;
  text: GroupLabels;
  /** Label text of each router of the view, in the view's order (looked up once per scrape). */
  routers: Buffer[];
}

/**
 * Label text by group, built once per group rather than once per scrape: a group's key object lives as
 * long as the group, so its text goes when the group expires.
 */
class LabelCache {
  readonly #byKey = new WeakMap<GroupKey, GroupLabels>();

  group(key: GroupKey): GroupLabels {
    return cached(this.#byKey, key, newGroupLabels);
  }
}

function sameKey(a: GroupKey, b: GroupKey): boolean {
  return a.vrid === b.vrid && a.family === b.family && a.interface === b.interface;
}

/** What every family of one scrape shares, built once from the snapshot. */
class Scrape {
  /** Every group heard or expected: the node's groups first, then the ones only heard. */
  readonly groups: ScrapeGroup[] = [];
  /** The groups heard, in the view's order. */
  readonly heard: ScrapeGroup[] = [];

  constructor(
    readonly s: MetricsSnapshot,
    cache: LabelCache,
  ) {
    // The node's view of a heard group shares the group's key object.
    const byKey = new Map<GroupKey, ScrapeGroup>();
    for (const v of s.groups) {
      const text = cache.group(v.key);
      const routers: Buffer[] = [];
      for (const r of v.routers) routers.push(text.router(r.address));
      const g = { view: v, node: undefined, text, routers };
      byKey.set(v.key, g);
      this.heard.push(g);
    }
    const nodeGroups = new Set<ScrapeGroup>();
    for (const n of s.node) {
      const heard = byKey.get(n.key) ?? this.heard.find((g) => g.view !== undefined && sameKey(g.view.key, n.key));
      if (heard !== undefined) {
        heard.node = n;
        nodeGroups.add(heard);
        this.groups.push(heard);
      } else {
        this.groups.push({ view: undefined, node: n, text: cache.group(n.key), routers: [] });
      }
    }
    for (const g of this.heard) if (!nodeGroups.has(g)) this.groups.push(g);
    for (const g of this.groups) g.text.prune(g.view, g.node);
  }
}

/** Hands one sample to the family: its label text (bytes kept between scrapes, or a `labelText`) and value. */
type Emit = (labels: Uint8Array | string, value: number) => void;
type Fill = (emit: Emit, s: Scrape) => void;

type RouterView = GroupView['routers'][number];

/**
 * One metric family filled from the snapshot at scrape time. prom-client's Gauge hashes and validates
 * every label set and its formatter builds label objects for every line (150 ms for 1,000 groups x 4
 * routers), so each family writes its own exposition text; the Registry keeps the catalogue of families,
 * and anything else registered in it is still formatted by prom-client.
 */
class SnapshotFamily {
  readonly aggregator = 'sum';
  readonly #nameBytes: Buffer;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    private readonly fill: Fill,
    /** The scrape prom-client's own API sees (undefined: no samples). */
    private readonly current: () => Scrape | undefined,
  ) {
    this.#nameBytes = Buffer.from(name);
  }

  /** prom-client's view of the family (getMetricsAsJSON and friends): the samples as of now. */
  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: Labels; value: number }[] } {
    const values: { labels: Labels; value: number }[] = [];
    const scrape = this.current();
    if (scrape !== undefined) {
      this.fill((text, value) => {
        values.push({ labels: parseLabelText(typeof text === 'string' ? text : Buffer.from(text).toString()), value });
      }, scrape);
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Writes the family in the text exposition format. */
  expose(s: Scrape, out: Exposition): void {
    out.text(`# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`);
    this.fill((labels, value) => {
      out.bytes(this.#nameBytes);
      if (typeof labels === 'string') out.text(labels);
      else out.bytes(labels);
      out.byte(32);
      out.number(value);
      out.byte(10);
    }, s);
  }

  reset(): void {
    // Nothing is kept between scrapes.
  }
}

/** Label text back into an object (for prom-client's JSON view; never on the scrape path). */
function parseLabelText(text: string): Labels {
  const labels: Labels = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) {
    labels[m[1] ?? ''] = (m[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/**
 * The buffer of a first scrape, sized from the tables (some 600 bytes a router, 900 a group) rather than
 * doubled from small: the chain of copies held twice the body at once. Pages of a large buffer that are
 * never written stay out of resident memory, so the estimate errs on the large side.
 */
function firstBuffer(snapshot: MetricsSnapshot): Buffer {
  let routers = 0;
  for (const g of snapshot.groups) routers += g.routers.length;
  return Buffer.allocUnsafe((1 << 16) + 1024 * (routers + snapshot.groups.length + snapshot.node.length));
}

const CONFIG_FIELDS = ['advert_interval', 'addresses', 'version', 'checksum_form'] as const;

export class Metrics {
  readonly registry = new Registry();
  readonly #families: SnapshotFamily[] = [];
  readonly #labels = new LabelCache();
  /** The buffer of a released scrape, reused by the next one (one: scrapes rarely overlap). */
  readonly #free: Buffer[] = [];

  /**
   * `current` gives the state as of now for prom-client's own API (getMetricsAsJSON and friends);
   * `render` is given its snapshot and keeps nothing of it, so a scrape's views die young.
   */
  constructor(version: string, current?: () => MetricsSnapshot) {
    const scrapeNow = (): Scrape | undefined => {
      const snapshot = current?.();
      return snapshot === undefined ? undefined : new Scrape(snapshot, this.#labels);
    };
    const add = (name: string, help: string, type: 'gauge' | 'counter', fill: Fill): void => {
      const family = new SnapshotFamily(name, help, type, fill, scrapeNow);
      this.#families.push(family);
      this.registry.registerMetric(family as unknown as Metric);
    };
    const g = (name: string, help: string, fill: Fill): void => {
      add(name, help, 'gauge', fill);
    };
    const c = (name: string, help: string, fill: Fill): void => {
      add(name, help, 'counter', fill);
    };
    /** A family with one series per group heard or expected. */
    const perGroup = (name: string, help: string, value: (g: ScrapeGroup) => number): void => {
      g(name, help, (emit, s) => {
        for (const grp of s.groups) emit(grp.text.labels, value(grp));
      });
    };
    /** A family with one series per router of every group heard. */
    const perRouter = (name: string, help: string, type: 'gauge' | 'counter', value: (r: RouterView) => number): void => {
      add(name, help, type, (emit, s) => {
        for (const grp of s.heard) {
          const routers = grp.view?.routers ?? [];
          // Indexed: the label text was looked up in the view's order when the scrape began.
          for (let i = 0; i < routers.length; i++) emit(grp.routers[i] as Buffer, value(routers[i] as RouterView));
        }
      });
    };
    /** A family with one series per virtual address the node expects. */
    const perVip = (name: string, help: string, value: (n: NodeGroupView, vip: NodeGroupView['vips'][number]) => number): void => {
      g(name, help, (emit, s) => {
        for (const grp of s.groups) {
          const n = grp.node;
          if (n !== undefined) for (const v of n.vips) emit(grp.text.vip(n.key.interface, v.vip), value(n, v));
        }
      });
    };

    perGroup('vrrpwatch_vrid_masters', 'Routers acting as master of the group now.', ({ view }) => view?.masters.length ?? 0);
    perGroup('vrrpwatch_vrid_split_brain', '1 while split-brain is judged: two or more routers keep advertising as master (or another does while keepalived here is MASTER).', ({ view, node }) => (view?.splitBrain === true || (node?.mastersBeside.length ?? 0) > 0 ? 1 : 0));
    g('vrrpwatch_vrid_master_info', '1 for each router acting as master of the group.', (emit, s) => {
      for (const grp of s.heard) for (const m of grp.view?.masters ?? []) emit(grp.text.router(m), 1);
    });
    c('vrrpwatch_vrid_master_changes_total', 'Failovers seen: the master of the group changed.', (emit, s) => {
      for (const grp of s.heard) emit(grp.text.labels, grp.view?.masterChanges ?? 0);
    });
    g('vrrpwatch_vrid_vip_conflict', "1 while this group's master advertises a virtual address that a master of another VRID on the interface advertises too.", (emit, s) => {
      for (const grp of s.groups) emit(grp.text.labels, grp.view !== undefined && s.s.conflicts.has(grp.view.key) ? 1 : 0);
    });
    perGroup('vrrpwatch_vrid_no_master', '1 while a group that had a master (or is expected) has none.', ({ view, node }) => (view?.noMaster === true || node?.expectedWithoutMaster === true ? 1 : 0));
    g('vrrpwatch_vrid_expected', '1 for each group the config or keepalived.conf says must exist.', (emit, s) => {
      for (const grp of s.groups) if (grp.node?.expected !== undefined) emit(grp.text.labels, 1);
    });
    perGroup('vrrpwatch_vrid_auth_mismatch', '1 while routers of the group disagree on authentication (type or data).', ({ view }) => (view?.authMismatch === true ? 1 : 0));
    g('vrrpwatch_vrid_config_mismatch', "1 while routers of the group disagree on the field (or the master's adverts disagree with this node's config).", (emit, s) => {
      for (const grp of s.groups) {
        for (const field of CONFIG_FIELDS) emit(grp.text.field(field), grp.view?.configMismatch.includes(field) === true || grp.node?.configDiffers.includes(field) === true ? 1 : 0);
      }
    });
    g('vrrpwatch_vrid_adverts_blocked', '1 while an expected group is not heard although a peer answers ping: VRRP is blocked on the way.', (emit, s) => {
      for (const grp of s.groups) if (grp.node?.expected !== undefined) emit(grp.text.labels, grp.node.advertsBlocked ? 1 : 0);
    });
    g('vrrpwatch_node_master', 'Whether this node is master of the group (1) or not (0); absent on a witness.', (emit, s) => {
      for (const grp of s.groups) if (grp.node !== undefined && grp.node.role !== 'observer') emit(grp.text.labels, grp.node.role === 'master' ? 1 : 0);
    });
    perRouter('vrrpwatch_adverts_total', 'Advertisements received from the router.', 'counter', (r) => r.adverts);
    perRouter('vrrpwatch_router_priority', 'Last advertised priority of the router.', 'gauge', (r) => r.priority);
    perRouter('vrrpwatch_router_advert_interval_seconds', 'Last advertised interval of the router.', 'gauge', (r) => r.interval);
    perRouter('vrrpwatch_router_last_advert_timestamp_seconds', 'When the last advertisement of the router arrived.', 'gauge', (r) => r.last);
    g('vrrpwatch_vip_local', '1 when this node holds the virtual address.', (emit, s) => {
      // A held VIP is labelled with the interface holding it: one VRID heard on two interfaces would
      // write that series twice. Held VIPs are few (a node's own), so the check costs nothing.
      let held: Set<string> | undefined;
      for (const grp of s.groups) {
        const n = grp.node;
        if (n === undefined) continue;
        for (const v of n.vips) {
          if (v.heldOn === undefined) {
            emit(grp.text.vip(n.key.interface, v.vip), 0);
            continue;
          }
          const id = `${v.heldOn} ${n.key.vrid} ${v.vip}`;
          if (held?.has(id) === true) continue;
          (held ??= new Set()).add(id);
          emit(grp.text.vip(v.heldOn, v.vip), 1);
        }
      }
    });
    perVip('vrrpwatch_vip_backup_holding', '1 while this node holds the virtual address but is not master of its group.', (n, v) => (n.backupHolding.includes(v.vip) ? 1 : 0));
    perVip('vrrpwatch_vip_master_missing', '1 while this node is master of the group but does not hold the virtual address.', (n, v) => (n.masterMissing.includes(v.vip) ? 1 : 0));
    // `keepalived_instance`, not `instance`: Prometheus owns that label (the scrape target).
    g('vrrpwatch_keepalived_state', "1 for keepalived's current state of the instance, from notify_fifo.", (emit, { s }) => {
      for (const [instance, state] of s.keepalived) emit(labelText({ keepalived_instance: instance, state }), 1);
    });
    g('vrrpwatch_probe_up', '1 when the target answered the last round of pings.', (emit, { s }) => {
      for (const p of s.probes) emit(labelText({ target: p.target, role: p.role }), p.up ? 1 : 0);
    });
    g('vrrpwatch_probe_rtt_seconds', 'Round-trip time of the last answered ping.', (emit, { s }) => {
      for (const p of s.probes) if (p.rtt !== undefined) emit(labelText({ target: p.target, role: p.role }), p.rtt);
    });
    g('vrrpwatch_probe_loss_ratio', 'Share of the pings of the last round that got no answer.', (emit, { s }) => {
      for (const p of s.probes) emit(labelText({ target: p.target, role: p.role }), p.loss);
    });
    g('vrrpwatch_capture_up', '1 while the capture on the interface runs.', (emit, { s }) => {
      for (const cap of s.captures) emit(labelText({ interface: cap.interface }), cap.up ? 1 : 0);
    });
    c('vrrpwatch_capture_dropped_packets_total', 'Packets the kernel or libpcap dropped on the interface.', (emit, { s }) => {
      for (const cap of s.captures) emit(labelText({ interface: cap.interface }), cap.dropped);
    });
    c('vrrpwatch_capture_received_packets_total', 'Packets the capture filter passed on the interface.', (emit, { s }) => {
      for (const cap of s.captures) emit(labelText({ interface: cap.interface }), cap.received);
    });
    c('vrrpwatch_packets_invalid_total', 'Packets with IP protocol 112 (or AH) not accepted as VRRP, by reason.', (emit, { s }) => {
      // Every reason starts at 0 on every captured interface, so rate() works from the first packet.
      for (const cap of s.captures) for (const reason of INVALID_REASONS) if (s.invalid.get(cap.interface)?.has(reason) !== true) emit(labelText({ interface: cap.interface, reason }), 0);
      for (const [iface, reasons] of s.invalid) for (const [reason, n] of reasons) emit(labelText({ interface: iface, reason }), n);
    });
    c('vrrpwatch_evictions_total', 'Groups or routers dropped because the tables were full (a flood or a spoofer).', (emit, { s }) => {
      emit('{table="group"}', s.evictions.group);
      emit('{table="router"}', s.evictions.router);
    });
    g('vrrpwatch_config_last_reload_successful', '1 when the last config (re)load succeeded.', (emit, { s }) => {
      emit('', s.config.lastReloadOk ? 1 : 0);
    });
    g('vrrpwatch_config_last_reload_success_timestamp_seconds', 'When the config was last loaded successfully.', (emit, { s }) => {
      emit('', s.config.lastReloadAt);
    });
    g('vrrpwatch_http_connections', 'HTTP connections open now.', (emit, { s }) => {
      if (s.web !== undefined) emit('', s.web.open);
    });
    c('vrrpwatch_http_connections_rejected_total', 'HTTP connections closed at once: over the limit of the server or of one client address.', (emit, { s }) => {
      if (s.web === undefined) return;
      emit('{limit="server"}', s.web.rejected.server);
      emit('{limit="client"}', s.web.rejected.client);
    });
    c('vrrpwatch_http_accept_errors_total', 'Errors the HTTP server reported accepting a connection.', (emit, { s }) => {
      if (s.web !== undefined) emit('', s.web.acceptErrors);
    });
    c('vrrpwatch_uncaught_errors_total', 'Internal errors caught at the top of the process (each is also logged); the exporter kept running.', (emit, { s }) => {
      if (s.uncaughtErrors !== undefined) emit('', s.uncaughtErrors);
    });
    c('vrrpwatch_notify_fifo_lines_dropped_total', 'Lines from keepalived\'s notify_fifo dropped for being longer than 4 KiB.', (emit, { s }) => {
      if (s.notifyFifoLinesDropped !== undefined) emit('', s.notifyFifoLinesDropped);
    });
    g('vrrpwatch_build_info', 'Always 1; the version of vrrpwatch in a label.', (emit) => {
      emit(labelText({ version }), 1);
    });
  }

  /**
   * The exposition text for one scrape: every family the Registry holds, in registration order; the
   * snapshot families write their own text, anything else is formatted by prom-client. Call `release()`
   * once the body has been sent.
   */
  async render(snapshot: MetricsSnapshot): Promise<Rendered> {
    const scrape = new Scrape(snapshot, this.#labels);
    const out = new Exposition(this.#free.pop() ?? firstBuffer(snapshot), (buf) => {
      if (this.#free.length === 0) this.#free.push(buf);
    });
    let first = true;
    for (const metric of this.registry.getMetricsAsArray()) {
      if (!first) out.byte(10);
      first = false;
      const family = this.#families.find((f) => (f as unknown) === metric);
      if (family !== undefined) family.expose(scrape, out);
      else out.text(`${await this.registry.getSingleMetricAsString(metric.name)}\n`);
    }
    return out.finish();
  }
}
