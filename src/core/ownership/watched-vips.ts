/**
 * Where a watched VIP (`--vip`, `vips:`) is probed and judged live: the interface the config names,
 * else the captured interface whose subnet holds it (one of its addresses has a prefix covering the VIP;
 * the longest prefix wins), else the capture interface when `-i` names exactly one. A VIP placed nowhere
 * is watched where a claim for it is first heard, and not probed until then. Pure.
 */
import { addressBytes } from '../base/addr.js';
import type { InterfaceAddress } from './probe.js';
import type { WatchedVip } from './vip-owner-types.js';

/** An interface as placing needs it: its addresses with their prefixes (none known: it places nothing). */
export interface LinkAddresses {
  mac?: string;
  addresses?: readonly InterfaceAddress[];
}

/** Whether `ip` is within `address/prefixLength` (same family). */
export function onSubnet(ip: Uint8Array, address: Uint8Array, prefixLength: number): boolean {
  if (ip.length !== address.length || prefixLength < 0 || prefixLength > ip.length * 8) return false;
  const whole = Math.floor(prefixLength / 8);
  for (let i = 0; i < whole; i++) if (ip[i] !== address[i]) return false;
  const rest = prefixLength % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip[whole] ?? 0) & mask) === ((address[whole] ?? 0) & mask);
}

/** The interface whose subnet holds `vip` among `links` (only `captured` ones when any are named), or undefined. */
export function interfaceOf(vip: string, links: ReadonlyMap<string, LinkAddresses>, captured: readonly string[]): string | undefined {
  const ip = addressBytes(vip);
  if (ip === undefined) return undefined;
  let best: { iface: string; prefix: number } | undefined;
  for (const [iface, link] of [...links].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (captured.length > 0 && !captured.includes(iface)) continue;
    for (const a of link.addresses ?? []) {
      const own = addressBytes(a.address);
      // A link-local IPv6 address says nothing of where a global VIP lives.
      if (own === undefined || (own.length === 16 && own[0] === 0xfe && ((own[1] ?? 0) & 0xc0) === 0x80)) continue;
      if (onSubnet(ip, own, a.prefixLength) && (best === undefined || a.prefixLength > best.prefix)) best = { iface, prefix: a.prefixLength };
    }
  }
  return best?.iface ?? (captured.length === 1 ? captured[0] : undefined);
}

/** The watch list with each VIP's interface filled in where it can be (see the opening comment). */
export function placeWatched(vips: readonly WatchedVip[], links: ReadonlyMap<string, LinkAddresses>, captured: readonly string[]): WatchedVip[] {
  return vips.map((v) => (v.interface !== undefined ? v : { ...v, interface: interfaceOf(v.vip, links, captured) }));
}
