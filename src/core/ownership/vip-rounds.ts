/**
 * A tracked VIP and its probe rounds: round n is [n·round, (n+1)·round), and each round keeps the MACs
 * that answered, whether it was probed, and the VIP's groups (so their masters) while it was open.
 * VipOwners (vip-owners.ts) judges over these; here are the pieces that need no bindings.
 */
import type { ClaimKind } from '../wire/neighbor.js';
import type { Family } from '../base/keys.js';
import type { GroupOwnership, WatchedVip } from './vip-owner-types.js';

export interface MacSeen {
  first: number;
  last: number;
  kinds: Set<ClaimKind>;
}

/** Masters of a VIP's groups and their MACs (learned or virtual). */
export interface Masters {
  routers: Set<string>;
  macs: Set<string>;
  /** Some master's MAC was learned (not only assumed virtual). */
  known: boolean;
}

/** Lists of a VIP's groups a round holds before it folds them into its masters. */
export const STATES_PER_ROUND = 4;

export interface Round {
  index: number;
  macs: Map<string, MacSeen>;
  probed: boolean;
  /**
   * The VIP's groups each time the round was touched and their masters had changed (at most
   * STATES_PER_ROUND), not yet folded into `masters`. Worked out only when a judgement needs it: a VIP
   * nobody answers for (a flood of groups sharing its address) costs a reference per touch, not its
   * masters' MACs.
   */
  states: (readonly GroupOwnership[])[];
  /** Masters of the VIP's groups while the round was open, as far as folded. */
  masters: Masters | undefined;
}

export interface VipEntry {
  interface: string;
  vip: string;
  family: Family;
  groups: GroupOwnership[];
  /** Oldest first, at most confirmRounds + 1. */
  rounds: Round[];
  lastAnnounce: number;
  watch: WatchedVip | undefined;
  /** When each MAC answering now began answering. */
  since: Map<string, number>;
  /** The last closed round followed for owner changes, the MAC that answered alone last, the changes counted. */
  followed: number;
  alone: string | undefined;
  changes: number;
}

export function newEntry(iface: string, vip: string, watch: WatchedVip | undefined): VipEntry {
  return { interface: iface, vip, family: vip.includes(':') ? 'ipv6' : 'ipv4', groups: [], rounds: [], lastAnnounce: -Infinity, watch, since: new Map(), followed: -Infinity, alone: undefined, changes: 0 };
}

/**
 * The round of `index`, made when missing (the entry then keeps the newest `confirmRounds` + 1);
 * undefined when older than those kept.
 */
export function roundAt(entry: VipEntry, index: number, confirmRounds: number): Round | undefined {
  let round = entry.rounds.find((r) => r.index === index);
  if (round === undefined) {
    const newest = entry.rounds[entry.rounds.length - 1];
    if (newest !== undefined && index < newest.index - confirmRounds) return undefined;
    round = { index, macs: new Map(), probed: false, states: [], masters: undefined };
    entry.rounds = [...entry.rounds, round].sort((a, b) => a.index - b.index);
    const keep = entry.rounds[entry.rounds.length - 1]?.index ?? index;
    entry.rounds = entry.rounds.filter((r) => r.index >= keep - confirmRounds);
  }
  return round;
}

/** Whether two lists of a VIP's groups name the same groups with the same masters (made anew at every judgement). */
export function sameMasters(a: readonly GroupOwnership[], b: readonly GroupOwnership[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as GroupOwnership;
    const y = b[i] as GroupOwnership;
    if (x.key.vrid !== y.key.vrid || x.key.family !== y.key.family || x.masters.length !== y.masters.length) return false;
    if (x.masters === y.masters) continue;
    for (let k = 0; k < x.masters.length; k++) if (x.masters[k] !== y.masters[k]) return false;
  }
  return true;
}

/** Whether the round had a master (without working out their MACs). */
export function hadMaster(round: Round): boolean {
  if (round.masters !== undefined && round.masters.routers.size > 0) return true;
  return round.states.some((groups) => groups.some((g) => g.masters.length > 0));
}

/** The `count` rounds closed before round `current`, all of them or none (a round nothing touched was not watched). */
export function closedRounds(entry: VipEntry, current: number, count: number): Round[] {
  const whole: Round[] = [];
  for (let i = current - count; i < current; i++) {
    const r = entry.rounds.find((x) => x.index === i);
    if (r === undefined) return [];
    whole.push(r);
  }
  return whole;
}

/** The MACs that answered in round `current` or the one before, merged. */
export function recentMacs(entry: VipEntry, current: number): Map<string, MacSeen> {
  const recent = new Map<string, MacSeen>();
  for (const r of entry.rounds) {
    if (r.index < current - 1 || r.index > current) continue;
    for (const [mac, seen] of r.macs) {
      const o = recent.get(mac);
      if (o === undefined) recent.set(mac, { first: seen.first, last: seen.last, kinds: new Set(seen.kinds) });
      else {
        o.first = Math.min(o.first, seen.first);
        o.last = Math.max(o.last, seen.last);
        for (const k of seen.kinds) o.kinds.add(k);
      }
    }
  }
  return recent;
}

/**
 * Follows the MAC answering alone through the rounds closed since the last judgement: another MAC
 * answering alone in a later round is an owner change (rounds with two owners or none change nothing).
 * Gives the changes found, each with the index of the round it happened in.
 */
export function followOwner(entry: VipEntry, current: number): { from: string; to: string; round: number }[] {
  const changes: { from: string; to: string; round: number }[] = [];
  for (const r of entry.rounds) {
    if (r.index >= current || r.index <= entry.followed) continue;
    entry.followed = r.index;
    if (r.macs.size !== 1) continue;
    const mac = r.macs.keys().next().value as string;
    if (entry.alone !== undefined && entry.alone !== mac) {
      entry.changes++;
      changes.push({ from: entry.alone, to: mac, round: r.index });
    }
    entry.alone = mac;
  }
  return changes;
}
