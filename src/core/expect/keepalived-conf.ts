/**
 * keepalived.conf, read for what vrrpwatch needs to know about a node: its VRRP instances (VRID,
 * interface, VIPs, interval, auth type, unicast peers, priority) and where notify_fifo writes. Pure:
 * the files come from a resolver the adapter supplies (it follows `include` and globs). The auth
 * password is never kept: only whether the instance uses PASS or AH.
 */
import { canonicalIp } from '../base/addr.js';
import { interfaceNameProblem } from '../base/names.js';
import { quote } from '../base/quote.js';
import type { InstanceTracking, Tracker } from './track.js';
import { KeepalivedLines, LineError, LITERAL_BANG, LITERAL_HASH, withoutComment } from './keepalived-lines.js';
import { groupId } from '../base/keys.js';
import type { Family } from '../base/keys.js';

export interface KeepalivedInstance {
  name: string;
  /** `file:line` of the `vrrp_instance` line. */
  at: string;
  interface: string | undefined;
  vrid: number;
  family: Family;
  version: 2 | 3;
  state: 'MASTER' | 'BACKUP' | undefined;
  priority: number;
  advertInterval: number;
  vips: string[];
  authType: 'PASS' | 'AH' | undefined;
  unicastPeers: string[];
  unicastSrcIp: string | undefined;
  nopreempt: boolean;
  /** The configured priority and the weights of its track_script, track_interface and track_file entries. */
  tracking: InstanceTracking;
}

export interface KeepalivedConf {
  instances: KeepalivedInstance[];
  /**
   * The FIFO for vrrpwatch to read: `vrrp_notify_fifo`, else `notify_fifo`, leaving out one that a
   * `*_notify_fifo_script` reads (a FIFO gives each line to one reader).
   */
  notifyFifo: string | undefined;
  /** Why a FIFO keepalived.conf names is not read, when so. */
  notifyFifoSkipped: string | undefined;
}

/**
 * The files an include names: their paths and texts, or an error message (no such file, ...). `budget` is
 * what may still be read in all; the resolver stops reading once a file goes past it (that file is
 * returned, so the parser can say so).
 */
export type IncludeResolver = (pattern: string, fromFile: string, budget: IncludeBudget) => { path: string; text: string }[] | string;

export interface IncludeBudget {
  files: number;
  bytes: number;
}

/** Includes nest at most this deep, and read at most this much in all (globs fan out: depth alone does not bound it). */
const MAX_INCLUDE_DEPTH = 8;
const MAX_INCLUDED_FILES = 256;
const MAX_INCLUDED_BYTES = 16 * 1024 * 1024;

export class KeepalivedConfError extends Error {
  override readonly name = 'KeepalivedConfError';
}

interface Token {
  text: string;
  file: string;
  line: number;
  /** First token of its line (includes and statements start there). */
  startsLine: boolean;
}

interface Statement {
  keyword: string;
  args: string[];
  block: Statement[] | undefined;
  at: string;
}

/** keepalived's include keywords: `includer` accepts a pattern that matches nothing (keepalived.conf(5)). */
const INCLUDES = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);

