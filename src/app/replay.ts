/** `vrrpwatch replay FILE`: the core run over a capture file, with packet timestamps as the clock. */
import { readCaptureFile } from '../adapters/capture-file.js';
import type { BetweenChunks } from '../adapters/capture-file.js';
import type { CapturedPacket } from '../core/wire/capture-file.js';
import { foreignIntervals } from '../core/groups/foreign.js';
import { Pipeline, replaySettings } from '../core/pipeline/pipeline.js';
import type { PipelineView } from '../core/pipeline/pipeline.js';
import { noVipFindings } from '../core/history/vip-history.js';
import type { HmacGroups } from '../core/expect/hmac-groups.js';
import type { WatchedVip } from '../core/ownership/vip-owners.js';
import type { ReplayReport } from '../outputs/report.js';

export interface ReplayOptions {
  file: string;
  /** VIPs watched with or without VRRP (`--vip`): their owners over the capture. */
  watched?: readonly WatchedVip[];
  /** Called with each `--packets` line; when absent no per-packet records are built. */
  onPacket?: (line: string) => void;
  /** Called after each chunk of the capture: a promise it returns holds the reading (the reader of the lines is behind). */
  betweenChunks?: BetweenChunks;
  /** keepalived 2.4 auth_hmac per group (`-c`): freshness windows and keys for keyed verification. */
  hmac?: HmacGroups;
  /** Told what the user should know before reading starts (a FIFO waits for its writer). */
  note?: (line: string) => void;
}

export interface ReplayOutcome {
  report: ReplayReport;
  /** A problem after some packets were read (a truncated capture). */
  error: string | undefined;
  /** What the tables held at the end, by their own estimates (the bounds docs/operations.md states under "Bounded memory"). */
  sizes: ReplaySizes;
  /** The judgement at the capture's last packet, as serve would show it then (undefined: no packet). */
  final: PipelineView | undefined;
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
  const onPacket = options.onPacket;
  const pipeline = new Pipeline(replaySettings(onPacket === undefined ? undefined : (r) => {
    onPacket(JSON.stringify(r));
  }));
  if (options.hmac !== undefined) pipeline.hmac = options.hmac;
  if (options.watched !== undefined) pipeline.watched = options.watched;
  const sink = (p: CapturedPacket): void => {
    pipeline.frame(p.interfaceName, p.linkType, p.bytes, p.offset, p.length, p.ts);
  };
  const result = await readCaptureFile(options.file, sink, options.betweenChunks, options.note, (_iface, from, to, count) => {
    pipeline.captureDrops(from, to, count);
  });
  const final = result.last === undefined ? undefined : pipeline.view(result.last);
  const { monitor, timeline, ownerHistory } = pipeline;
  const report: ReplayReport = {
    file: options.file,
    format: result.format,
    packets: result.packets,
    adverts: pipeline.adverts,
    invalid: withRejected(Object.fromEntries(pipeline.invalidByReason), result.rejected),
    invalid_times: pipeline.invalidTimes,
    start: result.first ?? null,
    end: result.last ?? null,
    neighbor_messages: pipeline.neighborMessages,
    neighbor_invalid: Object.fromEntries(pipeline.neighborInvalid),
    groups: (timeline?.histories(monitor, pipeline.routerErrors) ?? []).map((h) => ({ ...h, ...(ownerHistory?.of(h) ?? noVipFindings()), foreign_traffic: foreignIntervals(pipeline.foreign, h, result.last ?? 0) })),
    vips: ownerHistory?.watched() ?? [],
    evicted: { groups: monitor.evictions.group, routers: monitor.evictions.router },
  };
  const tables = monitor.sizes();
  return { report, error: result.error, sizes: { ...tables, decoderBytes: pipeline.decoderBytes, reportEntries: timeline?.entries ?? 0 }, final };
}

/** The decoder's invalid counts and the capture reader's rejected packets (times, interfaces over the cap). */
function withRejected(invalid: Record<string, number>, rejected: Record<string, number>): Record<string, number> {
  for (const [reason, n] of Object.entries(rejected)) invalid[reason] = (invalid[reason] ?? 0) + n;
  return invalid;
}
