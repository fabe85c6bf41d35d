/**
 * The groups VIP ownership is judged for, from the views: each heard group with the VIPs its routers
 * advertise and its masters, each expected group (YAML `groups[].vips`, keepalived.conf) with its VIPs,
 * so that a witness of a unicast pair, which hears no advert, still knows what to probe. An expected
 * group with no interface lives on the one capture interface, when only one is captured. Pure.
 */
import type { NodeGroupView } from '../node/node.js';
import type { GroupKey } from '../types.js';
import type { GroupOwnership } from './vip-owners.js';
import type { GroupView } from '../groups/views.js';

/** `only`: the single capture interface named (`-i`), or undefined when several or all are captured. */
export function ownershipGroups(groups: readonly GroupView[], node: readonly NodeGroupView[], only: string | undefined): GroupOwnership[] {
  const out = new Map<string, { key: GroupKey; vips: Set<string>; masters: readonly string[]; routers: readonly string[]; expected: boolean }>();
  const add = (key: GroupKey, vips: Iterable<string>, view: GroupView | undefined, expected: boolean): void => {
    const iface = key.interface === 'any' ? only : key.interface;
    if (iface === undefined) return;
    const id = `${iface}|${key.family}|${key.vrid}`;
    let g = out.get(id);
    if (g === undefined) out.set(id, (g = { key: iface === key.interface ? key : { ...key, interface: iface }, vips: new Set(), masters: [], routers: [], expected }));
    if (expected) g.expected = true;
    for (const v of vips) g.vips.add(v);
    if (view !== undefined) {
      g.masters = view.masters;
      g.routers = view.routers.map((r) => r.address);
    }
  };
  for (const v of groups) {
    const vips = new Set<string>();
    for (const r of v.routers) if (r.master || v.masters.length === 0) for (const a of r.addresses) vips.add(a);
    add(v.key, vips, v, false);
  }
  for (const n of node) if (n.expected !== undefined) add(n.key, n.expected.vips, n.view, true);
  return [...out.values()].map((g) => ({ key: g.key, vips: [...g.vips], masters: g.masters, routers: g.routers, expected: g.expected }));
}