function tokenize(file: string, text: string, resolve: IncludeResolver, depth: number, out: Token[], budget: IncludeBudget, lines: KeepalivedLines): void {
  const raws = text.split(/\r?\n/);
  for (const [i, raw] of raws.entries()) {
    const line = i + 1;
    // keepalived finds includes before conditionals and parameters (keepalived.conf(5)).
    const head = /^\s*(\S+)\s+(.*?)\s*$/.exec(withoutComment(raw));
    if (lines.open === undefined && head !== null && INCLUDES.has(head[1] ?? '')) {
      const keyword = head[1] ?? '';
      const words = (head[2] ?? '').split(/\s+/).filter((w) => w !== '').map((w) => w.replace(/^"(.*)"$/, '$1'));
      if (words.length !== 1 || words[0] === undefined) throw new KeepalivedConfError(`${file}:${line}: ${keyword} needs exactly one file or pattern`);
      if (depth >= MAX_INCLUDE_DEPTH) throw new KeepalivedConfError(`${file}:${line}: includes nested deeper than ${MAX_INCLUDE_DEPTH} (a loop?)`);
      const found = resolve(words[0], file, { ...budget });
      if (typeof found === 'string') {
        // includer: a pattern that matches nothing is no error.
        if (keyword === 'includer' && /no such file|matches no file/i.test(found)) continue;
        throw new KeepalivedConfError(`${file}:${line}: ${keyword} ${words[0]}: ${found}`);
      }
      for (const f of found) {
        budget.files -= 1;
        budget.bytes -= f.text.length;
        if (budget.files < 0 || budget.bytes < 0) {
          throw new KeepalivedConfError(`${file}:${line}: ${keyword} ${words[0]}: the includes add up to more than ${MAX_INCLUDED_FILES} files or ${MAX_INCLUDED_BYTES / 1024 / 1024} MiB, more than vrrpwatch reads`);
        }
      }
      for (const f of found) tokenize(f.path, f.text, resolve, depth + 1, out, budget, lines);
      continue;
    }
    let expanded: string[];
    try {
      expanded = lines.line(raw, file);
    } catch (err) {
      if (err instanceof LineError) throw new KeepalivedConfError(`${file}:${line}: ${err.message}`);
      throw err;
    }
    for (const text of expanded) {
      // Words, quoted strings, and braces as their own tokens (comments are gone already).
      const re = /"([^"]*)"|([{}])|([^\s{}"]+)/g;
      let first = true;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const word = (m[1] ?? m[2] ?? m[3] ?? '').replaceAll(LITERAL_HASH, '#').replaceAll(LITERAL_BANG, '!');
        out.push({ text: word, file, line, startsLine: first });
        first = false;
      }
    }
  }
  if (depth === 0 && lines.open !== undefined) throw new KeepalivedConfError(`${file}:${raws.length}: the multiline definition of $${lines.open} goes on past the end of the file (its last line ends with "\\")`);
}

function parseStatements(tokens: Token[], pos: { i: number }, opener: Token | undefined): Statement[] {
  const out: Statement[] = [];
  while (pos.i < tokens.length) {
    const t = tokens[pos.i];
    if (t === undefined) break;
    if (t.text === '}') {
      if (opener === undefined) throw new KeepalivedConfError(`${t.file}:${t.line}: "}" without a block to close`);
      pos.i++;
      return out;
    }
    if (t.text === '{') throw new KeepalivedConfError(`${t.file}:${t.line}: "{" without a keyword before it`);
    pos.i++;
    const args: string[] = [];
    let block: Statement[] | undefined;
    // A statement is the rest of its line; a "{" (on the line or the next) opens its block.
    while (pos.i < tokens.length) {
      const n = tokens[pos.i];
      if (n === undefined || n.text === '}' || (n.startsLine && n.text !== '{')) break;
      pos.i++;
      if (n.text === '{') {
        block = parseStatements(tokens, pos, t);
        break;
      }
      args.push(n.text);
    }
    out.push({ keyword: t.text, args, block, at: `${t.file}:${t.line}` });
  }
  if (opener !== undefined) throw new KeepalivedConfError(`${opener.file}:${opener.line}: the block of "${opener.text}" is never closed`);
  return out;
}

function number(s: Statement, min: number, max: number, integer: boolean): number {
  const text = s.args[0];
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new KeepalivedConfError(`${s.at}: ${s.keyword} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, not ${text === undefined ? 'nothing' : `"${text}"`}`);
  }
  return value;
}

function address(text: string, at: string, what: string): string {
  const ip = canonicalIp(text.replace(/\/\d{1,3}$/, ''));
  if (ip === undefined) throw new KeepalivedConfError(`${at}: ${what} ${quote(text)} is not an IP address`);
  return ip;
}

/** A tracker as an instance names it: its own `weight N [reverse]`, when given. */
interface TrackerRef {
  kind: Tracker['kind'];
  name: string;
  weight: { weight: number; reverse: boolean } | undefined;
}

/** `weight N [reverse]` from a statement's words at `from` (keepalived's range is -253..253), or undefined. */
function weightOf(s: Statement, words: readonly string[], from: number): { weight: number; reverse: boolean } | undefined {
  const at = words.indexOf('weight', from);
  if (at < 0) return undefined;
  const text = words[at + 1];
  const weight = Number(text);
  if (text === undefined || !Number.isInteger(weight) || weight < -253 || weight > 253) {
    throw new KeepalivedConfError(`${s.at}: weight must be a whole number from -253 to 253, not ${text === undefined ? 'nothing' : `"${text}"`}`);
  }
  return { weight, reverse: words[at + 2] === 'reverse' };
}

