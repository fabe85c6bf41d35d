/**
 * `replay --format html`: the post-mortem as one self-contained page (inline CSS and SVG, no script):
 * a summary, invalid packets over time, and per group a timeline of who was master when, split-brain
 * intervals, failovers with their causes, priorities, near failovers, mismatches, VIP conflicts, foreign
 * traffic and what ARP/NDP showed of its VIPs (duplicates, foreign owners, unanswered, failovers without
 * GARP), then its events as text.
 * Healthy groups are folded so a thousand of them stay readable. Pure: a string from the replay report.
 */
import { findingText, groupName as findingGroupName } from './finding-words.js';
import type { Finding, FindingDetails, FindingKind } from '../core/findings/findings.js';
import { KINDS } from '../core/findings/finding-kinds.js';
import type { GroupKey } from '../core/base/keys.js';
import { badge, clock, esc, n, page, TimeAxis, utc } from './html-kit.js';
import type { ShownFinding } from './html-kit.js';
import { causeText, duration, foreignText, groupEvents, MISMATCH_TEXT } from './report.js';
import type { ReplayGroup, ReplayReport } from './report.js';
import { watchedVipFindings, watchedVipsSection } from './html-replay-vips.js';

/**
 * Each group's picture draws, and its event table lists, at most this many of each list (masters,
 * failovers, priorities, gaps; events): a page stays a page. The JSON report keeps up to 10,000.
 */
export const HTML_LIST_MAX = 1_000;

const WIDTH = 1000;
const LABEL = 170;
const PLOT = WIDTH - LABEL - 10;
const LANE = 34;
const TOP = 18;
/** Healthy groups are folded when the report has more groups than this. */
const FOLD_ABOVE = 10;
/** Where a timeline's time axis runs, in SVG units (tests measure the drawn intervals with it). */
export const TIMELINE_PLOT = { left: LABEL, width: PLOT };

/** How long an interval of the capture lasted, in words. */
function lasted(start: number, end: number | null): string {
  return end === null ? 'to the end of the capture' : `for ${duration(end - start)}`;
}

/**
 * A group's findings over the capture, worst first: what the summary and the group's heading show. The
 * intervals are the replay's own history (the timeline); each is said as its kind in finding-kinds.ts
 * says it, with that kind's severity, and how long it lasted.
 */
export function historyFindings(g: ReplayGroup): ShownFinding[] {
  const key: GroupKey = { interface: g.interface, family: g.family, vrid: g.vrid };
  const name = findingGroupName(key);
  const out: ShownFinding[] = [];
  const said = (kind: FindingKind, details: FindingDetails, start: number, end: number | null): void => {
    const f: Finding = { kind, severity: KINDS[kind].severity, key, scope: 'segment', details };
    out.push({ severity: f.severity, text: `${findingText(f, name)} (${lasted(start, end)})` });
  };
  for (const s of g.split_brain) said('split_brain', { routers: s.routers }, s.start, s.end);
  for (const c of g.vip_conflicts) said('vip_conflict', { vip: c.vip, otherVrids: c.vrids }, c.start, c.end);
  for (const gap of g.no_master) said('no_master', {}, gap.start, gap.end);
  for (const r of g.failover_risk) said('failover_risk', {}, r.start, r.end);
  for (const m of g.mismatches) {
    if (m.field === 'auth') said('auth_mismatch', {}, m.start, m.end);
    else said('config_mismatch', { field: m.field }, m.start, m.end);
  }
  // Not a finding kind: live, near failovers are a counter, a gauge and a rate-bounded log line (and the
  // VrrpNearFailovers alert); in a post-mortem each is worth a look, so the replay warns of them.
  if (g.advert_gaps.length > 0) out.push({ severity: 'warning', text: `${g.advert_gaps.length} near failover${g.advert_gaps.length === 1 ? '' : 's'}: gap${g.advert_gaps.length === 1 ? '' : 's'} in a master's adverts` });
  // What ARP and NDP showed, in the same words.
  for (const d of g.vip_duplicates) said('vip_duplicate', { interface: g.interface, vip: d.vip, macs: d.macs }, d.start, d.end);
  for (const f of g.vip_foreign_owners) said('vip_foreign_owner', { interface: g.interface, vip: f.vip, mac: f.mac }, f.start, f.end);
  for (const u of g.vip_unanswered) said('vip_unanswered', { interface: g.interface, vip: u.vip }, u.start, u.end);
  for (const m of g.failovers_without_garp) {
    const f: Finding = { kind: 'failover_without_garp', severity: KINDS.failover_without_garp.severity, key, scope: 'segment', details: { router: m.router, time: m.time, vip: m.vips.join(', ') } };
    out.push({ severity: f.severity, text: `${findingText(f, name)} (at ${utc(m.time, true)})` });
  }
  return out;
}

