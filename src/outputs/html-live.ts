/**
 * The status page at `/` of `serve`: the current view as HTML (groups, masters with priorities, advert
 * ages, findings with their severity, who answers for each VIP, capture and ping health, the last
 * failovers, the findings that ended in the last hour) with a small SVG of
 * each group's last minutes. It reloads itself with a meta refresh; no script. Pure: a string from the
 * same views, and the core's list of findings (core/findings.ts) that the log, `once` and the metrics use.
 */
import { findings, findingsByGroup, judgedGroupsInOrder } from '../core/findings/findings.js';
import { findingText, groupName } from './finding-words.js';
import type { Finding, JudgedGroup, JudgedView } from '../core/findings/findings.js';
import type { RecentGroup } from '../core/history/recent.js';
import type { OwnershipView } from '../core/ownership/vip-owners.js';
import { groupId } from '../core/base/keys.js';
import type { GroupKey } from '../core/base/keys.js';
import type { NodeGroupView } from '../core/node/node.js';
import { healthOf } from './health.js';
import type { SourceStatus } from './health.js';
import { badge, clock, esc, n, page, TimeAxis, utc } from './html-kit.js';
import type { ShownFinding } from './html-kit.js';
import { CAUSE_TEXT, duration } from './report.js';
import type { EndedFinding } from './ended-findings.js';

export interface StatusPageInput extends JudgedView {
  now: number;
  version: string;
  /** This host's name: 40 tabs of 40 exporters must tell themselves apart. */
  host: string;
  /** keepalived.conf and notify_fifo when configured, and whether each is read (with the captures: serve's health). */
  sources: readonly SourceStatus[];
  /** A few lines about this instance (what it captures, how many groups are expected). */
  about: readonly string[];
  telemetryPath: string;
  refreshSeconds: number;
  /** Who answers for each VIP on the wire; undefined: not watched. */
  owners?: OwnershipView;
  captures: readonly { interface: string; up: boolean; dropped: number; problem: string | undefined }[];
  probes: readonly { target: string; role: string; up: boolean; rtt: number | undefined }[];
  /** interface → reason → count of packets not accepted as VRRP. */
  invalid: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** How far back `history` reaches, seconds. */
  historySeconds: number;
  /** A group's last minutes, by group id (`interface|family|vrid`). */
  history: (id: string) => RecentGroup | undefined;
  /** The findings that ended in the last hour, the latest first (EndedFindings). */
  ended: readonly EndedFinding[];
}

/** Ended findings listed on the page; the count says how many more there are. */
const ENDED_SHOWN = 20;

