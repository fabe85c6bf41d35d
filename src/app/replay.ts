/** `vrrpwatch replay FILE`: the core run over a capture file, with packet timestamps as the clock. */
import { readCaptureFile } from '../adapters/capture-file.js';
import type { CapturedPacket } from '../core/capture-file.js';
import { Decoder } from '../core/decode.js';
import { packetRecord } from '../core/packet-record.js';
import { RouterErrors } from '../core/router-errors.js';
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
  const routerErrors = new RouterErrors();

  const sink = (p: CapturedPacket): void => {
    const decoded = decoder.decode(p.linkType, p.bytes, p.offset, p.length);
    if (decoded.kind === 'other') return;
    const iface = interfaceLabel(p.interfaceName, decoded.vlans);
    if (onPacket !== undefined) onPacket(JSON.stringify(packetRecord(p.ts, iface, decoded)));
    if (decoded.kind === 'invalid') {
      invalid[decoded.reason] = (invalid[decoded.reason] ?? 0) + 1;
      if (invalidTimes.length < INVALID_TIMES_KEPT) invalidTimes.push(p.ts);
      const group = decoded.ip === undefined || decoded.header.vrid === undefined ? undefined : monitor.group(iface, decoded.ip.family, decoded.header.vrid);
      if (group !== undefined && decoded.ip !== undefined) routerErrors.invalid(group, decoded.ip.src, decoded.reason);
      return;
    }
    adverts++;
    routerErrors.advert(monitor.advert(iface, decoded.advert, p.ts), decoded.advert);
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
    groups: timeline.histories(monitor, routerErrors),
    evicted: { groups: monitor.evictions.group, routers: monitor.evictions.router },
  };
  return { report, error: result.error };
}
