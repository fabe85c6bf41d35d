/**
 * `serve --live`: the terminal view an operator keeps open while fixing an incident. Groups with their
 * masters and priorities, each router's advert age, findings, capture and probe health, and the latest
 * log events. Pure: a frame of text from the views.
 */
import type { NodeGroupView } from '../core/node.js';
import type { GroupView } from '../core/state.js';
import type { GroupKey } from '../core/types.js';
import { othersOf } from '../core/vips.js';
import type { VipConflict } from '../core/vips.js';

export interface LiveInput {
  now: number;
  title: string;
  groups: readonly GroupView[];
  node: readonly NodeGroupView[];
  conflicts: ReadonlyMap<GroupKey, readonly VipConflict[]>;
  captures: readonly { interface: string; up: boolean; dropped: number; problem: string | undefined }[];
  probes: readonly { target: string; role: string; up: boolean; rtt: number | undefined }[];
  /** Latest log events, oldest first, already one line each. */
  events: readonly string[];
  color: boolean;
}

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
  return new Date(t * 1000).toISOString().slice(11, 19);
}

export function renderLive(input: LiveInput): string {
  const paint = (code: string, text: string): string => (input.color ? `${code}${text}${RESET}` : text);
  const nodes = new Map(input.node.map((n) => [`${n.key.interface}|${n.key.family}|${n.key.vrid}`, n]));
  const lines: string[] = [];
  lines.push(`${input.title}   ${new Date(input.now * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
  const caps = input.captures.map((c) => (c.up ? `${c.interface} ${paint(GREEN, 'up')}${c.dropped > 0 ? ` (${c.dropped} dropped)` : ''}` : `${c.interface} ${paint(RED, 'DOWN')} (${c.problem ?? '?'})`));
  lines.push(`capture: ${caps.length === 0 ? 'none' : caps.join(', ')}`);
  if (input.probes.length > 0) {
    const probes = input.probes.map((p) => `${p.role} ${p.target} ${p.up ? `${paint(GREEN, 'up')}${p.rtt === undefined ? '' : ` ${(p.rtt * 1000).toFixed(1)} ms`}` : paint(RED, 'NO ANSWER')}`);
    lines.push(`ping: ${probes.join(', ')}`);
  }
  lines.push('');
  lines.push(pad('GROUP', 26) + pad('MASTER', 30) + pad('ROUTERS (priority, advert age)', 46) + 'FINDINGS');
  const keys = new Set([...input.groups.map((g) => `${g.key.interface}|${g.key.family}|${g.key.vrid}`), ...nodes.keys()]);
  const views = new Map(input.groups.map((g) => [`${g.key.interface}|${g.key.family}|${g.key.vrid}`, g]));
  for (const id of [...keys].sort()) {
    const g = views.get(id);
    const n = nodes.get(id);
    const key = g?.key ?? n?.key;
    if (key === undefined) continue;
    const findings: string[] = [];
    if (g?.splitBrain === true) findings.push(paint(RED, 'SPLIT-BRAIN'));
    else if ((n?.mastersBeside.length ?? 0) > 0) findings.push(paint(RED, 'SPLIT-BRAIN (this node MASTER, adverts not seen leaving)'));
    if (g !== undefined) for (const c of input.conflicts.get(g.key) ?? []) findings.push(paint(RED, `VIP ${c.vip} ALSO MASTERED IN VRID ${othersOf(c, g).vrids.join(', ')}`));
    if (g?.noMaster === true || n?.expectedWithoutMaster === true) findings.push(paint(RED, 'NO MASTER'));
    for (const vip of n?.backupHolding ?? []) findings.push(paint(RED, `BACKUP HOLDS ${vip}`));
    for (const vip of n?.masterMissing ?? []) findings.push(paint(RED, `MASTER WITHOUT ${vip}`));
    if (g?.authMismatch === true) findings.push(paint(YELLOW, 'auth mismatch'));
    for (const f of g?.configMismatch ?? []) findings.push(paint(YELLOW, `${f} mismatch`));
    for (const f of n?.configDiffers ?? []) if (g?.configMismatch.includes(f) !== true) findings.push(paint(YELLOW, `${f} differs from this node's config`));
    if (n?.advertsBlocked === true) findings.push(paint(YELLOW, 'adverts blocked?'));
    const masters = (g?.routers ?? []).filter((r) => r.master).map((r) => `${r.address} (${r.priority})`);
    const routers = (g?.routers ?? []).map((r) => `${r.address} ${r.priority} ${age(Math.max(0, input.now - r.last))}`);
    const name = `${key.interface} ${key.family} VRID ${key.vrid}${n !== undefined && n.role !== 'observer' ? ` [${n.role}]` : ''}`;
    const masterText = masters.length === 0 ? paint(RED, 'none') : masters.join(', ');
    const shown = pad(name, 26) + masterText + ' '.repeat(Math.max(1, 30 - masters.join(', ').length - (masters.length === 0 ? 4 : 0)));
    lines.push(shown + pad(routers.join(', '), 46) + (findings.length === 0 ? paint(GREEN, 'ok') : findings.join(', ')));
    if (g !== undefined && g.masterChanges > 0) lines.push(paint(DIM, `${' '.repeat(26)}${g.masterChanges} failover${g.masterChanges === 1 ? '' : 's'} seen`));
  }
  if (keys.size === 0) lines.push(paint(DIM, 'no VRRP advertisement heard yet'));
  lines.push('');
  lines.push('recent events:');
  if (input.events.length === 0) lines.push(paint(DIM, '  none'));
  for (const e of input.events) lines.push(`  ${e}`);
  return lines.join('\n') + '\n';
}

/** One pino JSON log line as a short event line for the live view. */
export function eventLine(json: string): string | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : clock(0);
  const skip = new Set(['level', 'time', 'app', 'msg', 'pid', 'hostname']);
  const text = (v: unknown): string | undefined => {
    if (typeof v === 'number') return Math.abs(v) < 1000 ? String(Number(v.toPrecision(4))) : v.toFixed(0);
    if (typeof v === 'string' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String).join(',');
    return undefined;
  };
  const fields: string[] = [];
  for (const [k, v] of Object.entries(record)) {
    const t = skip.has(k) ? undefined : text(v);
    if (t !== undefined) fields.push(`${k}=${t}`);
  }
  const level = typeof record.level === 'number' ? record.level : 30;
  const mark = level >= 50 ? '!!' : level >= 40 ? '! ' : '  ';
  return `${time} ${mark} ${typeof record.msg === 'string' ? record.msg : ''}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}`;
}
