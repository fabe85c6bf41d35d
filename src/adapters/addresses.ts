/** The addresses this host holds now (VIPs included: keepalived adds them as secondary addresses). */
import { networkInterfaces } from 'node:os';
import { canonicalIp } from '../core/addr.js';

/** What the last successful read found. */
let last = new Map<string, string>();

/**
 * Canonical address → interface holding it (keepalived's `label eth0:1` is reported as eth0). When the
 * addresses cannot be read (getifaddrs fails with EMFILE when descriptors run out) the last ones read
 * stand: a moment without descriptors must not look like every VIP leaving this node.
 */
export function localAddresses(): Map<string, string> {
  let interfaces: ReturnType<typeof networkInterfaces>;
  try {
    interfaces = networkInterfaces();
  } catch {
    return last;
  }
  const out = new Map<string, string>();
  for (const [name, list] of Object.entries(interfaces)) {
    const iface = name.split(':')[0] ?? name;
    for (const a of list ?? []) {
      const ip = canonicalIp(a.address.replace(/%.*$/, ''));
      if (ip !== undefined && !out.has(ip)) out.set(ip, iface);
    }
  }
  last = out;
  return out;
}
