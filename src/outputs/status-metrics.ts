/**
 * The low-series families: captures, invalid packets, probes, keepalived's states, table evictions,
 * config reloads, the HTTP limits and errors caught at the top, and the build, as ordinary prom-client gauges and counters whose collect() reads the
 * snapshot of the scrape.
 */
import type { Registry } from 'prom-client';
import { collectedFamilies } from './collected.js';
import { foreignOnGroup } from '../core/groups/foreign.js';
import { groupId } from '../core/base/keys.js';
import { INVALID_REASONS } from '../core/wire/types.js';
import { NEIGHBOR_INVALID_REASONS } from '../core/wire/neighbor.js';
import type { MetricsSnapshot } from './scrape.js';

/** What vrrpwatch_build_info says: versions of vrrpwatch (and its git revision), Node.js and libpcap. */
export interface BuildInfo {
  version: string;
  revision: string;
  nodejs: string;
  libpcap: string;
}

/** Registers the families in `registry`, in the order they are written; `snapshot` is undefined when there is none to read. */
export function registerStatusFamilies(registry: Registry, build: BuildInfo, snapshot: () => MetricsSnapshot | undefined): void {
  const { gauge, counter } = collectedFamilies(registry, snapshot);

  // `keepalived_instance`, not `instance`: Prometheus owns that label (the scrape target).
  gauge('vrrpwatch_keepalived_state', "1 for keepalived's current state of the instance, from notify_fifo.", ['keepalived_instance', 'state'], (g, s) => {
    for (const [instance, state] of s.keepalived) g.set({ keepalived_instance: instance, state }, 1);
  });
  gauge('vrrpwatch_keepalived_track_script_failing', "1 for each track_script that this node's own advertised priority says must be failing (0: its weight is not missing); only while this node advertises, and only for scripts with a weight.", ['keepalived_instance', 'script'], (g, s) => {
    for (const n of s.node) {
      const instance = n.expected?.instance;
      if (instance === undefined || n.ownPriority === undefined) continue;
      const failing = n.tracking?.failing ?? [];
      for (const t of n.expected?.tracking?.trackers ?? []) if (t.kind === 'script' && t.weight !== 0) g.set({ keepalived_instance: instance, script: t.name }, failing.includes(t) ? 1 : 0);
    }
  });
  gauge('vrrpwatch_vrid_foreign_adverts', "1 while protocol-112 traffic of another protocol (CARP) uses the group's VRID on its segment, within its hold time (3 intervals, at least 10 s); 0 after, until forgotten (10 min).", ['interface', 'family', 'vrid', 'protocol'], (g, s) => {
    const table = s.foreignTable;
    if (table === undefined || table.segments.size === 0) return;
    for (const n of s.node) {
      const entries = foreignOnGroup(table, n.key);
      if (entries.length === 0) continue;
      const now = s.foreign?.get(groupId(n.key)) ?? [];
      for (const e of entries) g.set({ interface: n.key.interface, family: n.key.family, vrid: String(n.key.vrid), protocol: e.protocol }, now.some((d) => d.protocol === e.protocol) ? 1 : 0);
    }
  });
  gauge('vrrpwatch_probe_up', '1 when the target answered the last round of pings.', ['target', 'role'], (g, s) => {
    for (const p of s.probes) g.set({ target: p.target, role: p.role }, p.up ? 1 : 0);
  });
  gauge('vrrpwatch_probe_rtt_seconds', 'Round-trip time of the last answered ping.', ['target', 'role'], (g, s) => {
    for (const p of s.probes) if (p.rtt !== undefined) g.set({ target: p.target, role: p.role }, p.rtt);
  });
  gauge('vrrpwatch_probe_loss_ratio', 'Share of the pings of the last round that got no answer.', ['target', 'role'], (g, s) => {
    for (const p of s.probes) g.set({ target: p.target, role: p.role }, p.loss);
  });
  gauge('vrrpwatch_capture_up', '1 while the capture on the interface runs.', ['interface'], (g, s) => {
    for (const cap of s.captures) g.set({ interface: cap.interface }, cap.up ? 1 : 0);
  });
  counter('vrrpwatch_capture_dropped_packets_total', 'Packets the kernel or libpcap dropped on the interface.', ['interface'], (c, s) => {
    for (const cap of s.captures) c.inc({ interface: cap.interface }, cap.dropped);
  });
  counter('vrrpwatch_capture_received_packets_total', 'Packets the capture filter passed on the interface.', ['interface'], (c, s) => {
    for (const cap of s.captures) c.inc({ interface: cap.interface }, cap.received);
  });
  counter('vrrpwatch_packets_invalid_total', 'Packets with IP protocol 112 (or AH) not accepted as VRRP, by reason.', ['interface', 'reason'], (c, s) => {
    // Every reason starts at 0 on every captured interface, so rate() works from the first packet.
    for (const cap of s.captures) for (const reason of INVALID_REASONS) if (s.invalid.get(cap.interface)?.has(reason) !== true) c.inc({ interface: cap.interface, reason }, 0);
    for (const [iface, reasons] of s.invalid) for (const [reason, n] of reasons) c.inc({ interface: iface, reason }, n);
  });
  counter(
    'vrrpwatch_neighbor_invalid_total',
    'ARP and NDP frames refused as no claim a host would believe (multicast sender, bad checksum or hop limit, malformed options, ...), by reason: a spoofer or a broken host on the segment.',
    ['reason'],
    (c, s) => {
      // Only where VIP ownership is watched (ARP and NDP are captured); every reason starts at 0 there.
      if (s.owners === undefined) return;
      for (const reason of NEIGHBOR_INVALID_REASONS) c.inc({ reason }, s.neighborInvalid?.get(reason) ?? 0);
    },
  );
  counter(
    'vrrpwatch_evictions_total',
    'Entries dropped or refused because a table was full (a flood or a spoofer): groups, routers, VIPs (vip), MACs per VIP (mac), address bindings learned from ARP/NDP (binding) and from adverts (router_binding).',
    ['table'],
    (c, s) => {
      c.inc({ table: 'group' }, s.evictions.group);
      c.inc({ table: 'router' }, s.evictions.router);
      const owned = s.owners?.evicted;
      if (owned === undefined) return;
      c.inc({ table: 'vip' }, owned.vips);
      c.inc({ table: 'mac' }, owned.macs);
      c.inc({ table: 'binding' }, owned.bindings);
      c.inc({ table: 'router_binding' }, owned.routerBindings);
    },
  );
  counter('vrrpwatch_vip_probes_skipped_total', 'VIPs the VIP probe did not probe in a round, by reason (not unicast, own address, off-link, no source address, learned-VIP budget, rate bound).', ['reason'], (c, s) => {
    for (const [reason, n] of s.probesSkipped ?? []) c.inc({ reason }, n);
  });
  gauge('vrrpwatch_config_last_reload_successful', '1 when the last config (re)load succeeded.', [], (g, s) => {
    g.set(s.config.lastReloadOk ? 1 : 0);
  });
  gauge('vrrpwatch_config_last_reload_success_timestamp_seconds', 'When the config was last loaded successfully.', [], (g, s) => {
    g.set(s.config.lastReloadAt);
  });
  gauge('vrrpwatch_http_connections', 'HTTP connections open now.', [], (g, s) => {
    if (s.web !== undefined) g.set(s.web.open);
  });
  counter('vrrpwatch_http_connections_rejected_total', 'HTTP connections closed at once: over the limit of the server or of one client address.', ['limit'], (c, s) => {
    if (s.web === undefined) return;
    c.inc({ limit: 'server' }, s.web.rejected.server);
    c.inc({ limit: 'client' }, s.web.rejected.client);
  });
  counter('vrrpwatch_http_accept_errors_total', 'Errors the HTTP server reported accepting a connection.', [], (c, s) => {
    if (s.web !== undefined) c.inc(s.web.acceptErrors);
  });
  counter('vrrpwatch_uncaught_errors_total', 'Internal errors caught at the top of the process (each is also logged); the exporter kept running.', [], (c, s) => {
    if (s.uncaughtErrors !== undefined) c.inc(s.uncaughtErrors);
  });
  counter('vrrpwatch_log_lines_held_back_total', "Log lines held back by the log's rate bound, by finding or event kind: event lines not written, and findings whose start line had to wait (each once).", ['kind'], (c, s) => {
    for (const [kind, n] of s.logLinesHeldBack ?? []) c.inc({ kind }, n);
  });
  gauge('vrrpwatch_source_readable', "1 while vrrpwatch reads the source, 0 while it cannot (permission denied, missing; the log and the status page say why): source=\"keepalived_config\" as the last (re)load found it, source=\"notify_fifo\" while the FIFO is open. Absent when the source is not configured.", ['source', 'path'], (g, s) => {
    for (const src of s.sources ?? []) g.set({ source: src.source, path: src.path }, src.problem === undefined ? 1 : 0);
  });
  counter('vrrpwatch_notify_fifo_lines_dropped_total', "Lines from keepalived's notify_fifo dropped for being longer than 4 KiB.", [], (c, s) => {
    if (s.notifyFifoLinesDropped !== undefined) c.inc(s.notifyFifoLinesDropped);
  });
  gauge('vrrpwatch_build_info', 'Always 1; the version of vrrpwatch, the git revision it was built from, the Node.js and libpcap versions it runs on.', ['version', 'revision', 'nodejs', 'libpcap'], (g) => {
    g.set({ ...build }, 1);
  });
}