/** The findings that ended in the last hour: when, how long each lasted, its words as it started. */
function endedTable(ended: readonly EndedFinding[]): string {
  if (ended.length === 0) return '<p class="muted">None in the last hour.</p>';
  const rows = ended.slice(0, ENDED_SHOWN).map((e) => `<tr><td>${esc(utc(e.ended))}</td><td class="num">${esc(duration(e.ended - e.since))}</td><td>${badge(e)}</td></tr>`);
  const more = ended.length > ENDED_SHOWN ? `<p class="muted">and ${ended.length - ENDED_SHOWN} more</p>` : '';
  return `<table class="ended"><thead><tr><th>ended</th><th class="num">lasted</th><th>finding</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

/**
 * Whether this exporter runs on a node of a pair (it expects groups, from keepalived.conf or the config,
 * or it advertises or holds a VIP itself) or on a witness that only listens.
 */
export function hostRole(node: readonly NodeGroupView[]): 'node' | 'witness' {
  return node.some((n) => n.expected !== undefined || n.role !== 'observer') ? 'node' : 'witness';
}

/** A core finding as the page shows it: its kind's severity and `once`'s words. */
function said(f: Finding): ShownFinding {
  return { severity: f.severity, text: findingText(f, f.key === undefined ? '' : groupName(f.key)) };
}

/** How far back the history reaches, in words: `45 s`, `10 min`. */
function span(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

function age(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 600) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}

const SPARK_W = 300;
const SPARK_LANE = 10;

/** The group's last minutes: a band per router while it was master, red over split-brain, marks at failovers. */
function historySvg(recent: RecentGroup | undefined, routers: readonly string[], now: number, seconds: number): string {
  const axis = new TimeAxis(now - seconds, now, 0, SPARK_W);
  const names = [...routers];
  for (const m of recent?.masters ?? []) if (!names.includes(m.router)) names.push(m.router);
  const height = Math.max(1, names.length) * SPARK_LANE + 4;
  const parts = [`<svg class="history" viewBox="0 0 ${SPARK_W} ${height + 11}" width="${SPARK_W}" height="${height + 11}" role="img" aria-label="${esc(`masters over the last ${span(seconds)}`)}"><rect class="lane" x="0" y="0" width="${SPARK_W}" height="${height}"/>`];
  parts.push(`<text class="axis" x="0" y="${height + 10}">${clock(now - seconds)}</text><text class="axis" x="${SPARK_W}" y="${height + 10}" text-anchor="end">now</text>`);
  for (const m of recent?.masters ?? []) {
    const { x, w } = axis.bar(m.start, m.end);
    parts.push(`<rect class="master" x="${n(x)}" y="${2 + names.indexOf(m.router) * SPARK_LANE + 1}" width="${n(w)}" height="${SPARK_LANE - 2}"><title>${esc(`${m.router} master since ${clock(m.start)}`)}</title></rect>`);
  }
  for (const s of recent?.noMaster ?? []) {
    const { x, w } = axis.bar(s.start, s.end);
    parts.push(`<rect class="nomaster" x="${n(x)}" y="0" width="${n(w)}" height="${height}"/>`);
  }
  for (const s of recent?.splits ?? []) {
    const { x, w } = axis.bar(s.start, s.end);
    parts.push(`<rect class="split" x="${n(x)}" y="0" width="${n(w)}" height="${height}"><title>${esc(`split-brain since ${clock(s.start)}`)}</title></rect>`);
  }
  for (const f of recent?.failovers ?? []) {
    const x = n(axis.x(f.time));
    parts.push(`<line class="failover" x1="${x}" y1="0" x2="${x}" y2="${height}"><title>${esc(`failover ${f.from} -> ${f.to} at ${clock(f.time)}`)}</title></line>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

interface Row {
  id: string;
  key: GroupKey;
  findings: ShownFinding[];
  html: string;
}

function groupRow({ key, view: g, node }: JudgedGroup, found: readonly Finding[], input: StatusPageInput): Row {
  const id = groupId(key);
  const findings = found.map(said);
  const routers = g?.routers ?? [];
  const masters = routers.filter((r) => r.master).map((r) => `${esc(r.address)} <span class="muted">(${r.priority})</span>`);
  const heard = routers.map((r) => `${esc(r.address)} <span class="muted">priority ${r.priority}, ${age(Math.max(0, input.now - r.last))} ago</span>`);
  const role = node !== undefined && node.role !== 'observer' ? `<br><span class="muted">this node: ${node.role}</span>` : '';
  const expected = node?.expected;
  const from = expected === undefined ? '' : `<br><span class="muted">expected from ${esc(expected.source)}${expected.instance === undefined ? '' : ` (${esc(expected.instance)})`}</span>`;
  const recent = input.history(id);
  const last = recent?.failovers.at(-1);
  const failovers = g === undefined || g.masterChanges === 0 ? '<span class="muted">none</span>' : `${g.masterChanges}${last === undefined ? '' : `, last ${clock(last.time)}: ${esc(last.from)} → ${esc(last.to)} (${esc(last.cause)})`}`;
  const shown = findings.length === 0 ? '<span class="ok">ok</span>' : findings.map((f) => `<div>${badge(f)}</div>`).join('');
  const html = `<tr class="group-row"><td><strong>${esc(`VRID ${key.vrid}`)}</strong> ${esc(key.family)} on ${esc(key.interface)}${role}${from}</td><td>${masters.length === 0 ? '<span class="critical">none</span>' : masters.join('<br>')}</td><td>${heard.join('<br>')}</td><td>${shown}</td><td>${failovers}</td><td>${historySvg(recent, routers.map((r) => r.address), input.now, input.historySeconds)}</td></tr>`;
  return { id, key, findings, html };
}

const HEAD = '<thead><tr><th>group</th><th>master (priority)</th><th>routers heard (priority, last advert)</th><th>findings</th><th>failovers</th><th>last minutes</th></tr></thead>';

function healthTables(input: StatusPageInput, all: readonly Finding[]): string {
  const caps = input.captures.map((c) => `<tr><td>${esc(c.interface)}</td><td>${c.up ? '<span class="ok">up</span>' : '<span class="critical">DOWN</span>'}</td><td class="num">${c.dropped}</td><td>${esc(c.problem ?? '')}</td></tr>`);
  const out = [`<h2>Capture</h2><table class="captures"><thead><tr><th>interface</th><th>state</th><th class="num">dropped</th><th>problem</th></tr></thead><tbody>${caps.length === 0 ? '<tr><td colspan="4" class="muted">no capture running</td></tr>' : caps.join('')}</tbody></table>`];
  if (input.probes.length > 0) {
    const probes = input.probes.map((p) => `<tr><td>${esc(p.role)}</td><td>${esc(p.target)}</td><td>${p.up ? '<span class="ok">answers</span>' : '<span class="warning">no answer</span>'}</td><td class="num">${p.rtt === undefined ? '' : `${(p.rtt * 1000).toFixed(1)} ms`}</td></tr>`);
    out.push(`<h2>Ping</h2><table class="probes"><thead><tr><th>role</th><th>target</th><th>state</th><th class="num">round trip</th></tr></thead><tbody>${probes.join('')}</tbody></table>`);
  }
  const vips = input.owners?.vips ?? [];
  if (vips.length > 0) {
    const rows = vips.map((v) => {
      const owners = v.owners.map((o) => `${esc(o.mac)}${o.router !== undefined ? ` <span class="muted">(${esc(o.router)})</span>` : o.local ? ' <span class="muted">(this node)</span>' : ''} <span class="muted">since ${clock(o.since)}</span>`);
      const bad = v.duplicate || v.foreign.length > 0 || v.unanswered;
      const kind = `${v.watched ? 'watched' : 'VRRP'}${v.mode === 'shared' ? ', shared' : ''}`;
      const said = all.filter((f) => f.details.vip === v.vip && f.details.interface === v.interface).map((f) => `<div>${badge({ severity: f.severity, text: findingText(f, f.key === undefined ? '' : groupName(f.key)) })}</div>`);
      const announced = v.lastAnnouncement === undefined ? '<span class="muted">none heard</span>' : esc(clock(v.lastAnnouncement));
      return `<tr class="vip-row"><td>${esc(v.interface)}</td><td>${esc(v.vip)}</td><td>${esc(kind)}</td><td>${owners.length === 0 ? `<span class="${v.unanswered ? 'critical' : 'muted'}">nobody</span>` : `<span class="${bad ? 'critical' : 'ok'}">${owners.join('<br>')}</span>`}</td><td class="num">${v.ownerChanges}</td><td>${announced}</td><td>${said.length === 0 ? '<span class="ok">ok</span>' : said.join('')}</td></tr>`;
    });
    const probes = [...(input.owners?.probes ?? [])].map(([iface, count]) => `${iface}: ${count}`).join(', ');
    out.push(`<h2>VIP owners on the wire</h2><p class="muted">probes sent: ${esc(probes === '' ? 'none' : probes)}</p><table class="vip-owners"><thead><tr><th>interface</th><th>VIP</th><th>watched as</th><th>answered by (MAC, router, since)</th><th class="num">owner changes</th><th>last announcement</th><th>findings</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  const invalid = [...input.invalid].flatMap(([iface, reasons]) => [...reasons].map(([reason, count]) => `<tr><td>${esc(iface)}</td><td>${esc(reason)}</td><td class="num">${count}</td></tr>`));
  if (invalid.length > 0) out.push(`<h2>Invalid packets</h2><table class="invalid"><thead><tr><th>interface</th><th>reason</th><th class="num">packets</th></tr></thead><tbody>${invalid.join('')}</tbody></table>`);
  return out.join('\n');
}

export function renderStatusPage(input: StatusPageInput): string {
  // The same list serve's log is made of (its input has no probes: the page shows them in their own table).
  const all = findings({ groups: input.groups, node: input.node, conflicts: input.conflicts, foreign: input.foreign, ...(input.owners === undefined ? {} : { owners: input.owners }), now: input.now });
  const found = findingsByGroup(all);
  // Watched VIPs of no group have findings of their own (no group's row shows them).
  const vipFindings = all.filter((f) => f.key === undefined && f.details.vip !== undefined);
  const rows = judgedGroupsInOrder(input).map((g) => groupRow(g, found.get(g.key) ?? [], input));
  const withFindings = rows.filter((r) => r.findings.length > 0);
  const healthy = rows.filter((r) => r.findings.length === 0);
  const critical = withFindings.filter((r) => r.findings.some((f) => f.severity === 'critical')).length;
  const failovers = rows.flatMap((r) => (input.history(r.id)?.failovers ?? []).map((f) => ({ f, key: r.key })));
  failovers.sort((a, b) => b.f.time - a.f.time);

  const role = hostRole(input.node);
  const health = healthOf(input);
  const blind = health.level === 'critical';
  const vipCritical = vipFindings.some((f) => f.severity === 'critical');
  const level = blind || critical > 0 || vipCritical ? 'CRITICAL' : withFindings.length > 0 || vipFindings.length > 0 || health.level === 'warning' ? 'WARNING' : 'OK';

  const body: string[] = [];
  body.push(`<h1>${esc(input.host)} <span class="muted">(${role})</span></h1>`);
  body.push(`<p class="muted">vrrpwatch ${esc(input.version)} · ${esc(utc(input.now))} · refreshes every ${input.refreshSeconds} s · <a href="${esc(input.telemetryPath)}">metrics</a> · <a href="/healthz">health</a></p>`);
  body.push(`<ul class="about">${input.about.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`);
  if (health.lines.length > 0) body.push(`<ul class="health">${health.lines.map((l) => `<li>${badge(l)}</li>`).join('')}</ul>`);
  // While blind, "no findings" would be a lie: nothing can be judged on what is not captured.
  const state = blind
    ? `<span class="critical">BLIND: vrrpwatch cannot see VRRP where the capture is down${withFindings.length > 0 ? `; ${withFindings.length} group${withFindings.length === 1 ? '' : 's'} with findings` : ''}</span>`
    : critical > 0
      ? `<span class="critical">${critical} group${critical === 1 ? '' : 's'} with a critical finding</span>`
      : withFindings.length > 0
        ? `<span class="warning">${withFindings.length} group${withFindings.length === 1 ? '' : 's'} with a warning</span>`
        : '<span class="ok">no findings</span>';
  body.push(`<p class="state">${rows.length} group${rows.length === 1 ? '' : 's'}: ${state}.</p>`);
  if (vipFindings.length > 0) body.push(`<div class="vip-findings">${vipFindings.map((f) => `<div>${badge(said(f))}</div>`).join('')}</div>`);
  body.push('<h2>Groups</h2>');
  if (rows.length === 0) body.push(`<p class="muted">${blind ? 'No VRRP advertisement can be heard while the capture is down.' : 'No VRRP advertisement heard yet.'}</p>`);
  if (withFindings.length > 0) body.push(`<table class="groups findings">${HEAD}<tbody>${withFindings.map((r) => r.html).join('')}</tbody></table>`);
  if (healthy.length > 0) {
    const table = `<table class="groups healthy">${HEAD}<tbody>${healthy.map((r) => r.html).join('')}</tbody></table>`;
    // Folded only when it would bury the groups that need attention.
    body.push(withFindings.length > 0 && healthy.length > 20 ? `<details><summary>${healthy.length} groups without findings</summary>${table}</details>` : table);
  }
  body.push('<h2>Findings ended in the last hour</h2>');
  body.push(endedTable(input.ended));
  body.push(`<h2>Last failovers</h2>`);
  body.push(failovers.length === 0 ? `<p class="muted">None in the last ${span(input.historySeconds)}.</p>` : `<table class="failovers"><thead><tr><th>time</th><th>group</th><th>from</th><th>to</th><th>cause</th></tr></thead><tbody>${failovers.slice(0, 10).map(({ f, key }) => `<tr><td>${esc(utc(f.time))}</td><td>${esc(`VRID ${key.vrid} ${key.family} on ${key.interface}`)}</td><td>${esc(f.from)}</td><td>${esc(f.to)}</td><td>${esc(CAUSE_TEXT[f.cause])}</td></tr>`).join('')}</tbody></table>`);
  body.push(healthTables(input, all));
  return page(`${level} · ${input.host} (${role}) · vrrpwatch`, body.join('\n'), `<meta http-equiv="refresh" content="${input.refreshSeconds}">`);
}
