/**
 * Every kind of finding, declared once: its severity and how it is found in a group (or on this host);
 * its words are in src/outputs/finding-words.ts. A new kind is one more entry in KINDS, in the place of
 * its rank (a group's findings are listed worst first, in this order), and one in WORDS. Pure.
 */
import type { ForeignDisturbance, ForeignProtocol } from '../groups/foreign.js';
import { unexpectedRouter } from '../expect/known-routers.js';
import type { KnownRouters } from '../expect/known-routers.js';
import type { NodeGroupView } from '../node/node.js';
import type { TrackJudgement } from '../expect/track.js';
import { groupId } from '../base/keys.js';
import type { GroupKey } from '../base/keys.js';
import type { MismatchField } from '../groups/types.js';
import type { GroupView } from '../groups/views.js';
import { CONFLICT_VIPS_NAMED, othersOf } from '../groups/vips.js';
import type { VipConflict } from '../groups/vips.js';
import type { OwnershipView, VipView } from '../ownership/vip-owners.js';
import { likelySplitCause } from '../groups/split-brain.js';

/** `critical` pages (once exits 2, the log says `error`); `warning` waits for the morning (1, `warn`). */
export type Severity = 'critical' | 'warning';

/**
 * Who can tell: `segment` from the adverts any watcher of the segment hears, `node` only this host
 * (its addresses, its keepalived, its config), `host` this host's own probes and capture.
 */
export type FindingScope = 'segment' | 'node' | 'host';

export interface ProbeOutcome {
  target: string;
  role: 'peer' | 'gateway';
  up: boolean;
  rtt: number | undefined;
  loss: number;
}

/** What a finding is about, beyond its group. */
export interface FindingDetails {
  vip?: string;
  field?: MismatchField;
  /** A split-brain: the mismatch that likely caused it (keepalived 2.4 auth_hmac). */
  cause?: MismatchField;
  /** The routers involved (the masters of a split, the other VRIDs' masters of a VIP conflict). */
  routers?: readonly string[];
  /** A VIP conflict: the other VRIDs' masters beyond CONFLICT_ROUTERS_NAMED, counted. */
  moreRouters?: number;
  /** The last VIP conflict named of a group: its VIPs in conflict beyond CONFLICT_VIPS_NAMED, counted. */
  moreVips?: number;
  /** A split-brain: the masters this node hears while keepalived here is MASTER and its adverts are not seen. */
  beside?: readonly string[];
  /** A VIP conflict: the other VRIDs whose master advertises the VIP. */
  otherVrids?: readonly number[];
  /** Where this node's expectation came from (`config` or `keepalived.conf:LINE`). */
  source?: string;
  /** A backup holding the VIP: what its role was learned from. */
  roleFrom?: NodeGroupView['roleFrom'];
  /** An unexpected router. */
  router?: string;
  /** A probe that gets no answer. */
  target?: string;
  role?: ProbeOutcome['role'];
  loss?: number;
  /** A capture that cannot run. */
  problem?: string;
  /** Foreign traffic on the VRID: its protocol, vhid and sources (at most SOURCES_KEPT, the rest counted). */
  protocol?: ForeignProtocol;
  vhid?: number;
  sources?: readonly string[];
  moreSources?: number;
  /** A failing tracker: what this node's advertised priority says of its track_script weights. */
  tracking?: TrackJudgement;
  /** VIP ownership: the interface the VIP is watched on, the MAC judged (foreign owner), the MACs answering. */
  interface?: string;
  mac?: string;
  macs?: readonly string[];
  /** A foreign owner judged against a watched VIP's expected owners (`vips[].owners`), not against masters. */
  byOwners?: boolean;
  /** A failover without a gratuitous ARP: when it was (seconds since the epoch). */
  time?: number;
  /** A failover risk: the window's near failovers and missing adverts (replay's intervals know neither). */
  risk?: { near: number; missed: number };
}

/** A finding as the words of its kind see it. */
export interface FindingBase {
  /** The group; undefined for a finding of this host (`host` scope). */
  key: GroupKey | undefined;
  scope: FindingScope;
  details: FindingDetails;
}

export interface Finding extends FindingBase {
  kind: FindingKind;
  severity: Severity;
}

/** A heard or expected group, with what the segment and this node judged of it. */
export interface JudgedGroup {
  key: GroupKey;
  view: GroupView | undefined;
  node: NodeGroupView | undefined;
}

/** What the segment and this node judged: the views findings come from. */
export interface JudgedView {
  groups: readonly GroupView[];
  /** The node's judgement of every heard group (linked by `view`) and every expected one. */
  node: readonly NodeGroupView[];
  /** Groups sharing a VIP with another VRID's master, by the view's key. */
  conflicts: ReadonlyMap<GroupKey, readonly VipConflict[]>;
  /** Foreign traffic disturbing a group now, by group id (`interface|family|vrid`); absent: none heard. */
  foreign?: ReadonlyMap<string, readonly ForeignDisturbance[]>;
}

