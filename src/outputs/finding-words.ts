/**
 * The words of every kind of finding, in one place: `once`'s sentence (the status page, the status
 * API and the replay's HTML say the same), the live view's label, and the log's start line (its end
 * line is the same, prefixed `ended: `). Detection is in src/core/findings; this file only words what
 * a finding holds.
 */
import { findingId } from '../core/findings/findings.js';
import type { Finding, FindingBase, FindingKind } from '../core/findings/findings.js';
import type { GroupKey } from '../core/base/keys.js';
import { trackText } from '../core/expect/track.js';
import { RISK_WINDOW_INTERVALS } from '../core/groups/risk.js';

/** A log line of a finding: its message and the fields beside the group and `finding`. */
export interface FindingLog {
  msg: string;
  fields: Record<string, unknown>;
}

interface KindWords {
  /** `once`'s words; `name` names the group (`VRID 51 on eth0`), '' for a finding of no group. */
  text: (f: FindingBase, name: string) => string;
  /** The live view's words (undefined: shown elsewhere on the screen). */
  label?: (f: FindingBase) => string;
  /**
   * The log line written when it starts (and, prefixed `ended: `, when it ends); undefined when the
   * Monitor's events log it with their exact times (split_start, no_master_start, mismatch_start...) or
   * another line does.
   */
  log?: (f: FindingBase) => FindingLog | undefined;
}

const NONE: readonly never[] = Object.freeze([]);

/** ` (N near failovers, M adverts missing in the last RISK_WINDOW_INTERVALS intervals)`, when known. */
function riskCounts(f: FindingBase): string {
  const r = f.details.risk;
  if (r === undefined) return '';
  return ` (${r.near} near failover${r.near === 1 ? '' : 's'}, ${r.missed} advert${r.missed === 1 ? '' : 's'} missing in the last ${RISK_WINDOW_INTERVALS} intervals)`;
}

/** A VIP as a finding's words name it: `VIP 192.0.2.100 of VRID 51 on eth0`, or a watched one `VIP 192.0.2.100 on eth0`. */
function vipName(f: FindingBase, name: string): string {
  return name === '' ? `VIP ${f.details.vip ?? ''} on ${f.details.interface ?? ''}` : `VIP ${f.details.vip ?? ''} of ${name}`;
}

const BESIDE = "keepalived here is MASTER and another router advertises as master; this node's adverts are not seen leaving it";

function foreignWords(f: FindingBase): string {
  return f.details.protocol === 'carp' ? 'CARP traffic' : 'protocol-112 traffic that is not VRRP';
}

function routersText(f: FindingBase): string {
  const more = f.details.moreRouters ?? 0;
  const named = (f.details.routers ?? NONE).join(', ');
  if (more === 0) return named;
  // Nothing named: every master of the other VRIDs masters this group too.
  return named === '' ? "the same routers as this group's masters" : `${named} and ${more} more`;
}

