/**
 * The remembering decoder: a master repeats the same advertisement bytes every interval, so the last
 * accepted advert of each IPv4 router and VRID is kept and recognised again without decoding it anew.
 * Anything it does not remember goes to decodeFrame (decode.ts). Pure and bounded like decodeFrame.
 */
import { decodeFrame, ETH_IPV4, MAX_ADDRESSES, PROTO_VRRP } from './decode.js';
import { LinkType } from './link-header.js';
import type { Decoded } from './types.js';

const MAX_VLAN_TAGS = 2;

/** What the Decoder keeps of an accepted advertisement, to recognise the same bytes again. */
interface Remembered {
  /** IP total length, TTL, and the length of the link type field with any tags before it. */
  total: number;
  ttl: number;
  linkLength: number;
  /**
   * Copies, in words as `isRemembered` reads them: the link type field and tags in 16-bit words, then
   * source, destination and the IP payload in 32-bit words and the last 0-3 bytes one by one.
   */
  words: Int32Array;
  decoded: Decoded;
  /** Estimated heap bytes of this entry (its copy, the advert and its address texts). */
  bytes: number;
}

/**
 * Most bytes the Decoder's remembered adverts may take (by their estimate): 65,536 adverts of 255
 * addresses each would hold some 700 MB. Beyond it a new advert is remembered only in place of one at
 * least as large, so a flood of long adverts costs decoding, not memory.
 */
export const DECODER_MAX_BYTES = 4 * 2 ** 20;

/**
 * A decoder that remembers the last advertisement of each IPv4 router and VRID (and VLAN). VRRP has no
 * sequence number, so a master repeats the same bytes every interval: when the link type field and tags,
 * the message, destination and TTL match the remembered ones, the remembered (immutable) result is
 * returned without verifying the checksum or formatting addresses again. Bounded; pure like
 * decodeFrame. What it keeps is copied: the caller may reuse its buffer (libpcap does), and should pass
 * the same buffer with an offset rather than a new view per frame.
 */
export class Decoder {
  /**
   * Indexed by the source's last byte, the VRID and the tags, two ways (a slot and its neighbour); a
   * frame found in neither is just decoded afresh.
   */
  readonly #slots: (Remembered | undefined)[] = new Array<undefined>(65536).fill(undefined);
  /** The remembered entries' estimated size in bytes, at most DECODER_MAX_BYTES. */
  bytes = 0;
  #viewOf: Uint8Array | undefined;
  #view: DataView = new DataView(new ArrayBuffer(0));

  /**
   * `addressTexts`: how many of an advert's addresses to make text (see decodeFrame). The live
   * pipeline asks for those the tables keep (ADVERT_VIPS_KEPT): a flood of 255-address adverts then
   * costs 64 strings each, not 255.
   */
  constructor(readonly addressTexts = MAX_ADDRESSES) {}

  /** Decodes the frame in b[offset, offset + length) (the whole of `b` by default). */
  decode(linkType: number, b: Uint8Array, offset = 0, length = b.length - offset): Decoded {
    if (b !== this.#viewOf) {
      this.#view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      this.#viewOf = b;
    }
    const view = this.#view;
    const at = plainIpv4VrrpAt(linkType, b, view, offset, length);
    if (at < 0) return decodeFrame(linkType, frameOf(b, offset, length), this.addressTexts);
    // The link header's type field, with any VLAN tags before it.
    const linkFrom = offset + (linkType === LinkType.ETHERNET ? 12 : 14);
    const linkLength = at - linkFrom;
    const total = view.getUint16(at + 2);
    const slot = slotOf(b, linkFrom, at);
    const hit = this.#slots[slot];
    if (offset + length >= at + total) {
      if (isRemembered(hit, b, view, linkFrom, at, total)) return hit.decoded;
      const other = this.#slots[slot ^ 1];
      if (isRemembered(other, b, view, linkFrom, at, total)) return other.decoded;
    }
    const decoded = decodeFrame(linkType, frameOf(b, offset, length), this.addressTexts);
    // An accepted advert implies a whole IPv4 packet of `total` bytes with a 20-byte header. One signed
    // with auth_hmac is never repeated (its clock and counter move): it is not remembered.
    if (decoded.kind === 'advert' && decoded.advert.hmac === undefined) {
      const bytes = 256 + 4 * (linkLength / 2 + (total - 12) / 4) + 32 * decoded.advert.addresses.length;
      // What the two ways would drop: the neighbour, replaced by what is in the slot now.
      const gone = hit === undefined ? undefined : this.#slots[slot ^ 1];
      const dropped = gone?.bytes ?? 0;
      if (this.bytes - dropped + bytes > DECODER_MAX_BYTES) return decoded;
      this.bytes += bytes - dropped;
      // The copy of the entry it drops serves again when long enough (isRemembered reads only what the
      // frame has): a flood of adverts that never repeat soon then costs no new buffer each.
      const need = linkLength / 2 + Math.ceil((total - 12) / 4) + 3;
      const words = gone !== undefined && gone.words.length >= need ? gone.words : new Int32Array(need);
      let k = 0;
      for (let i = linkFrom; i < at; i += 2) words[k++] = view.getUint16(i);
      let i = at + 12;
      for (; i + 4 <= at + total; i += 4) words[k++] = view.getInt32(i);
      for (; i < at + total; i++) words[k++] = b[i] ?? 0;
      // Two ways: what was in the slot moves to its neighbour, so two frames that share a slot both stay.
      if (hit !== undefined) this.#slots[slot ^ 1] = hit;
      this.#slots[slot] = { total, ttl: b[at + 8] ?? 0, linkLength, words, decoded, bytes };
    }
    return decoded;
  }
}

