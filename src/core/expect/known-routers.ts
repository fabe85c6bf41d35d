/**
 * Which routers `once --peer` knows, and which advert sources it judges by them. Pure.
 *
 * A source is judged only in a scope (IPv4, IPv6 link-local, other IPv6) that a peer is written in:
 * IPv6 adverts come from a link-local address (RFC 5798 5.1.2.1; FRR's are random per macvlan), which a
 * peer list of IPv4 or global addresses does not name, so those peers say nothing about them. A
 * link-local peer (`fe80::2%eth0`) makes the link-local sources judged; its zone is not part of the
 * source. This host's own addresses are known too, but never widen what is judged.
 */
import { parseAddress } from '../base/addr.js';

export type AddressScope = 'ipv4' | 'ipv6-link-local' | 'ipv6';

export interface KnownRouters {
  /** Canonical addresses, without zone: the peers and this host's own. */
  addresses: ReadonlySet<string>;
  /** The scopes the peers are written in: sources of other scopes are not judged. */
  scopes: ReadonlySet<AddressScope>;
}

/** Nothing known: no source is judged. */
export const NO_KNOWN_ROUTERS: KnownRouters = { addresses: new Set(), scopes: new Set() };

/** An address's canonical text without zone, and its scope; undefined for text that is no address (a host name). */
export function routerAddress(text: string): { address: string; scope: AddressScope } | undefined {
  const r = parseAddress(text, 'link-local-zone');
  if ('problem' in r) return undefined;
  const percent = r.address.indexOf('%');
  const address = percent < 0 ? r.address : r.address.slice(0, percent);
  if (r.family === 'ipv4') return { address, scope: 'ipv4' };
  return { address, scope: /^fe[89ab][0-9a-f]:/.test(address) ? 'ipv6-link-local' : 'ipv6' };
}

/** What `once` knows from its peers (addresses or host names) and this host's addresses. */
export function knownRoutersOf(peers: readonly string[], local: Iterable<string>): KnownRouters {
  const addresses = new Set<string>();
  const scopes = new Set<AddressScope>();
  for (const p of peers) {
    const r = routerAddress(p);
    if (r === undefined) continue;
    addresses.add(r.address);
    scopes.add(r.scope);
  }
  if (scopes.size === 0) return NO_KNOWN_ROUTERS;
  for (const a of local) {
    const r = routerAddress(a);
    if (r !== undefined) addresses.add(r.address);
  }
  return { addresses, scopes };
}

/** Whether the advert source `address` (canonical, as decoded) is judged and unknown. */
export function unexpectedRouter(known: KnownRouters, address: string): boolean {
  if (known.scopes.size === 0 || known.addresses.has(address)) return false;
  const r = routerAddress(address);
  return r !== undefined && known.scopes.has(r.scope);
}
