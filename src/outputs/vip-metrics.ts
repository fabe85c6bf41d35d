/**
 * The VIP families of the node's view (collector `vip`): the virtual addresses this node holds, holds
 * while backup or misses while master, and the VIPs each group's masters advertise with the group's
 * segment (vrrpwatch_vrid_vip_info). Who answers for them on the wire is vip-owner-metrics.ts.
 */
import type { FindingKind } from '../core/findings/findings.js';
import { escapeLabel } from './exposition.js';
import { found } from './family-kit.js';
import type { AddFamily } from './family-kit.js';
import { groupAddresses, namingAddresses } from './segment.js';
import type { GroupAddresses } from './segment.js';

/** Registers the families through `add` (metrics.ts), in the order they are written. */
export function registerVipFamilies(add: AddFamily): void {
  /** A family with one series per virtual address the node expects. */
  const perVip = (name: string, help: string, kind: FindingKind): void => {
    add('vip', name, help, 'gauge', (emit, s) => {
      for (const grp of s.groups) {
        const n = grp.node;
        if (n !== undefined) for (const v of n.vips) emit(grp.text.vip(n.key.interface, v.vip), found(s, grp, kind, v.vip));
      }
    });
  };
  add('vip', 'vrrpwatch_vip_local', '1 when this node holds the virtual address.', 'gauge', (emit, s) => {
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
  add('vip', 'vrrpwatch_vrid_vip_info', "1 for each virtual address the group's masters advertise (every router's without a master, the expected ones while not heard), the lowest 16; segment is the group's identity across exporters: its lowest address that is not link-local (docs/runbook.md).", 'gauge', (emit, s) => {
    for (const grp of s.groups) {
      const list = namingAddresses(grp.view, grp.node);
      let a = named.get(list);
      if (a === undefined) named.set(list, (a = groupAddresses(list) ?? null));
      if (a === null) continue;
      const head = `{${grp.text.inner},segment="${escapeLabel(a.segment)}",vip="`;
      for (const vip of a.vips) emit(`${head}${escapeLabel(vip)}"}`, 1);
    }
  });
}
