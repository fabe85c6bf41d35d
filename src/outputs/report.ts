/** The `replay` report: one JSON document, or text for people reading a post-mortem. Pure. */
import { isoTime } from './html-kit.js';
import type { ForeignInterval } from '../core/groups/foreign.js';
import type { FailoverCause, FailoverReason } from '../core/groups/causes.js';
import type { GroupHistory } from '../core/history/timeline.js';
import type { VipFindings, WatchedVipHistory } from '../core/history/vip-history.js';
import { visible } from './terminal.js';

/**
 * A group in the report: its VRRP history, what ARP and NDP in the capture showed of its VIPs, and the
 * foreign traffic (CARP) heard on its VRID.
 */
export type ReplayGroup = GroupHistory & VipFindings & { foreign_traffic: ForeignInterval[] };

export interface ReplayReport {
  file: string;
  format: 'pcap' | 'pcapng';
  packets: number;
  /** Packets accepted as VRRP advertisements. */
  adverts: number;
  invalid: Record<string, number>;
  /** Capture times of the invalid packets (the first 100,000), for the HTML picture. */
  invalid_times: number[];
  /** ARP and NDP messages accepted (VIP ownership is judged from them), and those rejected, by reason. */
  neighbor_messages: number;
  neighbor_invalid: Record<string, number>;
  /** Time of the first and last packet, seconds since the epoch. */
  start: number | null;
  end: number | null;
  groups: ReplayGroup[];
  /** The watched VIPs (`--vip`), with or without VRRP: their owners over time. */
  vips: WatchedVipHistory[];
  evicted: { groups: number; routers: number };
}

