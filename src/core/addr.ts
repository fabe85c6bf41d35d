/** IP addresses as text: dotted quad, and RFC 5952 canonical IPv6. */

/**
 * Recently formatted IPv4 addresses by value: a segment has few routers and addresses, and this saves
 * building (and collecting) the same strings for every packet. Bounded: cleared when it fills up.
 */
const v4Cache = new Map<number, string>();
const V4_CACHE_MAX = 4096;

export function ipv4Text(b: Uint8Array, o: number): string {
  const n = (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
  let text = v4Cache.get(n);
  if (text === undefined) {
    if (v4Cache.size >= V4_CACHE_MAX) v4Cache.clear();
    text = `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
    v4Cache.set(n, text);
  }
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
