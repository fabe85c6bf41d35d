/**
 * A VRRP group's identity across exporters: the virtual addresses it advertises and the `segment` they
 * name. A VRID is unique per L2 segment only (keepalived's example 51 is reused on every VLAN of a
 * site), and interface names differ from exporter to exporter (bond0 on a node, a VLAN of a trunk on a
 * witness), so the rules that compare exporters key a group by what every observer reads in the same
 * adverts: the addresses its masters advertise (every router's while it has none; the expected VIPs
 * while it is not heard). Its segment is the lowest of them, a link-local one only when it has no other
 * (IPv6 groups of many segments may all advertise fe80::1): one readable label per group, the same on
 * every exporter that hears the group, and different for two segments, whose VIPs cannot be the same
 * within one site. Pure.
 */
import { addressBytes } from '../core/base/addr.js';
import type { NodeGroupView } from '../core/node/node.js';
import type { GroupView } from '../core/groups/views.js';

/** Addresses of one group written as series (the lowest): a group's first VIPs name it well enough. */
export const SEGMENT_VIPS_EXPORTED = 16;

export interface GroupAddresses {
  /** The group's segment: its lowest address that is not link-local (a link-local one if all are). */
  segment: string;
  /** Its addresses, lowest first, at most SEGMENT_VIPS_EXPORTED. */
  vips: readonly string[];
}

/** Link-local: 169.254.0.0/16 and fe80::/10, which every segment may reuse. */
function linkLocal(b: Uint8Array): boolean {
  if (b.length === 4) return b[0] === 169 && b[1] === 254;
  return b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
}

/** Byte order of two addresses of one family (IPv4 before IPv6 should both ever meet). */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** The segment and the lowest addresses of a list (texts that are no address are left out). */
export function groupAddresses(addresses: Iterable<string>): GroupAddresses | undefined {
  const parsed: { text: string; bytes: Uint8Array; local: boolean }[] = [];
  const seen = new Set<string>();
  for (const text of addresses) {
    if (seen.has(text)) continue;
    seen.add(text);
    const bytes = addressBytes(text);
    if (bytes !== undefined) parsed.push({ text, bytes, local: linkLocal(bytes) });
  }
  if (parsed.length === 0) return undefined;
  parsed.sort((a, b) => compareBytes(a.bytes, b.bytes));
  const segment = (parsed.find((p) => !p.local) ?? parsed[0])?.text ?? '';
  return { segment, vips: parsed.slice(0, SEGMENT_VIPS_EXPORTED).map((p) => p.text) };
}

/**
 * The addresses that name a group: its masters' advertised addresses, every router's while it has no
 * master, the expected VIPs (config, keepalived.conf) while nothing is heard. One list in the usual
 * case (one master, or the config's), returned as it is, so that callers can keep what they made of it.
 */
export function namingAddresses(view: GroupView | undefined, node: NodeGroupView | undefined): readonly string[] {
  const routers = view?.routers ?? [];
  let one: readonly string[] | undefined;
  let all: Set<string> | undefined;
  const masters = view?.masters.length ?? 0;
  for (const r of routers) {
    if (masters > 0 && !r.master) continue;
    if (one === undefined && all === undefined) {
      one = r.addresses;
      continue;
    }
    all ??= new Set(one);
    for (const a of r.addresses) all.add(a);
  }
  if (all !== undefined) return [...all];
  if (one !== undefined && one.length > 0) return one;
  return node?.expected?.vips ?? [];
}
