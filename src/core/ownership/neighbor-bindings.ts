/**
 * Which MACs each address was heard at, and which addresses each MAC, per interface, newest first: one
 * table for what ARP and NDP taught, another for adverts' Ethernet sources. Bounded: the binding heard
 * longest ago is forgotten first, and counted, except one `keep` says to keep (the routers of expected
 * groups) while another is among the oldest few.
 */

/** MACs kept per address and addresses per MAC (a router's real and virtual MAC, a host's few addresses). */
const PER_KEY = 4;
const NONE: readonly string[] = Object.freeze([]);
/** How many of the oldest bindings an eviction looks through for one not kept. */
const EVICTION_SCAN = 64;

export class NeighborBindings {
  readonly #max: number;
  readonly #macsOf = new Map<string, string[]>();
  readonly #ipsOf = new Map<string, string[]>();
  /** Bindings forgotten to stay within the bound. */
  evicted = 0;

  /** At most `max` addresses and `max` MACs are kept; `keep(iface, ip)`: a binding of that address to evict last. */
  constructor(
    max: number,
    private readonly keep: (iface: string, ip: string) => boolean = () => false,
  ) {
    this.#max = max;
  }

  /** Whether `ip` is bound to `mac` on `iface` already. */
  has(iface: string, ip: string, mac: string): boolean {
    return this.macsOf(iface, ip).includes(mac);
  }

  bind(iface: string, ip: string, mac: string): void {
    this.#remember(this.#macsOf, `${iface}|${ip}`, mac, (key) => this.keep(iface, key.slice(key.indexOf('|') + 1)));
    this.#remember(this.#ipsOf, `${iface}|${mac}`, ip, (key, ips) => ips.some((a) => this.keep(key.slice(0, key.indexOf('|')), a)));
  }

  macsOf(iface: string, ip: string): readonly string[] {
    return this.#macsOf.get(`${iface}|${ip}`) ?? NONE;
  }

  ipsOf(iface: string, mac: string): readonly string[] {
    return this.#ipsOf.get(`${iface}|${mac}`) ?? NONE;
  }

  #remember(map: Map<string, string[]>, key: string, value: string, kept: (key: string, values: readonly string[]) => boolean): void {
    const list = map.get(key);
    map.delete(key);
    map.set(key, list === undefined ? [value] : [value, ...list.filter((v) => v !== value)].slice(0, PER_KEY));
    if (map.size <= this.#max) return;
    let victim: string | undefined;
    let scanned = 0;
    for (const [k, values] of map) {
      victim ??= k;
      if (!kept(k, values)) {
        victim = k;
        break;
      }
      if (++scanned >= EVICTION_SCAN) break;
    }
    if (victim !== undefined) map.delete(victim);
    this.evicted++;
  }
}
