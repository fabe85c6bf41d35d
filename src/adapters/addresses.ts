/** The addresses this host holds now (VIPs included: keepalived adds them as secondary addresses). */
import { networkInterfaces } from 'node:os';
import { canonicalIp } from '../core/addr.js';

/** Canonical address → interface holding it (keepalived's `label eth0:1` is reported as eth0). */
export function localAddresses(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, list] of Object.entries(networkInterfaces())) {
    const iface = name.split(':')[0] ?? name;
    for (const a of list ?? []) {
      const ip = canonicalIp(a.address.replace(/%.*$/, ''));
      if (ip !== undefined && !out.has(ip)) out.set(ip, iface);
    }
  }
  return out;
}
