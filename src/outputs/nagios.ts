/**
 * `vrrpwatch once` output, following the monitoring-plugins guidelines: a first line
 * `VRRP <STATE> - <summary> | <perfdata>` short enough for a pager, one detail line per group, and the
 * plugin exit code. Pure: views and probe results in, text and code out.
 */
import { findings, judgedGroupsInOrder } from '../core/findings/findings.js';
import { findingText, groupName } from './finding-words.js';
import type { Finding, FindingsInput, JudgedGroup, ProbeOutcome } from '../core/findings/findings.js';
import type { KnownRouters } from '../core/expect/known-routers.js';
import type { VipView } from '../core/ownership/vip-owners.js';
import { visible } from './terminal.js';

export type { ProbeOutcome };

export const EXIT = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export interface CheckInput extends FindingsInput {
  now: number;
  windowSeconds: number;
  probes: readonly ProbeOutcome[];
  /** The routers the peers (and unicast peers) name, with this host's: see core/known-routers.ts. */
  knownRouters: KnownRouters;
  /** Whether expectations (config or keepalived.conf) were given: groups outside them are unexpected. */
  haveExpectations: boolean;
  /** Capture interfaces that could not be opened, with why. */
  captureProblems: readonly string[];
}

export interface CheckResult {
  code: ExitCode;
  text: string;
  /** The first line without its perfdata: `VRRP CRITICAL - split-brain on ...`. */
  summary: string;
  /** The findings the verdict is made of (what `once --format json` lists). */
  findings: readonly Finding[];
}

/** `OK`, `WARNING`, `CRITICAL`, `UNKNOWN`: the plugin's name of an exit code. */
export function stateName(code: ExitCode): (typeof STATE_NAMES)[number] {
  return STATE_NAMES[code];
}

/** A finding as the check says it. */
interface Said {
  code: ExitCode;
  text: string;
}

function said(f: Finding): Said {
  return { code: f.severity === 'critical' ? EXIT.CRITICAL : EXIT.WARNING, text: findingText(f, f.key === undefined ? '' : groupName(f.key)) };
}

/** A perfdata label: quoted, with `'` and `=` kept out. */
function label(text: string): string {
  return `'${text.replace(/['=]/g, '_')}'`;
}

function num(n: number): string {
  return String(Number(n.toFixed(6)));
}

function detailLine({ key, view, node }: JudgedGroup, findings: readonly Said[]): string {
  const masters = (view?.routers ?? []).filter((r) => r.master).map((r) => `${r.address} (priority ${r.priority})`);
  const others = (view?.routers ?? []).filter((r) => !r.master).map((r) => `${r.address} (priority ${r.priority})`);
  const parts = [`${groupName(key)}: ${masters.length === 0 ? 'no master' : `master ${masters.join(', ')}`}`];
  if (others.length > 0) parts.push(`also heard ${others.join(', ')}`);
  if (node !== undefined && node.role !== 'observer') parts.push(`this node ${node.role}`);
  parts.push(findings.length === 0 ? 'ok' : findings.map((f) => f.text.replace(` on ${groupName(key)}`, '').replace(` of ${groupName(key)}`, '')).join('; '));
  return parts.join(' - ');
}

/** A watched VIP of no group: its line (`VIP 192.0.2.100 on eth0: answered by 02:.. - ok`). */
function vipLine(v: VipView, findings: readonly Said[]): string {
  const owners = v.owners.map((o) => (o.router === undefined ? (o.local ? `${o.mac} (this node)` : o.mac) : `${o.mac} (${o.router})`));
  const name = `VIP ${v.vip} on ${v.interface}`;
  const parts = [`${name}${v.mode === 'shared' ? ' (shared)' : ''}: ${owners.length === 0 ? 'nobody answers' : `answered by ${owners.join(', ')}`}`];
  parts.push(findings.length === 0 ? 'ok' : findings.map((f) => f.text.replace(`${name} `, '').replace(` for ${name}`, '')).join('; '));
  return parts.join(' - ');
}

