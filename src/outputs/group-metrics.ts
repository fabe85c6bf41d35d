/**
 * The per-group families (collectors `group`, `failover_causes` and `advert_gaps`): masters, split-brain, failovers
 * and their causes, near failovers, failover risk and advert gaps, conflicts, mismatches, expectations and this node's role.
 */
import { FAILOVER_CAUSES } from '../core/groups/causes.js';
import { emitHistogram, found, perGroup } from './family-kit.js';
import { GAP_BUCKETS } from '../core/groups/risk.js';
import type { AddFamily } from './family-kit.js';

const CONFIG_FIELDS = ['advert_interval', 'addresses', 'version', 'checksum_form'] as const;

/** Registers the families through `add` (metrics.ts), in the order they are written. */
export function registerGroupFamilies(add: AddFamily): void {
  const g = 'group';
  perGroup(add, g, 'vrrpwatch_vrid_masters', 'Routers acting as master of the group now.', ({ view }) => view?.masters.length ?? 0);
  perGroup(add, g, 'vrrpwatch_vrid_split_brain', '1 while split-brain is judged: two or more routers keep advertising as master (or another does while keepalived here is MASTER).', (grp, s) => found(s, grp, 'split_brain'));
  add(g, 'vrrpwatch_vrid_master_info', '1 for each router acting as master of the group.', 'gauge', (emit, s) => {
    for (const grp of s.heard) for (const m of grp.view?.masters ?? []) emit(grp.text.router(m), 1);
  });
  add(g, 'vrrpwatch_vrid_master_changes_total', 'Failovers seen: the master of the group changed.', 'counter', (emit, s) => {
    for (const grp of s.heard) emit(grp.text.labels, grp.view?.masterChanges ?? 0);
  });
  add('failover_causes', 'vrrpwatch_vrid_failovers_total', 'Master changes by cause: resigned, preempted, master_down, priority_drop, split_healed, foreign (their sum is vrrpwatch_vrid_master_changes_total).', 'counter', (emit, s) => {
    for (const grp of s.heard) {
      const causes = grp.view?.failoverCauses;
      if (causes !== undefined) for (const cause of FAILOVER_CAUSES) emit(grp.text.cause(cause), causes[cause]);
    }
  });
  add(g, 'vrrpwatch_vrid_near_failovers_total', "Near failovers: gaps of more than two advert intervals in a master's adverts after which it stayed master.", 'counter', (emit, s) => {
    for (const grp of s.heard) emit(grp.text.labels, grp.view?.nearFailovers ?? 0);
  });
  perGroup(add, g, 'vrrpwatch_vrid_longest_advert_gap_seconds', "The longest near-failover gap in the master's adverts that ended in the last 10 minutes, seconds (0 without one).", ({ view }) => view?.longestRecentGap ?? 0);
  perGroup(add, g, 'vrrpwatch_vrid_failover_risk', "1 while the group's master's advert gaps come close to its takeover deadline often enough (docs/judgement.md: a near failover and 6 adverts missing within 60 intervals), else 0.", (grp, s) => found(s, grp, 'failover_risk'));
  add(g, 'vrrpwatch_vrid_advert_gap_margin_seconds', "The smallest margin of the master's advert gaps within the last 60 intervals: its takeover deadline (Master_Down_Interval) less the gap, seconds; negative when a gap passed it (the deadline less one interval without a lost advert).", 'gauge', (emit, s) => {
    for (const grp of s.heard) if (grp.view?.gapMargin !== undefined) emit(grp.text.labels, grp.view.gapMargin);
  });
  add('advert_gaps', 'vrrpwatch_vrid_advert_gap_intervals', "The gaps between a master's adverts, in its advert intervals (1 when none is lost; the takeover deadline is 3 + skew, between 3 and 4); gaps during capture drops are left out.", 'histogram', (emit, s) => {
    for (const grp of s.heard) {
      const h = grp.view?.gapHistogram;
      if (h !== undefined) emitHistogram(emit, grp.text.inner, GAP_BUCKETS, h.counts, h.sum, h.count);
    }
  });
  add(g, 'vrrpwatch_vrid_advert_gaps_excluded_total', "A master's gaps with lost adverts not judged for the failover risk because our own capture dropped packets meanwhile.", 'counter', (emit, s) => {
    for (const grp of s.heard) emit(grp.text.labels, grp.view?.gapsExcluded ?? 0);
  });
  perGroup(add, g, 'vrrpwatch_vrid_vip_conflict', "1 while this group's master advertises a virtual address that a master of another VRID on the interface advertises too.", (grp, s) => found(s, grp, 'vip_conflict'));
  perGroup(add, g, 'vrrpwatch_vrid_no_master', '1 while a group that had a master (or is expected) has none.', (grp, s) => found(s, grp, 'no_master'));
  add(g, 'vrrpwatch_vrid_expected', '1 for each group the config or keepalived.conf says must exist.', 'gauge', (emit, s) => {
    for (const grp of s.groups) if (grp.node?.expected !== undefined) emit(grp.text.labels, 1);
  });
  perGroup(add, g, 'vrrpwatch_vrid_auth_mismatch', '1 while routers of the group disagree on authentication (type or data).', (grp, s) => found(s, grp, 'auth_mismatch'));
  add(g, 'vrrpwatch_vrid_config_mismatch', "1 while routers of the group disagree on the field (or the master's adverts disagree with this node's config).", 'gauge', (emit, s) => {
    for (const grp of s.groups) {
      for (const field of CONFIG_FIELDS) emit(grp.text.field(field), found(s, grp, 'config_mismatch', field));
    }
  });
  add(g, 'vrrpwatch_vrid_adverts_blocked', '1 while an expected group is not heard although a peer answers ping: VRRP is blocked on the way.', 'gauge', (emit, s) => {
    for (const grp of s.groups) if (grp.node?.expected !== undefined) emit(grp.text.labels, found(s, grp, 'adverts_blocked'));
  });
  add(g, 'vrrpwatch_node_master', 'Whether this node is master of the group (1) or not (0); absent on a witness.', 'gauge', (emit, s) => {
    for (const grp of s.groups) if (grp.node !== undefined && grp.node.role !== 'observer') emit(grp.text.labels, grp.node.role === 'master' ? 1 : 0);
  });
}
