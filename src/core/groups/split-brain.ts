/**
 * The split-brain rule of a VRRP group. Two or more routers counting as master at once (isMaster in
 * judge.ts) are an overlap. A preempted master stops within one interval, so an overlap alone is a
 * normal takeover; it is a split-brain when at least two masters each send SPLIT_ADVERTS adverts during
 * it. The split begins at the overlap's start (its onset) and is judged at the advert that completes
 * the evidence; it ends when one master or none is left. Its likely cause is what the routers disagree
 * on (likelySplitCause).
 *
 * The other forms are judged where their evidence lives: across VRIDs, another group's master
 * advertising this group's VIP (vips.ts); on this node, keepalived here MASTER while another router
 * advertises as master and this node's adverts are not seen (node/node.ts); on the wire, two MACs
 * answering ARP/NDP for one VIP (ownership/vip-owners.ts). The finding split_brain takes the group's
 * split and the node's (findings/finding-kinds.ts).
 */
import type { EventSink, GroupState, MismatchField, RouterState } from './types.js';

/**
 * Adverts each of two routers must send while both count as master before it is a split-brain. A
 * preempted master stops within one interval (it sends at most one or two while the winner starts),
 * while in a real split both keep going: three each is judged within about three intervals.
 */
export const SPLIT_ADVERTS = 3;

/** A master that has kept advertising through an overlap long enough to count towards a split. */
export function isSplitEvidence(r: RouterState): boolean {
  return r.master && r.overlapAdverts >= SPLIT_ADVERTS;
}

/** Whether the overlapping masters of the group are a split-brain: two or more, each with SPLIT_ADVERTS. */
export function isSplit(group: GroupState): boolean {
  let evidence = 0;
  for (const r of group.routers) if (isSplitEvidence(r)) evidence++;
  return evidence >= 2;
}

/** keepalived 2.4 auth_hmac's mismatch fields, in the order a split-brain names its likely cause. */
export const HMAC_FIELDS: readonly MismatchField[] = ['hmac_key_id', 'auth_hmac', 'hmac_clock'];

/**
 * Why a split-brain is likely, from what its routers disagree on: routers whose auth_hmac differs drop
 * each other's adverts and each stays master (keepalived 2.4.2/2.4.3's "lasting dual active").
 */
export function likelySplitCause(fields: Iterable<MismatchField>): MismatchField | undefined {
  const on = new Set(fields);
  return HMAC_FIELDS.find((f) => on.has(f));
}

/**
 * Begins or ends the group's overlap after a judgement found `masters` routers counting as master
 * (`best` the election's winner, `latestStart` the newest mastership's start). When one master or none
 * is left, any split ends. Returns whether a split ended (the failover that follows is its healing).
 */
export function judgeOverlap(group: GroupState, masters: number, latestStart: number, best: RouterState | undefined, now: number, sink: EventSink): boolean {
  if (masters >= 2) {
    if (group.overlapSince === undefined) {
      group.overlapSince = latestStart;
      // A master already advertising before the overlap began gets that last advert counted: if it
      // keeps going after the newcomer's first advert it was not preempted. The newcomer counts its
      // own adverts from the one that began the overlap.
      for (const r of group.routers) if (r.master) r.overlapAdverts = r.last < latestStart ? 1 : 0;
    }
    return false;
  }
  group.overlapSince = undefined;
  const healed = group.split !== undefined;
  if (best !== undefined) {
    best.overlapAdverts = 0;
    best.inSplit = false;
  }
  if (group.split !== undefined) {
    sink({ type: 'split_end', group, split: group.split, time: now });
    group.split = undefined;
  }
  return healed;
}

/** Called for an advert of a master during an overlap: two or more with enough adverts each are a split. */
export function judgeSplit(group: GroupState, now: number, sink: EventSink): void {
  if (!isSplit(group)) return;
  const started = group.split === undefined;
  const split = (group.split ??= { onset: group.overlapSince ?? now, judged: now, routers: [] });
  for (const r of group.routers) {
    if (!isSplitEvidence(r)) continue;
    r.inSplit = true;
    // A copy, not a push: events already handed out keep the list they were given.
    if (!split.routers.includes(r.address)) split.routers = [...split.routers, r.address].sort();
  }
  if (started) sink({ type: 'split_start', group, split, time: now });
}
