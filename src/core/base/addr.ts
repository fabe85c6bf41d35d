/** IP addresses as text: dotted quad, and RFC 5952 canonical IPv6; the one parser of addresses people write. */
import { interfaceNameProblem } from './names.js';
import { quote } from './quote.js';

/**
 * Recently formatted IPv4 addresses by value: a segment has few routers and addresses, and this saves
 * building (and collecting) the same strings for every packet. Direct-mapped (a slot per hash of the
 * address, the newest wins) and so bounded; the address is kept as a 32-bit integer, so a lookup
 * allocates nothing (a spoofed advert asks 255 of them).
 */
const V4_CACHE_SLOTS = 8192;
const v4Keys = new Int32Array(V4_CACHE_SLOTS);
const v4Texts: (string | undefined)[] = new Array<undefined>(V4_CACHE_SLOTS).fill(undefined);

export function ipv4Text(b: Uint8Array, o: number): string {
  const n = ((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0);
  const slot = (n ^ (n >>> 13) ^ (n >>> 26)) & (V4_CACHE_SLOTS - 1);
  const cached = v4Texts[slot];
  if (cached !== undefined && v4Keys[slot] === n) return cached;
  const text = `${(n >>> 24) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  v4Keys[slot] = n;
  v4Texts[slot] = text;
  return text;
}

export function ipv6Text(b: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(((b[o + 2 * i] ?? 0) << 8) | (b[o + 2 * i + 1] ?? 0));
  // The longest run of two or more zero groups becomes "::" (the first one on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** An address parsed from text a person wrote (config, flags, keepalived.conf), in canonical text. */
export type ParsedAddress = { family: 'ipv4' | 'ipv6'; address: string } | { problem: string };

/**
 * The one parser of addresses written by a person. IPv4 is four decimal octets without leading zeros
 * (`01.2.3.4` is octal to some tools and decimal to others, so it is refused, as glibc's inet_pton does);
 * IPv6 is RFC 4291 text, written out canonically (RFC 5952) so it matches the adverts' text. A zone
 * (`fe80::1%eth0`) is only taken when `zone` allows it and the address is link-local: a ping to a
 * link-local peer needs it, a virtual address never has one.
 */
export function parseAddress(text: string, zone: 'no-zone' | 'link-local-zone'): ParsedAddress {
  const shown = quote(text);
  const percent = text.indexOf('%');
  const bare = percent < 0 ? text : text.slice(0, percent);
  const v4 = parseIpv4(bare);
  if (v4 !== undefined && percent < 0) return { family: 'ipv4', address: ipv4Text(v4, 0) };
  const v6 = v4 === undefined ? parseIpv6(bare) : undefined;
  if (v6 === undefined) return { problem: `${shown} is not an IP address` };
  const address = ipv6Text(v6, 0);
  if (percent < 0) return { family: 'ipv6', address };
  const id = text.slice(percent + 1);
  if (zone === 'no-zone') return { problem: `${shown} has a zone ("%${id}"): only a link-local peer to ping may have one, never a virtual address` };
  if (((v6[0] ?? 0) !== 0xfe || ((v6[1] ?? 0) & 0xc0) !== 0x80)) return { problem: `${shown} has a zone, which only a link-local (fe80::/10) address may have` };
  if (interfaceNameProblem(id) !== undefined) return { problem: `${shown} does not name an interface after "%"` };
  return { family: 'ipv6', address: `${address}%${id}` };
}

/** The canonical text of an IPv4 or IPv6 address (no zone), or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const r = parseAddress(text, 'no-zone');
  return 'problem' in r ? undefined : r.address;
}

/** The bytes of an address text (4 for IPv4, 16 for IPv6, no zone), or undefined when it is not one: the text `canonicalIp` takes. */
export function addressBytes(text: string): Uint8Array | undefined {
  return parseIpv4(text) ?? parseIpv6(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}
function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  const [head = '', tail] = text.split('::');
  const words = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const items = s.split(':');
    for (const [i, item] of items.entries()) {
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(parseInt(item, 16));
      else return undefined;
    }
    return out;
  };
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  if (h === undefined || t === undefined) return undefined;
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const all = [...h, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}
