/**
 * Frame bytes → ARP message (RFC 826, RFC 5227 probes and announcements) or IPv6 Neighbor
 * Solicitation/Advertisement (RFC 4861), or a rejection with a reason. Pure and total: no input
 * throws. Also the one mapping from a decoded message to the address claim it makes (who says an
 * address is at which MAC), which feeds VIP ownership.
 *
 * Validity follows what receivers enforce, so that a message counted here is one a client would have
 * believed: ARP over Ethernet for IPv4 only, no multicast or broadcast sender; NDP with hop limit 255,
 * code 0, a good ICMPv6 checksum, well-formed options, a unicast target, and the RFC 4861 rules for
 * DAD solicitations and multicast advertisements.
 */
import { ipv4Text, ipv6Text } from '../base/addr.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6, isGroupMac, macText, readLinkHeader } from './link-header.js';

export const NEIGHBOR_INVALID_REASONS = [
  'truncated',
  'bad_hardware_type',
  'bad_protocol_type',
  'bad_opcode',
  'bad_sender',
  'multicast_target',
  'fragmented',
  'bad_hop_limit',
  'bad_code',
  'bad_checksum',
  'bad_length',
  'bad_option',
  'bad_dad',
  'bad_flags',
] as const;
export type NeighborInvalidReason = (typeof NEIGHBOR_INVALID_REASONS)[number];

export interface ArpMessage {
  protocol: 'arp';
  op: 'request' | 'reply';
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
  /** Sender and target IP are the same (and not 0.0.0.0): an announcement, request or reply. */
  gratuitous: boolean;
  /** A request from 0.0.0.0 (RFC 5227 probe): asks who has the target without claiming any address. */
  probe: boolean;
}

export interface NdpMessage {
  protocol: 'ndp';
  type: 'solicitation' | 'advertisement';
  src: string;
  dst: string;
  target: string;
  /** The source (NS) or target (NA) link-layer address option; undefined when absent. */
  linkAddress: string | undefined;
  /** NA flags (false on an NS). */
  router: boolean;
  solicited: boolean;
  override: boolean;
  /** An NS from the unspecified address: duplicate address detection for `target`. */
  dad: boolean;
}

export type NeighborMessage = ArpMessage | NdpMessage;

export interface LinkInfo {
  vlans: readonly number[];
  /** The frame's source MAC, when the link layer has one. */
  source: string | undefined;
  /** true when this host sent the frame (Linux cooked capture only). */
  outgoing: boolean | undefined;
}

export type NeighborDecoded =
  | { kind: 'neighbor'; message: NeighborMessage; link: LinkInfo }
  | { kind: 'invalid'; reason: NeighborInvalidReason; protocol: 'arp' | 'ndp'; link: LinkInfo }
  /** Neither ARP nor an ICMPv6 Neighbor Solicitation/Advertisement. */
  | { kind: 'other' };

const OTHER: NeighborDecoded = { kind: 'other' };
const ARP_LENGTH = 28;
const ICMPV6 = 58;
const NS = 135;
const NA = 136;
const NDP_MIN_LENGTH = 24;
const OPTION_SOURCE_LINK = 1;
const OPTION_TARGET_LINK = 2;
const IPV6_SKIPPABLE = new Set([0, 43, 60]);
const IPV6_FRAGMENT = 44;

function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

export function decodeNeighbor(linkType: number, b: Uint8Array): NeighborDecoded {
  const header = readLinkHeader(linkType, b);
  if (header === undefined) return OTHER;
  const link: LinkInfo = { vlans: header.vlans, source: header.source, outgoing: header.outgoing };
  if (header.etherType === ETHERTYPE_ARP) return arp(b, header.offset, link);
  if (header.etherType === ETHERTYPE_IPV6) return ndp(b, header.offset, link);
  return OTHER;
}

