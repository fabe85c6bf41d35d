/**
 * `vrrpwatch once` output, following the monitoring-plugins guidelines: a first line
 * `VRRP <STATE> - <summary> | <perfdata>` short enough for a pager, one detail line per group, and the
 * plugin exit code. Pure: views and probe results in, text and code out.
 */
import type { NodeGroupView } from '../core/node.js';
import type { GroupView } from '../core/state.js';
import type { GroupKey } from '../core/types.js';
import { othersOf } from '../core/vips.js';
import type { VipConflict } from '../core/vips.js';

export const EXIT = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export interface ProbeOutcome {
  target: string;
  role: 'peer' | 'gateway';
  up: boolean;
  rtt: number | undefined;
  loss: number;
}

export interface CheckInput {
  now: number;
  windowSeconds: number;
  groups: readonly GroupView[];
  node: readonly NodeGroupView[];
  /** Groups sharing a VIP with another VRID's master. */
  conflicts: ReadonlyMap<GroupKey, readonly VipConflict[]>;
  probes: readonly ProbeOutcome[];
  /** Known router addresses (peers, unicast peers, this host); routers outside it are unexpected. Empty: no check. */
  knownRouters: ReadonlySet<string>;
  /** Whether expectations (config or keepalived.conf) were given: groups outside them are unexpected. */
  haveExpectations: boolean;
  /** Capture interfaces that could not be opened, with why. */
  captureProblems: readonly string[];
}

export interface CheckResult {
  code: ExitCode;
  text: string;
}

interface Finding {
  code: ExitCode;
  text: string;
}

function groupName(key: GroupKey): string {
  return `VRID ${key.vrid}${key.family === 'ipv6' ? ' ipv6' : ''} on ${key.interface}`;
}

function keyId(key: GroupKey): string {
  return `${key.interface}|${key.family}|${key.vrid}`;
}

/** A perfdata label: quoted, with `'` and `=` kept out. */
function label(text: string): string {
  return `'${text.replace(/['=]/g, '_')}'`;
}

function num(n: number): string {
  return String(Number(n.toFixed(6)));
}

/** The split-brain only this node can tell, in words. */
function splitBesideText(name: string, others: readonly string[]): string {
  return `split-brain on ${name}: keepalived here is MASTER and ${others.join(', ')} advertises as master too; this node's adverts are not seen leaving it`;
}

/** Findings of one group, worst first. */
function groupFindings(view: GroupView | undefined, node: NodeGroupView | undefined, input: CheckInput): Finding[] {
  const key = view?.key ?? node?.key;
  if (key === undefined) return [];
  const name = groupName(key);
  const out: Finding[] = [];
  if (view?.splitBrain === true) out.push({ code: EXIT.CRITICAL, text: `split-brain on ${name}: ${view.masters.join(', ')} are all master` });
  else if (node !== undefined && node.mastersBeside.length > 0) out.push({ code: EXIT.CRITICAL, text: splitBesideText(name, node.mastersBeside) });
  if (view !== undefined) {
    for (const c of input.conflicts.get(view.key) ?? []) {
      const others = othersOf(c, view);
      out.push({ code: EXIT.CRITICAL, text: `VIP ${c.vip} of ${name} is also advertised by the master of VRID ${others.vrids.join(', ')} (${others.routers.join(', ')}): both hold it (virtual_router_id differs?)` });
    }
  }
  for (const vip of node?.backupHolding ?? []) out.push({ code: EXIT.CRITICAL, text: `this node holds VIP ${vip} of ${name} but is not master` });
  if (node?.expectedWithoutMaster === true) out.push({ code: EXIT.CRITICAL, text: `no master on ${name} (expected from ${node.expected?.source ?? 'config'})` });
  else if (view?.noMaster === true) out.push({ code: EXIT.CRITICAL, text: `${name} lost its master` });
  for (const vip of node?.masterMissing ?? []) out.push({ code: EXIT.CRITICAL, text: `this node is master of ${name} but does not hold VIP ${vip}` });
  if (view?.authMismatch === true) out.push({ code: EXIT.WARNING, text: `auth mismatch on ${name}` });
  for (const field of view?.configMismatch ?? []) out.push({ code: EXIT.WARNING, text: `${field} mismatch on ${name}` });
  for (const field of node?.configDiffers ?? []) {
    if (view?.configMismatch.includes(field) !== true) out.push({ code: EXIT.WARNING, text: `${field} of the master on ${name} differs from this node's ${node?.expected?.source ?? 'config'}` });
  }
  if (node?.advertsBlocked === true) out.push({ code: EXIT.WARNING, text: `no advertisement of ${name} arrives although peers answer ping: VRRP blocked?` });
  if (view !== undefined && input.haveExpectations && node?.expected === undefined) out.push({ code: EXIT.WARNING, text: `unexpected ${name} from ${view.routers.map((r) => r.address).join(', ')}` });
  if (view !== undefined && input.knownRouters.size > 0) {
    for (const r of view.routers) if (!input.knownRouters.has(r.address)) out.push({ code: EXIT.WARNING, text: `unexpected router ${r.address} on ${name}` });
  }
  return out;
}

