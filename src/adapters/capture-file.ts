/** Reads a pcap/pcapng file from disk in large chunks and feeds the pure parser. */
import { open } from 'node:fs/promises';
import { CaptureFileParser, CaptureFormatError } from '../core/capture-file.js';
import type { PacketSink } from '../core/capture-file.js';
import { fileProblem } from './file-problem.js';

const CHUNK = 4 * 1024 * 1024;

export class CaptureFileError extends Error {
  override readonly name = 'CaptureFileError';
}

export interface ReadResult {
  packets: number;
  format: 'pcap' | 'pcapng';
  /** Set when the file ended or broke after some packets were read: the packets before it count. */
  error: string | undefined;
}

function describe(err: unknown, path: string): string {
  return `cannot read ${path}: ${fileProblem(err)}`;
}

/**
 * Calls `sink` for every packet in the file. Throws CaptureFileError when nothing could be read
 * (missing, unreadable, not a capture); a capture that breaks part-way returns what it read and the
 * problem in `error`.
 */
export async function readCaptureFile(path: string, sink: PacketSink): Promise<ReadResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new CaptureFileError(describe(err, path));
  }
  const parser = new CaptureFileParser(sink);
  try {
    let buf = Buffer.allocUnsafe(CHUNK);
    let filled = 0;
    for (;;) {
      if (filled === buf.length) {
        // One record larger than the buffer: grow it (the parser bounds record sizes).
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      filled += bytesRead;
      const final = bytesRead === 0;
      // A plain Uint8Array view: the parser's per-packet subarrays are then cheaper than Buffers.
      const used = parser.feed(new Uint8Array(buf.buffer, buf.byteOffset, buf.length), filled, final);
      if (final) break;
      buf.copy(buf, 0, used, filled);
      filled -= used;
    }
    return { packets: parser.packets, format: parser.format ?? 'pcap', error: undefined };
  } catch (err) {
    if (err instanceof CaptureFormatError) {
      if (parser.format === undefined) throw new CaptureFileError(`${path}: ${err.message}`);
      return { packets: parser.packets, format: parser.format, error: `${path}: ${err.message}` };
    }
    throw new CaptureFileError(describe(err, path));
  } finally {
    await handle.close();
  }
}
