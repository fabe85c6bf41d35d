/**
 * `serve --live`: the terminal view an operator keeps open while fixing an incident. Groups with their
 * masters and priorities, each router's advert age, findings, who answers for each VIP on the wire,
 * capture and probe health, and the latest
 * log events (handed over as the log calls are made, never read back from the log's text). Pure: a
 * frame of text from the views.
 */
import { isoTime } from './html-kit.js';
import { visible } from './terminal.js';
import { findings, findingsByGroup, judgedGroupsInOrder } from '../core/findings/findings.js';
import { findingLabel } from './finding-words.js';
import type { JudgedView } from '../core/findings/findings.js';
import type { OwnershipView } from '../core/ownership/vip-owners.js';

export interface LiveInput extends JudgedView {
  now: number;
  /** Who answers for each VIP (VipOwners.judge); undefined: not watched. */
  owners?: OwnershipView;
  title: string;
  captures: readonly { interface: string; up: boolean; dropped: number; problem: string | undefined }[];
  probes: readonly { target: string; role: string; up: boolean; rtt: number | undefined }[];
  /** Latest log events, oldest first, already one line each. */
  events: readonly string[];
  color: boolean;
}

// vrrpwatch's own colours; every value shown is made visible (terminal.ts) before it is painted.
const RED = '\x1b[31;1m';
const YELLOW = '\x1b[33m';
const GREEN = '\x1b[32m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

function age(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 600) return `${Math.round(seconds)}s`;
  return `${Math.round(seconds / 60)}m`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text + ' '.repeat(width - text.length);
}

function clock(t: number): string {
  return isoTime(t).slice(11, 19);
}

export function renderLive(input: LiveInput): string {
  const paint = (code: string, text: string): string => (input.color ? `${code}${text}${RESET}` : text);
  const lines: string[] = [];
  lines.push(`${input.title}   ${isoTime(input.now).replace('T', ' ').slice(0, 19)} UTC`);
  const caps = input.captures.map((c) => (c.up ? `${visible(c.interface)} ${paint(GREEN, 'up')}${c.dropped > 0 ? ` (${c.dropped} dropped)` : ''}` : `${visible(c.interface)} ${paint(RED, 'DOWN')} (${visible(c.problem ?? '?')})`));
  lines.push(`capture: ${caps.length === 0 ? 'none' : caps.join(', ')}`);
  if (input.probes.length > 0) {
    const probes = input.probes.map((p) => `${p.role} ${visible(p.target)} ${p.up ? `${paint(GREEN, 'up')}${p.rtt === undefined ? '' : ` ${(p.rtt * 1000).toFixed(1)} ms`}` : paint(RED, 'NO ANSWER')}`);
    lines.push(`ping: ${probes.join(', ')}`);
  }
  lines.push('');
  lines.push(pad('GROUP', 26) + pad('MASTER', 30) + pad('ROUTERS (priority, advert age)', 46) + 'FINDINGS');
  const groups = judgedGroupsInOrder(input);
  // The probes are shown above, not as findings of a group.
  const found = findingsByGroup(findings({ groups: input.groups, node: input.node, conflicts: input.conflicts, foreign: input.foreign, ...(input.owners === undefined ? {} : { owners: input.owners }), now: input.now }));
  for (const { key, view: g, node: n } of groups) {
    const shown: string[] = [];
    for (const f of found.get(key) ?? []) {
      const text = findingLabel(f);
      if (text !== undefined) shown.push(paint(f.severity === 'critical' ? RED : YELLOW, visible(text)));
    }
    const masters = (g?.routers ?? []).filter((r) => r.master).map((r) => `${r.address} (${r.priority})`);
    const routers = (g?.routers ?? []).map((r) => `${r.address} ${r.priority} ${age(Math.max(0, input.now - r.last))}`);
    const name = `${visible(key.interface)} ${key.family} VRID ${key.vrid}${n !== undefined && n.role !== 'observer' ? ` [${n.role}]` : ''}`;
    const masterText = masters.length === 0 ? paint(RED, 'none') : masters.join(', ');
    const head = pad(name, 26) + masterText + ' '.repeat(Math.max(1, 30 - masters.join(', ').length - (masters.length === 0 ? 4 : 0)));
    lines.push(head + pad(routers.join(', '), 46) + (shown.length === 0 ? paint(GREEN, 'ok') : shown.join(', ')));
    if (g !== undefined && g.masterChanges > 0) lines.push(paint(DIM, `${' '.repeat(26)}${g.masterChanges} failover${g.masterChanges === 1 ? '' : 's'} seen`));
  }
  if (groups.length === 0) lines.push(paint(DIM, 'no VRRP advertisement heard yet'));
  const vips = input.owners?.vips ?? [];
  if (vips.length > 0) {
    lines.push('');
    lines.push(pad('VIP', 34) + 'ANSWERED BY (MAC, router)');
    for (const v of vips) {
      const owners = v.owners.map((o) => `${o.mac}${o.router !== undefined ? ` (${o.router})` : o.local ? ' (this node)' : ''}`);
      const bad = v.duplicate || v.foreign.length > 0 || v.unanswered;
      const text = owners.length === 0 ? paint(v.unanswered ? RED : DIM, 'nobody') : paint(bad ? RED : GREEN, owners.join(', '));
      lines.push(pad(`${visible(v.interface)} ${v.vip}`, 34) + text);
    }
  }
  lines.push('');
  lines.push('recent events:');
  if (input.events.length === 0) lines.push(paint(DIM, '  none'));
  for (const e of input.events) lines.push(`  ${visible(e)}`);
  return lines.join('\n') + '\n';
}

/** A log call serve made, as the live view is handed it (the same calls the log writes, not its text). */
export interface LiveEvent {
  /** Seconds since the epoch. */
  time: number;
  level: string;
  msg: string;
  fields: Readonly<Record<string, unknown>>;
}

/** A field's value as short text, or undefined for values the line leaves out (objects, errors). */
function fieldText(v: unknown): string | undefined {
  if (typeof v === 'number') return Math.abs(v) < 1000 ? String(Number(v.toPrecision(4))) : v.toFixed(0);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String).join(',');
  return undefined;
}

/** One log event as a short line for the live view: time, a mark for warnings and errors, message, fields. */
export function eventLine(e: LiveEvent): string {
  const fields: string[] = [];
  for (const [k, v] of Object.entries(e.fields)) {
    const t = fieldText(v);
    if (t !== undefined) fields.push(`${k}=${t}`);
  }
  const mark = e.level === 'error' || e.level === 'fatal' ? '!!' : e.level === 'warn' ? '! ' : '  ';
  return `${clock(e.time)} ${mark} ${e.msg}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}`;
}
