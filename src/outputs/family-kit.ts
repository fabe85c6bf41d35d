/**
 * What the hand-written family files (group-, router-, vip- and vip-owner-metrics.ts) share: how they
 * register a family with metrics.ts, and the helpers they build families with.
 */
import type { FindingKind } from '../core/findings/findings.js';
import type { Emit, Fill, Scrape, ScrapeGroup } from './scrape.js';

/** Registers one family of the collector (collectors.ts) with metrics.ts, in the order it is written. */
export type AddFamily = (collector: string, name: string, help: string, type: 'gauge' | 'counter' | 'histogram', fill: Fill) => void;

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

/**
 * The samples of one histogram series set: `_bucket{...,le="B"}` (cumulative), `_sum` and `_count`,
 * written through `emit` as the text after the family's name. `inner` is the series' labels inside the braces.
 */
export function emitHistogram(emit: Emit, inner: string, bounds: readonly number[], counts: readonly number[], sum: number, count: number): void {
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += counts[i] ?? 0;
    emit(`_bucket{${inner},le="${i < bounds.length ? String(bounds[i]) : '+Inf'}"}`, cumulative);
  }
  emit(`_sum{${inner}}`, Math.round(sum * 1000) / 1000);
  emit(`_count{${inner}}`, count);
}