/** The VIP findings on the findings lane at `y`: intervals as bands, failovers without GARP as marks. */
function vipLane(g: ReplayGroup, axis: TimeAxis, y: number): string {
  const parts: string[] = [];
  const band = (kind: string, start: number, end: number | null, label: string, title: string): void => {
    const { x, w } = axis.bar(start, end);
    parts.push(`<g class="vip-finding" data-finding="${kind}" data-start="${start}" data-end="${end ?? ''}"><rect class="conflict" x="${n(x)}" y="${y + 4}" width="${n(w)}" height="${LANE - 8}"/><text class="label" x="${n(x + 3)}" y="${y + LANE / 2 + 4}">${esc(label)}</text><title>${esc(title)}</title></g>`);
  };
  for (const d of g.vip_duplicates) band('vip_duplicate', d.start, d.end, `duplicate ${d.vip}`, `VIP ${d.vip} answered by ${d.macs.join(' and ')} from ${utc(d.start, true)}`);
  for (const f of g.vip_foreign_owners) band('vip_foreign_owner', f.start, f.end, `foreign ${f.mac}`, `VIP ${f.vip} answered by ${f.mac}, a MAC of no master, from ${utc(f.start, true)}`);
  for (const u of g.vip_unanswered) band('vip_unanswered', u.start, u.end, `unanswered ${u.vip}`, `VIP ${u.vip} not answered from ${utc(u.start, true)}`);
  for (const m of g.failovers_without_garp) {
    const x = n(axis.x(m.time));
    parts.push(`<g class="vip-finding" data-finding="failover_without_garp" data-start="${m.time}"><path class="mismatch" d="M${x} ${y + 4}l-5 ${LANE - 8}h10z"/><title>${esc(`failover to ${m.router} at ${utc(m.time, true)} without a gratuitous ARP for ${m.vips.join(', ')}`)}</title></g>`);
  }
  return parts.join('');
}

function groupName(g: ReplayGroup): string {
  return `VRID ${g.vrid} ${g.family} on ${g.interface}`;
}

/** An id for a group's section, made of its place in the report, family and VRID (never of the interface name). */
function anchor(g: ReplayGroup, index: number): string {
  return `g${index}-${g.family}-${g.vrid}`;
}