function sourcesText(f: FindingBase): string {
  const more = f.details.moreSources ?? 0;
  return `${(f.details.sources ?? NONE).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Every kind's words. */
export const WORDS: Record<FindingKind, KindWords> = {
  split_brain: {
    text: (f, name) =>
      f.scope === 'segment'
        ? `split-brain on ${name}: ${(f.details.routers ?? NONE).join(', ')} are all master${f.details.cause === undefined ? '' : ` (likely cause: ${f.details.cause} mismatch)`}`
        : `split-brain on ${name}: keepalived here is MASTER and ${(f.details.routers ?? NONE).join(', ')} advertises as master too; this node's adverts are not seen leaving it`,
    label: (f) => (f.scope === 'segment' ? 'SPLIT-BRAIN' : 'SPLIT-BRAIN (this node MASTER, adverts not seen leaving)'),
    log: (f) => (f.details.beside === undefined ? undefined : { msg: `split-brain: ${BESIDE}`, fields: { routers: f.details.beside } }),
  },
  vip_conflict: {
    // The replay's intervals know the other VRIDs, not their masters.
    text: (f, name) =>
      `VIP ${f.details.vip ?? ''} of ${name} is also advertised by the master of VRID ${(f.details.otherVrids ?? NONE).join(', ')}${f.details.routers === undefined ? '' : ` (${routersText(f)})`}: both hold it (virtual_router_id differs?)` +
      (f.details.moreVips === undefined ? '' : `; ${f.details.moreVips} more of its VIPs likewise`),
    label: (f) => `VIP ${f.details.vip ?? ''} ALSO MASTERED IN VRID ${(f.details.otherVrids ?? NONE).join(', ')}${f.details.moreVips === undefined ? '' : ` (+${f.details.moreVips} more VIPs)`}`,
    log: (f) => ({
      msg: "split-brain across VRIDs: another VRID's master advertises this group's VIP",
      fields: { vip: f.details.vip, other_vrids: f.details.otherVrids, routers: f.details.routers, ...(f.details.moreRouters === undefined ? {} : { more_routers: f.details.moreRouters }), ...(f.details.moreVips === undefined ? {} : { more_vips: f.details.moreVips }) },
    }),
  },
  backup_holding_vip: {
    text: (f, name) => `this node holds VIP ${f.details.vip ?? ''} of ${name} but is not master`,
    label: (f) => `BACKUP HOLDS ${f.details.vip ?? ''}`,
    log: (f) => ({ msg: 'this node holds the VIP but is not master', fields: { vip: f.details.vip, role_from: f.details.roleFrom } }),
  },
  no_master: {
    text: (f, name) => (f.scope === 'node' ? `no master on ${name} (expected from ${f.details.source ?? 'config'})` : `${name} lost its master`),
    label: () => 'NO MASTER',
    log: (f) => (f.scope === 'node' ? { msg: 'an expected group has no master', fields: { expected_from: f.details.source } } : undefined),
  },
  master_missing_vip: {
    text: (f, name) => `this node is master of ${name} but does not hold VIP ${f.details.vip ?? ''}`,
    label: (f) => `MASTER WITHOUT ${f.details.vip ?? ''}`,
    log: (f) => ({ msg: 'this node is master but does not hold the VIP', fields: { vip: f.details.vip } }),
  },
  vip_duplicate: {
    text: (f, name) => `${vipName(f, name)} is answered by ${(f.details.macs ?? NONE).join(', ')}: split-brain on the wire`,
    label: (f) => `VIP ${f.details.vip ?? ''} ANSWERED BY ${(f.details.macs ?? NONE).length} MACS`,
    log: (f) => ({ msg: 'more than one MAC answers for the VIP: split-brain on the wire', fields: { vip: f.details.vip, vip_interface: f.details.interface, macs: f.details.macs } }),
  },
  vip_foreign_owner: {
    text: (f, name) =>
      f.details.byOwners === true
        ? `${vipName(f, name)} is answered by ${f.details.mac ?? ''}, which is not among its expected owners`
        : `${vipName(f, name)} is answered by ${f.details.mac ?? ''}, which belongs to no master of the group (a real server without arp_ignore, a stale host?)`,
    label: (f) => `VIP ${f.details.vip ?? ''} ANSWERED BY FOREIGN ${f.details.mac ?? ''}`,
    log: (f) => ({ msg: f.details.byOwners === true ? 'a MAC that is not among the expected owners answers for the VIP' : 'a MAC that belongs to no master answers for the VIP', fields: { vip: f.details.vip, vip_interface: f.details.interface, mac: f.details.mac } }),
  },
  vip_unanswered: {
    text: (f, name) => (name === '' ? `nobody answers ARP or NDP for ${vipName(f, name)}: no host holds it` : `nobody answers ARP or NDP for ${vipName(f, name)} although it has a master`),
    label: (f) => `VIP ${f.details.vip ?? ''} UNANSWERED`,
    log: (f) => ({ msg: f.key === undefined ? 'nobody answers for the watched VIP' : 'the group has a master but nobody answers for the VIP', fields: { vip: f.details.vip, vip_interface: f.details.interface } }),
  },
  failover_without_garp: {
    text: (f, name) => `the new master ${f.details.router ?? ''} of ${name} sent no gratuitous ARP or unsolicited NA after its failover: clients may still send to the old master`,
    label: (f) => `no GARP from ${f.details.router ?? ''} after failover`,
    // Logged once per failover when it is counted (serve writes the VipOwners' missed GARPs), not as a start and an end.
  },
  failover_risk: {
    text: (f, name) => `the master of ${name} is at risk of a failover: its adverts come close to the takeover deadline${riskCounts(f)}`,
    label: (f) => `FAILOVER RISK${riskCounts(f)}`,
    // Logged from the Monitor's events (risk_start, risk_end) with their exact times.
  },
  auth_mismatch: {
    text: (_f, name) => `auth mismatch on ${name}`,
    label: () => 'auth mismatch',
  },
  config_mismatch: {
    text: (f, name) => (f.scope === 'segment' ? `${f.details.field ?? ''} mismatch on ${name}` : `${f.details.field ?? ''} of the master on ${name} differs from this node's ${f.details.source ?? 'config'}`),
    label: (f) => (f.scope === 'segment' ? `${f.details.field ?? ''} mismatch` : `${f.details.field ?? ''} differs from this node's config`),
    // The routers' disagreement is logged from the Monitor's events; this node's drift here.
    log: (f) => (f.details.source === undefined ? undefined : { msg: "the master's adverts disagree with this node's config", fields: { field: f.details.field, config: f.details.source } }),
  },
  foreign_traffic: {
    text: (f, name) => `${foreignWords(f)} uses the VRID of ${name} (vhid ${f.details.vhid ?? ''} from ${sourcesText(f)}): its routers read it as their own adverts and flap`,
    label: (f) => `FOREIGN ${(f.details.protocol ?? 'other').toUpperCase()} vhid ${f.details.vhid ?? ''} from ${sourcesText(f)}`,
    log: (f) => ({ msg: `${foreignWords(f)} uses this VRID`, fields: { protocol: f.details.protocol, vhid: f.details.vhid, sources: f.details.sources, more_sources: f.details.moreSources } }),
  },
  track_script_failing: {
    text: (f, name) => `this node advertises ${name} with a lowered priority: ${f.details.tracking === undefined ? '' : trackText(f.details.tracking)}`,
    label: (f) => (f.details.tracking === undefined ? 'track_script failing' : trackText(f.details.tracking)),
    log: (f) => {
      const t = f.details.tracking;
      if (t === undefined) return undefined;
      return { msg: `keepalived's trackers moved this node's priority: ${trackText(t)}`, fields: { configured_priority: t.configured, healthy_priority: t.healthy, advertised_priority: t.advertised, failing: t.failing.map((s) => s.name), combinations: t.solutions.length } };
    },
  },
  adverts_blocked: {
    text: (_f, name) => `no advertisement of ${name} arrives although peers answer ping: VRRP blocked?`,
    label: () => 'adverts blocked?',
    log: () => ({ msg: 'peers answer ping but no advertisement of the group arrives: VRRP is blocked', fields: {} }),
  },
  unexpected_group: {
    text: (f, name) => `unexpected ${name} from ${(f.details.routers ?? NONE).join(', ')}`,
    label: () => 'unexpected group',
  },
  unexpected_router: {
    text: (f, name) => `unexpected router ${f.details.router ?? ''} on ${name}`,
    label: (f) => `unexpected router ${f.details.router ?? ''}`,
  },
  capture_down: {
    text: (f) => `capture: ${f.details.problem ?? ''}`,
  },
  probe_down: {
    text: (f) => `${f.details.role ?? 'peer'} ${f.details.target ?? ''} does not answer ping`,
  },
};

