/**
 * The link-layer header of a captured frame: where its payload starts, its EtherType, VLAN tags, the
 * sender's MAC and whether the frame was sent by this host (Linux cooked capture says so), plus MAC
 * addresses as text. Pure and total. The VRRP and the neighbor decoder both read frames through it
 * (Ethernet with up to two tags, Linux cooked v1/v2, raw IP).
 */
/** libpcap link-layer header types (LINKTYPE_* in pcap files; DLT_* numbers where they differ). */
export const LinkType = {
  ETHERNET: 1,
  RAW: 101,
  DLT_RAW: 12,
  DLT_RAW_OPENBSD: 14,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
const MAX_VLAN_TAGS = 2;
/** ARPHRD_ETHER: the cooked header's address is an Ethernet MAC. */
const ARPHRD_ETHER = 1;
/** The cooked header's packet type for a frame this host sent (PACKET_OUTGOING). */
const PACKET_OUTGOING = 4;

export interface LinkHeader {
  etherType: number;
  /** Offset of the payload (the ARP message or IP header). */
  offset: number;
  /** VLAN ids, outermost first. */
  vlans: readonly number[];
  /** The sender's MAC as text; undefined on raw IP, or when the cooked header carries none. */
  source: string | undefined;
  /** true when this host sent the frame (cooked capture only); undefined when the link layer cannot tell. */
  outgoing: boolean | undefined;
}

const NO_VLANS: readonly number[] = Object.freeze([]);

function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

function isVlanTag(etherType: number): boolean {
  return etherType === ETHERTYPE_VLAN || etherType === 0x88a8 || etherType === 0x9100;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The six bytes at `o` as lower-case colon-separated text (02:00:00:00:0a:01). */
export function macText(b: Uint8Array, o: number): string {
  let text = HEX[b[o] ?? 0] ?? '00';
  for (let i = 1; i < 6; i++) text += `:${HEX[b[o + i] ?? 0] ?? '00'}`;
  return text;
}

/** A MAC written as six hex pairs separated by `:` or `-`, as bytes; undefined when it is not one. */
export function parseMac(text: string): Uint8Array | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** A group address (multicast or broadcast): the least significant bit of the first byte. */
export function isGroupMac(b: Uint8Array, o: number): boolean {
  return ((b[o] ?? 0) & 1) === 1;
}

/** Where the source MAC of a frame is, or -1 when it has none: the one rule readLinkHeader and sourceMacKey read. */
function sourceAt(linkType: number, b: Uint8Array): number {
  switch (linkType) {
    case LinkType.ETHERNET:
      return b.length >= 14 ? 6 : -1;
    case LinkType.LINUX_SLL:
      return b.length >= 16 && u16(b, 2) === ARPHRD_ETHER && u16(b, 4) === 6 ? 6 : -1;
    case LinkType.LINUX_SLL2:
      return b.length >= 20 && u16(b, 8) === ARPHRD_ETHER && b[11] === 6 ? 12 : -1;
    default:
      return -1;
  }
}

/**
 * The source MAC of a frame as one number (48 bits), or undefined when it has none: a comparison with
 * the last one seen that makes no string.
 */
export function sourceMacKey(linkType: number, b: Uint8Array): number | undefined {
  const at = sourceAt(linkType, b);
  if (at < 0) return undefined;
  let key = 0;
  for (let i = 0; i < 6; i++) key = key * 256 + (b[at + i] ?? 0);
  return key;
}

/** The link-layer header of a frame, or undefined when the link type is unknown or the header is cut short. */
export function readLinkHeader(linkType: number, b: Uint8Array): LinkHeader | undefined {
  let etherType: number;
  let offset: number;
  let outgoing: boolean | undefined;
  switch (linkType) {
    case LinkType.ETHERNET:
      if (b.length < 14) return undefined;
      etherType = u16(b, 12);
      offset = 14;
      break;
    case LinkType.LINUX_SLL:
      // Packet type, ARPHRD type, address length, 8 address bytes, protocol.
      if (b.length < 16) return undefined;
      etherType = u16(b, 14);
      offset = 16;
      outgoing = u16(b, 0) === PACKET_OUTGOING;
      break;
    case LinkType.LINUX_SLL2:
      // Protocol, reserved, interface index, ARPHRD type, packet type, address length, 8 address bytes.
      if (b.length < 20) return undefined;
      etherType = u16(b, 0);
      offset = 20;
      outgoing = b[10] === PACKET_OUTGOING;
      break;
    case LinkType.RAW:
    case LinkType.DLT_RAW:
    case LinkType.DLT_RAW_OPENBSD:
    case LinkType.IPV4:
    case LinkType.IPV6: {
      const v = (b[0] ?? 0) >> 4;
      etherType = v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
      offset = 0;
      break;
    }
    default:
      return undefined;
  }
  const at = sourceAt(linkType, b);
  const source = at < 0 ? undefined : macText(b, at);
  let vlans = NO_VLANS;
  while (isVlanTag(etherType)) {
    if (vlans.length === MAX_VLAN_TAGS || b.length < offset + 4) return undefined;
    vlans = [...vlans, u16(b, offset) & 0x0fff];
    etherType = u16(b, offset + 2);
    offset += 4;
  }
  return { etherType, offset, vlans, source, outgoing };
}
