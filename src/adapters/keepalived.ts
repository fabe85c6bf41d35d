/**
 * keepalived on this node: its config (read with includes followed; the parser is pure and lives in
 * core) and its notify_fifo, from which keepalived reports each instance's state as it changes.
 */
import { closeSync, constants, openSync, readdirSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { hostname, userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { KeepalivedConfError, parseKeepalivedConf, parseNotifyLine } from '../core/expect/keepalived-conf.js';
import type { IncludeResolver, KeepalivedConf, KeepalivedState } from '../core/expect/keepalived-conf.js';
import type { ExpectedGroup } from '../core/expect/types.js';
import { ConfigFileError, readConfigText } from './config-file.js';
import { fileProblem } from './file-problem.js';

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

/** Reads one file of keepalived's config; the problem is returned, in words. */
function readConf(path: string): { path: string; text: string } | string {
  try {
    return { path, text: readConfigText(path) };
  } catch (err) {
    return err instanceof ConfigFileError ? err.problem : fileProblem(err);
  }
}

/**
 * Follows `include`: a path, or a pattern with `*`/`?` in its file name, relative to the main file's
 * directory. Reading stops once the budget is spent (the parser then refuses the include).
 */
function resolver(mainDir: string): IncludeResolver {
  return (pattern, _from, budget) => {
    const path = isAbsolute(pattern) ? pattern : join(mainDir, pattern);
    const name = basename(path);
    if (!/[*?]/.test(name)) {
      const one = readConf(path);
      return typeof one === 'string' ? one : [one];
    }
    if (/[*?]/.test(dirname(path))) return 'wildcards are only followed in the file name';
    const re = wildcard(name);
    let names: string[];
    try {
      names = readdirSync(dirname(path)).filter((f) => re.test(f)).sort();
    } catch (err) {
      return fileProblem(err);
    }
    const out: { path: string; text: string }[] = [];
    let { files, bytes } = budget;
    for (const f of names.map((n) => join(dirname(path), n))) {
      // A directory (or a FIFO, a socket) matching the pattern is skipped, as keepalived's glob does.
      let regular: boolean;
      try {
        regular = statSync(f).isFile();
      } catch {
        continue;
      }
      if (!regular) continue;
      const one = readConf(f);
      if (typeof one === 'string') return `${f}: ${one}`;
      out.push(one);
      files -= 1;
      bytes -= one.text.length;
      if (files < 0 || bytes < 0) break;
    }
    return out;
  };
}

/** The user this process runs as, for hints about permissions (`vrrpwatch` under the shipped unit). */
function runningAs(): string {
  try {
    return userInfo().username;
  } catch {
    return 'vrrpwatch';
  }
}

/**
 * keepalived.conf itself cannot be read (permission, missing): serve runs on without its expectations
 * and says so, while a file that reads but does not parse stays an error.
 */
export class KeepalivedConfUnreadableError extends KeepalivedConfError {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`cannot read ${path}: ${problem}`);
  }
}

/**
 * Reads a keepalived.conf as keepalived with config id `configId` reads it; throws KeepalivedConfError
 * with the file (and line) of the problem.
 */
export function readKeepalivedConf(file: string, configId = keepalivedConfigId()): KeepalivedConf {
  const main = readConf(file);
  if (typeof main === 'string') {
    // It holds auth_pass, so it is often root's with mode 0600: say how to let vrrpwatch read it.
    const hint = main === 'permission denied' ? ` for user ${runningAs()} (keepalived.conf is often root's with mode 0600: make it readable by a group vrrpwatch runs in, e.g. chgrp vrrpwatch ${file} && chmod 0640 ${file})` : '';
    throw new KeepalivedConfUnreadableError(file, `${main}${hint}`);
  }
  return parseKeepalivedConf(file, main.text, resolver(dirname(resolve(file))), configId);
}

/** keepalived's default config id: the node name uname gives, up to its first dot. */
export function keepalivedConfigId(): string {
  return hostname().split('.')[0] ?? '';
}

/** The groups a keepalived.conf promises: one per vrrp_instance. */
export function expectationsOf(conf: KeepalivedConf): ExpectedGroup[] {
  return conf.instances.map((i) => ({
    vrid: i.vrid,
    interface: i.interface,
    family: i.family,
    vips: i.vips,
    advertInterval: i.advertInterval,
    instance: i.name,
    source: i.at,
    tracking: i.tracking,
  }));
}

export interface NotifyFifoEvents {
  /** keepalived reported an instance's state. */
  state(instance: string, state: KeepalivedState, priority: number | undefined): void;
  /** Reading started (`problem` undefined), or the FIFO cannot be read yet (retried every 2 s; said once per problem). */
  status(problem: string | undefined): void;
  /** keepalived closed the FIFO (stopped, or killed): its states were forgotten. */
  gone(): void;
  /** A line longer than NOTIFY_LINE_MAX_BYTES was dropped; `dropped` counts every one so far. */
  longLine?(dropped: number): void;
}

