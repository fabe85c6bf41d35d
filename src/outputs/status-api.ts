/**
 * The status document: `GET /api/v1/status` of `serve` and `once --format json`. The same views and the
 * same list of findings as the metrics, the log and the status page, as one JSON object for tools that
 * embed "who is master, who holds the VIP, since when". Its shape is docs/api-status.schema.json
 * (documented in docs/api.md); fields may be added, none renamed or removed. Pure.
 */
import { judgedGroupsInOrder } from '../core/findings/findings.js';
import { findingText, groupName } from './finding-words.js';
import type { Finding, JudgedView } from '../core/findings/findings.js';
import type { OwnershipView, VipView } from '../core/ownership/vip-owners.js';
import type { Family, GroupKey } from '../core/base/keys.js';
import { healthOf } from './health.js';
import type { Health, HealthLine, SourceStatus } from './health.js';
import { hostRole } from './html-live.js';
import type { EndedFinding } from './ended-findings.js';

/** The document's own version: a change that is not an addition makes it 2 (and a new path). */
export const STATUS_VERSION = 1;

export interface StatusInput extends JudgedView {
  now: number;
  /** This host's name. */
  host: string;
  /** vrrpwatch's version. */
  version: string;
  owners?: OwnershipView | undefined;
  /** The findings of this moment, as `findings()` lists them. */
  findings: readonly Finding[];
  /** When each finding began (FindingClock, by findingId); undefined: now. */
  since: (f: Finding) => number | undefined;
  captures: readonly { interface: string; up: boolean; dropped: number; problem: string | undefined }[];
  sources: readonly SourceStatus[];
  probes: readonly { target: string; role: string; up: boolean; rtt: number | undefined }[];
  /** serve: the findings that ended in the last hour (EndedFindings), the latest first. */
  ended?: readonly EndedFinding[];
  /** What to say of vrrpwatch's own health instead of what the captures and sources tell (a check that could not run). */
  health?: Health;
}

export interface GroupRef {
  interface: string;
  family: Family;
  vrid: number;
}

export interface StatusFinding {
  kind: string;
  severity: 'critical' | 'warning';
  /** `segment` (any watcher of the segment can tell), `node` (only this host), `host` (its own probes and capture). */
  scope: string;
  group?: GroupRef;
  vip?: string;
  /** The interface a VIP finding is judged on. */
  vip_interface?: string;
  /** The routers involved (a split-brain's masters). */
  routers?: readonly string[];
  /** The MAC a foreign owner answers from. */
  mac?: string;
  since: number;
  text: string;
}

export interface StatusEndedFinding {
  kind: string;
  severity: 'critical' | 'warning';
  group?: GroupRef;
  vip?: string;
  text: string;
  since: number;
  ended: number;
  duration_seconds: number;
}

export interface StatusRouter {
  address: string;
  priority: number;
  master: boolean;
  adverts: number;
  advert_interval: number;
  last_advert: number;
  version: number;
  addresses: readonly string[];
}

export interface StatusGroup extends GroupRef {
  masters: readonly string[];
  split_brain: boolean;
  no_master: boolean;
  master_changes: number;
  /** This node's part in the group: master, backup, or observer (it neither advertises nor holds a VIP). */
  node_role: 'master' | 'backup' | 'observer';
  /** Where this node's expectation of the group came from (`config`, `keepalived.conf:LINE`); absent: heard only. */
  expected_from?: string;
  routers: StatusRouter[];
  findings: StatusFinding[];
}

export interface StatusVipOwner {
  mac: string;
  router?: string;
  local: boolean;
  since: number;
  last: number;
}

export interface StatusVip {
  interface: string;
  address: string;
  family: Family;
  mode: 'exclusive' | 'shared';
  watched: boolean;
  groups: GroupRef[];
  owners: StatusVipOwner[];
  duplicate: boolean;
  unanswered: boolean;
  foreign: readonly string[];
  owner_changes: number;
  last_announcement: number | null;
  findings: StatusFinding[];
}

export interface StatusDocument {
  version: number;
  time: number;
  host: string;
  role: 'node' | 'witness';
  vrrpwatch_version: string;
  /** The worst of the findings and of serve's own health: `critical`, `warning` or `ok`. */
  state: 'ok' | 'warning' | 'critical';
  groups: StatusGroup[];
  vips: StatusVip[];
  findings: StatusFinding[];
  ended_findings?: StatusEndedFinding[];
  health: { level: 'ok' | 'warning' | 'critical'; lines: HealthLine[] };
  captures: { interface: string; up: boolean; dropped: number; problem: string | null }[];
  sources: { source: string; path: string; problem: string | null }[];
  probes: { target: string; role: string; up: boolean; rtt_seconds: number | null }[];
}

