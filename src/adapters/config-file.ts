/**
 * Reads a file an operator names (the YAML config, keepalived.conf and its includes, the web config, TLS
 * certificates and keys) without ever hanging or filling memory: only a regular file of at most 4 MiB is
 * read. It is opened non-blocking, so a FIFO given by mistake (or by a SIGHUP reload) is refused at once
 * instead of waiting for a writer, and a device like /dev/zero is refused before a byte is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { fileProblem } from './file-problem.js';

export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

/** A file that cannot be read; `problem` says why in a few words, without the file name. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';

  constructor(readonly problem: string) {
    super(problem);
  }
}

function kindProblem(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'it is a directory';
  if (st.isFIFO()) return 'it is a FIFO, not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'it is a device, not a regular file';
  if (st.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

const TOO_LARGE = `it is larger than ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MiB, too large for a config file`;

/** The bytes of a regular file of at most 4 MiB; throws ConfigFileError. */
export function readConfigBytes(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new ConfigFileError((err as { code?: string }).code === 'ENXIO' ? 'it is a socket or a device, not a regular file' : fileProblem(err));
  }
  try {
    const st = fstatSync(fd);
    const kind = kindProblem(st);
    if (kind !== undefined) throw new ConfigFileError(kind);
    if (st.size > MAX_CONFIG_FILE_BYTES) throw new ConfigFileError(TOO_LARGE);
    // Read until the end, and at most one byte past the bound: a file that grows while it is read is still bounded.
    let buf = Buffer.alloc(Math.min(MAX_CONFIG_FILE_BYTES + 1, st.size + 1));
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (n > MAX_CONFIG_FILE_BYTES) throw new ConfigFileError(TOO_LARGE);
        const bigger = Buffer.alloc(Math.min(MAX_CONFIG_FILE_BYTES + 1, n * 2 + 4096));
        buf.copy(bigger);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch (err) {
    if (err instanceof ConfigFileError) throw err;
    throw new ConfigFileError(fileProblem(err));
  } finally {
    closeSync(fd);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a config file (UTF-8, a leading byte-order mark dropped); throws ConfigFileError. */
export function readConfigText(path: string): string {
  const bytes = readConfigBytes(path);
  if (bytes.includes(0)) throw new ConfigFileError('it is not text (it holds NUL bytes: a binary file?)');
  try {
    return utf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new ConfigFileError('it is not UTF-8 text (a binary file?)');
  }
}