function trackerRef(kind: Tracker['kind'], s: Statement): TrackerRef {
  return { kind, name: s.keyword, weight: weightOf(s, s.args, 0) };
}

/** The weights vrrp_script and vrrp_track_file blocks declare, by kind and name. */
type DeclaredWeights = ReadonlyMap<string, { weight: number; reverse: boolean }>;

function resolveTracker(t: TrackerRef, declared: DeclaredWeights): Tracker {
  // An interface has no declaration: without its own weight it puts the instance in FAULT (weight 0).
  const w = t.weight ?? declared.get(`${t.kind}|${t.name}`) ?? { weight: 0, reverse: false };
  return { kind: t.kind, name: t.name, weight: w.weight, reverse: w.reverse };
}

function declaredWeights(top: readonly Statement[]): DeclaredWeights {
  const out = new Map<string, { weight: number; reverse: boolean }>();
  for (const s of top) {
    if ((s.keyword !== 'vrrp_script' && s.keyword !== 'vrrp_track_file') || s.args[0] === undefined) continue;
    let w = { weight: 0, reverse: false };
    for (const c of s.block ?? []) if (c.keyword === 'weight') w = weightOf(c, [c.keyword, ...c.args], 0) ?? w;
    out.set(`${s.keyword === 'vrrp_script' ? 'script' : 'file'}|${s.args[0]}`, w);
  }
  return out;
}

function instanceOf(s: Statement, globalVersion: 2 | 3 | undefined, scripts: DeclaredWeights): KeepalivedInstance {
  const name = s.args[0];
  if (name === undefined) throw new KeepalivedConfError(`${s.at}: vrrp_instance needs a name`);
  let vrid: number | undefined;
  let iface: string | undefined;
  let state: KeepalivedInstance['state'];
  let priority = 100;
  let interval = 1;
  let version: 2 | 3 | undefined;
  let nativeIpv6 = false;
  let authType: KeepalivedInstance['authType'];
  let unicastSrcIp: string | undefined;
  let nopreempt = false;
  const vips: string[] = [];
  const unicastPeers: string[] = [];
  const trackers: TrackerRef[] = [];
  for (const c of s.block ?? []) {
    switch (c.keyword) {
      case 'virtual_router_id':
        vrid = number(c, 1, 255, true);
        break;
      case 'interface': {
        const problem = interfaceNameProblem(c.args[0] ?? '');
        if (problem !== undefined) throw new KeepalivedConfError(`${c.at}: interface ${problem}`);
        iface = c.args[0];
        break;
      }
      case 'state': {
        const v = c.args[0]?.toUpperCase();
        if (v !== 'MASTER' && v !== 'BACKUP') throw new KeepalivedConfError(`${c.at}: state must be MASTER or BACKUP, not "${c.args[0] ?? ''}"`);
        state = v;
        break;
      }
      case 'priority':
        priority = number(c, 1, 255, true);
        break;
      case 'advert_int':
        interval = number(c, 0.01, 255, false);
        break;
      case 'version':
        version = number(c, 2, 3, true) as 2 | 3;
        break;
      case 'native_ipv6':
        nativeIpv6 = true;
        break;
      case 'nopreempt':
        nopreempt = true;
        break;
      case 'unicast_src_ip':
        unicastSrcIp = address(c.args[0] ?? '', c.at, 'unicast_src_ip');
        break;
      case 'virtual_ipaddress':
        for (const v of c.block ?? []) vips.push(address(v.keyword, v.at, 'virtual address'));
        break;
      case 'unicast_peer':
        for (const p of c.block ?? []) unicastPeers.push(address(p.keyword, p.at, 'unicast peer'));
        break;
      case 'track_script':
      case 'track_interface':
      case 'track_file':
        for (const t of c.block ?? []) trackers.push(trackerRef(c.keyword === 'track_script' ? 'script' : c.keyword === 'track_interface' ? 'interface' : 'file', t));
        break;
      case 'authentication':
        for (const a of c.block ?? []) {
          if (a.keyword !== 'auth_type') continue;
          const v = a.args[0]?.toUpperCase();
          if (v !== 'PASS' && v !== 'AH') throw new KeepalivedConfError(`${a.at}: auth_type must be PASS or AH, not "${a.args[0] ?? ''}"`);
          authType = v;
        }
        break;
      default:
        break;
    }
  }
  if (vrid === undefined) throw new KeepalivedConfError(`${s.at}: vrrp_instance ${name} has no virtual_router_id`);
  const family: Family = nativeIpv6 || vips[0]?.includes(':') === true ? 'ipv6' : 'ipv4';
  return {
    name,
    at: s.at,
    interface: iface,
    vrid,
    family,
    version: version ?? (family === 'ipv6' ? 3 : (globalVersion ?? 2)),
    state,
    priority,
    advertInterval: interval,
    vips,
    authType,
    unicastPeers,
    unicastSrcIp,
    nopreempt,
    tracking: { priority, trackers: trackers.map((t) => resolveTracker(t, scripts)) },
  };
}

