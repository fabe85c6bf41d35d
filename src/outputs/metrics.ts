/**
 * The Prometheus exposition of one scrape, computed from a snapshot of the views. A private Registry
 * catalogues every family; the per-group and per-router families write their own text (exposition.ts),
 * the low-series ones are prom-client's (status-metrics.ts). A family that fails is left out of the
 * scrape, logged once and exported as `vrrpwatch_scrape_collector_success`, as node_exporter does.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { FAILOVER_CAUSES } from '../core/groups/causes.js';
import type { FindingKind } from '../core/findings/findings.js';
import type { GroupView } from '../core/groups/views.js';
import { escapeLabel, Exposition, LabelCache, parseLabelText } from './exposition.js';
import type { Rendered } from './exposition.js';
import { Scrape } from './scrape.js';
import type { Fill, MetricsSnapshot, ScrapeGroup } from './scrape.js';
import { registerStatusFamilies } from './status-metrics.js';
import type { BuildInfo } from './status-metrics.js';
import { registerProcessFamilies } from './process-metrics.js';
import { registerVipOwnerFamilies } from './vip-owner-metrics.js';
import { groupAddresses, namingAddresses } from './segment.js';
import type { GroupAddresses } from './segment.js';

export type { Rendered } from './exposition.js';
export type { MetricsSnapshot } from './scrape.js';
export type { BuildInfo } from './status-metrics.js';


type RouterView = GroupView['routers'][number];

/** Every label a hand-written family uses: its prom-client twin only checks that each label is one of them. */
const LABEL_NAMES = ['interface', 'family', 'vrid', 'router', 'field', 'vip', 'cause', 'error', 'mac', 'segment'] as const;

/**
 * One metric family filled from the snapshot at scrape time. prom-client's Gauge hashes and validates
 * every label set and its formatter builds label objects for every line (150 ms for 1,000 groups x 4
 * routers), so each family writes its own exposition text. Its twin, an ordinary prom-client metric,
 * keeps it in the Registry's catalogue and gives prom-client's own API (getMetricsAsJSON and friends)
 * the samples as of now; scrapes never format the twin.
 */