function arp(b: Uint8Array, o: number, link: LinkInfo): NeighborDecoded {
  const invalid = (reason: NeighborInvalidReason): NeighborDecoded => ({ kind: 'invalid', reason, protocol: 'arp', link });
  if (b.length < o + 8) return invalid('truncated');
  const hardware = u16(b, o);
  // 1 Ethernet, 6 IEEE 802 (Linux accepts both on Ethernet devices).
  if ((hardware !== 1 && hardware !== 6) || b[o + 4] !== 6) return invalid('bad_hardware_type');
  if (u16(b, o + 2) !== 0x0800 || b[o + 5] !== 4) return invalid('bad_protocol_type');
  const opcode = u16(b, o + 6);
  if (opcode !== 1 && opcode !== 2) return invalid('bad_opcode');
  if (b.length < o + ARP_LENGTH) return invalid('truncated');
  const spa = o + 14;
  const tpa = o + 24;
  const senderFirst = b[spa] ?? 0;
  if (isGroupMac(b, o + 8) || (senderFirst >= 224 && senderFirst <= 239) || isAllOnes(b, spa, 4)) return invalid('bad_sender');
  const targetFirst = b[tpa] ?? 0;
  if (targetFirst >= 224 && targetFirst <= 239) return invalid('multicast_target');
  const senderIp = ipv4Text(b, spa);
  const targetIp = ipv4Text(b, tpa);
  const message: ArpMessage = {
    protocol: 'arp',
    op: opcode === 1 ? 'request' : 'reply',
    senderMac: macText(b, o + 8),
    senderIp,
    targetMac: macText(b, o + 18),
    targetIp,
    gratuitous: senderIp === targetIp && senderIp !== '0.0.0.0',
    probe: opcode === 1 && senderIp === '0.0.0.0',
  };
  return { kind: 'neighbor', message, link };
}

function isAllOnes(b: Uint8Array, o: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[o + i] !== 0xff) return false;
  return true;
}

function isZero(b: Uint8Array, o: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[o + i] !== 0) return false;
  return true;
}

