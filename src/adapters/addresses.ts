/** The addresses this host holds now (VIPs included: keepalived adds them as secondary addresses). */
import { networkInterfaces } from 'node:os';
import { canonicalIp } from '../core/base/addr.js';

/** The last list read, kept for the moments the system cannot list them (a descriptor shortage). */
let lastKnown = new Map<string, string>();

/**
 * Canonical address → interface holding it (keepalived's `label eth0:1` is reported as eth0). When the
 * interfaces cannot be listed (getifaddrs needs a descriptor), the last list read stands in for it.
 */
export function localAddresses(): Map<string, string> {
  let interfaces: ReturnType<typeof networkInterfaces>;
  try {
    interfaces = networkInterfaces();
  } catch {
    return new Map(lastKnown);
  }
  const out = new Map<string, string>();
  for (const [name, list] of Object.entries(interfaces)) {
    const iface = name.split(':')[0] ?? name;
    for (const a of list ?? []) {
      const ip = canonicalIp(a.address.replace(/%.*$/, ''));
      if (ip !== undefined && !out.has(ip)) out.set(ip, iface);
    }
  }
  lastKnown = out;
  return out;
}

/** An interface's MAC and addresses (with prefix lengths), what the VIP probe is sent as. */
export interface InterfaceDetails {
  mac: string;
  addresses: { address: string; prefixLength: number }[];
}

/**
 * Every interface's MAC and addresses (`label` aliases folded into their interface); interfaces
 * without a MAC (loopback, tunnels) are left out. Empty when the interfaces cannot be listed.
 */
export function interfaceDetails(): Map<string, InterfaceDetails> {
  const out = new Map<string, InterfaceDetails>();
  let interfaces: ReturnType<typeof networkInterfaces>;
  try {
    interfaces = networkInterfaces();
  } catch {
    return out;
  }
  for (const [name, list] of Object.entries(interfaces)) {
    const iface = name.split(':')[0] ?? name;
    for (const a of list ?? []) {
      if (a.mac === '00:00:00:00:00:00') continue;
      let d = out.get(iface);
      if (d === undefined) out.set(iface, (d = { mac: a.mac.toLowerCase(), addresses: [] }));
      const ip = canonicalIp(a.address.replace(/%.*$/, ''));
      const prefixLength = Number(a.cidr?.split('/')[1] ?? NaN);
      if (ip !== undefined && Number.isInteger(prefixLength)) d.addresses.push({ address: ip, prefixLength });
    }
  }
  return out;
}
