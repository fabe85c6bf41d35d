/**
 * keepalived on this node: its config (read with includes followed; the parser is pure and lives in
 * core) and its notify_fifo, from which keepalived reports each instance's state as it changes.
 */
import { closeSync, constants, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { KeepalivedConfError, parseKeepalivedConf, parseNotifyLine } from '../core/keepalived-conf.js';
import type { IncludeResolver, KeepalivedConf, KeepalivedState } from '../core/keepalived-conf.js';
import type { ExpectedGroup } from '../core/types.js';
import { fileProblem } from './file-problem.js';

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

/** Follows `include`: a path, or a pattern with `*`/`?` in its file name, relative to the main file's directory. */
function resolver(mainDir: string): IncludeResolver {
  return (pattern) => {
    const path = isAbsolute(pattern) ? pattern : join(mainDir, pattern);
    const name = basename(path);
    try {
      if (!/[*?]/.test(name)) return [{ path, text: readFileSync(path, 'utf8') }];
      if (/[*?]/.test(dirname(path))) return 'wildcards are only followed in the file name';
      const re = wildcard(name);
      return readdirSync(dirname(path))
        .filter((f) => re.test(f))
        .sort()
        .map((f) => join(dirname(path), f))
        .filter((f) => statSync(f).isFile())
        .map((f) => ({ path: f, text: readFileSync(f, 'utf8') }));
    } catch (err) {
      return fileProblem(err);
    }
  };
}

/** Reads a keepalived.conf; throws KeepalivedConfError with the file (and line) of the problem. */
export function readKeepalivedConf(file: string): KeepalivedConf {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeepalivedConfError(`cannot read ${file}: ${fileProblem(err)}`);
  }
  return parseKeepalivedConf(file, text, resolver(dirname(resolve(file))));
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
  }));
}

/**
 * Reads keepalived's notify_fifo. Opened read-write and non-blocking, so opening never waits for
 * keepalived and keepalived restarting (closing its end) is not an end of file.
 */
export class NotifyFifo {
  readonly states = new Map<string, KeepalivedState>();
  #socket: Socket | undefined;

  constructor(
    readonly path: string,
    private readonly onState: (instance: string, state: KeepalivedState, priority: number | undefined) => void,
  ) {}

  /** Starts reading; returns a problem in words instead of throwing. */
  open(): string | undefined {
    let fd: number;
    try {
      if (!statSync(this.path).isFIFO()) return `${this.path} is not a FIFO (keepalived creates it when notify_fifo is set)`;
      fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (err) {
      return `cannot open ${this.path}: ${fileProblem(err)}`;
    }
    try {
      this.#socket = new Socket({ fd, readable: true, writable: false });
    } catch (err) {
      closeSync(fd);
      return `cannot read ${this.path}: ${fileProblem(err)}`;
    }
    this.#socket.on('error', () => undefined);
    const lines = createInterface({ input: this.#socket });
    lines.on('line', (line) => {
      const parsed = parseNotifyLine(line);
      if (parsed === undefined) return;
      this.states.set(parsed.instance, parsed.state);
      this.onState(parsed.instance, parsed.state, parsed.priority);
    });
    return undefined;
  }

  readonly #onClose: (() => void)[] = [];

  onClose(fn: () => void): void {
    this.#onClose.push(fn);
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
    for (const fn of this.#onClose) fn();
  }
}
