/** pino, the only importer of it: JSON lines by default, `pretty` for people at a terminal. */
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config.js';
import { outputFailed } from './stdio.js';

export type { Logger };

/** Where log lines go instead of stdout (the live view keeps the latest ones on screen). */
export type LineSink = (line: string) => void;

export function createLogger(level: LogLevel, format: LogFormat, sink?: LineSink): Logger {
  const options = { level, base: { app: 'vrrpwatch' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (sink !== undefined) {
    return pino(options, {
      write(chunk: string) {
        for (const line of chunk.split('\n')) if (line !== '') sink(line);
      },
    });
  }
  if (format === 'pretty') {
    // Loaded only here: the JSON logs of a service never need it (it is some 30 modules).
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    return pino(options, pretty({ colorize: process.stdout.isTTY, sync: true, ignore: 'pid,hostname,app' }));
  }
  const stdout = pino.destination({ fd: 1, sync: true });
  // A reader of the log that goes away (EPIPE) is the CLI's to handle, as for everything on stdout.
  stdout.on('error', outputFailed);
  return pino(options, stdout);
}
