/**
 * The active VIP probe, pure: the frames that ask who holds a VIP, ready for pcap injection on the
 * capture interface, and when (the rate plan). Which VIPs deserve a probe and whom it is sent as is
 * probe-policy.ts.
 *
 * - IPv4: a broadcast ARP request for the VIP, from an address of the interface on the VIP's subnet that
 *   is no VIP: a plain request that every stack answers (also hosts with arp_ignore=2, which answer only
 *   senders on their subnet). Never from a VIP: a request from the VIP would announce it at this node's
 *   MAC and move clients' traffic.
 * - IPv6: a Neighbor Solicitation to the VIP's solicited-node address from the interface's link-local
 *   address, with the source link-layer option (plain address resolution). Never from `::`, which is
 *   duplicate address detection: a host still configuring the VIP would give it up.
 * - Rate: at most one probe per VIP per round (`interval` seconds), each VIP at its own fixed offset in
 *   the round so that probes spread out, and early enough that answers (`window` seconds) arrive within
 *   the round they are judged in. N VIPs cost N / interval frames a second of 42 (ARP) or 86 (NS) bytes.
 */
import { vipId } from '../base/keys.js';
import { addressBytes } from '../base/addr.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6, ETHERTYPE_VLAN, parseMac } from '../wire/link-header.js';
import { icmpv6Checksum } from '../wire/neighbor.js';

export interface InterfaceAddress {
  address: string;
  prefixLength: number;
}

/** Ethernet header (with 802.1Q tags, outermost first) at the start of `frame`; returns the payload offset. */
function ethernet(frame: Uint8Array, dst: Uint8Array, src: Uint8Array, vlans: readonly number[], etherType: number): number {
  frame.set(dst, 0);
  frame.set(src, 6);
  let o = 12;
  for (const vlan of vlans) {
    frame.set([ETHERTYPE_VLAN >> 8, ETHERTYPE_VLAN & 0xff, (vlan >> 8) & 0x0f, vlan & 0xff], o);
    o += 4;
  }
  frame.set([etherType >> 8, etherType & 0xff], o);
  return o + 2;
}

/** A broadcast ARP request for `targetIp` from `senderMac`/`senderIp` (0.0.0.0 for an RFC 5227 probe); undefined when an argument is no address. */
export function arpRequestFrame(senderMac: string, senderIp: string, targetIp: string, vlans: readonly number[] = []): Uint8Array | undefined {
  const mac = parseMac(senderMac);
  const spa = addressBytes(senderIp);
  const tpa = addressBytes(targetIp);
  if (mac === undefined || spa?.length !== 4 || tpa?.length !== 4) return undefined;
  const frame = new Uint8Array(14 + 4 * vlans.length + 28);
  const o = ethernet(frame, new Uint8Array(6).fill(0xff), mac, vlans, ETHERTYPE_ARP);
  // Ethernet, IPv4, 6 and 4 byte addresses, request.
  frame.set([0, 1, 0x08, 0x00, 6, 4, 0, 1], o);
  frame.set(mac, o + 8);
  frame.set(spa, o + 14);
  frame.set(tpa, o + 24);
  return frame;
}

/** The solicited-node multicast address of an IPv6 address (ff02::1:ffXX:XXXX, RFC 4291). */
export function solicitedNode(target: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set([0xff, 0x02], 0);
  out.set([0x01, 0xff, target[13] ?? 0, target[14] ?? 0, target[15] ?? 0], 11);
  return out;
}

/** A Neighbor Solicitation for `target` to its solicited-node address, with the source link-layer option; undefined when an argument is no address. */
export function neighborSolicitationFrame(senderMac: string, sourceIp: string, target: string, vlans: readonly number[] = []): Uint8Array | undefined {
  const mac = parseMac(senderMac);
  const src = addressBytes(sourceIp);
  const tgt = addressBytes(target);
  if (mac === undefined || src?.length !== 16 || tgt?.length !== 16) return undefined;
  const dst = solicitedNode(tgt);
  const frame = new Uint8Array(14 + 4 * vlans.length + 40 + 32);
  const ip = ethernet(frame, Uint8Array.from([0x33, 0x33, 0xff, tgt[13] ?? 0, tgt[14] ?? 0, tgt[15] ?? 0]), mac, vlans, ETHERTYPE_IPV6);
  // Version 6, payload 32 bytes, next header ICMPv6, hop limit 255.
  frame.set([0x60, 0, 0, 0, 0, 32, 58, 255], ip);
  frame.set(src, ip + 8);
  frame.set(dst, ip + 24);
  const icmp = ip + 40;
  frame[icmp] = 135;
  frame.set(tgt, icmp + 8);
  frame.set([1, 1], icmp + 24);
  frame.set(mac, icmp + 26);
  const sum = icmpv6Checksum(frame, ip + 8, ip + 24, icmp, icmp + 32);
  frame.set([sum >> 8, sum & 0xff], icmp + 2);
  return frame;
}

export interface ProbeTarget {
  interface: string;
  vip: string;
}

export interface ProbeRate {
  /** Seconds per round: each VIP is probed at most once in it. */
  interval: number;
  /** Seconds answers are collected after a probe. */
  window: number;
}

/** Where in its round a VIP is probed: a fixed offset in [0, interval - window), from a hash of its name. */
export function probeOffset(target: ProbeTarget, rate: ProbeRate): number {
  const span = rate.interval - rate.window;
  if (span <= 0) return 0;
  let h = 0x811c9dc5;
  for (const ch of vipId(target.interface, target.vip)) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193);
  return ((h >>> 0) / 0x100000000) * span;
}

/** Which VIPs to probe when: at most one probe per VIP per round, the round missed by a late timer skipped. */
export class ProbeSchedule {
  readonly #rate: ProbeRate;
  /** interface|vip → the last round probed; VIPs no longer targeted are kept until their round is over. */
  #sent = new Map<string, number>();

  constructor(rate: ProbeRate) {
    this.#rate = rate;
  }

  /**
   * The targets due at `now` (each marked sent for its round), and when the next one is due. A due
   * target `send` refuses (the rate bound) is not marked: it is due again at the next call.
   */
  due<T extends ProbeTarget>(targets: readonly T[], now: number, send: (t: T) => boolean = () => true): { due: T[]; next: number } {
    const round = Math.floor(now / this.#rate.interval);
    const sent = new Map<string, number>();
    for (const [id, last] of this.#sent) if (last === round) sent.set(id, last);
    const due: T[] = [];
    let next = Infinity;
    for (const t of targets) {
      const id = vipId(t.interface, t.vip);
      const offset = probeOffset(t, this.#rate);
      let last = sent.get(id) ?? this.#sent.get(id);
      if (last !== round && now >= round * this.#rate.interval + offset && send(t)) {
        due.push(t);
        last = round;
      }
      if (last !== undefined) sent.set(id, last);
      next = Math.min(next, (last === round ? round + 1 : round) * this.#rate.interval + offset);
    }
    this.#sent = sent;
    return { due, next };
  }
}