/** Judges the check: exit code, first line with perfdata, detail lines. */
export function renderCheck(input: CheckInput): CheckResult {
  const all = findings(input);
  const groups = judgedGroupsInOrder(input);
  const found: Said[] = [];
  const details: string[] = [];
  const perf: string[] = [];
  for (const g of groups) {
    const { key, view, node } = g;
    const f = all.filter((x) => x.key === key).map(said);
    found.push(...f);
    details.push(detailLine(g, f));
    const base = `${key.interface} ${key.family} vrid ${key.vrid}`;
    const expected = node?.expected !== undefined;
    perf.push(`${label(`${base} masters`)}=${view?.masters.length ?? 0};;${expected ? '1:1' : '1'};0;`);
    perf.push(`${label(`${base} adverts`)}=${(view?.routers ?? []).reduce((n, r) => n + r.adverts, 0)}c;;;0;`);
    const last = Math.max(...(view?.routers ?? []).map((r) => r.last));
    if (Number.isFinite(last)) perf.push(`${label(`${base} advert_age`)}=${num(Math.max(0, input.now - last))}s;;;0;`);
  }
  // Watched VIPs of no group: a line each, their findings by VIP and interface.
  const alone = (input.owners?.vips ?? []).filter((v) => v.groups.length === 0);
  for (const v of alone) {
    const f = all.filter((x) => x.key === undefined && x.details.vip === v.vip && x.details.interface === v.interface).map(said);
    details.push(vipLine(v, f));
    perf.push(`${label(`${v.interface} vip ${v.vip} owners`)}=${v.owners.length};;;0;`);
  }
  for (const f of all) if (f.key === undefined) found.push(said(f));
  for (const p of input.probes) {
    if (p.rtt !== undefined) perf.push(`${label(`${p.role} ${p.target} rtt`)}=${num(p.rtt)}s;;;0;`);
    perf.push(`${label(`${p.role} ${p.target} loss`)}=${num(p.loss * 100)}%;;;0;100`);
  }

  let code: ExitCode = EXIT.OK;
  let summary: string;
  if (input.captureProblems.length > 0 && groups.length === 0 && alone.length === 0) {
    code = EXIT.UNKNOWN;
    summary = `capture cannot start: ${input.captureProblems.join('; ')}`;
  } else if (groups.length === 0 && alone.length === 0 && found.length === 0) {
    code = EXIT.UNKNOWN;
    summary = `no VRRP advertisement heard in ${num(input.windowSeconds)} s and none expected`;
  } else {
    found.sort((a, b) => b.code - a.code);
    code = found.reduce<ExitCode>((worst, f) => (f.code > worst ? f.code : worst), EXIT.OK);
    if (found.length === 0) {
      const masters = [...input.groups.map((v) => `VRID ${v.key.vrid} master ${v.masters.join(', ') || 'none'}`), ...alone.map((v) => `VIP ${v.vip} at ${v.owners.map((o) => o.mac).join(', ')}`)];
      const counted = [...(groups.length > 0 || alone.length === 0 ? [`${groups.length} group${groups.length === 1 ? '' : 's'}`] : []), ...(alone.length > 0 ? [`${alone.length} watched VIP${alone.length === 1 ? '' : 's'}`] : [])];
      summary = `${counted.join(' and ')} ok${masters.length > 0 ? `: ${masters.slice(0, 3).join('; ')}${masters.length > 3 ? '; ...' : ''}` : ''}`;
    } else {
      const shown = found.slice(0, 2).map((f) => f.text);
      summary = shown.join('; ') + (found.length > 2 ? ` (+${found.length - 2} more)` : '');
    }
  }
  const line = `VRRP ${STATE_NAMES[code]} - ${summary}`;
  const first = `${line}${perf.length > 0 ? ` | ${perf.join(' ')}` : ''}`;
  // One value with a line break or a control (a keepalived.conf name, an interface) cannot forge or hide a line.
  return { code, text: [first, ...details].map(visible).join('\n') + '\n', summary: visible(line), findings: all };
}
