/**
 * The fingerprint of an advert's whole address list, read from the frame's bytes: what the `addresses`
 * mismatch compares, so that a router need keep neither the list nor its text. Pure.
 */
/**
 * A fingerprint of a whole address list that does not depend on its order: the count, and the sum and
 * the xor of two hashes of each address's bytes (64 bits of hash in all). Two routers whose lists
 * differ get different fingerprints but for a chance of about 2^-64: the list itself need not be kept,
 * nor even made text. Reads `count` addresses of `size` bytes from b[from...] (the decoder's advert).
 */
export function addressesKeyOf(b: Uint8Array, from: number, count: number, size: number): string {
  let sum = 0;
  let xor = 0;
  for (let a = from; a < from + count * size; a += size) {
    // Two 32-bit FNV-1a-style hashes (different seeds and primes), in one pass over the bytes.
    let h = 0x811c9dc5;
    let g = 0x050c5d1f;
    for (let i = a; i < a + size; i++) {
      const c = b[i] ?? 0;
      h = Math.imul(h ^ c, 0x01000193);
      g = Math.imul(g ^ c, 0x5bd1e995);
    }
    sum = (sum + (h >>> 0)) >>> 0;
    xor = (xor ^ g) >>> 0;
  }
  return `${count}:${sum.toString(36)}:${xor.toString(36)}`;
}
