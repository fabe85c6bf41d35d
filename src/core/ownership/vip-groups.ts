/**
 * The groups VIP ownership is judged for: the one rule serve, once and replay share. A heard group
 * watches the VIPs its masters advertise (every router's while it has no master, so that a group whose
 * master went silent keeps its VIPs watched); an expected group (YAML `groups[].vips`, keepalived.conf)
 * adds its VIPs, so that a witness of a unicast pair, which hears no advert, still knows what to probe.
 * An expected group with no interface lives on the one capture interface, when only one is captured.
 * Pure.
 */
import { expectationMatches } from '../expect/types.js';
import { groupId } from '../base/keys.js';
import type { GroupKey } from '../base/keys.js';
import type { ExpectedGroup } from '../expect/types.js';
import type { GroupOwnership } from './vip-owners.js';

/** What the rule reads of a heard group: the Monitor's table entry and a view both have it. */
export interface HeardGroup {
  key: GroupKey;
  routers: readonly { address: string; master: boolean; addresses: readonly string[] }[];
}

/**
 * `only`: the single capture interface named (`-i`), or undefined when several or all are captured.
 * A heard group takes the first expectation that matches it, as the node's judgement does.
 */
export function ownershipGroups(heard: Iterable<HeardGroup>, expected: readonly ExpectedGroup[], only: string | undefined): GroupOwnership[] {
  const out = new Map<string, { key: GroupKey; vips: Set<string>; masters: readonly string[]; routers: readonly string[]; expected: boolean }>();
  const add = (key: GroupKey, vips: Iterable<string>, group: HeardGroup | undefined, expected: boolean): void => {
    const iface = key.interface === 'any' ? only : key.interface;
    if (iface === undefined) return;
    const placed = iface === key.interface ? key : { ...key, interface: iface };
    const id = groupId(placed);
    let g = out.get(id);
    if (g === undefined) out.set(id, (g = { key: placed, vips: new Set(), masters: [], routers: [], expected }));
    if (expected) g.expected = true;
    for (const v of vips) g.vips.add(v);
    if (group !== undefined) {
      g.masters = group.routers.filter((r) => r.master).map((r) => r.address);
      g.routers = group.routers.map((r) => r.address);
    }
  };
  const used = new Set<ExpectedGroup>();
  for (const g of heard) {
    const hasMaster = g.routers.some((r) => r.master);
    const vips = new Set<string>();
    for (const r of g.routers) if (r.master || !hasMaster) for (const a of r.addresses) vips.add(a);
    add(g.key, vips, g, false);
    const e = expected.length === 0 ? undefined : expected.find((x) => expectationMatches(x, g.key));
    if (e !== undefined) {
      used.add(e);
      add(g.key, e.vips, g, true);
    }
  }
  for (const e of expected) if (!used.has(e)) add({ interface: e.interface ?? 'any', family: e.family, vrid: e.vrid }, e.vips, undefined, true);
  return [...out.values()].map((g) => ({ key: g.key, vips: [...g.vips], masters: g.masters, routers: g.routers, expected: g.expected }));
}
