/**
 * What the active VIP probe may ask for, pure: which VIPs deserve a probe, whom each is sent as, and
 * the bound on its traffic. Adverts are not authenticated, so what they list is a wish, never an order:
 * - a target is a unicast address. Unspecified, loopback, multicast, broadcast (limited or the subnet's),
 *   the subnet's network address and IPv4 link-local (169.254/16) are never probed;
 * - a VIP learned from adverts is probed only when it is on-link: inside a prefix of the capture
 *   interface (IPv6 link-local fe80::/10 always is). An expected VIP (YAML groups, keepalived.conf,
 *   `--vip`) is probed wherever it is: the operator named it;
 * - this host's own addresses are never probed, unless they are expected VIPs (a node holding its VIP
 *   asks who else answers for it: in a split, the other node does);
 * - an ARP probe is sent from an address of the interface on the VIP's subnet that is no expected VIP,
 *   preferring one that no advert lists (a spoofed advert listing this host's address cannot move the
 *   probe off it). 0.0.0.0 (an RFC 5227 probe, which a host doing duplicate address detection takes as
 *   a conflict) only for an expected VIP with no subnet on the interface; an on-subnet VIP without such
 *   an address is not probed. A Neighbor Solicitation is sent from the interface's link-local address;
 * - expected VIPs first; VIPs learned only from adverts of unexpected groups get `learnedMax` places,
 *   held by those heard longest, and only while one of their groups has a master (a spoofer's groups
 *   lose theirs within three advert intervals of the last spoofed advert, not at group expiry);
 * - all probes together send at most `framesPerSecond` frames a second (a token bucket holding one
 *   second's worth), whatever the adverts say.
 */
import { addressBytes } from '../base/addr.js';
import type { InterfaceAddress } from './probe.js';

/** Why a VIP was not probed (the `reason` label of vrrpwatch_vip_probes_skipped_total). */
export type ProbeSkip =
  | 'unspecified'
  | 'loopback'
  | 'multicast'
  | 'broadcast'
  | 'network_address'
  | 'link_local'
  | 'own_address'
  | 'off_link'
  | 'no_source'
  | 'learned_budget'
  | 'rate';

export const PROBE_SKIPS: readonly ProbeSkip[] = [
  'unspecified',
  'loopback',
  'multicast',
  'broadcast',
  'network_address',
  'link_local',
  'own_address',
  'off_link',
  'no_source',
  'learned_budget',
  'rate',
];

/** A VIP the probe may ask for: `expected` when configured (not only learned from adverts). */
export interface ProbeCandidate {
  interface: string;
  vip: string;
  expected: boolean;
}

/** What a probe for one VIP is sent as, or why it is not sent. */
export type ProbeDecision = { sender: string } | { skip: ProbeSkip };

/** What the decision reads of this host: the interface's addresses, and the VIPs known now. */
export interface ProbeContext {
  /** The capture interface's addresses with their prefix lengths. */
  addresses: readonly InterfaceAddress[];
  /** Every address this host holds (canonical text). */
  own: ReadonlySet<string> | ReadonlyMap<string, unknown>;
  /** Expected VIPs: never a sender. */
  expectedVips: ReadonlySet<string>;
  /** VIPs any advert lists: a sender only when nothing else is left. */
  advertisedVips: ReadonlySet<string>;
}

