/** pino, the only importer of it: JSON lines by default, `pretty` for people at a terminal. */
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { LogFn, Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config.js';
import { outputFailed } from './stdio.js';
import { visibleFields } from '../outputs/terminal.js';

export type { Logger };

/** One log call as it was made: its level, message and fields (nothing serialised). */
export interface LogEntry {
  /** Seconds since the epoch. */
  time: number;
  level: string;
  msg: string;
  fields: Readonly<Record<string, unknown>>;
}

/** Where log calls go instead of stdout (the live view keeps the latest ones on screen). */
export type EntrySink = (entry: LogEntry) => void;

export function createLogger(level: LogLevel, format: LogFormat, sink?: EntrySink): Logger {
  const options = {
    level,
    base: { app: 'vrrpwatch' },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      // Every message and field made visible: a log line read on a terminal (journalctl, tail, pretty) obeys nothing in it.
      logMethod(args: Parameters<LogFn>, method: LogFn): void {
        method.apply(this, args.map((a) => visibleFields(a)) as Parameters<LogFn>);
      },
    },
  };
  if (sink !== undefined) {
    // Each call at an enabled level is handed over as it was made, and nothing is written.
    const logger: Logger = pino({
      ...options,
      hooks: {
        logMethod(args, _method, levelValue) {
          const [first, second] = args as unknown[];
          const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
          const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
          sink({ time: Date.now() / 1000, level: logger.levels.labels[levelValue] ?? 'info', msg, fields });
        },
      },
    });
    return logger;
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