/**
 * The slot of a frame: the source's last byte and the VRID, mixed with the VLAN tags when there are
 * any (so that the same routers and VRIDs on several VLANs spread over the table instead of colliding).
 */
function slotOf(b: Uint8Array, linkFrom: number, at: number): number {
  const key = ((b[at + 15] ?? 0) << 8) | (b[at + 21] ?? 0);
  if (linkFrom === at - 2) return key;
  let h = key;
  for (let i = linkFrom; i < at - 2; i++) h = Math.imul(h ^ (b[i] ?? 0), 0x01000193);
  // MurmurHash3's finaliser: every input bit reaches the low 16 bits.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0xffff;
}

/**
 * Whether `r` remembers this frame: the same IP length and TTL, and the same link type field and tags,
 * addresses and payload word for word. The caller has checked that the frame holds `total` IP bytes.
 */
function isRemembered(r: Remembered | undefined, b: Uint8Array, view: DataView, linkFrom: number, at: number, total: number): r is Remembered {
  if (r === undefined || r.total !== total || r.ttl !== b[at + 8] || r.linkLength !== at - linkFrom) return false;
  const words = r.words;
  let k = 0;
  for (let i = linkFrom; i < at; i += 2) if (words[k++] !== view.getUint16(i)) return false;
  let i = at + 12;
  for (; i + 4 <= at + total; i += 4) if (words[k++] !== view.getInt32(i)) return false;
  for (; i < at + total; i++) if (words[k++] !== b[i]) return false;
  return true;
}

function frameOf(b: Uint8Array, offset: number, length: number): Uint8Array {
  return offset === 0 && length === b.length ? b : b.subarray(offset, offset + length);
}

function isVlanTag(etherType: number): boolean {
  return etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100;
}

/**
 * Offset in `b` of an IPv4 header carrying protocol 112 directly (after up to two VLAN tags on
 * Ethernet), or -1 (then no shortcut). Every DataView read is checked to lie inside the frame first
 * (DataView throws where an index read would give undefined).
 */
function plainIpv4VrrpAt(linkType: number, b: Uint8Array, view: DataView, o: number, length: number): number {
  if (o < 0 || o + length > b.length) return -1;
  let at: number;
  if (linkType === LinkType.ETHERNET) {
    if (length < 14 + 22) return -1;
    at = o + 14;
    let type = view.getUint16(o + 12);
    for (let tags = 0; tags < MAX_VLAN_TAGS && isVlanTag(type) && o + length >= at + 4 + 22; tags++) {
      type = view.getUint16(at + 2);
      at += 4;
    }
    if (type !== ETH_IPV4) return -1;
  } else if (linkType === LinkType.LINUX_SLL && length >= 16 + 22 && b[o + 14] === 0x08 && b[o + 15] === 0x00) {
    at = o + 16;
  } else {
    return -1;
  }
  if (b[at] !== 0x45 || b[at + 9] !== PROTO_VRRP || o + length < at + 22) return -1;
  return (view.getUint16(at + 6) & 0x3fff) === 0 ? at : -1;
}
