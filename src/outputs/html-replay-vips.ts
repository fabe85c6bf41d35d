/**
 * The replay page's watched VIPs (`--vip`): per VIP a timeline with a lane per MAC that answered (when
 * it answered), red over duplicates, grey while nobody answered, marks at owner changes, then its
 * events as text. Pure: a string from the replay report's `vips`.
 */
import { KINDS } from '../core/findings/finding-kinds.js';
import type { Finding, FindingDetails, FindingKind } from '../core/findings/findings.js';
import type { WatchedVipHistory } from '../core/history/vip-history.js';
import { findingText } from './finding-words.js';
import { badge, esc, n, utc } from './html-kit.js';
import type { TimeAxis } from './html-kit.js';
import type { ShownFinding } from './html-kit.js';
import { duration, watchedVipEvents } from './report.js';

const LANE = 22;
const TOP = 6;

/**
 * A watched VIP's findings over the capture (duplicates, foreign owners, unanswered stretches), each
 * said as its kind is said everywhere (finding-words.ts), with its kind's severity and how long it lasted.
 */
export function watchedVipFindings(v: WatchedVipHistory): ShownFinding[] {
  const lasted = (start: number, end: number | null): string => (end === null ? 'to the end of the capture' : `for ${duration(end - start)}`);
  const out: ShownFinding[] = [];
  const said = (kind: FindingKind, details: FindingDetails, start: number, end: number | null): void => {
    const f: Finding = { kind, severity: KINDS[kind].severity, key: undefined, scope: 'segment', details: { interface: v.interface, vip: v.address, ...details } };
    out.push({ severity: f.severity, text: `${findingText(f, '')} (${lasted(start, end)})` });
  };
  for (const d of v.vip_duplicates) said('vip_duplicate', { macs: d.macs }, d.start, d.end);
  for (const f of v.vip_foreign_owners) said('vip_foreign_owner', { mac: f.mac, byOwners: true }, f.start, f.end);
  for (const u of v.vip_unanswered) said('vip_unanswered', {}, u.start, u.end);
  return out;
}

function timeline(v: WatchedVipHistory, axis: TimeAxis): string {
  const macs = [...new Set(v.vip_owners.map((o) => o.mac))];
  const height = Math.max(1, macs.length) * LANE + TOP;
  const parts = [`<svg class="vip-timeline" viewBox="0 0 ${n(axis.x(axis.end) + 10)} ${height + 20}" width="${n(axis.x(axis.end) + 10)}" height="${height + 20}" role="img" aria-label="${esc(`owners of VIP ${v.address}`)}">`];
  parts.push(axis.ticks(0, height));
  macs.forEach((mac, i) => {
    parts.push(`<text class="label" x="${axis.left - 6}" y="${TOP + i * LANE + 14}" text-anchor="end">${esc(mac)}</text>`);
  });
  for (const u of v.vip_unanswered) {
    const { x, w } = axis.bar(u.start, u.end);
    parts.push(`<rect class="nomaster" x="${n(x)}" y="0" width="${n(w)}" height="${height}"><title>${esc(`nobody answered from ${utc(u.start, true)}`)}</title></rect>`);
  }
  for (const o of v.vip_owners) {
    const { x, w } = axis.bar(o.start, o.end);
    parts.push(`<rect class="master" x="${n(x)}" y="${TOP + macs.indexOf(o.mac) * LANE + 2}" width="${n(Math.max(1, w))}" height="${LANE - 6}"><title>${esc(`${o.mac} answered from ${utc(o.start, true)}`)}</title></rect>`);
  }
  for (const d of v.vip_duplicates) {
    const { x, w } = axis.bar(d.start, d.end);
    parts.push(`<rect class="split" x="${n(x)}" y="0" width="${n(w)}" height="${height}"><title>${esc(`answered by ${d.macs.join(' and ')} from ${utc(d.start, true)}`)}</title></rect>`);
  }
  for (const c of v.owner_changes) {
    const x = n(axis.x(c.time));
    parts.push(`<line class="failover" x1="${x}" y1="0" x2="${x}" y2="${height}"><title>${esc(`owner ${c.from} -> ${c.to} at ${utc(c.time, true)}`)}</title></line>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/** The page's section of watched VIPs ('' when none was watched). */
export function watchedVipsSection(vips: readonly WatchedVipHistory[], axis: TimeAxis): string {
  if (vips.length === 0) return '';
  const out = ['<h2 id="watched-vips">Watched VIPs</h2>', '<p class="muted">A lane per MAC that answered for the VIP (blue while it answered). Red: more than one answered at once. Grey: nobody answered. Purple lines: the MAC answering alone changed.</p>'];
  for (const v of vips) {
    const findings = watchedVipFindings(v);
    const events = watchedVipEvents(v).map(([t, text]) => `<tr><td>${esc(utc(t, true))}</td><td>${esc(text)}</td></tr>`);
    out.push(
      `<section class="watched-vip"><h3>${esc(`VIP ${v.address} on ${v.interface} (${v.mode})`)}</h3>` +
        `<p>${v.owner_changes.length} owner change${v.owner_changes.length === 1 ? '' : 's'}; ${v.last_announcement === null ? 'no gratuitous ARP or unsolicited NA heard' : esc(`last announced ${utc(v.last_announcement, true)}`)}</p>` +
        (findings.length === 0 ? '<p><span class="ok">no findings</span></p>' : `<ul class="findings">${findings.map((f) => `<li>${badge(f)}</li>`).join('')}</ul>`) +
        timeline(v, axis) +
        `<table class="events"><thead><tr><th>time (UTC)</th><th>event</th></tr></thead><tbody>${events.join('')}</tbody></table></section>`,
    );
  }
  return out.join('\n');
}
