/** `vrrpwatch replay FILE`: the core run over a capture file, with packet timestamps as the clock. */
import { readCaptureFile } from '../adapters/capture-file.js';
import type { CapturedPacket } from '../core/capture-file.js';
import { Decoder } from '../core/decode.js';
import { packetRecord } from '../core/packet-record.js';
import { DEFAULT_SETTINGS, Monitor } from '../core/state.js';
import { Timeline } from '../core/timeline.js';
import type { ReplayReport } from '../outputs/report.js';
import { interfaceLabel } from './watch.js';

/** The times of this many invalid packets are kept for the picture of invalid packets over time. */
const INVALID_TIMES_KEPT = 100_000;

export interface ReplayOptions {
  file: string;
  /** Called with each `--packets` line; when absent no per-packet records are built. */
  onPacket?: (line: string) => void;
}

export interface ReplayOutcome {
  report: ReplayReport;
  /** A problem after some packets were read (a truncated capture). */
  error: string | undefined;
  /** What the tables held at the end, by their own estimates (the bounds README.md states). */
  sizes: ReplaySizes;
}

export interface ReplaySizes {
  groups: number;
  routers: number;
  /** The Monitor's tables, estimated bytes (at most MonitorSettings.maxBytes). */
  bytes: number;
  /** The Decoder's remembered adverts, estimated bytes (at most DECODER_MAX_BYTES). */
  decoderBytes: number;
  /** Entries in the report's lists (at most MAX_REPORT_ENTRIES). */
  reportEntries: number;
}

export async function replay(options: ReplayOptions): Promise<ReplayOutcome> {
  const timeline = new Timeline();
  // Nothing ages out of a post-mortem: groups stay however long they were silent.
  const monitor = new Monitor({ ...DEFAULT_SETTINGS, groupExpirySeconds: Infinity }, timeline.onEvent);
  const invalid: Record<string, number> = {};
  const invalidTimes: number[] = [];
  let adverts = 0;
  const onPacket = options.onPacket;
  const decoder = new Decoder();

  const sink = (p: CapturedPacket): void => {
    const decoded = decoder.decode(p.linkType, p.bytes, p.offset, p.length);
    if (decoded.kind === 'other') return;
    const iface = interfaceLabel(p.interfaceName, decoded.vlans);
    if (onPacket !== undefined) onPacket(JSON.stringify(packetRecord(p.ts, iface, decoded)));
    if (decoded.kind === 'invalid') {
      invalid[decoded.reason] = (invalid[decoded.reason] ?? 0) + 1;
      if (invalidTimes.length < INVALID_TIMES_KEPT) invalidTimes.push(p.ts);
      return;
    }
    adverts++;
    monitor.advert(iface, decoded.advert, p.ts);
    timeline.advert(iface, decoded.advert, p.ts);
  };

  const result = await readCaptureFile(options.file, sink);
  if (result.last !== undefined) monitor.settle(result.last);
  const report: ReplayReport = {
    file: options.file,
    format: result.format,
    packets: result.packets,
    adverts,
    invalid,
    invalid_times: invalidTimes,
    start: result.first ?? null,
    end: result.last ?? null,
    groups: timeline.histories(monitor),
    evicted: { groups: monitor.evictions.group, routers: monitor.evictions.router },
  };
  const tables = monitor.sizes();
  return { report, error: result.error, sizes: { ...tables, decoderBytes: decoder.bytes, reportEntries: timeline.entries } };
}
