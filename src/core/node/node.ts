/**
 * What this host (a node of the pair, or a witness) adds to the segment's view: which virtual
 * addresses it holds, whether it is master of each group, and the findings only a node can make:
 * a backup that still holds the VIP (keepalived killed with SIGKILL leaves it behind), a master
 * without its VIP, an expected group whose adverts do not arrive while the peers answer ping, and a
 * split-brain only this node can tell: keepalived here says MASTER while another router advertises as
 * master and this node's own adverts are not seen leaving it; and a master whose adverts disagree with
 * this node's own config (interval, addresses).
 * Pure: local addresses, keepalived's states and probe results come in as observations, time as an
 * argument.
 */
import { ADVERT_VIPS_JUDGED, masterDownInterval, TAKEOVER_INTERVALS } from '../groups/judge.js';
import type { KeepalivedState } from '../expect/keepalived-conf.js';
import { attributePriority } from '../expect/track.js';
import type { InstanceTracking, TrackJudgement } from '../expect/track.js';
import { NONE } from '../groups/views.js';
import type { GroupView } from '../groups/views.js';
import { groupId } from '../base/keys.js';
import type { GroupKey } from '../base/keys.js';
import { expectationMatches } from '../expect/types.js';
import type { ExpectedGroup } from '../expect/types.js';
import type { MismatchField } from '../groups/types.js';

export type NodeRole = 'master' | 'backup' | 'observer';

export interface NodeObservations {
  /** Canonical local address → interface holding it. */
  localAddresses: ReadonlyMap<string, string>;
  /** keepalived's instance states from notify_fifo, by instance name. */
  keepalived: ReadonlyMap<string, KeepalivedState>;
  /** Whether at least one configured peer answers ping (undefined: no peers configured). */
  peerAnswers: boolean | undefined;
}

export interface NodeVip {
  vip: string;
  /** Interface holding it on this host, or undefined. */
  heldOn: string | undefined;
}

export interface NodeGroupView {
  key: GroupKey;
  /** The heard group this judgement is of (undefined: expected, not heard); it shares `key`. */
  view: GroupView | undefined;
  expected: ExpectedGroup | undefined;
  role: NodeRole;
  /** What the role was learned from. */
  roleFrom: 'keepalived' | 'adverts' | 'addresses' | 'config' | undefined;
  vips: NodeVip[];
  /** VIPs held here while not master, for longer than the hold. */
  backupHolding: readonly string[];
  /** VIPs missing here while master, for longer than the hold. */
  masterMissing: readonly string[];
  /** An expected group without a master (after the start-up grace). */
  expectedWithoutMaster: boolean;
  /** An expected group whose adverts do not arrive while a peer answers ping. */
  advertsBlocked: boolean;
  /**
   * Routers advertising as master, for longer than the hold, while keepalived here says MASTER and this
   * node's own adverts are not seen: a split-brain only this node can tell (its outgoing VRRP is dropped
   * before it leaves, so the peer and a witness hear one master).
   */
  mastersBeside: readonly string[];
  /**
   * Fields on which this node's expectation (keepalived.conf or the config) disagrees with what the
   * master it hears advertises, for longer than the hold: drift a passive observer cannot see while the
   * backup is silent, and that bites at the next failover.
   */
  configDiffers: readonly MismatchField[];
  /**
   * keepalived.conf's tracking explains this node's own advertised priority: which trackers (track_script
   * weights) must be failing, while its adverts carry a priority other than the healthy one.
   */
  tracking?: TrackJudgement;
  /** The priority this node's own fresh adverts carry, when keepalived.conf gives the instance trackers. */
  ownPriority?: number;
}

/**
 * keepalived puts at most 20 addresses in an advert (more go in virtual_ipaddress_excluded, never
 * advertised): an expectation with more cannot be compared with an advert.
 */
const ADVERTISED_VIPS_MAX = 20;

function sameAddresses(advertised: readonly string[], expected: readonly string[]): boolean {
  if (advertised.length !== expected.length) return false;
  for (const a of advertised) if (!expected.includes(a)) return false;
  return true;
}

function isHeld(v: NodeVip): boolean {
  return v.heldOn !== undefined;
}

function isMissing(v: NodeVip): boolean {
  return v.heldOn === undefined;
}

/** Holds findings for this long so a failover (VIP moving one way, adverts the other) never trips them. */
export function holdSeconds(interval: number): number {
  return Math.max(3, 3 * interval + 0.5);
}

/**
 * The hold of `once`, which judges once at the end of a window of `window` seconds: short enough that a
 * condition seen from the group's first advert (at most one interval into the window, and then a
 * judgement's tick) still holds at the end, long enough that a failover inside the window (VIP and
 * adverts apart for a moment) does not trip it. Half a second at least.
 */
