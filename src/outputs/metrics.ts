/**
 * Prometheus exposition from a snapshot of the views, computed at scrape time. A private Registry; every
 * metric is reset and refilled on each scrape, so groups and routers that left the views (expired)
 * leave the metrics too.
 */
import { Registry } from 'prom-client';
import type { Metric } from 'prom-client';
import type { CaptureStatus } from '../adapters/capture.js';
import type { ProbeResult } from '../adapters/pinger.js';
import type { KeepalivedState } from '../core/keepalived-conf.js';
import type { NodeGroupView } from '../core/node.js';
import type { GroupView } from '../core/state.js';
import { INVALID_REASONS } from '../core/types.js';
import type { GroupKey } from '../core/types.js';

export interface MetricsSnapshot {
  groups: readonly GroupView[];
  node: readonly NodeGroupView[];
  invalid: ReadonlyMap<string, ReadonlyMap<string, number>>;
  captures: readonly CaptureStatus[];
  probes: readonly ProbeResult[];
  evictions: { group: number; router: number };
  keepalived: ReadonlyMap<string, KeepalivedState>;
  config: { lastReloadOk: boolean; lastReloadAt: number };
}

type Labels = Record<string, string>;

function groupLabels(key: GroupKey): Labels {
  return { interface: key.interface, family: key.family, vrid: String(key.vrid) };
}

function keyId(key: GroupKey): string {
  return `${key.interface}|${key.family}|${key.vrid}`;
}

type Fill = (set: (labels: Labels, value: number) => void, s: MetricsSnapshot) => void;

/**
 * One metric family filled from the snapshot at scrape time. prom-client's Gauge hashes and validates
 * every label set on each set(); with thousands of groups that dominated the scrape, so the families
 * hand their values to the Registry directly (the Registry still formats and serves them).
 */
class SnapshotFamily {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    private readonly fill: Fill,
    private readonly snapshot: () => MetricsSnapshot | undefined,
  ) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: Labels; value: number }[] } {
    const values: { labels: Labels; value: number }[] = [];
    const s = this.snapshot();
    if (s !== undefined) {
      this.fill((labels, value) => {
        values.push({ labels, value });
      }, s);
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    // Nothing is kept between scrapes.
  }
}

export class Metrics {
  readonly registry = new Registry();
  #snapshot: MetricsSnapshot | undefined;

