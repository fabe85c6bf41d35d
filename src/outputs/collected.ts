/**
 * prom-client gauges and counters filled at scrape time: each family's collect() resets it and, when
 * the scrape has something to read, fills it from that. Shared by the low-series family files.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export interface CollectedFamilies<T> {
  gauge: <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, from: T) => void) => void;
  counter: <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (c: Counter<L>, from: T) => void) => void;
}

/** Families registered in `registry` (in the order they are made) that read `source()`; undefined fills nothing. */
export function collectedFamilies<T>(registry: Registry, source: () => T | undefined): CollectedFamilies<T> {
  const registers = [registry];
  return {
    gauge: (name, help, labelNames, fill) => {
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          const from = source();
          if (from !== undefined) fill(this, from);
        },
      });
    },
    counter: (name, help, labelNames, fill) => {
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          const from = source();
          if (from !== undefined) fill(this, from);
        },
      });
    },
  };
}