/** keepalived's lines are short (`INSTANCE "name" MASTER 150`); anything longer than this is dropped. */
export const NOTIFY_LINE_MAX_BYTES = 4096;

/**
 * Splits a byte stream into lines of at most `max` bytes: a longer line is skipped up to its newline and
 * counted, so a writer that never sends a newline costs `max` bytes, not the whole stream.
 */
export class LineSplitter {
  #parts: Buffer[] = [];
  #held = 0;
  #skipping = false;

  constructor(
    private readonly max: number,
    private readonly onLine: (line: string) => void,
    private readonly onDropped: () => void,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl < 0 ? chunk.length : nl;
      if (!this.#skipping) {
        if (this.#held + end - from > this.max) {
          this.#parts = [];
          this.#held = 0;
          this.#skipping = true;
          this.onDropped();
        } else if (end > from) {
          // A copy: a slice would keep the whole chunk alive.
          this.#parts.push(Buffer.from(chunk.subarray(from, end)));
          this.#held += end - from;
        }
      }
      if (nl < 0) return;
      if (!this.#skipping) this.onLine(Buffer.concat(this.#parts).toString('utf8').replace(/\r$/, ''));
      this.#parts = [];
      this.#held = 0;
      this.#skipping = false;
      from = nl + 1;
    }
  }
}

/**
 * Reads keepalived's notify_fifo, read-only and non-blocking: opening never waits for keepalived, and when
 * the last keepalived process holding the FIFO goes (stopped, or killed with SIGKILL, which says nothing)
 * the read ends, so its last word (MASTER, say) is forgotten instead of hiding a VIP left behind. Then the
 * FIFO is opened again for the next keepalived. keepalived holds it read-write itself, so what it writes
 * before vrrpwatch opens it waits in the FIFO. A FIFO gives each line to one reader only: vrrpwatch must
 * be its only reader (`once` never reads it).
 */
export class NotifyFifo {
  readonly states = new Map<string, KeepalivedState>();
  /** Lines longer than NOTIFY_LINE_MAX_BYTES dropped so far. */
  droppedLines = 0;
  #socket: Socket | undefined;
  #retry: NodeJS.Timeout | undefined;
  #problem: string | undefined;
  #reading = false;
  #closed = false;

  constructor(
    readonly path: string,
    private readonly events: NotifyFifoEvents,
  ) {}

  /** Why the FIFO is not read now (undefined while it is). */
  get problem(): string | undefined {
    return this.#reading ? undefined : (this.#problem ?? 'not opened yet');
  }

  /** Starts reading, or retrying every 2 s until the FIFO can be read (keepalived creates it when it starts). */
  start(): void {
    const problem = this.#open();
    this.#reading = problem === undefined;
    if (problem === undefined) {
      this.#problem = undefined;
      this.events.status(undefined);
      return;
    }
    if (problem !== this.#problem) {
      this.#problem = problem;
      this.events.status(problem);
    }
    this.#retry = setTimeout(() => {
      this.start();
    }, 2000);
    this.#retry.unref();
  }

  #open(): string | undefined {
    let fd: number;
    try {
      if (!statSync(this.path).isFIFO()) return `${this.path} is not a FIFO (keepalived creates it when notify_fifo is set)`;
      fd = openSync(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      const problem = fileProblem(err);
      // keepalived 2.2 makes the FIFO root's with mode 0600 unless keepalived.conf names its owner; it keeps
      // a FIFO that already exists as it is.
      const hint = problem === 'permission denied' ? ` for user ${runningAs()} (keepalived makes it root's with mode 0600: name the reader in keepalived.conf, notify_fifo ${this.path} ${runningAs()}, then remove the FIFO and restart keepalived)` : problem === 'no such file' ? ' (keepalived creates it when it starts: not started yet?)' : '';
      return `cannot open ${this.path}: ${problem}${hint}`;
    }
    let socket: Socket;
    try {
      socket = new Socket({ fd, readable: true, writable: false });
    } catch (err) {
      closeSync(fd);
      return `cannot read ${this.path}: ${fileProblem(err)}`;
    }
    this.#socket = socket;
    socket.on('error', () => undefined);
    const lines = new LineSplitter(
      NOTIFY_LINE_MAX_BYTES,
      (line) => {
        const parsed = parseNotifyLine(line);
        if (parsed === undefined) return;
        this.states.set(parsed.instance, parsed.state);
        this.events.state(parsed.instance, parsed.state, parsed.priority);
      },
      () => {
        this.droppedLines++;
        this.events.longLine?.(this.droppedLines);
      },
    );
    socket.on('data', (chunk: Buffer) => {
      lines.push(chunk);
    });
    socket.on('end', () => {
      socket.destroy();
    });
    // After the end of the FIFO, or a read error: keepalived's word no longer holds.
    socket.on('close', () => {
      if (this.#closed || this.#socket !== socket) return;
      this.#socket = undefined;
      this.#reading = false;
      this.states.clear();
      this.events.gone();
      this.start();
    });
    return undefined;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}