/** A group as findings' words name it: `VRID 51 on eth0`, `VRID 51 ipv6 on eth0`. */
export function groupName(key: GroupKey): string {
  return `VRID ${key.vrid}${key.family === 'ipv6' ? ' ipv6' : ''} on ${key.interface}`;
}

/** `once`'s words for the finding (the HTML pages say the same). */
export function findingText(f: Finding, name: string): string {
  return WORDS[f.kind].text(f, name);
}

/** The live view's words (undefined: the kind is shown elsewhere on the screen). */
export function findingLabel(f: Finding): string | undefined {
  const words: KindWords = WORDS[f.kind];
  return words.label?.(f);
}

/** A finding as the log writes it: level, message and fields (the group and `finding` first). */
export interface FindingLine {
  level: 'error' | 'warn';
  msg: string;
  fields: Record<string, unknown>;
}

/** The log line of the finding, or undefined when the Monitor's events (or another line) log it. */
export function findingLine(f: Finding): FindingLine | undefined {
  const words: KindWords = WORDS[f.kind];
  const line = words.log?.(f);
  return line === undefined ? undefined : lineOf(f, line);
}

function lineOf(f: Finding, line: { msg: string; fields: Record<string, unknown> }): FindingLine {
  const group = f.key === undefined ? {} : { interface: f.key.interface, family: f.key.family, vrid: f.key.vrid };
  return { level: f.severity === 'critical' ? 'error' : 'warn', msg: line.msg, fields: { ...group, finding: f.kind, ...line.fields } };
}

/** What changed between two judgements of the logged findings. */
export interface FindingChanges {
  /** Each with the finding's id (findingId): a caller that does not write a line leaves it out of `active`. */
  started: (FindingLine & { id: string })[];
  /** Each with its message prefixed `ended: ` and logged at info. */
  ended: { msg: string; fields: Record<string, unknown> }[];
  /** The logged findings now, by id: the `active` of the next call. */
  active: Map<string, FindingLine>;
}

/**
 * The log's start and end lines: a finding with a log line that was not active starts, an active one
 * that is gone (or no longer has a line) ends. Each is said once however often the findings are judged.
 */
export function findingChanges(active: ReadonlyMap<string, FindingLine>, now: readonly Finding[]): FindingChanges {
  const next = new Map<string, FindingLine>();
  for (const f of now) {
    const words: KindWords = WORDS[f.kind];
    const own = words.log?.(f);
    if (own === undefined) continue;
    const id = findingId(f);
    // A finding already logged keeps the line it started with (its end line says the same): made once.
    next.set(id, active.get(id) ?? lineOf(f, own));
  }
  const started: FindingChanges['started'] = [];
  const ended: FindingChanges['ended'] = [];
  for (const [id, line] of next) if (!active.has(id)) started.push({ ...line, id });
  for (const [id, line] of active) if (!next.has(id)) ended.push({ msg: `ended: ${line.msg}`, fields: line.fields });
  return { started, ended, active: next };
}
