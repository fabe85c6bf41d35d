/**
 * keepalived.conf's lines as keepalived 2.2.7 reads them before parsing (keepalived.conf(5): conditional
 * configuration, parameter substitution, sequence and list blocks): `@ID` and `@^ID` lines kept or
 * dropped by the config id, `$NAME=VALUE` definitions (multiline with `\`), `$NAME` and `${NAME}`
 * replaced recursively at use, the pre-defined `${_PWD}`, `${_INSTANCE}`, `${_HASH}` and `${_BANG}`,
 * and `~SEQ(...)`, `~SEQx(...)` and `~LST(...)` repeating the rest of a line. `${_RANDOM}` is refused:
 * its value is keepalived's own draw. Pure; one instance reads a file and its includes in order.
 */

/** `${_HASH}` and `${_BANG}` become these until the tokenizer has found the comments, then `#` and `!`. */
export const LITERAL_HASH = '\uE000';
export const LITERAL_BANG = '\uE001';

/** Replacement and repetition nest at most this deep (a definition that uses itself would not end). */
const MAX_DEPTH = 32;
/** Most lines one source line may become (a ~SEQ over a /16 would be 65,536). */
const MAX_LINES_PER_LINE = 65_536;

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const DEFINITION = new RegExp(`^\\$(${NAME})=(.*)$`);
const USE = new RegExp(`\\$\\{(${NAME})\\}|\\$(${NAME})(?=\\s|$)`, 'g');

/** A problem in a line, said as a sentence (the caller adds file and line). */
export class LineError extends Error {
  override readonly name = 'LineError';
}

/** Cuts a comment (`#` or `!` at the start of a word, outside double quotes) off a line. */
export function withoutComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '#' || c === '!') && (i === 0 || /\s/.test(line[i - 1] ?? ''))) return line.slice(0, i);
  }
  return line;
}

export class KeepalivedLines {
  readonly #params = new Map<string, string[]>();
  /** A multiline definition being read: its name and lines so far. */
  #open: { name: string; lines: string[] } | undefined;

  constructor(readonly configId: string) {}

  /** The lines one source line of `file` gives (none while it is part of a multiline definition). */
  line(raw: string, file: string): string[] {
    const text = withoutComment(raw);
    if (this.#open !== undefined) {
      const more = continued(text);
      this.#open.lines.push(more ?? text);
      if (more === undefined) {
        this.#params.set(this.#open.name, this.#open.lines);
        this.#open = undefined;
      }
      return [];
    }
    const out: string[] = [];
    this.#process(text, file, 0, out);
    return out;
  }

  /** Whether a multiline definition is still open at the end of a file (then its last line is missing). */
  get open(): string | undefined {
    return this.#open?.name;
  }

  #process(text: string, file: string, depth: number, out: string[]): void {
    if (depth > MAX_DEPTH) throw new LineError(`parameters and blocks nest deeper than ${MAX_DEPTH} (a definition that uses itself?)`);
    if (out.length > MAX_LINES_PER_LINE) throw new LineError(`the line makes more than ${MAX_LINES_PER_LINE} lines, more than vrrpwatch reads`);
    let t = text.trim();
    if (t.startsWith('@')) {
      const m = /^@(\^?)(\S*)\s*(.*)$/.exec(t);
      const negated = m?.[1] === '^';
      const id = m?.[2] ?? '';
      if (id === '') throw new LineError(`"@" must be followed by a config id (as in "@node1 priority 150")`);
      if ((id === this.configId) === negated) return;
      t = m?.[3] ?? '';
    }
    if (t.startsWith('~')) {
      this.#block(t, file, depth, out);
      return;
    }
    const def = DEFINITION.exec(t);
    if (def !== null) {
      const [, name = '', value = ''] = def;
      const more = continued(value);
      if (more === undefined) this.#params.set(name, [value.trim()]);
      else this.#open = { name, lines: more.trim() === '' ? [] : [more] };
      return;
    }
    if (/\$\{_RANDOM[\s}]/.test(t)) throw new LineError('${_RANDOM} is a number keepalived draws itself: vrrpwatch cannot know it, so it cannot read this line as keepalived does');
    const seen = { replaced: false };
    const replaced = t.replace(USE, (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = this.#value(name, file);
      if (value === undefined) return whole;
      seen.replaced = true;
      return value.join('\n');
    });
    if (!seen.replaced) {
      if (t !== '') out.push(t);
      return;
    }
    for (const line of replaced.split('\n')) this.#process(line, file, depth + 1, out);
  }

  #value(name: string, file: string): string[] | undefined {
    const defined = this.#params.get(name);
    if (defined !== undefined) return defined;
    switch (name) {
      case '_PWD':
        return [file.includes('/') ? file.slice(0, file.lastIndexOf('/')) || '/' : '.'];
      case '_INSTANCE':
        return [this.configId];
      case '_HASH':
        return [LITERAL_HASH];
      case '_BANG':
        return [LITERAL_BANG];
      default:
        return undefined;
    }
  }

  /** `~SEQ(var, start, step, end)`, `~SEQx(...)` or `~LST(var, v1, v2, ...)` then the rest of the line. */
  #block(t: string, file: string, depth: number, out: string[]): void {
    const m = /^~(SEQx?|LST)\(/.exec(t);
    if (m === null) throw new LineError(`${quoteWord(t)} is no block keepalived 2.2.7 knows (~SEQ, ~SEQx or ~LST)`);
    const close = closingParen(t, m[0].length);
    if (close < 0) throw new LineError(`~${m[1] ?? ''}( has no closing ")"`);
    const spec = t.slice(m[0].length, close);
    const rest = t.slice(close + 1);
    const runs: [string, string][][] = m[1] === 'LST' ? listRuns(spec) : seqRuns(spec, m[1] === 'SEQx');
    for (const run of runs) {
      for (const [name, value] of run) this.#params.set(name, [value]);
      this.#process(rest, file, depth + 1, out);
    }
  }
}

