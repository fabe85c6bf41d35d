/**
 * A small declarative schema layer for the config files: one declaration of a schema gives its type
 * (`Infer`), its defaults (what it reads from an empty document) and its checks, whose problems name the
 * key (`groups[0].vrid: must be between 1 and 255, not 300`). Unknown keys are rejected. Reading never
 * throws: problems are collected, every one of them, in declaration order.
 */
import { quote } from './core/base/quote.js';

/** What a failed read returns; its problems are in the list passed in. */
export const INVALID: unique symbol = Symbol('invalid');
type Invalid = typeof INVALID;

export interface Schema<T> {
  /** Reads a present (not undefined, not null) value at `path`, pushing `path: problem` on failure. */
  read(value: unknown, path: string, problems: string[]): T | Invalid;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** What a value is, for "must be a string, not ...". */
export function describe(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function at(path: string, problem: string): string {
  return `${path}: ${problem}`;
}

/** Text, checked by `parse`: it returns the value to keep (canonical text, say) or the problem. */
export function text<T = string>(parse?: (s: string) => { value: T } | { problem: string }): Schema<T> {
  return {
    read(value, path, problems) {
      if (typeof value !== 'string') {
        problems.push(at(path, `must be a string, not ${describe(value)}`));
        return INVALID;
      }
      if (parse === undefined) return value as T;
      const r = parse(value);
      if ('problem' in r) {
        problems.push(at(path, r.problem));
        return INVALID;
      }
      return r.value;
    },
  };
}

/** Text checked by `bad`, which says what is wrong with it or returns undefined. */
export function checkedText(bad: (s: string) => string | undefined): Schema<string> {
  return text((s): { value: string } | { problem: string } => {
    const problem = bad(s);
    return problem === undefined ? { value: s } : { problem };
  });
}

export function number(min: number, max: number, integer = false): Schema<number> {
  return {
    read(value, path, problems) {
      if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(at(path, `must be a number, not ${describe(value)}`));
      else if (integer && !Number.isInteger(value)) problems.push(at(path, `must be a whole number, not ${value}`));
      else if (value < min || value > max) problems.push(at(path, `must be between ${min} and ${max}, not ${value}`));
      else return value;
      return INVALID;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    read(value, path, problems) {
      if (typeof value === 'boolean') return value;
      problems.push(at(path, `must be true or false, not ${describe(value)}`));
      return INVALID;
    },
  };
}

export function oneOf<const T extends string>(choices: readonly T[]): Schema<T> & { choices: readonly T[] } {
  return {
    choices,
    read(value, path, problems) {
      if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
      problems.push(at(path, `must be one of ${choices.join(', ')}, not ${describe(value)}`));
      return INVALID;
    },
  };
}

/** A list; each item is read at `path[i]`. */
export function list<T>(item: Schema<T>): Schema<T[]> {
  return {
    read(value, path, problems) {
      if (!Array.isArray(value)) {
        problems.push(at(path, 'must be a list'));
        return INVALID;
      }
      const out: T[] = [];
      const before = problems.length;
      for (const [i, v] of (value as unknown[]).entries()) {
        if (v === undefined || v === null) problems.push(at(`${path}[${i}]`, 'must not be empty'));
        else {
          const r = item.read(v, `${path}[${i}]`, problems);
          if (r !== INVALID) out.push(r);
        }
      }
      return problems.length === before ? out : INVALID;
    },
  };
}

/** A mapping of names the user chooses (user names, say) to values; each is read at `path.name`. */
export function mapOf<T>(item: Schema<T>, notMapping = 'must be a mapping'): Schema<Map<string, T>> {
  return {
    read(value, path, problems) {
      if (!isMapping(value)) {
        problems.push(at(path, notMapping));
        return INVALID;
      }
      const out = new Map<string, T>();
      let ok = true;
      for (const [k, v] of Object.entries(value)) {
        const r = item.read(v, `${path}.${k}`, problems);
        if (r === INVALID) ok = false;
        else out.set(k, r);
      }
      return ok ? out : INVALID;
    },
  };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** One key of a mapping: its name in the file, how its value is read, and what its absence gives. */
export interface Field<T> {
  key: string;
  read(value: unknown, path: string, problems: string[]): T | Invalid;
}

function isAbsent(value: unknown, emptyIsAbsent: boolean): boolean {
  return value === undefined || value === null || (emptyIsAbsent && value === '');
}

/** An optional key; `emptyIsAbsent` reads `key: ""` as absent (exporter-toolkit files write that). */
export function optional<T>(key: string, schema: Schema<T>, emptyIsAbsent = false): Field<T | undefined> {
  return { key, read: (value, path, problems) => (isAbsent(value, emptyIsAbsent) ? undefined : schema.read(value, path, problems)) };
}

/** A key with a default: the default is part of the declaration (an empty document reads as the defaults). */
export function withDefault<T>(key: string, schema: Schema<T>, fallback: T, emptyIsAbsent = false): Field<T> {
  return { key, read: (value, path, problems) => (isAbsent(value, emptyIsAbsent) ? fallback : schema.read(value, path, problems)) };
}

export function required<T>(key: string, schema: Schema<T>, message = 'is required', emptyIsAbsent = false): Field<T> {
  return {
    key,
    read(value, path, problems) {
      if (!isAbsent(value, emptyIsAbsent)) return schema.read(value, path, problems);
      problems.push(at(path, message));
      return INVALID;
    },
  };
}

/** A nested mapping: absent, it reads as an empty one, so its own defaults apply. */
export function section<T>(key: string, schema: Schema<T>): Field<T> {
  return { key, read: (value, path, problems) => schema.read(value ?? {}, path, problems) };
}

type Shape = Record<string, Field<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface MappingOptions {
  /** The problem when the value is not a mapping (default "must be a mapping"). */
  notMapping?: string;
  /** Said after the list of known keys when an unknown one is found. */
  unknownHint?: string;
}

/**
 * A mapping with a fixed set of keys, each declared once. Unknown keys are problems; so is every field
 * that does not read. `then` may check across fields and reshape the value (it runs once all fields read).
 */
export function mapping<S extends Shape>(shape: S, options: MappingOptions = {}): Schema<Out<S>> & { keys: string[] } {
  const fields = Object.entries(shape);
  const keys = fields.map(([, f]) => f.key);
  return {
    keys,
    read(value, path, problems) {
      if (!isMapping(value)) {
        problems.push(path === '' ? (options.notMapping ?? 'must be a mapping') : at(path, options.notMapping ?? 'must be a mapping'));
        return INVALID;
      }
      for (const k of Object.keys(value)) {
        if (!keys.includes(k)) problems.push(at(path === '' ? k : `${path}.${k}`, `unknown key (known: ${keys.join(', ')}${options.unknownHint === undefined ? '' : `; ${options.unknownHint}`})`));
      }
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const [prop, field] of fields) {
        const r = field.read(value[field.key], path === '' ? field.key : `${path}.${field.key}`, problems);
        if (r === INVALID) ok = false;
        else out[prop] = r;
      }
      return ok ? (out as Out<S>) : INVALID;
    },
  };
}

/** A schema whose read value is checked across its fields and reshaped; `fail(key, problem)` names a key under the path ('' for the path itself). */
export function refine<T, U>(schema: Schema<T>, then: (value: T, fail: (key: string, problem: string) => void) => U): Schema<U> {
  return {
    read(value, path, problems) {
      const r = schema.read(value, path, problems);
      if (r === INVALID) return INVALID;
      const before = problems.length;
      const out = then(r, (key, problem) => {
        problems.push(at(key === '' ? path : path === '' ? key : `${path}.${key}`, problem));
      });
      return problems.length === before ? out : INVALID;
    },
  };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Reads a whole document with a schema. */
export function parseWith<T>(schema: Schema<T>, doc: unknown, path = ''): Parsed<T> {
  const problems: string[] = [];
  const r = schema.read(doc ?? {}, path, problems);
  return r === INVALID || problems.length > 0 ? { ok: false, errors: problems } : { ok: true, value: r };
}

/** The defaults of a schema: what it reads from an empty document. Throws if the declaration has a required key. */
export function defaultsOf<T>(schema: Schema<T>): T {
  const r = parseWith(schema, {});
  if (!r.ok) throw new Error(`a schema with required keys has no defaults: ${r.errors.join('; ')}`);
  return r.value;
}
