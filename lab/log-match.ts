/**
 * The exporter's log read as objects: tests parse each JSON line and compare fields, never the text of
 * the line (pino's key order, escaping and added fields are not what a test observes).
 */
import { isDeepStrictEqual } from 'node:util';

export type LogEntry = Readonly<Record<string, unknown>>;

/**
 * What a line must carry: each field equal to the value given (arrays and objects compared deeply), or,
 * for a RegExp, the field's text matching it. Fields not named may hold anything.
 */
export type LogMatch = Readonly<Record<string, unknown>>;

/** The JSON objects of a process's output, one per line; lines that are not a JSON object are skipped. */
export function logEntries(output: string): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) entries.push(value as LogEntry);
    } catch {
      // A line cut by a process still writing it, or not a log line.
    }
  }
  return entries;
}

/** Whether `entry` carries every field of `want`. */
export function logMatches(entry: LogEntry, want: LogMatch): boolean {
  for (const [key, expected] of Object.entries(want)) {
    if (!(key in entry)) return false;
    const actual = entry[key];
    if (expected instanceof RegExp) {
      if (typeof actual !== 'string' && typeof actual !== 'number') return false;
      if (!expected.test(String(actual))) return false;
    } else if (!isDeepStrictEqual(actual, expected)) return false;
  }
  return true;
}

/** The entries of `output` that carry every field of `want`, in order. */
export function findLogs(output: string, want: LogMatch): LogEntry[] {
  return logEntries(output).filter((e) => logMatches(e, want));
}

/** How `want` reads in a message: its fields as JSON, RegExps as their source. */
export function describeMatch(want: LogMatch): string {
  return JSON.stringify(want, (_key, value: unknown) => (value instanceof RegExp ? String(value) : value));
}
