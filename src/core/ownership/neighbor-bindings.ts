/**
 * Which MACs each address was heard at, and which addresses each MAC, per interface: what ARP and NDP
 * taught (and adverts' Ethernet sources), newest first. Bounded: the binding heard longest ago is
 * forgotten first, and counted.
 */

/** MACs kept per address and addresses per MAC (a router's real and virtual MAC, a host's few addresses). */
const PER_KEY = 4;
const NONE: readonly string[] = Object.freeze([]);

export class NeighborBindings {
  readonly #max: number;
  readonly #macsOf = new Map<string, string[]>();
  readonly #ipsOf = new Map<string, string[]>();
  /** Bindings forgotten to stay within the bound. */
  evicted = 0;

  /** At most `max` addresses and `max` MACs are kept. */
  constructor(max: number) {
    this.#max = max;
  }

  bind(iface: string, ip: string, mac: string): void {
    this.#remember(this.#macsOf, `${iface}|${ip}`, mac);
    this.#remember(this.#ipsOf, `${iface}|${mac}`, ip);
  }

  macsOf(iface: string, ip: string): readonly string[] {
    return this.#macsOf.get(`${iface}|${ip}`) ?? NONE;
  }

  ipsOf(iface: string, mac: string): readonly string[] {
    return this.#ipsOf.get(`${iface}|${mac}`) ?? NONE;
  }

  #remember(map: Map<string, string[]>, key: string, value: string): void {
    const list = map.get(key);
    map.delete(key);
    map.set(key, list === undefined ? [value] : [value, ...list.filter((v) => v !== value)].slice(0, PER_KEY));
    if (map.size > this.#max) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
      this.evicted++;
    }
  }
}
