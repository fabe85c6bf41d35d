/**
 * What the hand-written family files (group-, router-, vip- and vip-owner-metrics.ts) share: how they
 * register a family with metrics.ts, and the helpers they build families with.
 */
import type { FindingKind } from '../core/findings/findings.js';
import type { Fill, Scrape, ScrapeGroup } from './scrape.js';

/** Registers one family of the collector (collectors.ts) with metrics.ts, in the order it is written. */
export type AddFamily = (collector: string, name: string, help: string, type: 'gauge' | 'counter', fill: Fill) => void;

/** 1 when the core found `kind` in the group (of that VIP or field, when given), else 0. */
export function found(s: Scrape, grp: ScrapeGroup, kind: FindingKind, of?: string): number {
  for (const f of s.findings.get(grp.text.key) ?? []) if (f.kind === kind && (of === undefined || f.details.vip === of || f.details.field === of)) return 1;
  return 0;
}

/** A gauge with one series per group heard or expected. */
export function perGroup(add: AddFamily, collector: string, name: string, help: string, value: (g: ScrapeGroup, s: Scrape) => number): void {
  add(collector, name, help, 'gauge', (emit, s) => {
    for (const grp of s.groups) emit(grp.text.labels, value(grp, s));
  });
}