/** Reads a keepalived.conf and its includes; throws KeepalivedConfError naming file and line. */
/**
 * Reads a keepalived.conf as keepalived with config id `configId` (`-i`; by default the first label of
 * the host name) reads it: its `@ID` lines, parameters and blocks first (keepalived-lines.ts).
 */
export function parseKeepalivedConf(file: string, text: string, resolve: IncludeResolver, configId = ''): KeepalivedConf {
  const tokens: Token[] = [];
  tokenize(file, text, resolve, 0, tokens, { files: MAX_INCLUDED_FILES, bytes: MAX_INCLUDED_BYTES - text.length }, new KeepalivedLines(configId));
  const top = parseStatements(tokens, { i: 0 }, undefined);
  const globals = new Map<string, string>();
  let globalVersion: 2 | 3 | undefined;
  for (const s of top) {
    if (s.keyword !== 'global_defs') continue;
    for (const g of s.block ?? []) {
      if (/^(vrrp_)?notify_fifo(_script)?$/.test(g.keyword) && g.args[0] !== undefined) globals.set(g.keyword, g.args[0]);
      if (g.keyword === 'vrrp_version') globalVersion = number(g, 2, 3, true) as 2 | 3;
    }
  }
  let notifyFifo: string | undefined;
  const skipped: string[] = [];
  for (const kind of ['vrrp_notify_fifo', 'notify_fifo']) {
    const path = globals.get(kind);
    if (path === undefined) continue;
    if (globals.has(`${kind}_script`)) skipped.push(`${kind} ${path} is read by ${kind}_script`);
    else notifyFifo ??= path;
  }
  const scripts = declaredWeights(top);
  const instances = top.filter((s) => s.keyword === 'vrrp_instance').map((s) => instanceOf(s, globalVersion, scripts));
  const seen = new Map<string, string>();
  for (const i of instances) {
    // An instance may omit `interface` (it then matches any); those share the empty name here, so two of them with one VRID clash.
    const key = groupId({ interface: i.interface ?? '', family: i.family, vrid: i.vrid });
    const other = seen.get(key);
    if (other !== undefined) throw new KeepalivedConfError(`${i.at}: virtual_router_id ${i.vrid} on ${i.interface ?? 'the same interface'} is already used by the instance at ${other}`);
    seen.set(key, i.at);
  }
  const notifyFifoSkipped = notifyFifo === undefined && skipped.length > 0 ? `${skipped.join('; ')}: not read, as a second reader would take lines from the script` : undefined;
  return { instances, notifyFifo, notifyFifoSkipped };
}

export type KeepalivedState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

/** One notify_fifo line, `INSTANCE "VI_1" MASTER 150`; undefined for GROUP lines and anything else. */
export function parseNotifyLine(line: string): { instance: string; state: KeepalivedState; priority: number | undefined } | undefined {
  const m = /^INSTANCE "([^"]+)" (MASTER|BACKUP|FAULT|STOP|DELETED)(?: (\d+))?\s*$/.exec(line);
  if (m === null || m[1] === undefined) return undefined;
  return { instance: m[1], state: m[2] as KeepalivedState, priority: m[3] === undefined ? undefined : Number(m[3]) };
}