/** What JSON.stringify leaves raw that a terminal would obey or a reader misread: DEL, C1 and the bidi controls. */
const RAW = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/gu;

/**
 * A document as JSON text, every control written as a `\uXXXX` escape (JSON.stringify escapes only C0):
 * the same value for a parser, and nothing a terminal obeys when `once --format json` or curl prints it.
 */
export function statusJson(doc: object, indent?: number): string {
  return JSON.stringify(doc, null, indent).replace(RAW, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function ref(key: GroupKey): GroupRef {
  return { interface: key.interface, family: key.family, vrid: key.vrid };
}

function statusFinding(f: Finding, input: StatusInput): StatusFinding {
  const d = f.details;
  return {
    kind: f.kind,
    severity: f.severity,
    scope: f.scope,
    ...(f.key === undefined ? {} : { group: ref(f.key) }),
    ...(d.vip === undefined ? {} : { vip: d.vip }),
    ...(d.interface === undefined ? {} : { vip_interface: d.interface }),
    ...(d.routers === undefined ? {} : { routers: d.routers }),
    ...(d.mac === undefined ? {} : { mac: d.mac }),
    since: input.since(f) ?? input.now,
    text: findingText(f, f.key === undefined ? '' : groupName(f.key)),
  };
}

function statusVip(v: VipView, said: ReadonlyMap<Finding, StatusFinding>): StatusVip {
  const findings: StatusFinding[] = [];
  for (const [f, s] of said) if (f.details.vip === v.vip && f.details.interface === v.interface) findings.push(s);
  return {
    interface: v.interface,
    address: v.vip,
    family: v.family,
    mode: v.mode,
    watched: v.watched,
    groups: v.groups.map(ref),
    owners: v.owners.map((o) => ({ mac: o.mac, ...(o.router === undefined ? {} : { router: o.router }), local: o.local, since: o.since, last: o.last })),
    duplicate: v.duplicate,
    unanswered: v.unanswered,
    foreign: v.foreign,
    owner_changes: v.ownerChanges,
    last_announcement: v.lastAnnouncement ?? null,
    findings,
  };
}

function endedFinding(e: EndedFinding): StatusEndedFinding {
  return {
    kind: e.kind,
    severity: e.severity,
    ...(e.group === undefined ? {} : { group: ref(e.group) }),
    ...(e.vip === undefined ? {} : { vip: e.vip }),
    text: e.text,
    since: e.since,
    ended: e.ended,
    duration_seconds: e.ended - e.since,
  };
}

export function statusDocument(input: StatusInput): StatusDocument {
  const said = new Map<Finding, StatusFinding>();
  for (const f of input.findings) said.set(f, statusFinding(f, input));
  const byGroup = new Map<GroupKey, StatusFinding[]>();
  for (const [f, s] of said) {
    if (f.key === undefined) continue;
    const list = byGroup.get(f.key);
    if (list === undefined) byGroup.set(f.key, [s]);
    else list.push(s);
  }
  const groups = judgedGroupsInOrder(input).map(({ key, view, node }): StatusGroup => {
    const expected = node?.expected;
    return {
      ...ref(key),
      masters: view?.masters ?? [],
      split_brain: view?.splitBrain ?? false,
      no_master: view?.noMaster ?? node?.expectedWithoutMaster ?? false,
      master_changes: view?.masterChanges ?? 0,
      node_role: node?.role ?? 'observer',
      ...(expected === undefined ? {} : { expected_from: expected.source }),
      routers: (view?.routers ?? []).map((r) => ({ address: r.address, priority: r.priority, master: r.master, adverts: r.adverts, advert_interval: r.interval, last_advert: r.last, version: r.version, addresses: r.addresses })),
      findings: byGroup.get(key) ?? [],
    };
  });
  const health = input.health ?? healthOf(input);
  const worst = input.findings.some((f) => f.severity === 'critical') || health.level === 'critical' ? 'critical' : input.findings.length > 0 || health.level === 'warning' ? 'warning' : 'ok';
  return {
    version: STATUS_VERSION,
    time: input.now,
    host: input.host,
    role: hostRole(input.node),
    vrrpwatch_version: input.version,
    state: worst,
    groups,
    vips: (input.owners?.vips ?? []).map((v) => statusVip(v, said)),
    findings: [...said.values()],
    ...(input.ended === undefined ? {} : { ended_findings: input.ended.map(endedFinding) }),
    health,
    captures: input.captures.map((c) => ({ interface: c.interface, up: c.up, dropped: c.dropped, problem: c.problem ?? null })),
    sources: input.sources.map((s) => ({ source: s.source, path: s.path, problem: s.problem ?? null })),
    probes: input.probes.map((p) => ({ target: p.target, role: p.role, up: p.up, rtt_seconds: p.rtt ?? null })),
  };
}
