/**
 * The collectors of /metrics: the per-group, per-router and per-VIP families come in named sets that
 * `serve --no-collector.NAME` leaves out of every scrape (and `--collector.NAME` keeps), as
 * node_exporter's collectors do. A site with thousands of groups can drop the sets its dashboards do
 * not read; every set is on by default, so the alerts and dashboards shipped find what they query.
 * The low-series families (captures, probes, keepalived, the build, the process) are always written.
 */

export interface Collector {
  name: string;
  /** What it writes, for `serve --help` and docs/metrics.md. */
  what: string;
  /** Its series, for docs/metrics.md. */
  cardinality: string;
}

export const COLLECTORS: readonly Collector[] = [
  { name: 'group', what: 'each group: masters, split-brain, failovers, near failovers, failover risk, mismatches, conflicts, expectations, this node\'s role', cardinality: 'some 18 per group (4 of them vrrpwatch_vrid_config_mismatch), plus one vrrpwatch_vrid_master_info per master' },
  { name: 'advert_gaps', what: "vrrpwatch_vrid_advert_gap_intervals, the histogram of each master's advert gaps in advert intervals", cardinality: '9 per group heard' },
  { name: 'failover_causes', what: 'vrrpwatch_vrid_failovers_total, the master changes by cause', cardinality: '6 per group heard' },
  { name: 'router', what: "each router's adverts, priority, interval and last advert time", cardinality: '4 per router heard' },
  { name: 'router_errors', what: 'vrrpwatch_router_errors_total, packets with errors by router and error', cardinality: 'one per router and error seen' },
  { name: 'hmac', what: "keepalived 2.4 auth_hmac: each signing router's key id and clock offset", cardinality: '2 per router that signs' },
  { name: 'vip', what: "this node's VIPs (held, held while backup, missing while master) and each group's advertised VIPs (vrrpwatch_vrid_vip_info)", cardinality: '3 per VIP this node expects, plus up to 16 per group' },
  { name: 'vip_owner', what: 'who answers ARP and NDP for each VIP watched: owners, duplicates, foreign owners, unanswered VIPs, owner changes, announcements, probes', cardinality: 'some 6 per VIP watched, plus one per MAC answering' },
];

export const COLLECTOR_NAMES: readonly string[] = COLLECTORS.map((c) => c.name);

/** Which collectors a scrape writes: the ones named false are left out. */
export type CollectorChoice = Readonly<Record<string, boolean>>;

/** The parseArgs options of every collector: `--collector.NAME` and `--no-collector.NAME`. */
export function collectorOptions(): Record<string, { type: 'boolean' }> {
  const options: Record<string, { type: 'boolean' }> = {};
  for (const name of COLLECTOR_NAMES) {
    options[`collector.${name}`] = { type: 'boolean' };
    options[`no-collector.${name}`] = { type: 'boolean' };
  }
  return options;
}

/** The choice the flags make (the last of `--collector.NAME` and `--no-collector.NAME` wins, as flags do elsewhere). */
export function collectorChoice(args: readonly string[]): CollectorChoice {
  const choice: Record<string, boolean> = {};
  for (const a of args) {
    const m = /^--(no-)?collector\.([a-z_]+)$/.exec(a);
    if (m !== null && COLLECTOR_NAMES.includes(m[2] ?? '')) choice[m[2] ?? ''] = m[1] === undefined;
  }
  return choice;
}

/** Whether the collector writes in this choice (on unless named false). */
export function collects(choice: CollectorChoice, name: string): boolean {
  return choice[name] !== false;
}
