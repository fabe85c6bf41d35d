/**
 * Text for a terminal (replay's text report, `--live`, `once`, the log): what came from the network, a
 * capture or a config file is shown, never obeyed. C0 and C1 control characters and DEL become `\x1b`,
 * `\x9b`, and the bidi controls that reorder what a line seems to say (U+202A-202E, U+2066-2069,
 * U+200E/F, U+061C) become `\u202e`, so that no value can clear the screen, set the window title, write
 * the clipboard (OSC 52), colour or move the cursor, forge a line with CR/LF, or make text read backwards.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function shown(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value (a name, an address, a message) as a terminal shows it: every control made visible, newlines too. */
export function visible(text: string): string {
  return text.replace(UNSAFE, shown);
}

/** Text of several lines as a terminal shows it: the line breaks kept, every other control made visible. */
export function visibleLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, shown);
}

const MAX_DEPTH = 4;

/**
 * A log call's fields with every string made visible (arrays and plain objects walked a few levels
 * deep), so that a log line read on a terminal (`journalctl`, `tail`, pino-pretty) obeys nothing in it.
 */
export function visibleFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return visible(value);
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return value;
  // An error's words may quote what it failed on (a file name, an interface): pino writes its type, message and stack.
  if (value instanceof Error) return { type: value.name, message: visible(value.message), ...(value.stack === undefined ? {} : { stack: visibleLines(value.stack) }) };
  if (Array.isArray(value)) return value.map((v) => visibleFields(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[visible(k)] = visibleFields(v, depth + 1);
  return out;
}