/** The ICMPv6 checksum over the pseudo-header (source, destination, length, next header) and message. */
export function icmpv6Checksum(b: Uint8Array, srcAt: number, dstAt: number, from: number, to: number): number {
  let sum = 0;
  const add = (start: number, end: number): void => {
    let i = start;
    for (; i + 1 < end; i += 2) sum += ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
    if (i < end) sum += (b[i] ?? 0) << 8;
  };
  add(srcAt, srcAt + 16);
  add(dstAt, dstAt + 16);
  const length = to - from;
  sum += (length >>> 16) + (length & 0xffff) + ICMPV6;
  add(from, to);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ndp(b: Uint8Array, o: number, link: LinkInfo): NeighborDecoded {
  if (b.length < o + 40 || (b[o] ?? 0) >> 4 !== 6) return OTHER;
  const end = o + 40 + u16(b, o + 4);
  let next = b[o + 6] ?? 0;
  let p = o + 40;
  let fragmented = false;
  // A bounded walk of the extension header chain, so a crafted loop cannot spin.
  for (let steps = 0; steps < 16 && next !== ICMPV6; steps++) {
    if (p + 8 > b.length) return OTHER;
    if (next === IPV6_FRAGMENT) fragmented = true;
    else if (!IPV6_SKIPPABLE.has(next)) return OTHER;
    const length = next === IPV6_FRAGMENT ? 8 : ((b[p + 1] ?? 0) + 1) * 8;
    next = b[p] ?? 0;
    p += length;
  }
  if (next !== ICMPV6 || p >= b.length) return OTHER;
  const type = b[p] ?? 0;
  if (type !== NS && type !== NA) return OTHER;
  const invalid = (reason: NeighborInvalidReason): NeighborDecoded => ({ kind: 'invalid', reason, protocol: 'ndp', link });
  if (fragmented) return invalid('fragmented');
  if (end > b.length || p > end) return invalid('truncated');
  if (b[o + 7] !== 255) return invalid('bad_hop_limit');
  if (b[p + 1] !== 0) return invalid('bad_code');
  if (end - p < NDP_MIN_LENGTH) return invalid('bad_length');
  if (icmpv6Checksum(b, o + 8, o + 24, p, end) !== 0) return invalid('bad_checksum');
  const target = p + 8;
  if (b[target] === 0xff) return invalid('multicast_target');
  // Options: type, length in units of 8 bytes (never 0), value.
  let linkAddress: string | undefined;
  const wanted = type === NS ? OPTION_SOURCE_LINK : OPTION_TARGET_LINK;
  for (let q = p + NDP_MIN_LENGTH; q < end; ) {
    const length = (b[q + 1] ?? 0) * 8;
    if (q + 2 > end || length === 0 || q + length > end) return invalid('bad_option');
    if (b[q] === wanted && length >= 8) linkAddress = macText(b, q + 2);
    q += length;
  }
  const src = o + 8;
  const dst = o + 24;
  const dstMulticast = b[dst] === 0xff;
  const flags = type === NA ? (b[p + 4] ?? 0) : 0;
  const dad = type === NS && isZero(b, src, 16);
  // RFC 4861 7.1.1: a DAD solicitation goes to a solicited-node address and carries no source link address.
  if (dad && (linkAddress !== undefined || !isSolicitedNode(b, dst))) return invalid('bad_dad');
  // RFC 4861 7.1.2: an advertisement to a multicast address cannot be solicited.
  if (type === NA && dstMulticast && (flags & 0x40) !== 0) return invalid('bad_flags');
  const message: NdpMessage = {
    protocol: 'ndp',
    type: type === NS ? 'solicitation' : 'advertisement',
    src: ipv6Text(b, src),
    dst: ipv6Text(b, dst),
    target: ipv6Text(b, target),
    linkAddress,
    router: (flags & 0x80) !== 0,
    solicited: (flags & 0x40) !== 0,
    override: (flags & 0x20) !== 0,
    dad,
  };
  return { kind: 'neighbor', message, link };
}

/** ff02::1:ffXX:XXXX */
function isSolicitedNode(b: Uint8Array, o: number): boolean {
  return b[o] === 0xff && b[o + 1] === 0x02 && isZero(b, o + 2, 9) && b[o + 11] === 1 && b[o + 12] === 0xff;
}

/** How an address claim was made: by whom it was heard answering or announcing, or held by this node. */
export type ClaimKind = 'reply' | 'request' | 'garp' | 'na' | 'unsolicited_na' | 'ns' | 'local';

/** Claims that announce an address unasked (what a new master sends on taking over). */
export function isAnnouncement(kind: ClaimKind): boolean {
  return kind === 'garp' || kind === 'unsolicited_na';
}

export interface AddressClaim {
  ip: string;
  mac: string;
  kind: ClaimKind;
}

/**
 * The address a message says is at a MAC, as a client would learn it: an ARP reply or request for its
 * sender, an advertisement for its target (at the target link-layer option, or the frame's source
 * when a unicast reply leaves the option out), a solicitation for its source. Probes and DAD claim
 * nothing. Undefined when the message claims no address.
 */
export function claimOf(message: NeighborMessage, link: LinkInfo): AddressClaim | undefined {
  if (message.protocol === 'arp') {
    if (message.probe || message.senderIp === '0.0.0.0') return undefined;
    const kind: ClaimKind = message.gratuitous ? 'garp' : message.op;
    return { ip: message.senderIp, mac: message.senderMac, kind };
  }
  if (message.type === 'advertisement') {
    const mac = message.linkAddress ?? link.source;
    if (mac === undefined) return undefined;
    return { ip: message.target, mac, kind: message.solicited ? 'na' : 'unsolicited_na' };
  }
  if (message.dad || message.linkAddress === undefined) return undefined;
  return { ip: message.src, mac: message.linkAddress, kind: 'ns' };
}