/** The text before a line's trailing `\`, or undefined when it has none. */
function continued(text: string): string | undefined {
  const t = text.trimEnd();
  return t.endsWith('\\') ? t.slice(0, -1) : undefined;
}

function quoteWord(t: string): string {
  return `"${(t.split(/\s/)[0] ?? '').slice(0, 40)}"`;
}

function closingParen(t: string, from: number): number {
  let depth = 0;
  for (let i = from; i < t.length; i++) {
    if (t[i] === '{') depth++;
    else if (t[i] === '}') depth--;
    else if (t[i] === ')' && depth === 0) return i;
  }
  return -1;
}

function integer(s: string): number {
  const t = s.trim();
  const n = /^-?0x[0-9a-f]+$/i.test(t) ? (t.startsWith('-') ? -parseInt(t.slice(1), 16) : parseInt(t, 16)) : /^-?\d+$/.test(t) ? parseInt(t, 10) : NaN;
  if (!Number.isSafeInteger(n)) throw new LineError(`~SEQ needs whole numbers, not "${t.slice(0, 20)}"`);
  return n;
}

/** ~SEQ(var, [start,] [step,] end): the variable's values, counting up or down. */
function seqRuns(spec: string, hex: boolean): [string, string][][] {
  const parts = spec.split(',').map((p) => p.trim());
  const name = parts[0] ?? '';
  if (!new RegExp(`^${NAME}$`).test(name)) throw new LineError(`~SEQ needs a variable name first, not "${name.slice(0, 20)}"`);
  const nums = parts.slice(1).map(integer);
  let start: number;
  let step: number;
  let end: number;
  if (nums.length === 1) {
    end = nums[0] ?? 0;
    start = end < 0 ? -1 : 1;
    step = end < start ? -1 : 1;
  } else if (nums.length === 2) {
    [start = 0, end = 0] = nums;
    step = end < start ? -1 : 1;
  } else if (nums.length === 3) {
    [start = 0, step = 0, end = 0] = nums;
  } else {
    throw new LineError('~SEQ takes a variable and one to three numbers: (var, start, step, end)');
  }
  if (step === 0) throw new LineError('~SEQ with a step of 0 would never end');
  const runs: [string, string][][] = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
    if (runs.length >= MAX_LINES_PER_LINE) throw new LineError(`~SEQ makes more than ${MAX_LINES_PER_LINE} lines, more than vrrpwatch reads`);
    runs.push([[name, hex ? v.toString(16) : String(v)]]);
  }
  return runs;
}

/** ~LST(var, v1, v2, ...) or ~LST({a, b}, {1, 2}, {3, 4}): the variables' values, run by run. */
function listRuns(spec: string): [string, string][][] {
  const items: string[][] = [];
  const re = /\s*(\{[^}]*\}|[^,{}]*)\s*(,|$)/g;
  for (let m = re.exec(spec); m !== null && m[0] !== ''; m = re.exec(spec)) {
    const item = (m[1] ?? '').trim();
    items.push(item.startsWith('{') ? item.slice(1, -1).split(',').map((s) => s.trim()) : [item]);
  }
  const [names, ...values] = items;
  if (names === undefined || names.some((n) => !new RegExp(`^${NAME}$`).test(n))) throw new LineError('~LST needs a variable name, or names in {...}, first');
  if (values.length === 0) throw new LineError('~LST needs at least one value');
  return values.map((v) => {
    if (v.length !== names.length) throw new LineError(`~LST gives ${names.length} variable${names.length === 1 ? '' : 's'} ${v.length} value${v.length === 1 ? '' : 's'}`);
    return names.map((n, i): [string, string] => [n, v[i] ?? '']);
  });
}