export interface FindingsInput extends JudgedView {
  /** `once` only: probe results. */
  probes?: readonly ProbeOutcome[];
  /** `once` only: the routers its peers name; others of the peers' scopes are unexpected. None: no check. */
  knownRouters?: KnownRouters;
  /** `once` only: whether expectations were given (groups outside them are unexpected). */
  haveExpectations?: boolean;
  /** `once` only: capture interfaces that could not be opened, with why. */
  captureProblems?: readonly string[];
  /** Who answers for each VIP on the wire (VipOwners.judge), and when it was judged. */
  owners?: OwnershipView;
  now?: number;
}

export type Found = (scope: FindingScope, details: FindingDetails) => void;

export interface KindSpec {
  severity: Severity;
  /** Finds the kind in one group (group kinds) ... */
  inGroup?: (g: JudgedGroup, input: FindingsInput, found: Found) => void;
  /** ... or in what the host itself observed (host kinds). */
  onHost?: (input: FindingsInput, found: Found) => void;
}

const NONE: readonly never[] = Object.freeze([]);

/** A failover without a gratuitous ARP stays a finding this long (seconds); it is logged once, when counted. */
export const MISSED_GARP_FINDING_SECONDS = 600;

/** The VIP views of each group (`interface|family|vrid`, and `any|family|vrid` for groups expected on any interface), built once per judgement. */
const vipIndex = new WeakMap<OwnershipView, Map<string, VipView[]>>();

function vipsOfGroup(g: JudgedGroup, input: FindingsInput): readonly VipView[] {
  const owners = input.owners;
  if (owners === undefined || owners.vips.length === 0) return NONE;
  let index = vipIndex.get(owners);
  if (index === undefined) {
    index = new Map();
    for (const v of owners.vips) {
      for (const k of v.groups) {
        for (const id of [groupId(k), groupId({ ...k, interface: 'any' })]) {
          const list = index.get(id);
          if (list === undefined) index.set(id, [v]);
          else if (!list.includes(v)) list.push(v);
        }
      }
    }
    vipIndex.set(owners, index);
  }
  return index.get(groupId(g.key)) ?? NONE;
}

/** Watched VIPs no group names: judged on their own, as findings of no group. */
function vipsAlone(input: FindingsInput): readonly VipView[] {
  const owners = input.owners;
  if (owners === undefined || owners.vips.length === 0) return NONE;
  return owners.vips.filter((v) => v.groups.length === 0);
}

/** The answering MACs of a VIP, each with its router when known (`02:..:01 (192.0.2.1)`). */
function ownersText(v: VipView): string[] {
  return v.owners.map((o) => (o.router === undefined ? (o.local ? `${o.mac} (this node)` : o.mac) : `${o.mac} (${o.router})`));
}