function timelineSvg(g: ReplayGroup, axis: TimeAxis): string {
  const routers = g.routers.map((r) => r.address);
  for (const m of g.masters) if (!routers.includes(m.router)) routers.push(m.router);
  const vipCount = g.vip_duplicates.length + g.vip_foreign_owners.length + g.vip_unanswered.length + g.failovers_without_garp.length;
  const extra = g.mismatches.length + g.vip_conflicts.length + g.foreign_traffic.length + vipCount > 0 ? 1 : 0;
  const lanesBottom = TOP + routers.length * LANE;
  const height = lanesBottom + extra * LANE + 24;
  const laneY = (router: string): number => TOP + Math.max(0, routers.indexOf(router)) * LANE;
  const parts: string[] = [];
  parts.push(`<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(`timeline of ${groupName(g)}`)}">`);
  parts.push(axis.ticks(TOP - 4, lanesBottom + extra * LANE + 2));
  routers.forEach((router, i) => {
    const y = TOP + i * LANE;
    parts.push(`<rect class="lane" x="${LABEL}" y="${y + 2}" width="${PLOT}" height="${LANE - 4}"/><text class="label" x="${LABEL - 6}" y="${y + LANE / 2 + 4}" text-anchor="end">${esc(router)}</text>`);
  });
  for (const m of g.masters.slice(0, HTML_LIST_MAX)) {
    const { x, w } = axis.bar(m.start, m.end);
    const y = laneY(m.router);
    parts.push(`<rect class="master" data-router="${esc(m.router)}" x="${n(x)}" y="${y + 4}" width="${n(w)}" height="16"><title>${esc(`${m.router} master from ${utc(m.start, true)}${m.end === null ? ' to the end of the capture' : ` to ${utc(m.end, true)}`}`)}</title></rect>`);
  }
  parts.push(priorityLines(g, axis, laneY));
  for (const gap of g.advert_gaps.slice(0, HTML_LIST_MAX)) {
    const { x, w } = axis.bar(gap.start, gap.end);
    parts.push(`<rect class="gap" x="${n(x)}" y="${laneY(gap.router) + 4}" width="${n(w)}" height="16"><title>${esc(`no advert from ${gap.router} for ${duration(gap.end - gap.start)} from ${utc(gap.start, true)}`)}</title></rect>`);
  }
  for (const s of g.no_master) {
    const { x, w } = axis.bar(s.start, s.end);
    parts.push(`<rect class="nomaster" x="${n(x)}" y="${TOP}" width="${n(w)}" height="${lanesBottom - TOP}"><title>${esc(`no master from ${utc(s.start, true)}`)}</title></rect>`);
  }
  for (const s of g.split_brain) {
    const { x, w } = axis.bar(s.start, s.end);
    parts.push(`<g class="split-brain" data-start="${s.start}" data-end="${s.end ?? ''}"><rect class="split" x="${n(x)}" y="${TOP}" width="${n(w)}" height="${lanesBottom - TOP}"/>`);
    parts.push(`<line class="split-edge" x1="${n(x)}" y1="${TOP}" x2="${n(x)}" y2="${lanesBottom}"/><line class="split-edge" x1="${n(x + w)}" y1="${TOP}" x2="${n(x + w)}" y2="${lanesBottom}"/>`);
    parts.push(`<text class="split-text" x="${n(x + 3)}" y="${TOP - 6}">split-brain</text><title>${esc(`split-brain ${s.routers.join(' + ')} from ${utc(s.start, true)}${s.end === null ? '' : ` to ${utc(s.end, true)}`}`)}</title></g>`);
  }
  g.failovers.slice(0, HTML_LIST_MAX).forEach((f, i) => {
    const x = n(axis.x(f.time));
    const cause = `: ${causeText(f)}`;
    parts.push(`<g class="failover-at" data-time="${f.time}"><line class="failover" x1="${x}" y1="${TOP - 2}" x2="${x}" y2="${lanesBottom}"/><path class="failover-mark" d="M${x} ${TOP}l-4 -7h8z"/><text class="label" x="${x}" y="${TOP - 9}" text-anchor="middle">F${i + 1}</text><title>${esc(`failover ${f.from} -> ${f.to} at ${utc(f.time, true)}${cause}`)}</title></g>`);
  });
  if (extra > 0) {
    const y = lanesBottom;
    parts.push(`<text class="label" x="${LABEL - 6}" y="${y + LANE / 2 + 4}" text-anchor="end">mismatch / VIP</text>`);
    for (const m of g.mismatches) {
      const { x, w } = axis.bar(m.start, m.end);
      parts.push(`<rect class="mismatch" x="${n(x)}" y="${y + 4}" width="${n(w)}" height="${LANE - 8}"><title>${esc(`mismatch: ${MISMATCH_TEXT[m.field] ?? m.field}`)}</title></rect><text class="label" x="${n(x + 3)}" y="${y + LANE / 2 + 4}">${esc(m.field)}</text>`);
    }
    for (const c of g.vip_conflicts) {
      const { x, w } = axis.bar(c.start, c.end);
      parts.push(`<rect class="conflict" x="${n(x)}" y="${y + 4}" width="${n(w)}" height="${LANE - 8}"><title>${esc(`VIP ${c.vip} also mastered in VRID ${c.vrids.join(', ')}`)}</title></rect><text class="label" x="${n(x + 3)}" y="${y + LANE / 2 + 4}">${esc(`VIP ${c.vip}`)}</text>`);
    }
    for (const f of g.foreign_traffic) {
      const { x, w } = axis.bar(f.start, f.end);
      parts.push(`<rect class="foreign" data-protocol="${esc(f.protocol)}" x="${n(x)}" y="${y + 4}" width="${n(w)}" height="${LANE - 8}"><title>${esc(`foreign traffic: ${foreignText(f)}`)}</title></rect><text class="label" x="${n(x + 3)}" y="${y + LANE / 2 + 4}">${esc(`${f.protocol.toUpperCase()} vhid ${f.vhid}`)}</text>`);
    }
    parts.push(vipLane(g, axis, y));
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Each router's advertised priority as a step line in its lane (0 at the bottom, 255 at the top), labelled where it changes. */
function priorityLines(g: ReplayGroup, axis: TimeAxis, laneY: (router: string) => number): string {
  const byRouter = new Map<string, { time: number; priority: number }[]>();
  for (const p of g.priorities.slice(0, HTML_LIST_MAX)) {
    let list = byRouter.get(p.router);
    if (list === undefined) byRouter.set(p.router, (list = []));
    list.push(p);
  }
  const parts: string[] = [];
  for (const [router, changes] of byRouter) {
    const y0 = laneY(router) + LANE - 3;
    const y = (priority: number): number => y0 - (priority / 255) * 9;
    const last = g.routers.find((r) => r.address === router)?.last_seen ?? axis.end;
    const points: string[] = [];
    let labelledAt = -Infinity;
    changes.forEach((c, i) => {
      const x = axis.x(c.time);
      const xEnd = axis.x(changes[i + 1]?.time ?? last);
      points.push(`${n(x)},${n(y(c.priority))} ${n(xEnd)},${n(y(c.priority))}`);
      if (x - labelledAt >= 28) {
        parts.push(`<text class="prio-label" x="${n(x + 2)}" y="${n(laneY(router) + LANE - 6)}">${c.priority}</text>`);
        labelledAt = x;
      }
    });
    parts.push(`<polyline class="prio" points="${points.join(' ')}"><title>${esc(`priority of ${router}: ${changes.map((c) => `${c.priority} from ${clock(c.time)}`).join(', ')}`)}</title></polyline>`);
  }
  return parts.join('');
}

function routerTable(g: ReplayGroup): string {
  const rows = g.routers.map((r) => {
    const auth = r.auth_type === null ? '–' : String(r.auth_type);
    return `<tr><td>${esc(r.address)}</td><td class="num">${r.adverts}</td><td>${esc(r.priorities.join(' / '))}</td><td class="num">${r.version}</td><td class="num">${esc(r.advert_interval)} s</td><td class="num">${esc(auth)}</td><td>${esc(r.checksum_form)}</td><td>${esc(r.addresses.join(', '))}</td><td>${clock(r.first_seen)} – ${clock(r.last_seen)}</td></tr>`;
  });
  return `<table class="routers"><thead><tr><th>router</th><th class="num">adverts</th><th>priorities</th><th class="num">version</th><th class="num">interval</th><th class="num">auth type</th><th>checksum</th><th>virtual addresses</th><th>heard (UTC)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function eventTable(g: ReplayGroup): string {
  const failovers = new Map(g.failovers.slice(0, HTML_LIST_MAX).map((f, i) => [f, i + 1]));
  const events = groupEvents(g);
  const rows = events.slice(0, HTML_LIST_MAX).map(([t, text]) => `<tr><td>${esc(utc(t, true))}</td><td>${esc(text)}</td></tr>`);
  const marks = [...failovers].map(([f, i]) => `F${i} ${clock(f.time)}`).join(', ');
  const unlisted = events.length > HTML_LIST_MAX ? `<p class="muted">${events.length - HTML_LIST_MAX} later events not listed here (the JSON report has them).</p>` : '';
  const omitted = g.omitted + g.vip_omitted > 0 ? `<p class="muted">${g.omitted + g.vip_omitted} further entries not kept.</p>` : '';
  return `<table class="events"><thead><tr><th>time</th><th>event</th></tr></thead><tbody>${rows.join('')}</tbody></table>${marks === '' ? '' : `<p class="muted">Failover marks: ${esc(marks)}.</p>`}${unlisted}${omitted}`;
}

/** Worst first: groups with a critical finding, then warnings, then those with failovers, then the rest. */
function rank(g: ReplayGroup, findings: readonly ShownFinding[]): number {
  if (findings.some((f) => f.severity === 'critical')) return 0;
  if (findings.length > 0) return 1;
  return g.failovers.length > 0 ? 2 : 3;
}

function groupSection(g: ReplayGroup, index: number, findings: readonly ShownFinding[], axis: TimeAxis, fold: boolean): string {
  const headline = findings.length > 0 ? findings.map(badge).join(' ') : `<span class="ok">${g.failovers.length > 0 ? 'no finding' : 'stable'}</span>`;
  const failovers = g.failovers.length > 0 ? ` · ${g.failovers.length} failover${g.failovers.length === 1 ? '' : 's'}` : '';
  // Folded: groups with nothing to look at (no finding, no failover), once there are enough to bury the rest.
  const open = !fold || findings.length > 0 || g.failovers.length > 0 ? ' open' : '';
  return `<details class="group" id="${anchor(g, index)}"${open}><summary><strong>${esc(groupName(g))}</strong> · ${g.routers.length} router${g.routers.length === 1 ? '' : 's'}${failovers} · ${headline}</summary>${timelineSvg(g, axis)}${routerTable(g)}${eventTable(g)}</details>`;
}

function invalidSvg(times: readonly number[], axis: TimeAxis): string {
  const buckets = 60;
  const counts = new Array<number>(buckets).fill(0);
  for (const t of times) {
    const i = Math.min(buckets - 1, Math.max(0, Math.floor(((t - axis.start) / axis.span) * buckets)));
    counts[i] = (counts[i] ?? 0) + 1;
  }
  const max = Math.max(...counts, 1);
  const h = 60;
  const bw = PLOT / buckets;
  const bars = counts
    .map((c, i) => (c === 0 ? '' : `<rect class="invalid" x="${n(LABEL + i * bw)}" y="${n(10 + h - (c / max) * h)}" width="${n(Math.max(1, bw - 1))}" height="${n((c / max) * h)}"><title>${c} invalid</title></rect>`))
    .join('');
  return `<svg class="invalid-over-time" viewBox="0 0 ${WIDTH} ${h + 32}" width="${WIDTH}" height="${h + 32}" role="img" aria-label="invalid packets over time">${axis.ticks(8, h + 10)}<text class="label" x="${LABEL - 6}" y="18" text-anchor="end">${max} per ${duration(axis.span / buckets)}</text><text class="label" x="${LABEL - 6}" y="${h + 10}" text-anchor="end">0</text>${bars}</svg>`;
}

export function renderHtmlReport(report: ReplayReport): string {
  const start = report.start ?? 0;
  const axis = new TimeAxis(start, report.end ?? start, LABEL, PLOT);
  const shown = report.groups.map((g, index) => ({ g, index, findings: historyFindings(g) }));
  const ordered = [...shown].sort((a, b) => rank(a.g, a.findings) - rank(b.g, b.findings) || a.index - b.index);
  const splits = report.groups.reduce((sum, g) => sum + g.split_brain.length, 0);
  const failovers = report.groups.reduce((sum, g) => sum + g.failovers.length, 0);
  const critical = shown.filter((s) => s.findings.some((f) => f.severity === 'critical'));
  const warned = shown.filter((s) => s.findings.length > 0 && s.findings.every((f) => f.severity !== 'critical'));
  const worst = critical[0] ?? warned[0];
  const invalidTotal = Object.values(report.invalid).reduce((sum, c) => sum + c, 0);
  const span = report.start === null || report.end === null ? 'no packets' : `${utc(report.start, true)} to ${utc(report.end, true)} (${duration(report.end - report.start)})`;

  const body: string[] = [];
  body.push(`<h1>vrrpwatch replay: ${esc(report.file)}</h1>`);
  body.push(`<p class="muted">${esc(report.format)} capture, ${span}. All times UTC.</p>`);
  body.push('<h2>Summary</h2><table class="summary"><tbody>');
  body.push(`<tr><th>groups</th><td class="num">${report.groups.length}</td><td>${critical.length} with a critical finding, ${warned.length} with a warning, ${report.groups.length - critical.length - warned.length} healthy</td></tr>`);
  body.push(`<tr><th>split-brain intervals</th><td class="num">${splits}</td><td>${splits > 0 ? '<span class="critical">more than one master</span>' : '<span class="ok">none</span>'}</td></tr>`);
  body.push(`<tr><th>failovers</th><td class="num">${failovers}</td><td></td></tr>`);
  if (report.vips.length > 0) {
    const troubled = report.vips.filter((v) => watchedVipFindings(v).length > 0).length;
    const changes = report.vips.reduce((sum, v) => sum + v.owner_changes.length, 0);
    body.push(`<tr><th>watched VIPs</th><td class="num">${report.vips.length}</td><td>${troubled > 0 ? `<span class="critical">${troubled} with a critical finding</span>` : '<span class="ok">no findings</span>'}, ${changes} owner change${changes === 1 ? '' : 's'}; <a href="#watched-vips">below</a></td></tr>`);
  }
  body.push(`<tr><th>packets</th><td class="num">${report.packets}</td><td>${report.adverts} VRRP advertisements, ${invalidTotal} invalid${invalidTotal > 0 ? ` (${esc(Object.entries(report.invalid).map(([reason, c]) => `${reason} ${c}`).join(', '))})` : ''}</td></tr>`);
  const worstText = worst === undefined ? '<span class="ok">none</span>' : `<a href="#${anchor(worst.g, worst.index)}">${esc(groupName(worst.g))}</a>: ${worst.findings[0] === undefined ? '' : badge(worst.findings[0])}`;
  body.push(`<tr><th>worst finding</th><td></td><td>${worstText}</td></tr>`);
  if (report.evicted.groups + report.evicted.routers > 0) body.push(`<tr><th>tables full</th><td></td><td class="warning">${report.evicted.groups} groups and ${report.evicted.routers} routers evicted</td></tr>`);
  body.push('</tbody></table>');
  const listed = [...critical, ...warned];
  if (listed.length > 0) {
    const items = listed.slice(0, 100).map((s) => `<li><a href="#${anchor(s.g, s.index)}">${esc(groupName(s.g))}</a>: ${s.findings.map(badge).join('; ')}</li>`);
    const more = listed.length > 100 ? `<li class="muted">and ${listed.length - 100} more groups with findings, below</li>` : '';
    body.push(`<h2>Findings</h2><ul class="findings">${items.join('')}${more}</ul>`);
  }
  if (report.invalid_times.length > 0) body.push(`<h2>Invalid packets over time</h2>${invalidSvg(report.invalid_times, axis)}`);
  body.push(`<h2>Groups</h2>`);
  body.push(`<p class="muted">Blue bands: who counted as master. Red: split-brain. Grey: no master. Purple marks F1, F2, …: failovers. Thin line under each band: advertised priority (0 to 255). Orange: near failovers (gaps of more than two intervals in a master's adverts). Bottom lane: mismatches, VIP conflicts, foreign traffic and what ARP/NDP showed (a VIP answered by two MACs, by a foreign MAC, or not at all; triangles: failovers without a gratuitous ARP).${report.groups.length > FOLD_ABOVE ? ' Groups without findings or failovers are folded.' : ''}</p>`);
  if (report.groups.length === 0) body.push(`<p>No VRRP advertisements in ${esc(report.file)}.</p>`);
  const fold = report.groups.length > FOLD_ABOVE;
  for (const s of ordered) body.push(groupSection(s.g, s.index, s.findings, axis, fold));
  body.push(watchedVipsSection(report.vips, axis));
  return page(`vrrpwatch replay: ${report.file}`, body.join('\n'));
}