export function windowHoldSeconds(window: number, interval: number): number {
  return Math.max(0.5, Math.min(holdSeconds(interval), 0.75 * window, window - 1.5 * interval));
}

/** Attributions kept, by instance and advertised priority (a priority rarely changes; the subset-sum runs once). */
const ATTRIBUTIONS_KEPT = 256;

export class NodeJudge {
  readonly #since = new Map<string, number>();
  readonly #attributions = new Map<string, TrackJudgement | undefined>();
  readonly #started: number;
  private expected: readonly ExpectedGroup[];

  constructor(
    started: number,
    expected: readonly ExpectedGroup[],
    private readonly hold: (interval: number) => number = holdSeconds,
  ) {
    this.#started = started;
    this.expected = expected;
  }

  /**
   * New expectations (a config reload): what has held since when, and the start-up grace, stay, so a
   * reload with the same config keeps open findings open (an alert's `for:` is not reset).
   */
  expect(expected: readonly ExpectedGroup[]): void {
    this.expected = expected;
    this.#attributions.clear();
  }

  /** Judges every heard and expected group at `now`. */
  judge(views: readonly GroupView[], obs: NodeObservations, now: number): NodeGroupView[] {
    const out: NodeGroupView[] = [];
    const used = new Set<ExpectedGroup>();
    const live = new Set<string>();
    for (const view of views) {
      const expected = this.#expectationOf(view.key);
      if (expected !== undefined) used.add(expected);
      out.push(this.#judgeGroup(view.key, view, expected, obs, now, live));
    }
    for (const e of this.expected) {
      if (used.has(e)) continue;
      const key: GroupKey = { interface: e.interface ?? 'any', family: e.family, vrid: e.vrid };
      out.push(this.#judgeGroup(key, undefined, e, obs, now, live));
    }
    for (const id of this.#since.keys()) if (!live.has(id)) this.#since.delete(id);
    return out;
  }

  #expectationOf(key: GroupKey): ExpectedGroup | undefined {
    for (const e of this.expected) if (expectationMatches(e, key)) return e;
    return undefined;
  }

  /**
   * The VIPs that have held continuously for `hold` seconds of those `on` for `what` (a judge runs at
   * every scrape over every group, so nothing is made for a group where nothing is on).
   */
  #held(key: GroupKey, what: 'hold' | 'miss', vips: readonly NodeVip[], on: (v: NodeVip) => boolean, now: number, hold: number, live: Set<string>): readonly string[] {
    let held: string[] | undefined;
    for (const v of vips) {
      if (on(v) && this.#lasted(`${groupId(key)}|${what}|${v.vip}`, now, hold, live)) (held ??= []).push(v.vip);
    }
    return held ?? NONE;
  }

  /** Whether the condition named `id`, true now, has been true for `hold` seconds (since it was first seen so). */
  #lasted(id: string, now: number, hold: number, live: Set<string>): boolean {
    live.add(id);
    let since = this.#since.get(id);
    if (since === undefined) {
      since = now;
      this.#since.set(id, since);
    }
    return now - since >= hold;
  }

  #judgeGroup(key: GroupKey, view: GroupView | undefined, expected: ExpectedGroup | undefined, obs: NodeObservations, now: number, live: Set<string>): NodeGroupView {
    const routers = view?.routers ?? NONE;
    const interval = expected?.advertInterval ?? routers[0]?.interval ?? 1;

    // Adverts list the VIPs, so even a witness without config knows them. A few per group: an array,
    // with at most ADVERT_VIPS_JUDGED taken from adverts (a spoofed flood of long lists stays cheap).
    const vipList: string[] = [];
    for (const vip of expected?.vips ?? NONE) if (!vipList.includes(vip)) vipList.push(vip);
    const most = vipList.length + ADVERT_VIPS_JUDGED;
    for (const r of routers) {
      if (now >= r.last + masterDownInterval(r)) continue;
      for (const a of r.addresses) {
        if (vipList.length >= most) break;
        if (!vipList.includes(a)) vipList.push(a);
      }
    }
    if (vipList.length > 1) vipList.sort();
    const vips = vipList.map((vip) => ({ vip, heldOn: obs.localAddresses.get(vip) }));

    const ownMaster = routers.some((r) => r.master && obs.localAddresses.has(r.address));
    const kaState = expected?.instance === undefined ? undefined : obs.keepalived.get(expected.instance);
    let role: NodeRole = 'observer';
    let roleFrom: NodeGroupView['roleFrom'];
    if (kaState !== undefined) {
      role = kaState === 'MASTER' ? 'master' : 'backup';
      roleFrom = 'keepalived';
    } else if (ownMaster) {
      role = 'master';
      roleFrom = 'adverts';
    } else if (routers.some((r) => obs.localAddresses.has(r.address))) {
      role = 'backup';
      roleFrom = 'adverts';
    } else if (expected?.instance !== undefined) {
      role = 'backup';
      roleFrom = 'config';
    } else if (vips.some((v) => v.heldOn !== undefined)) {
      role = 'backup';
      roleFrom = 'addresses';
    }

    const hold = this.hold(interval);
    // A node told what it runs (keepalived.conf, YAML groups) judges only those: a spoofed advert listing
    // its address for another VRID must not make it page about itself.
    const judged = expected !== undefined || this.expected.length === 0;
    const backupHolding = role === 'master' || !judged ? NONE : this.#held(key, 'hold', vips, isHeld, now, hold, live);
    const masterMissing = role === 'master' && judged ? this.#held(key, 'miss', vips, isMissing, now, hold, live) : NONE;

    const grace = now - this.#started >= 3 * interval + 1;
    const masters = view?.masters.length ?? 0;
    // A graceful stop (priority 0), a crash or a preemption leaves a moment without a master, and without
    // another router's adverts, until the backup takes over: only a gap longer than a takeover (as the
    // segment's no-master rule) is a finding, and a failover that completes within it is none.
    const takeover = Math.min(TAKEOVER_INTERVALS * interval, hold);
    const group = groupId(key);
    const expectedWithoutMaster = expected !== undefined && grace && masters === 0 && this.#lasted(`${group}|no-master`, now, takeover, live);
    const othersHeard = routers.some((r) => !obs.localAddresses.has(r.address) && now < r.last + masterDownInterval(r));
    // The silence is what must last a takeover; the pings only say whether it is VRRP that is blocked
    // (`once` learns their answers at the end of its window, after listening to the silence).
    const silent = expected !== undefined && grace && role !== 'master' && !othersHeard && this.#lasted(`${group}|silent`, now, takeover, live);
    const advertsBlocked = silent && obs.peerAnswers === true;

    let mastersBeside: readonly string[] = NONE;
    if (judged && roleFrom === 'keepalived' && role === 'master' && !ownMaster && view !== undefined && view.masters.length > 0) {
      const others = view.masters.filter((a) => !obs.localAddresses.has(a));
      if (others.length > 0 && this.#lasted(`${groupId(key)}|beside`, now, hold, live)) mastersBeside = others;
    }

    let configDiffers: MismatchField[] | undefined;
    if (expected !== undefined) {
      let intervalDiffers = false;
      let addressesDiffer = false;
      // keepalived moves a VIP of the other family to virtual_ipaddress_excluded: never advertised.
      let advertisable: string[] | undefined;
      for (const r of routers) {
        if (!r.master || obs.localAddresses.has(r.address)) continue;
        if (expected.advertInterval !== undefined && Math.abs(r.interval - expected.advertInterval) > 1e-6) intervalDiffers = true;
        advertisable ??= expected.vips.filter((v) => v.includes(':') === (key.family === 'ipv6'));
        if (advertisable.length > 0 && advertisable.length <= ADVERTISED_VIPS_MAX && !sameAddresses(r.addresses, advertisable)) addressesDiffer = true;
      }
      if (intervalDiffers && this.#lasted(`${group}|differs|advert_interval`, now, hold, live)) (configDiffers ??= []).push('advert_interval');
      if (addressesDiffer && this.#lasted(`${group}|differs|addresses`, now, hold, live)) (configDiffers ??= []).push('addresses');
    }
    const out: NodeGroupView = { key, view, expected, role, roleFrom, vips, backupHolding, masterMissing, expectedWithoutMaster, advertsBlocked, mastersBeside, configDiffers: configDiffers ?? NONE };
    const tracking = expected?.tracking;
    if (tracking !== undefined && tracking.trackers.length > 0) {
      const own = routers.find((r) => obs.localAddresses.has(r.address) && now < r.last + masterDownInterval(r));
      if (own !== undefined) {
        out.ownPriority = own.priority;
        const attributed = this.#attribute(`${expected?.instance ?? expected?.source ?? ''}|${own.priority}`, tracking, own.priority);
        if (attributed !== undefined) out.tracking = attributed;
      }
    }
    return out;
  }

  /** Which trackers explain this node's own advertised priority, computed once per instance and priority. */
  #attribute(id: string, tracking: InstanceTracking, priority: number): TrackJudgement | undefined {
    if (this.#attributions.has(id)) return this.#attributions.get(id);
    if (this.#attributions.size >= ATTRIBUTIONS_KEPT) this.#attributions.clear();
    const judged = attributePriority(tracking, priority);
    this.#attributions.set(id, judged);
    return judged;
  }
}
