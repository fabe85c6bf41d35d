/**
 * stdout and stderr at the end of a command: everything written reaches its reader before the process
 * exits (a pipe takes 64 KiB at a time, the rest waits in the stream), a command that prints as it goes
 * can wait for a slow reader instead of holding everything it has not yet handed over, and a reader that
 * goes away (`| head -1`: EPIPE) ends the command quietly instead of with an unhandled error.
 */

/** Resolves once everything written to the stream so far has been handed to the OS (or cannot be). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) {
      resolve();
      return;
    }
    // Writes complete in order: the callback of an empty write runs after every earlier one.
    stream.write('', () => {
      resolve();
    });
  });
}

/**
 * Undefined while the stream takes more; otherwise a promise that resolves once what waits in it has been
 * handed to the OS ('drain'), or once it is closed (a reader gone is handled by `watchOutput`).
 */
export function drained(stream: NodeJS.WriteStream): Promise<void> | undefined {
  if (!stream.writableNeedDrain || stream.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

function isClosedPipe(err: unknown): boolean {
  return err instanceof Error && 'code' in err && (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED');
}

let onStdoutClosed: () => void = () => {
  process.exit(0);
};

/**
 * Called when the reader of stdout goes away (EPIPE), by the stream itself or by the logger's own writer
 * of fd 1. Errors other than a closed pipe are rethrown.
 */
export function outputFailed(err: unknown): void {
  if (!isClosedPipe(err)) throw err;
  onStdoutClosed();
}

/** Installs the EPIPE handling: `closed` runs once when stdout's reader is gone; stderr's going is ignored. */
export function watchOutput(closed: () => void): void {
  let called = false;
  onStdoutClosed = () => {
    if (called) return;
    called = true;
    closed();
  };
  process.stdout.on('error', outputFailed);
  process.stderr.on('error', (err) => {
    if (!isClosedPipe(err)) throw err;
  });
}

/** Exits with `code` once stdout and stderr are flushed. */
export async function exitWhenFlushed(code: number): Promise<never> {
  process.exitCode = code;
  await flushed(process.stdout);
  await flushed(process.stderr);
  // Exit now rather than when the loop is empty: a closed libpcap session can keep a handle referenced
  // (seen on the loopback device), and a check must end when its answer is printed.
  process.exit(code);
}