class SnapshotFamily {
  readonly #nameBytes: Buffer;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    private readonly fill: Fill,
    /** The scrape prom-client's own API sees (undefined: no samples). */
    current: () => Scrape | undefined,
    registry: Registry,
  ) {
    this.#nameBytes = Buffer.from(name);
    const config = { name, help, labelNames: LABEL_NAMES, registers: [registry] };
    /** Each sample of the scrape as of now, with its labels as an object. */
    const samples = (add: (labels: Record<string, string>, value: number) => void): void => {
      const scrape = current();
      if (scrape === undefined) return;
      fill((text, value) => {
        add(parseLabelText(typeof text === 'string' ? text : Buffer.from(text).toString()), value);
      }, scrape);
    };
    // The twin registers itself; the Registry holds it from here on.
    if (type === 'gauge') {
      new Gauge({
        ...config,
        collect() {
          this.reset();
          samples((labels, value) => {
            this.set(labels, value);
          });
        },
      });
    } else {
      new Counter({
        ...config,
        collect() {
          this.reset();
          samples((labels, value) => {
            this.inc(labels, value);
          });
        },
      });
    }
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

const CONFIG_FIELDS = ['advert_interval', 'addresses', 'version', 'checksum_form'] as const;

export class Metrics {
  readonly registry = new Registry();
  /** The hand-written families by name. */
  readonly #families = new Map<string, SnapshotFamily>();
  readonly #labels = new LabelCache();
  /** The buffer of a released scrape, reused by the next one (one: scrapes rarely overlap). */
  readonly #free: Buffer[] = [];
  /** The snapshot of the scrape being rendered, for the collect() of prom-client's families. */
  #rendering: MetricsSnapshot | undefined;
  /** Families that failed in the last scrape they were in: each failure is reported once, not per scrape. */
  readonly #failing = new Set<string>();
  readonly #success: Gauge<'collector'>;

  /**
   * `current` gives the state as of now for prom-client's own API (getMetricsAsJSON and friends);
   * `render` is given its snapshot and keeps nothing of it, so a scrape's views die young.
   * `onFailure` hears of a family that fails, once until it has succeeded again.
   */
  constructor(
    build: BuildInfo,
    current?: () => MetricsSnapshot,
    private readonly onFailure: (family: string, err: unknown) => void = () => undefined,
  ) {
    const scrapeNow = (): Scrape | undefined => {
      const snapshot = current?.();
      return snapshot === undefined ? undefined : new Scrape(snapshot, this.#labels);
    };
    const add = (name: string, help: string, type: 'gauge' | 'counter', fill: Fill): void => {
      const family = new SnapshotFamily(name, help, type, fill, scrapeNow, this.registry);
      this.#families.set(name, family);
    };
    const g = (name: string, help: string, fill: Fill): void => {
      add(name, help, 'gauge', fill);
    };
    const c = (name: string, help: string, fill: Fill): void => {
      add(name, help, 'counter', fill);
    };
    /** A family with one series per group heard or expected. */
    const perGroup = (name: string, help: string, value: (g: ScrapeGroup, s: Scrape) => number): void => {
      g(name, help, (emit, s) => {
        for (const grp of s.groups) emit(grp.text.labels, value(grp, s));
      });
    };
    /** A family with one series per router of every group heard (that has a value: undefined leaves it out). */
    const perRouter = (name: string, help: string, type: 'gauge' | 'counter', value: (r: RouterView) => number | undefined): void => {
      add(name, help, type, (emit, s) => {
        for (const grp of s.heard) {
          const routers = grp.view?.routers ?? [];
          // Indexed: the label text was looked up in the view's order when the scrape began.
          for (let i = 0; i < routers.length; i++) {
            const v = value(routers[i] as RouterView);
            if (v !== undefined) emit(grp.routers[i] as Buffer, v);
          }
        }
      });
    };
    /** A family with one series per virtual address the node expects. */
    const perVip = (name: string, help: string, kind: FindingKind): void => {
      g(name, help, (emit, s) => {
        for (const grp of s.groups) {
          const n = grp.node;
          if (n !== undefined) for (const v of n.vips) emit(grp.text.vip(n.key.interface, v.vip), found(s, grp, kind, v.vip));
        }
      });
    };
    /** 1 when the core found `kind` in the group (of that VIP or field, when given), else 0. */
    const found = (s: Scrape, grp: ScrapeGroup, kind: FindingKind, of?: string): number => {
      for (const f of s.findings.get(grp.text.key) ?? []) if (f.kind === kind && (of === undefined || f.details.vip === of || f.details.field === of)) return 1;
      return 0;
    };

    perGroup('vrrpwatch_vrid_masters', 'Routers acting as master of the group now.', ({ view }) => view?.masters.length ?? 0);
    perGroup('vrrpwatch_vrid_split_brain', '1 while split-brain is judged: two or more routers keep advertising as master (or another does while keepalived here is MASTER).', (grp, s) => found(s, grp, 'split_brain'));
    g('vrrpwatch_vrid_master_info', '1 for each router acting as master of the group.', (emit, s) => {
      for (const grp of s.heard) for (const m of grp.view?.masters ?? []) emit(grp.text.router(m), 1);
    });
    c('vrrpwatch_vrid_master_changes_total', 'Failovers seen: the master of the group changed.', (emit, s) => {
      for (const grp of s.heard) emit(grp.text.labels, grp.view?.masterChanges ?? 0);
    });
    c('vrrpwatch_vrid_failovers_total', 'Master changes by cause: resigned, preempted, master_down, priority_drop, split_healed, foreign (their sum is vrrpwatch_vrid_master_changes_total).', (emit, s) => {
      for (const grp of s.heard) {
        const causes = grp.view?.failoverCauses;
        if (causes !== undefined) for (const cause of FAILOVER_CAUSES) emit(grp.text.cause(cause), causes[cause]);
      }
    });
    c('vrrpwatch_vrid_near_failovers_total', "Near failovers: gaps of more than two advert intervals in a master's adverts after which it stayed master.", (emit, s) => {
      for (const grp of s.heard) emit(grp.text.labels, grp.view?.nearFailovers ?? 0);
    });
    perGroup('vrrpwatch_vrid_longest_advert_gap_seconds', "The longest near-failover gap in the master's adverts that ended in the last 10 minutes, seconds (0 without one).", ({ view }) => view?.longestRecentGap ?? 0);
    g('vrrpwatch_vrid_vip_conflict', "1 while this group's master advertises a virtual address that a master of another VRID on the interface advertises too.", (emit, s) => {
      for (const grp of s.groups) emit(grp.text.labels, found(s, grp, 'vip_conflict'));
    });
    perGroup('vrrpwatch_vrid_no_master', '1 while a group that had a master (or is expected) has none.', (grp, s) => found(s, grp, 'no_master'));
    g('vrrpwatch_vrid_expected', '1 for each group the config or keepalived.conf says must exist.', (emit, s) => {
      for (const grp of s.groups) if (grp.node?.expected !== undefined) emit(grp.text.labels, 1);
    });
    perGroup('vrrpwatch_vrid_auth_mismatch', '1 while routers of the group disagree on authentication (type or data).', (grp, s) => found(s, grp, 'auth_mismatch'));
    g('vrrpwatch_vrid_config_mismatch', "1 while routers of the group disagree on the field (or the master's adverts disagree with this node's config).", (emit, s) => {
      for (const grp of s.groups) {
        for (const field of CONFIG_FIELDS) emit(grp.text.field(field), found(s, grp, 'config_mismatch', field));
      }
    });
    g('vrrpwatch_vrid_adverts_blocked', '1 while an expected group is not heard although a peer answers ping: VRRP is blocked on the way.', (emit, s) => {
      for (const grp of s.groups) if (grp.node?.expected !== undefined) emit(grp.text.labels, found(s, grp, 'adverts_blocked'));
    });
    g('vrrpwatch_node_master', 'Whether this node is master of the group (1) or not (0); absent on a witness.', (emit, s) => {
      for (const grp of s.groups) if (grp.node !== undefined && grp.node.role !== 'observer') emit(grp.text.labels, grp.node.role === 'master' ? 1 : 0);
    });
    perRouter('vrrpwatch_adverts_total', 'Advertisements received from the router.', 'counter', (r) => r.adverts);
    c('vrrpwatch_router_errors_total', 'Packets from a router of the group with an error, as the VRRP MIBs count them (error: ttl, advert_interval, addresses, auth_type, invalid_auth_type, auth_failure, priority_zero, invalid_type, length, checksum, version; keepalived 2.4 auth_hmac: hmac_malformed, hmac_replay, hmac_invalid).', (emit, s) => {
      const all = s.s.routerErrors;
      if (all === undefined || all.size === 0) return;
      for (const grp of s.heard) {
        const key = grp.view?.key;
        for (const e of (key === undefined ? undefined : all.get(key)) ?? []) emit(grp.text.routerError(e.router, e.error), e.count);
      }
    });
    perRouter('vrrpwatch_router_priority', 'Last advertised priority of the router.', 'gauge', (r) => r.priority);
    perRouter('vrrpwatch_router_advert_interval_seconds', 'Last advertised interval of the router.', 'gauge', (r) => r.interval);
    perRouter('vrrpwatch_router_last_advert_timestamp_seconds', 'When the last advertisement of the router arrived.', 'gauge', (r) => r.last);
    perRouter('vrrpwatch_router_hmac_key_id', "The key id of the router's last advert signed with keepalived 2.4's auth_hmac (absent for a router that does not sign).", 'gauge', (r) => r.hmacKeyId);
    perRouter('vrrpwatch_router_hmac_clock_offset_seconds', "The auth_hmac trailer clock of the router's last advert minus the capture time of that advert, seconds (absent for a router that does not sign).", 'gauge', (r) => r.hmacOffset);
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
    perVip('vrrpwatch_vip_backup_holding', '1 while this node holds the virtual address but is not master of its group.', 'backup_holding_vip');
    perVip('vrrpwatch_vip_master_missing', '1 while this node is master of the group but does not hold the virtual address.', 'master_missing_vip');
    // What a list of addresses names, kept while the list is the same object (a router keeps its list
    // until its adverts change it): sorting every group's addresses at every scrape would be waste.
    const named = new WeakMap<readonly string[], GroupAddresses | null>();
    g('vrrpwatch_vrid_vip_info', "1 for each virtual address the group's masters advertise (every router's without a master, the expected ones while not heard), the lowest 16; segment is the group's identity across exporters: its lowest address that is not link-local (docs/runbook.md).", (emit, s) => {
      for (const grp of s.groups) {
        const list = namingAddresses(grp.view, grp.node);
        let a = named.get(list);
        if (a === undefined) named.set(list, (a = groupAddresses(list) ?? null));
        if (a === null) continue;
        const head = `{${grp.text.inner},segment="${escapeLabel(a.segment)}",vip="`;
        for (const vip of a.vips) emit(`${head}${escapeLabel(vip)}"}`, 1);
      }
    });
    registerVipOwnerFamilies(add);
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
   * The exposition text for one scrape: every family the Registry holds, in registration order; the
   * hand-written families write their own text, anything else is formatted by prom-client. A family that
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
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric.name === SUCCESS) continue;
      const mark = out.length;
      if (mark > 0) out.byte(10);
      try {
        const family = this.#families.get(metric.name);
        if (family === undefined) out.text(`${await this.#formatted(metric.name, snapshot)}\n`);
        else if (scrape !== undefined) family.expose(scrape, out);
        else throw scrapeError;
        this.#failing.delete(metric.name);
        this.#success.set({ collector: metric.name }, 1);
      } catch (err) {
        out.rewind(mark);
        if (!this.#failing.has(metric.name)) this.onFailure(metric.name, err);
        this.#failing.add(metric.name);
        this.#success.set({ collector: metric.name }, 0);
      }
    }
    if (out.length > 0) out.byte(10);
    out.text(`${await this.registry.getSingleMetricAsString(SUCCESS)}\n`);
    return out.finish();
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