export function renderJson(report: ReplayReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function time(t: number): string {
  return isoTime(t).replace('T', ' ').replace('Z', '');
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function until(end: number | null, start: number): string {
  return end === null ? 'still open at the end of the capture' : `until ${time(end)} (${duration(end - start)})`;
}

export const MISMATCH_TEXT: Record<string, string> = {
  auth: 'authentication (type or password) differs',
  advert_interval: 'advertisement interval differs',
  addresses: 'virtual address list differs',
  version: 'VRRP version differs',
  checksum_form: 'checksum computation differs',
  auth_hmac: 'some routers sign with auth_hmac, others do not',
  hmac_key_id: 'auth_hmac key id differs',
  hmac_clock: 'auth_hmac trailer clocks differ by more than half the freshness window',
};

/** Why the master changed, in words (see core/causes.ts). */
export const CAUSE_TEXT: Record<FailoverCause, string> = {
  resigned: 'the master sent priority 0: a graceful stop',
  preempted: 'preempted: the old master was still advertising',
  master_down: 'the master fell silent for its Master_Down_Interval',
  priority_drop: "the master's own priority fell below the backup's (a track_script weight?)",
  split_healed: 'a split-brain ended and this side stepped down',
  foreign: "another protocol's traffic on this VRID disturbed the master",
};

/** What ARP and NDP showed of a group's VIPs, one sentence per entry with its time. */
export function vipEvents(g: VipFindings): [number, string][] {
  const events: [number, string][] = [];
  for (const o of g.vip_owners) events.push([o.start, `VIP ${o.vip} answered by ${o.mac} (${o.router === null ? 'no router heard' : `router ${o.router}`}) ${o.end === null ? 'until the end of the capture' : `until ${time(o.end)}`}`]);
  for (const d of g.vip_duplicates) {
    events.push([d.start, `VIP DUPLICATE ${d.vip}: ${d.macs.length} MACs answered (${d.macs.join(', ')}) (judged after ${duration(d.judged - d.start)}) ${until(d.end, d.start)}`]);
  }
  for (const f of g.vip_foreign_owners) {
    events.push([f.start, `VIP FOREIGN OWNER ${f.vip}: answered by ${f.mac}, a MAC of no master of the group (judged after ${duration(f.judged - f.start)}) ${until(f.end, f.start)}`]);
  }
  for (const u of g.vip_unanswered) events.push([u.start, `VIP UNANSWERED ${u.vip}: asked while the group had a master, nobody answered ${until(u.end, u.start)}`]);
  for (const m of g.failovers_without_garp) events.push([m.time, `FAILOVER WITHOUT GARP: the new master ${m.router} announced none of ${m.vips.join(', ')} within seconds of taking over`]);
  return events;
}

/** A watched VIP's history, one sentence per entry with its time: owners, changes, findings. */
export function watchedVipEvents(v: WatchedVipHistory): [number, string][] {
  const events: [number, string][] = [];
  for (const o of v.vip_owners) events.push([o.start, `answered by ${o.mac}${o.router === null ? '' : ` (router ${o.router})`} ${o.end === null ? 'until the end of the capture' : `until ${time(o.end)}`}`]);
  for (const c of v.owner_changes) events.push([c.time, `OWNER CHANGE: ${c.from} -> ${c.to}`]);
  for (const d of v.vip_duplicates) events.push([d.start, `DUPLICATE: ${d.macs.length} MACs answered (${d.macs.join(', ')}) (judged after ${duration(d.judged - d.start)}) ${until(d.end, d.start)}`]);
  for (const f of v.vip_foreign_owners) events.push([f.start, `FOREIGN OWNER: answered by ${f.mac}, not among its expected owners (judged after ${duration(f.judged - f.start)}) ${until(f.end, f.start)}`]);
  for (const u of v.vip_unanswered) events.push([u.start, `UNANSWERED: asked, nobody answered ${until(u.end, u.start)}`]);
  return events.sort((a, b) => a[0] - b[0]);
}

/** A watched VIP's headline: `VIP 192.0.2.100 on eth0 (exclusive): 1 owner change, DUPLICATE x1`. */
export function watchedVipHeadline(v: WatchedVipHistory): string {
  const parts = [`${v.owner_changes.length} owner change${v.owner_changes.length === 1 ? '' : 's'}`];
  if (v.vip_duplicates.length > 0) parts.push(`DUPLICATE x${v.vip_duplicates.length}`);
  if (v.vip_foreign_owners.length > 0) parts.push(`FOREIGN OWNER x${v.vip_foreign_owners.length}`);
  if (v.vip_unanswered.length > 0) parts.push(`UNANSWERED x${v.vip_unanswered.length}`);
  const announced = v.last_announcement === null ? 'no gratuitous ARP or unsolicited NA heard' : `last announced ${time(v.last_announcement)}`;
  return `VIP ${v.address} on ${v.interface} (${v.mode}): ${parts.join(', ')}; ${announced}`;
}

/** The counts of a group's VIP findings, for its headline ("" when none). */
export function vipHeadline(g: VipFindings): string {
  const parts: string[] = [];
  if (g.vip_duplicates.length > 0) parts.push(`VIP DUPLICATE x${g.vip_duplicates.length}`);
  if (g.vip_foreign_owners.length > 0) parts.push(`VIP FOREIGN OWNER x${g.vip_foreign_owners.length}`);
  if (g.vip_unanswered.length > 0) parts.push(`VIP UNANSWERED x${g.vip_unanswered.length}`);
  if (g.failovers_without_garp.length > 0) parts.push(`FAILOVER WITHOUT GARP x${g.failovers_without_garp.length}`);
  return parts.map((p) => `, ${p}`).join('');
}

/**
 * A failover's cause in words with what supports it: `preempted: the old master was still advertising
 * (old master priority 100, new master priority 150, old master last heard 0.4 s before)`.
 */
export function causeText(r: FailoverReason): string {
  const before = r.from_priority_before;
  const from = before === null ? '' : `old master priority ${r.from_priority_after !== null && r.from_priority_after !== before ? `${before} -> ${r.from_priority_after}` : before}, `;
  const silent = r.silent_seconds === null ? '' : `, old master last heard ${duration(r.silent_seconds)} before`;
  return `${CAUSE_TEXT[r.cause]} (${from}new master priority ${r.to_priority}${silent})`;
}

/** A group's events in time order, one sentence each: the text report's lines and the HTML page's table. */
/** A foreign-traffic episode in words: `CARP vhid 51 from 192.0.2.7, 192.0.2.8 (42 packets)`. */
export function foreignText(f: ForeignInterval): string {
  const more = f.more_sources > 0 ? ` and ${f.more_sources} more` : '';
  return `${f.protocol === 'carp' ? 'CARP' : 'non-VRRP protocol-112 traffic'} vhid ${f.vhid} from ${f.sources.join(', ')}${more} (${f.packets} packets) on this VRID`;
}

export function groupEvents(g: ReplayGroup): [number, string][] {
  const events: [number, string][] = [];
  for (const m of g.masters) events.push([m.start, `${m.router} master ${until(m.end, m.start)}`]);
  for (const f of g.failovers) events.push([f.time, `failover ${f.from} -> ${f.to}: ${causeText(f)}`]);
  for (const s of g.split_brain) {
    events.push([
      s.start,
      `SPLIT-BRAIN ${s.routers.join(' + ')} (judged after ${duration(s.judged - s.start)}${s.likely_cause === undefined ? '' : `; likely cause: ${s.likely_cause} mismatch`}) ${until(s.end, s.start)}`,
    ]);
  }
  for (const n of g.no_master) events.push([n.start, `no master ${until(n.end, n.start)}`]);
  for (const r of g.failover_risk) events.push([r.start, `failover risk: the master's adverts came close to the takeover deadline ${until(r.end, r.start)}`]);
  for (const c of g.vip_conflicts) events.push([c.start, `VIP CONFLICT: ${c.vip} also advertised by the master of VRID ${c.vrids.join(', ')} ${until(c.end, c.start)}`]);
  for (const m of g.mismatches) events.push([m.start, `mismatch: ${MISMATCH_TEXT[m.field] ?? m.field} ${until(m.end, m.start)}`]);
  for (const f of g.foreign_traffic) events.push([f.start, `FOREIGN TRAFFIC: ${foreignText(f)} ${until(f.end, f.start)}`]);
  for (const gap of g.advert_gaps) events.push([gap.start, `near failover: master ${gap.router} sent nothing for ${duration(gap.seconds)} (${gap.intervals} intervals) and stayed master`]);
  events.push(...vipEvents(g));
  return events.sort((a, b) => a[0] - b[0]);
}

function groupText(g: ReplayGroup): string[] {
  const lines: string[] = [];
  const splits = g.split_brain.length;
  const conflicts = (g.vip_conflicts.length > 0 ? `, VIP CONFLICT x${g.vip_conflicts.length}` : '') + (g.foreign_traffic.length > 0 ? `, FOREIGN TRAFFIC x${g.foreign_traffic.length}` : '');
  const headline = (splits > 0 ? `SPLIT-BRAIN x${splits}` : g.failovers.length > 0 ? `${g.failovers.length} failover(s)` : 'stable') + conflicts + vipHeadline(g);
  lines.push(`group vrid ${g.vrid} ${g.family} on ${g.interface}: ${headline}`);
  for (const r of g.routers) {
    const auth = r.auth_type === null ? '' : `, auth type ${r.auth_type}`;
    lines.push(
      `  router ${r.address}: ${r.adverts} adverts, priority ${r.priorities.join('/')}, v${r.version}, interval ${r.advert_interval} s${auth}, checksum ${r.checksum_form}`,
    );
  }
  for (const [t, text] of groupEvents(g)) lines.push(`  ${time(t)}  ${text}`);
  if (g.omitted + g.vip_omitted > 0) lines.push(`  (${g.omitted + g.vip_omitted} further entries not kept)`);
  return lines;
}

export function renderText(report: ReplayReport): string {
  const lines: string[] = [];
  const span = report.start !== null && report.end !== null ? `, ${time(report.start)} to ${time(report.end)} (${duration(report.end - report.start)})` : '';
  lines.push(`${report.file}: ${report.packets} packets, ${report.adverts} VRRP advertisements${span}`);
  const invalid = Object.entries(report.invalid);
  if (invalid.length > 0) {
    const total = invalid.reduce((n, [, c]) => n + c, 0);
    lines.push(`invalid: ${total} (${invalid.map(([reason, n]) => `${reason} ${n}`).join(', ')})`);
  }
  const neighborInvalid = Object.entries(report.neighbor_invalid);
  if (report.neighbor_messages + neighborInvalid.length > 0) {
    const rejected = neighborInvalid.length > 0 ? ` (${neighborInvalid.map(([reason, n]) => `${reason} ${n}`).join(', ')} rejected)` : '';
    lines.push(`ARP/NDP: ${report.neighbor_messages} messages, VIP ownership judged from them${rejected}`);
  }
  if (report.groups.length === 0) {
    lines.push(`no VRRP advertisements in ${report.file}`);
  }
  const splitGroups = report.groups.filter((g) => g.split_brain.length > 0).length;
  const conflictGroups = report.groups.filter((g) => g.vip_conflicts.length > 0).length;
  if (report.groups.length > 0) {
    lines.push(`${report.groups.length} group(s), ${splitGroups} with split-brain${conflictGroups > 0 ? `, ${conflictGroups} sharing a VIP with another VRID's master` : ''}`);
  }
  if (report.evicted.groups + report.evicted.routers > 0) {
    lines.push(`tables full: ${report.evicted.groups} groups and ${report.evicted.routers} routers evicted`);
  }
  for (const g of report.groups) {
    lines.push('');
    lines.push(...groupText(g));
  }
  for (const v of report.vips) {
    lines.push('');
    lines.push(watchedVipHeadline(v));
    for (const [t, text] of watchedVipEvents(v)) lines.push(`  ${time(t)}  ${text}`);
    if (v.vip_omitted > 0) lines.push(`  (${v.vip_omitted} further entries not kept)`);
  }
  // Each line whole: an interface name from the capture with a line break or an escape sequence in it is shown, never obeyed.
  return `${lines.map(visible).join('\n')}\n`;
}
