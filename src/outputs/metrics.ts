/**
 * The Prometheus exposition of one scrape, computed from a snapshot of the views. The per-group,
 * per-router and per-VIP families write their own text (exposition.ts), one file per set of families
 * (group-, router-, vip- and vip-owner-metrics.ts), each set a collector that `--no-collector.NAME`
 * leaves out (collectors.ts); the low-series ones are prom-client's (status- and process-metrics.ts).
 * A family that fails is left out of the scrape, logged once and exported as
 * `vrrpwatch_scrape_collector_success`, as node_exporter does.
 */
import { Gauge, Registry } from 'prom-client';
import { Exposition, LabelCache } from './exposition.js';
import type { Rendered } from './exposition.js';
import { collects } from './collectors.js';
import type { CollectorChoice } from './collectors.js';
import type { AddFamily } from './family-kit.js';
import { registerGroupFamilies } from './group-metrics.js';
import { registerRouterFamilies } from './router-metrics.js';
import { registerVipFamilies } from './vip-metrics.js';
import { Scrape } from './scrape.js';
import type { Fill, MetricsSnapshot } from './scrape.js';
import { registerStatusFamilies } from './status-metrics.js';
import type { BuildInfo } from './status-metrics.js';
import { registerProcessFamilies } from './process-metrics.js';
import { registerVipOwnerFamilies } from './vip-owner-metrics.js';

export type { Rendered } from './exposition.js';
export type { MetricsSnapshot } from './scrape.js';
export type { BuildInfo } from './status-metrics.js';

/**
 * One metric family filled from the snapshot at scrape time. prom-client's Gauge hashes and validates
 * every label set and its formatter builds label objects for every line (150 ms for 1,000 groups x 4
 * routers), so each family writes its own exposition text, and nothing else of it is kept.
 */
class SnapshotFamily {
  readonly #nameBytes: Buffer;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter' | 'histogram',
    private readonly fill: Fill,
  ) {
    this.#nameBytes = Buffer.from(name);
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
}

/** The collector (collectors.ts) of each hand-written family, by family name. */
export function familyCollectors(): Map<string, string> {
  const of = new Map<string, string>();
  const add: AddFamily = (collector, name) => {
    of.set(name, collector);
  };
  registerFamilies(add);
  return of;
}

/** Every hand-written family, in the order they are written. */
function registerFamilies(add: AddFamily): void {
  registerGroupFamilies(add);
  registerRouterFamilies(add);
  registerVipFamilies(add);
  registerVipOwnerFamilies((name, help, type, fill) => {
    add('vip_owner', name, help, type, fill);
  });
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

/** The family that says which families made it into the scrape. */
const SUCCESS = 'vrrpwatch_scrape_collector_success';

export class Metrics {
  /** The low-series families, prom-client's. */
  readonly registry = new Registry();
  /** The hand-written families of the collectors chosen, in the order they are written (before the registry's). */
  readonly #families: SnapshotFamily[] = [];
  readonly #labels = new LabelCache();
  /** The buffer of a released scrape, reused by the next one (one: scrapes rarely overlap). */
  readonly #free: Buffer[] = [];
  /** The snapshot of the scrape being rendered, for the collect() of prom-client's families. */
  #rendering: MetricsSnapshot | undefined;
  /** Families that failed in the last scrape they were in: each failure is reported once, not per scrape. */
  readonly #failing = new Set<string>();
  readonly #success: Gauge<'collector'>;

  /**
   * `current` gives the state as of now to prom-client's own API for the low-series families;
   * `render` is given its snapshot and keeps nothing of it, so a scrape's views die young.
   * `onFailure` hears of a family that fails, once until it has succeeded again. `collectors` leaves
   * out the sets of families named false.
   */
  constructor(
    build: BuildInfo,
    current?: () => MetricsSnapshot,
    private readonly onFailure: (family: string, err: unknown) => void = () => undefined,
    collectors: CollectorChoice = {},
  ) {
    const add: AddFamily = (collector, name, help, type, fill) => {
      if (collects(collectors, collector)) this.#families.push(new SnapshotFamily(name, help, type, fill));
    };
    registerFamilies(add);
    registerStatusFamilies(this.registry, build, () => this.#rendering ?? current?.());
    registerProcessFamilies(this.registry);
    this.#success = new Gauge({
      name: SUCCESS,
      help: '1 when the family named by collector was written in the last scrape; 0 when it failed and was left out.',
      labelNames: ['collector'],
      registers: [this.registry],
    });
  }

  /**
   * The exposition text for one scrape: the hand-written families of the collectors chosen, then the
   * Registry's, formatted by prom-client, each in registration order. A family that
   * throws leaves no line in the scrape; the others still come out. Call `release()` once the body has
   * been sent.
   */
  async render(snapshot: MetricsSnapshot): Promise<Rendered> {
    const out = new Exposition(this.#free.pop() ?? firstBuffer(snapshot), (buf) => {
      if (this.#free.length === 0) this.#free.push(buf);
    });
    let scrape: Scrape | undefined;
    let scrapeError: unknown;
    try {
      scrape = new Scrape(snapshot, this.#labels);
    } catch (err) {
      scrapeError = err;
    }
    this.#success.reset();
    for (const family of this.#families) {
      await this.#write(family.name, out, () => {
        if (scrape === undefined) throw scrapeError;
        family.expose(scrape, out);
      });
    }
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric.name === SUCCESS) continue;
      await this.#write(metric.name, out, async () => {
        out.text(`${await this.#formatted(metric.name, snapshot)}\n`);
      });
    }
    if (out.length > 0) out.byte(10);
    out.text(`${await this.registry.getSingleMetricAsString(SUCCESS)}\n`);
    return out.finish();
  }

  /** The names of the families a scrape writes, in order (the success family last). */
  get familyNames(): string[] {
    return [...this.#families.map((f) => f.name), ...this.registry.getMetricsAsArray().map((m) => m.name)];
  }

  /** Writes one family after a blank line; one that throws is taken back out and reported once. */
  async #write(name: string, out: Exposition, write: () => void | Promise<void>): Promise<void> {
    const mark = out.length;
    if (mark > 0) out.byte(10);
    try {
      await write();
      this.#failing.delete(name);
      this.#success.set({ collector: name }, 1);
    } catch (err) {
      out.rewind(mark);
      if (!this.#failing.has(name)) this.onFailure(name, err);
      this.#failing.add(name);
      this.#success.set({ collector: name }, 0);
    }
  }

  /** prom-client's text of one family, its collect() given the scrape's snapshot. */
  async #formatted(name: string, snapshot: MetricsSnapshot): Promise<string> {
    this.#rendering = snapshot;
    try {
      // prom-client spells NaN `Nan` (Prometheus reads either); the text format, and the other families, say NaN.
      return (await this.registry.getSingleMetricAsString(name)).replace(/ Nan$/gm, ' NaN');
    } finally {
      this.#rendering = undefined;
    }
  }
}