function detailLine(view: GroupView | undefined, node: NodeGroupView | undefined, findings: Finding[]): string {
  const key = view?.key ?? node?.key;
  if (key === undefined) return '';
  const masters = (view?.routers ?? []).filter((r) => r.master).map((r) => `${r.address} (priority ${r.priority})`);
  const others = (view?.routers ?? []).filter((r) => !r.master).map((r) => `${r.address} (priority ${r.priority})`);
  const parts = [`${groupName(key)}: ${masters.length === 0 ? 'no master' : `master ${masters.join(', ')}`}`];
  if (others.length > 0) parts.push(`also heard ${others.join(', ')}`);
  if (node !== undefined && node.role !== 'observer') parts.push(`this node ${node.role}`);
  parts.push(findings.length === 0 ? 'ok' : findings.map((f) => f.text.replace(` on ${groupName(key)}`, '').replace(` of ${groupName(key)}`, '')).join('; '));
  return parts.join(' - ');
}

/** Judges the check: exit code, first line with perfdata, detail lines. */
export function renderCheck(input: CheckInput): CheckResult {
  const views = new Map(input.groups.map((v) => [keyId(v.key), v]));
  const nodes = new Map(input.node.map((n) => [keyId(n.key), n]));
  const ids = [...new Set([...views.keys(), ...nodes.keys()])].sort();
  const findings: Finding[] = [];
  const details: string[] = [];
  const perf: string[] = [];
  for (const id of ids) {
    const view = views.get(id);
    const node = nodes.get(id);
    const key = view?.key ?? node?.key;
    if (key === undefined) continue;
    const f = groupFindings(view, node, input);
    findings.push(...f);
    details.push(detailLine(view, node, f));
    const base = `${key.interface} ${key.family} vrid ${key.vrid}`;
    const expected = node?.expected !== undefined;
    perf.push(`${label(`${base} masters`)}=${view?.masters.length ?? 0};;${expected ? '1:1' : '1'};0;`);
    perf.push(`${label(`${base} adverts`)}=${(view?.routers ?? []).reduce((n, r) => n + r.adverts, 0)}c;;;0;`);
    const last = Math.max(...(view?.routers ?? []).map((r) => r.last));
    if (Number.isFinite(last)) perf.push(`${label(`${base} advert_age`)}=${num(Math.max(0, input.now - last))}s;;;0;`);
  }
  if (ids.length > 0) for (const problem of input.captureProblems) findings.push({ code: EXIT.WARNING, text: `capture: ${problem}` });
  for (const p of input.probes) {
    if (!p.up) findings.push({ code: EXIT.WARNING, text: `${p.role} ${p.target} does not answer ping` });
    if (p.rtt !== undefined) perf.push(`${label(`${p.role} ${p.target} rtt`)}=${num(p.rtt)}s;;;0;`);
    perf.push(`${label(`${p.role} ${p.target} loss`)}=${num(p.loss * 100)}%;;;0;100`);
  }

  let code: ExitCode = EXIT.OK;
  let summary: string;
  if (input.captureProblems.length > 0 && ids.length === 0) {
    code = EXIT.UNKNOWN;
    summary = `capture cannot start: ${input.captureProblems.join('; ')}`;
  } else if (ids.length === 0 && findings.length === 0) {
    code = EXIT.UNKNOWN;
    summary = `no VRRP advertisement heard in ${num(input.windowSeconds)} s and none expected`;
  } else {
    findings.sort((a, b) => b.code - a.code);
    code = findings.reduce<ExitCode>((worst, f) => (f.code > worst ? f.code : worst), EXIT.OK);
    if (findings.length === 0) {
      const masters = input.groups.map((v) => `VRID ${v.key.vrid} master ${v.masters.join(', ') || 'none'}`);
      summary = `${ids.length} group${ids.length === 1 ? '' : 's'} ok${masters.length > 0 ? `: ${masters.slice(0, 3).join('; ')}${masters.length > 3 ? '; ...' : ''}` : ''}`;
    } else {
      const shown = findings.slice(0, 2).map((f) => f.text);
      summary = shown.join('; ') + (findings.length > 2 ? ` (+${findings.length - 2} more)` : '');
    }
  }
  const first = `VRRP ${STATE_NAMES[code]} - ${summary}${perf.length > 0 ? ` | ${perf.join(' ')}` : ''}`;
  return { code, text: [first, ...details].join('\n') + '\n' };
}
