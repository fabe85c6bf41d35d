/** `vrrpwatch replay FILE`: the core run over a capture file, with packet timestamps as the clock. */
import { readCaptureFile } from '../adapters/capture-file.js';
import type { BetweenChunks } from '../adapters/capture-file.js';
import type { CapturedPacket } from '../core/wire/capture-file.js';
import { CaptureOwners } from '../core/history/capture-owners.js';
import { Decoder, MAX_ADDRESSES } from '../core/wire/decode.js';
import { ADVERT_VIPS_KEPT } from '../core/groups/router-addresses.js';
import { decodeNeighbor } from '../core/wire/neighbor.js';
import { disturbedSince, FOREIGN_SETTINGS, ForeignTraffic, foreignIntervals, foreignOf } from '../core/groups/foreign.js';
import { packetRecord } from '../core/wire/packet-record.js';
import { RouterErrors } from '../core/groups/router-errors.js';
import { DEFAULT_SETTINGS, Monitor } from '../core/groups/state.js';
import { Timeline } from '../core/history/timeline.js';
import { HmacGroups } from '../core/expect/hmac-groups.js';
import type { ReplayReport } from '../outputs/report.js';
import { interfaceLabel } from './watch.js';

/** The times of this many invalid packets are kept for the picture of invalid packets over time. */
const INVALID_TIMES_KEPT = 100_000;

export interface ReplayOptions {
  file: string;
  /** Called with each `--packets` line; when absent no per-packet records are built. */
  onPacket?: (line: string) => void;
  /** Called after each chunk of the capture: a promise it returns holds the reading (the reader of the lines is behind). */
  betweenChunks?: BetweenChunks;
  /** keepalived 2.4 auth_hmac per group (`-c`): freshness windows and keys for keyed verification. */
  hmac?: HmacGroups;
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
  const owners = new CaptureOwners();
  // Nothing ages out of a post-mortem: groups stay however long they were silent.
  const hmac = options.hmac ?? new HmacGroups();
  const monitor = new Monitor({ ...DEFAULT_SETTINGS, groupExpirySeconds: Infinity, hmacWindow: (key) => hmac.window(key) }, (e) => {
    timeline.onEvent(e);
    owners.onEvent(e);
  });
  const invalid: Record<string, number> = {};
  const neighborInvalid: Record<string, number> = {};
  let neighborMessages = 0;
  const invalidTimes: number[] = [];
  let adverts = 0;
  const onPacket = options.onPacket;
  // Each packet's line lists all its addresses; the report needs those the tables keep.
  const decoder = new Decoder(onPacket === undefined ? ADVERT_VIPS_KEPT : MAX_ADDRESSES);
  const foreign = new ForeignTraffic({ ...FOREIGN_SETTINGS, expirySeconds: Infinity });
  const routerErrors = new RouterErrors((key) => hmac.key(key));

  const sink = (p: CapturedPacket): void => {
    const decoded = decoder.decode(p.linkType, p.bytes, p.offset, p.length);
    owners.advance(monitor, p.ts);
    if (decoded.kind === 'other') {
      const n = decodeNeighbor(p.linkType, p.data);
      if (n.kind === 'invalid') neighborInvalid[n.reason] = (neighborInvalid[n.reason] ?? 0) + 1;
      if (n.kind !== 'neighbor') return;
      neighborMessages++;
      owners.neighbor(monitor, interfaceLabel(p.interfaceName, n.link.vlans), n.message, n.link, p.ts);
      return;
    }
    const iface = interfaceLabel(p.interfaceName, decoded.vlans);
    if (onPacket !== undefined) onPacket(JSON.stringify(packetRecord(p.ts, iface, decoded)));
    if (decoded.kind === 'invalid') {
      invalid[decoded.reason] = (invalid[decoded.reason] ?? 0) + 1;
      if (invalidTimes.length < INVALID_TIMES_KEPT) invalidTimes.push(p.ts);
      const heard = foreignOf(decoded);
      if (heard !== undefined && decoded.ip !== undefined) {
        foreign.heard(iface, decoded.ip.family, heard, decoded.ip.src, p.ts);
        const key = { interface: iface, family: decoded.ip.family, vrid: heard.vhid };
        monitor.markForeign(iface, decoded.ip.family, heard.vhid, disturbedSince(foreign, key, p.ts));
      }
      const group = decoded.ip === undefined || decoded.header.vrid === undefined ? undefined : monitor.group(iface, decoded.ip.family, decoded.header.vrid);
      if (group !== undefined && decoded.ip !== undefined) routerErrors.invalid(group, decoded.ip.src, decoded.reason);
      return;
    }
    adverts++;
    const group = monitor.advert(iface, decoded.advert, p.ts);
    routerErrors.advert(group, decoded.advert);
    // A disturbance ends when the foreign traffic's hold time runs out, seen at the group's next advert.
    if (group.foreignSince !== undefined) monitor.markForeign(iface, group.key.family, group.key.vrid, disturbedSince(foreign, group.key, p.ts));
    timeline.advert(iface, decoded.advert, p.ts);
    owners.advert(iface, decoded.advert.src, p.linkType, p.data, p.ts);
    owners.applied(monitor, p.ts);
  };

  const result = await readCaptureFile(options.file, sink, options.betweenChunks);
  if (result.last !== undefined) {
    owners.advance(monitor, result.last);
    monitor.settle(result.last);
  }
  const report: ReplayReport = {
    file: options.file,
    format: result.format,
    packets: result.packets,
    adverts,
    invalid,
    invalid_times: invalidTimes,
    start: result.first ?? null,
    end: result.last ?? null,
    neighbor_messages: neighborMessages,
    neighbor_invalid: neighborInvalid,
    groups: timeline.histories(monitor, routerErrors).map((h) => ({ ...h, ...owners.history.of(h), foreign_traffic: foreignIntervals(foreign, h, result.last ?? 0) })),
    evicted: { groups: monitor.evictions.group, routers: monitor.evictions.router },
  };
  const tables = monitor.sizes();
  return { report, error: result.error, sizes: { ...tables, decoderBytes: decoder.bytes, reportEntries: timeline.entries } };
}