  constructor(version: string) {
    const snapshot = (): MetricsSnapshot | undefined => this.#snapshot;
    const add = (name: string, help: string, type: 'gauge' | 'counter', fill: Fill): void => {
      this.registry.registerMetric(new SnapshotFamily(name, help, type, fill, snapshot) as unknown as Metric);
    };
    const g = (name: string, help: string, fill: Fill): void => {
      add(name, help, 'gauge', fill);
    };
    const c = (name: string, help: string, fill: Fill): void => {
      add(name, help, 'counter', fill);
    };
    const views = (s: MetricsSnapshot): Map<string, GroupView> => new Map(s.groups.map((v) => [keyId(v.key), v]));
    /** Every group heard or expected, with its view when heard. */
    const each = (s: MetricsSnapshot, fn: (key: GroupKey, view: GroupView | undefined, node: NodeGroupView | undefined) => void): void => {
      const byId = views(s);
      const done = new Set<string>();
      for (const n of s.node) {
        const id = keyId(n.key);
        done.add(id);
        fn(n.key, byId.get(id), n);
      }
      for (const v of s.groups) if (!done.has(keyId(v.key))) fn(v.key, v, undefined);
    };
    const routers = (s: MetricsSnapshot, fn: (labels: Labels, r: GroupView['routers'][number]) => void): void => {
      for (const v of s.groups) for (const router of v.routers) fn({ ...groupLabels(v.key), router: router.address }, router);
    };

    g('vrrpwatch_vrid_masters', 'Routers acting as master of the group now.', (set, s) => {
      each(s, (key, v) => {
        set(groupLabels(key), v?.masters.length ?? 0);
      });
    });
    g('vrrpwatch_vrid_split_brain', '1 while split-brain is judged: two or more routers keep advertising as master.', (set, s) => {
      each(s, (key, v) => {
        set(groupLabels(key), v?.splitBrain === true ? 1 : 0);
      });
    });
    g('vrrpwatch_vrid_master_info', '1 for each router acting as master of the group.', (set, s) => {
      for (const v of s.groups) for (const m of v.masters) set({ ...groupLabels(v.key), router: m }, 1);
    });
    c('vrrpwatch_vrid_master_changes_total', 'Failovers seen: the master of the group changed.', (set, s) => {
      for (const v of s.groups) set(groupLabels(v.key), v.masterChanges);
    });
    g('vrrpwatch_vrid_no_master', '1 while a group that had a master (or is expected) has none.', (set, s) => {
      each(s, (key, v, n) => {
        set(groupLabels(key), v?.noMaster === true || n?.expectedWithoutMaster === true ? 1 : 0);
      });
    });
    g('vrrpwatch_vrid_expected', '1 for each group the config or keepalived.conf says must exist.', (set, s) => {
      for (const n of s.node) if (n.expected !== undefined) set(groupLabels(n.key), 1);
    });
    g('vrrpwatch_vrid_auth_mismatch', '1 while routers of the group disagree on authentication (type or data).', (set, s) => {
      each(s, (key, v) => {
        set(groupLabels(key), v?.authMismatch === true ? 1 : 0);
      });
    });
    g('vrrpwatch_vrid_config_mismatch', '1 while routers of the group disagree on the field.', (set, s) => {
      each(s, (key, v) => {
        for (const field of ['advert_interval', 'addresses', 'version', 'checksum_form'] as const) {
          set({ ...groupLabels(key), field }, v?.configMismatch.includes(field) === true ? 1 : 0);
        }
      });
    });
    g('vrrpwatch_vrid_adverts_blocked', '1 while an expected group is not heard although a peer answers ping: VRRP is blocked on the way.', (set, s) => {
      for (const n of s.node) if (n.expected !== undefined) set(groupLabels(n.key), n.advertsBlocked ? 1 : 0);
    });
    g('vrrpwatch_node_master', 'Whether this node is master of the group (1) or not (0); absent on a witness.', (set, s) => {
      for (const n of s.node) if (n.role !== 'observer') set(groupLabels(n.key), n.role === 'master' ? 1 : 0);
    });
    type RouterView = GroupView['routers'][number];
    /** A family with one series per router of every group. */
    const perRouter = (name: string, help: string, type: 'gauge' | 'counter', value: (r: RouterView) => number): void => {
      add(name, help, type, (set, s) => {
        routers(s, (labels, router) => {
          set(labels, value(router));
        });
      });
    };
    perRouter('vrrpwatch_adverts_total', 'Advertisements received from the router.', 'counter', (r) => r.adverts);
    perRouter('vrrpwatch_router_priority', 'Last advertised priority of the router.', 'gauge', (r) => r.priority);
    perRouter('vrrpwatch_router_advert_interval_seconds', 'Last advertised interval of the router.', 'gauge', (r) => r.interval);
    perRouter('vrrpwatch_router_last_advert_timestamp_seconds', 'When the last advertisement of the router arrived.', 'gauge', (r) => r.last);
    g('vrrpwatch_vip_local', '1 when this node holds the virtual address.', (set, s) => {
      for (const n of s.node) for (const v of n.vips) set({ vip: v.vip, interface: v.heldOn ?? n.key.interface, vrid: String(n.key.vrid) }, v.heldOn === undefined ? 0 : 1);
    });
    g('vrrpwatch_vip_backup_holding', '1 while this node holds the virtual address but is not master of its group.', (set, s) => {
      for (const n of s.node) for (const v of n.vips) set({ interface: n.key.interface, vrid: String(n.key.vrid), vip: v.vip }, n.backupHolding.includes(v.vip) ? 1 : 0);
    });
    g('vrrpwatch_vip_master_missing', '1 while this node is master of the group but does not hold the virtual address.', (set, s) => {
      for (const n of s.node) for (const v of n.vips) set({ interface: n.key.interface, vrid: String(n.key.vrid), vip: v.vip }, n.masterMissing.includes(v.vip) ? 1 : 0);
    });
    // `keepalived_instance`, not `instance`: Prometheus owns that label (the scrape target).
    g('vrrpwatch_keepalived_state', "1 for keepalived's current state of the instance, from notify_fifo.", (set, s) => {
      for (const [instance, state] of s.keepalived) set({ keepalived_instance: instance, state }, 1);
    });
    g('vrrpwatch_probe_up', '1 when the target answered the last round of pings.', (set, s) => {
      for (const p of s.probes) set({ target: p.target, role: p.role }, p.up ? 1 : 0);
    });
    g('vrrpwatch_probe_rtt_seconds', 'Round-trip time of the last answered ping.', (set, s) => {
      for (const p of s.probes) if (p.rtt !== undefined) set({ target: p.target, role: p.role }, p.rtt);
    });
    g('vrrpwatch_probe_loss_ratio', 'Share of the pings of the last round that got no answer.', (set, s) => {
      for (const p of s.probes) set({ target: p.target, role: p.role }, p.loss);
    });
    g('vrrpwatch_capture_up', '1 while the capture on the interface runs.', (set, s) => {
      for (const cap of s.captures) set({ interface: cap.interface }, cap.up ? 1 : 0);
    });
    c('vrrpwatch_capture_dropped_packets_total', 'Packets the kernel or libpcap dropped on the interface.', (set, s) => {
      for (const cap of s.captures) set({ interface: cap.interface }, cap.dropped);
    });
    c('vrrpwatch_capture_received_packets_total', 'Packets the capture filter passed on the interface.', (set, s) => {
      for (const cap of s.captures) set({ interface: cap.interface }, cap.received);
    });
    c('vrrpwatch_packets_invalid_total', 'Packets with IP protocol 112 (or AH) not accepted as VRRP, by reason.', (set, s) => {
      // Every reason starts at 0 on every captured interface, so rate() works from the first packet.
      for (const cap of s.captures) for (const reason of INVALID_REASONS) if (s.invalid.get(cap.interface)?.has(reason) !== true) set({ interface: cap.interface, reason }, 0);
      for (const [iface, reasons] of s.invalid) for (const [reason, n] of reasons) set({ interface: iface, reason }, n);
    });
    c('vrrpwatch_evictions_total', 'Groups or routers dropped because the tables were full (a flood or a spoofer).', (set, s) => {
      set({ table: 'group' }, s.evictions.group);
      set({ table: 'router' }, s.evictions.router);
    });
    g('vrrpwatch_config_last_reload_successful', '1 when the last config (re)load succeeded.', (set, s) => {
      set({}, s.config.lastReloadOk ? 1 : 0);
    });
    g('vrrpwatch_config_last_reload_success_timestamp_seconds', 'When the config was last loaded successfully.', (set, s) => {
      set({}, s.config.lastReloadAt);
    });
    g('vrrpwatch_build_info', 'Always 1; the version of vrrpwatch in a label.', (set) => {
      set({ version }, 1);
    });
  }

  /** The exposition text for one scrape. */
  async render(snapshot: MetricsSnapshot): Promise<string> {
    this.#snapshot = snapshot;
    try {
      return await this.registry.metrics();
    } finally {
      this.#snapshot = undefined;
    }
  }
}