/** Every kind, in the order `once` lists a group's findings (worst first); host kinds last. */
export const KINDS = {
  split_brain: {
    severity: 'critical',
    inGroup({ view, node }, _input, found) {
      const beside = node?.mastersBeside ?? NONE;
      // One split per group: the segment's when both see one (the node's own is then logged beside it).
      const cause = view === undefined ? undefined : likelySplitCause(view.configMismatch);
      if (view?.splitBrain === true) found('segment', { routers: view.masters, ...(beside.length > 0 ? { beside } : {}), ...(cause !== undefined ? { cause } : {}) });
      else if (beside.length > 0) found('node', { routers: beside, beside });
    },
  },
  vip_conflict: {
    severity: 'critical',
    inGroup({ view }, input, found) {
      if (view === undefined) return;
      const conflicts = input.conflicts.get(view.key) ?? NONE;
      // The first CONFLICT_VIPS_NAMED by address; the last one named counts the rest.
      const named = Math.min(conflicts.length, CONFLICT_VIPS_NAMED);
      for (let i = 0; i < named; i++) {
        const c = conflicts[i] as VipConflict;
        const others = othersOf(c, view);
        const details: FindingDetails = { vip: c.vip, otherVrids: others.vrids, routers: others.routers };
        if (others.moreRouters > 0) details.moreRouters = others.moreRouters;
        if (i === named - 1 && conflicts.length > named) details.moreVips = conflicts.length - named;
        found('segment', details);
      }
    },
  },
  backup_holding_vip: {
    severity: 'critical',
    inGroup({ node }, _input, found) {
      for (const vip of node?.backupHolding ?? NONE) found('node', { vip, roleFrom: node?.roleFrom });
    },
  },
  no_master: {
    severity: 'critical',
    inGroup({ view, node }, _input, found) {
      if (node?.expectedWithoutMaster === true) found('node', { source: node.expected?.source ?? 'config' });
      else if (view?.noMaster === true) found('segment', {});
    },
  },
  master_missing_vip: {
    severity: 'critical',
    inGroup({ node }, _input, found) {
      for (const vip of node?.masterMissing ?? NONE) found('node', { vip });
    },
  },
  vip_duplicate: {
    severity: 'critical',
    inGroup(g, input, found) {
      for (const v of vipsOfGroup(g, input)) if (v.duplicate) found('segment', { interface: v.interface, vip: v.vip, macs: ownersText(v) });
    },
    onHost(input, found) {
      for (const v of vipsAlone(input)) if (v.duplicate) found('segment', { interface: v.interface, vip: v.vip, macs: ownersText(v) });
    },
  },
  vip_foreign_owner: {
    severity: 'critical',
    inGroup(g, input, found) {
      for (const v of vipsOfGroup(g, input)) for (const mac of v.foreign) found('segment', v.watched ? { interface: v.interface, vip: v.vip, mac, byOwners: true } : { interface: v.interface, vip: v.vip, mac });
    },
    onHost(input, found) {
      for (const v of vipsAlone(input)) for (const mac of v.foreign) found('segment', { interface: v.interface, vip: v.vip, mac, byOwners: true });
    },
  },
  vip_unanswered: {
    severity: 'critical',
    inGroup(g, input, found) {
      for (const v of vipsOfGroup(g, input)) if (v.unanswered) found('segment', { interface: v.interface, vip: v.vip });
    },
    onHost(input, found) {
      for (const v of vipsAlone(input)) if (v.unanswered) found('segment', { interface: v.interface, vip: v.vip });
    },
  },
  failover_without_garp: {
    severity: 'warning',
    inGroup(g, input, found) {
      const now = input.now ?? Infinity;
      for (const m of input.owners?.missedGarps ?? NONE) {
        if (m.key.vrid !== g.key.vrid || m.key.family !== g.key.family || (m.key.interface !== g.key.interface && g.key.interface !== 'any')) continue;
        if (now - m.time <= MISSED_GARP_FINDING_SECONDS) found('segment', { router: m.router, time: m.time, vip: m.vips.join(', ') });
      }
    },
  },
  failover_risk: {
    severity: 'warning',
    inGroup({ view }, _input, found) {
      if (view?.riskSince !== undefined) found('segment', { risk: { near: view.riskNear, missed: view.riskMissed } });
    },
  },
  auth_mismatch: {
    severity: 'warning',
    inGroup({ view }, _input, found) {
      if (view?.authMismatch === true) found('segment', {});
    },
  },
  config_mismatch: {
    severity: 'warning',
    inGroup({ view, node }, _input, found) {
      const differs = node?.configDiffers ?? NONE;
      const source = node?.expected?.source ?? 'config';
      // One finding per field: the routers' disagreement, and whether this node's config differs too.
      for (const field of view?.configMismatch ?? NONE) found('segment', differs.includes(field) ? { field, source } : { field });
      for (const field of differs) if (view?.configMismatch.includes(field) !== true) found('node', { field, source });
    },
  },
  foreign_traffic: {
    severity: 'warning',
    inGroup({ key }, input, found) {
      for (const d of input.foreign?.get(groupId(key)) ?? NONE) found('segment', { protocol: d.protocol, vhid: d.vhid, sources: d.episode.sources, moreSources: d.episode.moreSources });
    },
  },
  track_script_failing: {
    severity: 'warning',
    inGroup({ node }, _input, found) {
      if (node?.tracking !== undefined) found('node', { tracking: node.tracking });
    },
  },
  adverts_blocked: {
    severity: 'warning',
    inGroup({ node }, _input, found) {
      if (node?.advertsBlocked === true) found('node', {});
    },
  },
  unexpected_group: {
    severity: 'warning',
    inGroup({ view, node }, input, found) {
      if (view !== undefined && input.haveExpectations === true && node?.expected === undefined) found('segment', { routers: view.routers.map((r) => r.address) });
    },
  },
  unexpected_router: {
    severity: 'warning',
    inGroup({ view }, input, found) {
      const known = input.knownRouters;
      if (view === undefined || known === undefined) return;
      for (const r of view.routers) if (unexpectedRouter(known, r.address)) found('segment', { router: r.address });
    },
  },
  capture_down: {
    severity: 'warning',
    onHost(input, found) {
      // Without any group the capture problem is the whole answer (once says UNKNOWN), not a finding.
      if (input.groups.length === 0 && input.node.length === 0) return;
      for (const problem of input.captureProblems ?? NONE) found('host', { problem });
    },
  },
  probe_down: {
    severity: 'warning',
    onHost(input, found) {
      for (const p of input.probes ?? NONE) if (!p.up) found('host', { target: p.target, role: p.role, loss: p.loss });
    },
  },
} satisfies Record<string, KindSpec>;

export type FindingKind = keyof typeof KINDS;

/** Every kind, in KINDS order. */
export const FINDING_KINDS: readonly FindingKind[] = Object.keys(KINDS) as FindingKind[];
