/**
 * The findings: what is wrong now, decided once from the views and only formatted by each output
 * (serve's log, `once`, the live view, the metrics; their words are src/outputs/finding-words.ts). The
 * kinds are declared in finding-kinds.ts; this file lists them for a moment's views. Pure.
 */
import { FINDING_KINDS, KINDS } from './finding-kinds.js';
import type { Finding, FindingKind, FindingsInput, Found, JudgedGroup, JudgedView, KindSpec, Severity } from './finding-kinds.js';
import { groupId } from '../base/keys.js';
import type { GroupKey } from '../base/keys.js';
import type { GroupView } from '../groups/views.js';

export { FINDING_KINDS };
export type { Finding, FindingBase, FindingDetails, FindingKind, FindingScope, FindingsInput, JudgedGroup, JudgedView, ProbeOutcome, Severity } from './finding-kinds.js';

const SPECS: readonly [FindingKind, KindSpec][] = FINDING_KINDS.map((kind) => [kind, KINDS[kind]]);
const GROUP_SPECS = SPECS.filter(([, spec]) => spec.inGroup !== undefined);
const HOST_SPECS = SPECS.filter(([, spec]) => spec.onHost !== undefined);

/**
 * Every heard or expected group once: the node's judgements (each already linked to its view), then
 * any view the node did not judge. No matching by key.
 */
export function judgedGroups(input: Pick<JudgedView, 'groups' | 'node'>): JudgedGroup[] {
  const out: JudgedGroup[] = [];
  let linked = 0;
  for (const n of input.node) {
    out.push({ key: n.key, view: n.view, node: n });
    if (n.view !== undefined) linked++;
  }
  if (linked === input.groups.length) return out;
  const judged = new Set<GroupView>();
  for (const n of input.node) if (n.view !== undefined) judged.add(n.view);
  for (const v of input.groups) if (!judged.has(v)) out.push({ key: v.key, view: v, node: undefined });
  return out;
}

/** `judgedGroups` in the order of their ids (interface, family, VRID), as people read them. */
export function judgedGroupsInOrder(input: Pick<JudgedView, 'groups' | 'node'>): JudgedGroup[] {
  const ids = new Map<JudgedGroup, string>();
  for (const g of judgedGroups(input)) ids.set(g, groupId(g.key));
  return [...ids.keys()].sort((a, b) => {
    const x = ids.get(a) ?? '';
    const y = ids.get(b) ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * Collects what the kinds find into one list. One per call of `findings`, its `found` made once: a
 * scrape judges every group, and a closure per kind per group would be garbage on every one.
 */
class Collector {
  readonly out: Finding[] = [];
  kind: FindingKind = 'split_brain';
  severity: Severity = 'critical';
  key: GroupKey | undefined;
  readonly found: Found = (scope, details) => {
    this.out.push({ kind: this.kind, severity: this.severity, key: this.key, scope, details });
  };

  as(kind: FindingKind, spec: KindSpec, key: GroupKey | undefined): Found {
    this.kind = kind;
    this.severity = spec.severity;
    this.key = key;
    return this.found;
  }
}

/** Every finding now: each group's in KINDS order (groups in `judgedGroups` order), then the host's. */
export function findings(input: FindingsInput): Finding[] {
  const c = new Collector();
  for (const g of judgedGroups(input)) for (const [kind, spec] of GROUP_SPECS) spec.inGroup?.(g, input, c.as(kind, spec, g.key));
  for (const [kind, spec] of HOST_SPECS) spec.onHost?.(input, c.as(kind, spec, undefined));
  return c.out;
}

/** A stable identity of the finding: the same trouble keeps it from one judgement to the next. */
export function findingId(f: Finding): string {
  const d = f.details;
  const where = f.key === undefined ? 'host' : groupId(f.key);
  // A watched VIP of no group is told apart by its interface too.
  const on = f.key === undefined && d.interface !== undefined ? `${d.interface}|` : '';
  return `${where}|${f.kind}|${on}${d.vip ?? d.field ?? d.router ?? d.target ?? d.problem ?? d.protocol ?? d.tracking?.advertised ?? ''}${d.mac === undefined ? '' : `|${d.mac}`}`;
}

/** The findings by group key (the key objects of the views): only groups with a finding are in it. */
export function findingsByGroup(list: readonly Finding[]): Map<GroupKey, Finding[]> {
  const out = new Map<GroupKey, Finding[]>();
  for (const f of list) {
    if (f.key === undefined) continue;
    const of = out.get(f.key);
    if (of === undefined) out.set(f.key, [f]);
    else of.push(f);
  }
  return out;
}
