/**
 * The exporter's own process, under the names every exporter uses (restart, memory and descriptor
 * alerts work as for any other target): CPU seconds, start time, resident memory, open and maximum
 * descriptors. Read at scrape time from Node and /proc/self. prom-client's collectDefaultMetrics gives
 * these and thirty nodejs_* series besides, with an event-loop delay histogram sampling every 10 ms
 * even while idle; this file is those five facts alone (docs/benchmarks.md has the figures).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** When the process started, seconds since the epoch (fixed for its life). */
const START = Math.round(Date.now() / 1000 - process.uptime());

/** The soft limit of open files from /proc/self/limits, or undefined. */
function maxFds(): number | undefined {
  const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  return m === null ? undefined : Number(m[1]);
}

/** Registers the process families in `registry`. A /proc read that fails leaves its family empty. */
export function registerProcessFamilies(registry: Registry): void {
  const registers = [registry];
  new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'User CPU time spent, seconds.',
    registers,
    collect() {
      this.reset();
      this.inc(process.cpuUsage().user / 1e6);
    },
  });
  new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'System CPU time spent, seconds.',
    registers,
    collect() {
      this.reset();
      this.inc(process.cpuUsage().system / 1e6);
    },
  });
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, seconds.',
    registers,
    collect() {
      const cpu = process.cpuUsage();
      this.reset();
      this.inc((cpu.user + cpu.system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the epoch, seconds.',
    registers,
    collect() {
      this.set(START);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size, bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'process_open_fds',
    help: 'Open file descriptors.',
    registers,
    collect() {
      this.reset();
      try {
        // The descriptor readdirSync opened for the listing is closed again: not counted.
        this.set(readdirSync('/proc/self/fd').length - 1);
      } catch {
        // No /proc (not Linux): the family stays empty.
      }
    },
  });
  new Gauge({
    name: 'process_max_fds',
    help: 'Maximum number of open file descriptors (the soft limit).',
    registers,
    collect() {
      this.reset();
      try {
        const max = maxFds();
        if (max !== undefined) this.set(max);
      } catch {
        // No /proc: the family stays empty.
      }
    },
  });
}
