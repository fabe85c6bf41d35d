/** What is expected of a group (the YAML config, keepalived.conf), and which heard group it describes. */
import type { Family, GroupKey } from '../base/keys.js';
import type { InstanceTracking } from './track.js';

/** A group this node or witness expects to see (from the YAML config or imported from keepalived.conf). */
export interface ExpectedGroup {
  vrid: number;
  /** Capture interface the group lives on; undefined matches any. */
  interface: string | undefined;
  family: Family;
  /** Canonical address text. */
  vips: string[];
  /** Seconds; undefined when not known. */
  advertInterval: number | undefined;
  /** keepalived's instance name, to map notify_fifo lines; set when imported from keepalived.conf. */
  instance: string | undefined;
  /** Where the expectation came from, for messages: `config` or `keepalived.conf:LINE`. */
  source: string;
  /** keepalived.conf only: the configured priority and the tracker weights that move it. */
  tracking?: InstanceTracking;
  /** YAML config only: keepalived 2.4 auth_hmac's freshness window (seconds) and the file holding the key. */
  hmacWindow?: number | undefined;
  hmacKeyFile?: string | undefined;
}

/** Whether an expectation describes this heard group. */
export function expectationMatches(e: ExpectedGroup, key: GroupKey): boolean {
  return e.vrid === key.vrid && e.family === key.family && (e.interface === undefined || key.interface === 'any' || e.interface === key.interface);
}