function v4(b: Uint8Array): number {
  return (((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0;
}

function v4Mask(prefixLength: number): number {
  return prefixLength <= 0 ? 0 : (0xffffffff << (32 - Math.min(32, prefixLength))) >>> 0;
}

/** Whether `target` is inside the prefix of `a` (same family). */
function inPrefix(target: Uint8Array, a: InterfaceAddress): boolean {
  const own = addressBytes(a.address);
  if (own === undefined || own.length !== target.length || a.prefixLength < 0 || a.prefixLength > own.length * 8) return false;
  let bits = a.prefixLength;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((((own[i] ?? 0) ^ (target[i] ?? 0)) & mask) !== 0) return false;
  }
  return true;
}

/** The class of an address that no probe may target, or undefined for a unicast address. */
export function forbiddenTarget(bytes: Uint8Array): ProbeSkip | undefined {
  if (bytes.length === 4) {
    const first = bytes[0] ?? 0;
    if (first === 0) return 'unspecified';
    if (first === 127) return 'loopback';
    if (first >= 224 && first <= 239) return 'multicast';
    if (first >= 240) return 'broadcast';
    if (first === 169 && bytes[1] === 254) return 'link_local';
    return undefined;
  }
  if (bytes.every((b) => b === 0)) return 'unspecified';
  if (bytes[0] === 0xff) return 'multicast';
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'loopback';
  return undefined;
}

/** The network or broadcast address of an IPv4 prefix of the interface that holds `target`, if it is one. */
function subnetEdge(target: number, addresses: readonly InterfaceAddress[]): ProbeSkip | undefined {
  for (const a of addresses) {
    const own = addressBytes(a.address);
    if (own?.length !== 4 || a.prefixLength > 30 || a.prefixLength < 1) continue;
    const mask = v4Mask(a.prefixLength);
    if (((v4(own) ^ target) & mask) !== 0) continue;
    if ((target & ~mask) >>> 0 === 0) return 'network_address';
    if ((target | mask) >>> 0 === 0xffffffff) return 'broadcast';
  }
  return undefined;
}

/** Whether and as whom to probe `c` on an interface with `ctx.addresses` (see the opening comment). */
export function decideProbe(c: ProbeCandidate, ctx: ProbeContext): ProbeDecision {
  const target = addressBytes(c.vip);
  if (target === undefined) return { skip: 'unspecified' };
  const forbidden = forbiddenTarget(target);
  if (forbidden !== undefined && !(forbidden === 'link_local' && c.expected)) return { skip: forbidden };
  if (ctx.own.has(c.vip) && !(c.expected && ctx.expectedVips.has(c.vip))) return { skip: 'own_address' };
  if (target.length === 16) {
    let linkLocal: string | undefined;
    for (const a of ctx.addresses) {
      const b = addressBytes(a.address);
      if (b?.length === 16 && b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80) {
        linkLocal = a.address;
        break;
      }
    }
    const onLink = (target[0] === 0xfe && ((target[1] ?? 0) & 0xc0) === 0x80) || ctx.addresses.some((a) => inPrefix(target, a));
    if (!onLink && !c.expected) return { skip: 'off_link' };
    return linkLocal === undefined ? { skip: 'no_source' } : { sender: linkLocal };
  }
  const edge = subnetEdge(v4(target), ctx.addresses);
  if (edge !== undefined) return { skip: edge };
  const onSubnet = ctx.addresses.filter((a) => a.address !== c.vip && inPrefix(target, a));
  if (onSubnet.length === 0) return c.expected ? { sender: '0.0.0.0' } : { skip: 'off_link' };
  const senders = onSubnet.filter((a) => !ctx.expectedVips.has(a.address));
  const sender = senders.find((a) => !ctx.advertisedVips.has(a.address)) ?? senders[0];
  return sender === undefined ? { skip: 'no_source' } : { sender: sender.address };
}

/** What the target list is made of: each VIP watched, whether expected, whether a group of it has a master. */
export interface WatchedVip {
  interface: string;
  vip: string;
  expected: boolean;
  hasMaster: boolean;
}

/**
 * The VIPs to probe, expected ones first, then at most `learnedMax` learned ones with a master now, in
 * the order given (VIP ownership lists them oldest first); `budgetSkipped` counts those left out.
 */
export function probeCandidates(vips: readonly WatchedVip[], learnedMax: number): { candidates: ProbeCandidate[]; budgetSkipped: ProbeCandidate[] } {
  const candidates: ProbeCandidate[] = [];
  const learned: ProbeCandidate[] = [];
  const budgetSkipped: ProbeCandidate[] = [];
  for (const v of vips) {
    if (v.expected) candidates.push({ interface: v.interface, vip: v.vip, expected: true });
    else if (!v.hasMaster) continue;
    else if (learned.length < learnedMax) learned.push({ interface: v.interface, vip: v.vip, expected: false });
    else budgetSkipped.push({ interface: v.interface, vip: v.vip, expected: false });
  }
  return { candidates: [...candidates, ...learned], budgetSkipped };
}

/** The bound on all probe frames together: `perSecond` a second, at most a second's worth at once. */
export class ProbeBudget {
  #tokens: number;
  #at: number | undefined;

  constructor(private readonly perSecond: number) {
    this.#tokens = perSecond;
  }

  /** Takes one frame's token at `now`; false when the bound is reached. */
  take(now: number): boolean {
    if (this.#at !== undefined && now > this.#at) this.#tokens = Math.min(this.perSecond, this.#tokens + (now - this.#at) * this.perSecond);
    if (this.#at === undefined || now > this.#at) this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
