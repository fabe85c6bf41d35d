/** Reads a pcap/pcapng file from disk in large chunks and feeds the pure parser. */
import { open, stat } from 'node:fs/promises';
import { CaptureFileParser, CaptureFormatError } from '../core/wire/capture-file.js';
import type { DropSink, PacketSink } from '../core/wire/capture-file.js';
import { fileProblem } from './file-problem.js';

const CHUNK = 4 * 1024 * 1024;
const HEADROOM = 256 * 1024;

export class CaptureFileError extends Error {
  override readonly name = 'CaptureFileError';
}

export interface ReadResult {
  packets: number;
  format: 'pcap' | 'pcapng';
  /** Times of the first and last packet read; undefined when there were none. */
  first: number | undefined;
  last: number | undefined;
  /** Set when the file ended or broke after some packets were read: the packets before it count. */
  error: string | undefined;
  /** Packets read but not replayed, by reason (times no Date holds, times far back, interfaces over the cap). */
  rejected: Record<string, number>;
}

function describe(err: unknown, path: string): string {
  return `cannot read ${path}: ${fileProblem(err)}`;
}

/**
 * Held between chunks: a promise it returns keeps the next chunk from being parsed until it resolves (the
 * reader of what the sink prints has not caught up), so what waits to be printed is one chunk's worth.
 */
export type BetweenChunks = () => Promise<void> | undefined;

/**
 * Calls `sink` for every packet in the file. Throws CaptureFileError when nothing could be read
 * (missing, unreadable, not a capture); a capture that breaks part-way returns what it read and the
 * problem in `error`.
 */
export async function readCaptureFile(path: string, sink: PacketSink, between?: BetweenChunks, note?: (line: string) => void, drops?: DropSink): Promise<ReadResult> {
  let handle;
  try {
    // A FIFO is read like a file, but opening it waits for a writer: say so rather than wait in silence.
    if ((await stat(path)).isFIFO()) note?.(`${path} is a FIFO: reading it until its writer closes it (waiting for a writer)`);
    handle = await open(path, 'r');
  } catch (err) {
    throw new CaptureFileError(describe(err, path));
  }
  const parser = new CaptureFileParser(sink, drops);
  let reading: Promise<{ bytesRead: number }> | undefined;
  try {
    // Two buffers: the next chunk is read (on libuv's thread pool) while this one is parsed. Each has
    // headroom in front of the chunk for the bytes of a record the previous chunk cut in two.
    let current = Buffer.allocUnsafe(HEADROOM + CHUNK);
    let spare = Buffer.allocUnsafe(HEADROOM + CHUNK);
    reading = handle.read(current, HEADROOM, CHUNK, null);
    let leftover: Uint8Array = new Uint8Array(0);
    for (;;) {
      const { bytesRead } = await reading;
      const final = bytesRead === 0;
      let data: Uint8Array;
      if (leftover.length <= HEADROOM) {
        current.set(leftover, HEADROOM - leftover.length);
        data = new Uint8Array(current.buffer, current.byteOffset + HEADROOM - leftover.length, leftover.length + bytesRead);
      } else {
        // A record longer than the headroom (the parser bounds record sizes): join the two parts.
        data = new Uint8Array(leftover.length + bytesRead);
        data.set(leftover);
        data.set(current.subarray(HEADROOM, HEADROOM + bytesRead), leftover.length);
      }
      // `data` does not live in `spare`: the next read may fill it while `data` is parsed.
      if (!final) reading = handle.read(spare, HEADROOM, CHUNK, null);
      const used = parser.feed(data, data.length, final);
      if (final) break;
      leftover = data.subarray(used);
      [current, spare] = [spare, current];
      const held = between?.();
      if (held !== undefined) await held;
    }
    return { packets: parser.packets, format: parser.format ?? 'pcap', first: parser.firstTime, last: parser.lastTime, error: undefined, rejected: parser.rejected };
  } catch (err) {
    if (err instanceof CaptureFormatError) {
      if (parser.format === undefined) throw new CaptureFileError(`${path}: ${err.message}`);
      return { packets: parser.packets, format: parser.format, first: parser.firstTime, last: parser.lastTime, error: `${path}: ${err.message}`, rejected: parser.rejected };
    }
    throw new CaptureFileError(describe(err, path));
  } finally {
    // A read still under way when parsing failed: let it finish before the file is closed.
    await reading?.catch(() => undefined);
    await handle.close();
  }
}
