/**
 * What serve's log says about each change of judgement the Monitor reports: one record (level, message,
 * fields) per event an operator acts on, never one per packet. Findings' own lines come from their
 * kinds (core/findings.ts). Pure: events in, records out; the live view shows the same records.
 */
import { likelySplitCause } from '../core/groups/split-brain.js';
import { riskTally } from '../core/groups/risk.js';
import type { MonitorEvent } from '../core/groups/types.js';
import { causeText } from './report.js';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** Evictions come in floods: one line per this many seconds at most, with the count since the last. */
const EVICTION_LOG_EVERY_S = 10;

/** The evictions not yet logged, and when the last line about them was. */
export interface EvictionCount {
  last: number;
  pending: number;
}

function groupFields(e: { group: { key: { interface: string; family: string; vrid: number } } }): Record<string, unknown> {
  return { interface: e.group.key.interface, family: e.group.key.family, vrid: e.group.key.vrid };
}

/** A stalling master can pause every few seconds: one near-failover line per group per this many seconds at most. */
export const NEAR_FAILOVER_LOG_EVERY_S = 60;

/** Per group id: when its last near-failover line was, and how many were not logged since. */
export type NearFailoverLog = Map<string, { at: number; pending: number }>;

/**
 * The log record of a Monitor event (undefined: an eviction or a near failover counted towards a later
 * line). `nearFailovers` holds the rate limit's state across calls (serve keeps one).
 */
export function eventRecord(e: MonitorEvent, evictions: EvictionCount, nearFailovers: NearFailoverLog = new Map()): LogRecord | undefined {
  switch (e.type) {
    case 'split_start': {
      const cause = likelySplitCause(e.group.configMismatchSince.keys());
      return {
        level: 'error',
        fields: { ...groupFields(e), finding: 'split_brain', routers: e.split.routers, since: e.split.onset, ...(cause !== undefined ? { likely_cause: cause } : {}) },
        msg: `split-brain: more than one master${cause === undefined ? '' : ` (likely cause: ${cause} mismatch)`}`,
      };
    }
    case 'split_end':
      return { level: 'info', fields: { ...groupFields(e), finding: 'split_brain', routers: e.split.routers, duration_seconds: +(e.time - e.split.onset).toFixed(3) }, msg: 'split-brain ended' };
    case 'failover':
      return {
        // A graceful stop and a preemption are maintenance, not trouble: whoever alerts on the log level
        // must not be woken by them. A master that fell silent (or dropped its priority, ...) is worth a look.
        level: e.reason.cause === 'resigned' || e.reason.cause === 'preempted' ? 'info' : 'warn',
        fields: { ...groupFields(e), from: e.from, to: e.to, ...e.reason },
        msg: `failover: the master changed: ${causeText(e.reason)}`,
      };
    case 'near_failover': {
      const id = e.group.id;
      const last = nearFailovers.get(id);
      if (last !== undefined && e.time - last.at < NEAR_FAILOVER_LOG_EVERY_S) {
        last.pending++;
        return undefined;
      }
      const skipped = last?.pending ?? 0;
      nearFailovers.set(id, { at: e.time, pending: 0 });
      const seconds = +(e.end - e.start).toFixed(3);
      return {
        level: 'warn',
        fields: { ...groupFields(e), finding: 'near_failover', router: e.router, gap_seconds: seconds, ...(skipped > 0 ? { not_logged_since_last: skipped } : {}) },
        msg: `near failover: master ${e.router} sent nothing for ${seconds} s (more than two advert intervals) and stayed master`,
      };
    }
    case 'risk_start': {
      const { near, missed } = riskTally(e.group.risk, e.time);
      return { level: 'warn', fields: { ...groupFields(e), finding: 'failover_risk', near_failovers: near, missed_adverts: missed }, msg: "failover risk: the master's adverts come close to the takeover deadline" };
    }
    case 'risk_end':
      return { level: 'info', fields: { ...groupFields(e), finding: 'failover_risk' }, msg: "failover risk ended: the master's recent adverts keep clear of the takeover deadline" };
    case 'no_master_start':
      return { level: 'error', fields: { ...groupFields(e), finding: 'no_master' }, msg: 'the group has no master' };
    case 'no_master_end':
      return { level: 'info', fields: { ...groupFields(e), finding: 'no_master' }, msg: 'the group has a master again' };
    case 'mismatch_start':
      return {
        level: 'warn',
        fields: { ...groupFields(e), finding: e.field === 'auth' ? 'auth_mismatch' : 'config_mismatch', field: e.field },
        msg: e.field === 'auth' ? 'routers disagree on authentication' : `routers disagree on ${e.field}`,
      };
    case 'mismatch_end':
      return { level: 'info', fields: { ...groupFields(e), finding: e.field === 'auth' ? 'auth_mismatch' : 'config_mismatch', field: e.field }, msg: 'routers agree again' };
    case 'group_expired':
      nearFailovers.delete(e.group.id);
      return { level: 'info', fields: { ...groupFields(e) }, msg: 'group silent too long: forgotten' };
    case 'evicted':
      evictions.pending++;
      if (e.time - evictions.last < EVICTION_LOG_EVERY_S) return undefined;
    {
      const record: LogRecord = { level: 'warn', fields: { evicted: evictions.pending }, msg: 'tables full: least recently heard groups or routers evicted (a flood or a spoofer?)' };
      evictions.last = e.time;
      evictions.pending = 0;
      return record;
    }
    case 'master_start':
    case 'master_end':
      return { level: 'debug', fields: { ...groupFields(e), router: e.router }, msg: e.type === 'master_start' ? 'router acts as master' : 'router no longer master' };
  }
}
