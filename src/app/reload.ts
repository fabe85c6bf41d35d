/**
 * `serve`'s SIGHUP: load the YAML config, keepalived.conf and the web config again and apply what
 * changed to the running services (capture, pings, notify_fifo, expectations, log level, web users and
 * certificates). A reload that fails keeps the previous config in force and says so in a metric.
 * The node's judgement keeps its state (open findings stay open). Reload lines are rate-bounded: a
 * config manager sending SIGHUP every second gets a line every RELOAD_LOG_EVERY_S, counting the others.
 */
import type { Overrides } from '../config.js';
import type { LiveCapture } from '../adapters/capture.js';
import type { WebServer } from '../adapters/http.js';
import type { NotifyFifo } from '../adapters/keepalived.js';
import type { Logger } from '../adapters/log.js';
import type { Pinger } from '../adapters/pinger.js';
import { loadSettings, SettingsError } from './settings.js';
import type { Settings } from './settings.js';
import type { Pipeline } from '../core/pipeline/pipeline.js';

/** The services serve runs, replaced by a reload when their settings changed. */
export interface Running {
  settings: Settings;
  capture: LiveCapture;
  pinger: Pinger;
  fifo: NotifyFifo | undefined;
}

/** How serve starts each service that a reload replaces (the capture reconfigures itself instead). */
export interface Starters {
  pinger(s: Settings): Pinger;
  fifo(s: Settings): NotifyFifo | undefined;
}

/** Each kind of reload line (done, failed) is written at most this often (seconds). */
export const RELOAD_LOG_EVERY_S = 10;

/** The reload lines' rate bound: when each kind was last written, and how many were left out since. */
export class ReloadLines {
  readonly #last = new Map<string, number>();
  readonly #held = new Map<string, number>();

  /** Whether a line of `kind` is written at `now`; if so, the lines of that kind left out before it. */
  take(kind: 'reloaded' | 'failed', now: number): { notLogged: number } | undefined {
    const last = this.#last.get(kind);
    if (last !== undefined && now - last < RELOAD_LOG_EVERY_S && now >= last) {
      this.#held.set(kind, (this.#held.get(kind) ?? 0) + 1);
      return undefined;
    }
    this.#last.set(kind, now);
    const notLogged = this.#held.get(kind) ?? 0;
    this.#held.delete(kind);
    return { notLogged };
  }
}

/** What the last (re)load did, for `vrrpwatch_config_last_reload_*` and `vrrpwatch_source_readable`. */
export interface ConfigState {
  lastReloadOk: boolean;
  lastReloadAt: number;
  /** keepalived.conf as the last (re)load found it: `problem` when it could not be read at all. */
  keepalivedConfig: { path: string; problem: string | undefined } | undefined;
}

export interface ReloadContext {
  configFile: string | undefined;
  overrides: Overrides;
  web: WebServer;
  pipeline: Pipeline;
  log: Logger;
  configState: ConfigState;
  lines: ReloadLines;
  now: () => number;
}

function notLogged(n: number): { reloads_not_logged?: number } {
  return n > 0 ? { reloads_not_logged: n } : {};
}

/**
 * A keepalived.conf that cannot be read is a failed reload when it could be read before (its expectations
 * stay in force); when it could not be read before either, the rest of the reload applies.
 */
export function reload(running: Running, start: Starters, ctx: ReloadContext): void {
  const { settings } = running;
  const { log, configState } = ctx;
  try {
    const next = loadSettings(ctx.configFile, ctx.overrides, true, true);
    const path = next.config.keepalivedConfig;
    configState.keepalivedConfig = path === undefined ? undefined : { path, problem: next.keepalivedConfigProblem };
    if (next.keepalivedConfigProblem !== undefined && settings.keepalivedConfigProblem === undefined && path === settings.config.keepalivedConfig) {
      throw new SettingsError([`cannot read ${path ?? ''}: ${next.keepalivedConfigProblem}`]);
    }
    ctx.web.reload(next.webConfig);
    // The capture keeps the sessions of interfaces still named and really closes the others.
    if (JSON.stringify(next.config.interfaces) !== JSON.stringify(settings.config.interfaces)) running.capture.reconfigure(next.config.interfaces);
    if (JSON.stringify(next.probeTargets) !== JSON.stringify(settings.probeTargets) || JSON.stringify(next.config.probe) !== JSON.stringify(settings.config.probe)) {
      running.pinger.stop();
      running.pinger = start.pinger(next);
    }
    if (next.notifyFifo !== settings.notifyFifo) {
      running.fifo?.close();
      running.fifo = start.fifo(next);
    }
    ctx.pipeline.expect(next.expected, next.config.vips);
    ctx.pipeline.hmac = next.hmac;
    log.level = next.config.log.level;
    const restartNeeded = ['listenAddress', 'telemetryPath'].filter((k) => next.config.web[k as 'listenAddress'] !== settings.config.web[k as 'listenAddress']);
    if (restartNeeded.length > 0) log.warn({ keys: restartNeeded.map((k) => `web.${k}`) }, 'these settings take effect after a restart');
    running.settings = next;
    configState.lastReloadOk = true;
    configState.lastReloadAt = ctx.now();
    const line = ctx.lines.take('reloaded', ctx.now());
    if (line !== undefined) log.info({ expected: next.expected.length, probes: next.probeTargets.length, ...notLogged(line.notLogged) }, `config reloaded${line.notLogged > 0 ? ` (${line.notLogged} more since the last line; logged at most every ${RELOAD_LOG_EVERY_S} s)` : ''}`);
  } catch (err) {
    configState.lastReloadOk = false;
    const problems = err instanceof SettingsError ? err.problems : [err instanceof Error ? err.message : String(err)];
    const line = ctx.lines.take('failed', ctx.now());
    if (line !== undefined) log.error({ problems, ...notLogged(line.notLogged) }, `config reload failed; the previous config stays in force${line.notLogged > 0 ? ` (${line.notLogged} more failures since the last line)` : ''}`);
  }
}
