/**
 * What `serve` writes to its log besides the Monitor's events: the start and end line of each finding
 * (judged once a second), missed announcements, VIP owner changes, full tables, the line it starts
 * with, and the last-resort guard against exceptions that escape.
 */
import { now } from '../adapters/clock.js';
import { interfaceDetails } from '../adapters/addresses.js';
import type { WebServer } from '../adapters/http.js';
import { createLogger } from '../adapters/log.js';
import type { Logger } from '../adapters/log.js';
import { splitListenAddress } from '../config.js';
import { findings } from '../core/findings/findings.js';
import { findingChanges } from '../outputs/finding-words.js';
import type { FindingLine } from '../outputs/finding-words.js';
import { placeWatched } from '../core/ownership/watched-vips.js';
import type { PipelineView } from '../core/pipeline/pipeline.js';
import { eventLine } from '../outputs/live.js';
import { VERSION } from '../version.js';
import type { Judging, Observer } from './serve.js';
import type { Settings } from './settings.js';

/**
 * How often findings are re-judged for the log between packets (starts and ends of findings, silent
 * masters). Scrapes judge on their own; once a second keeps the log prompt and the idle exporter under
 * 1% of a core (every 250 ms cost twice the CPU).
 */
const TICK_MS = 1000;
/** Log calls the live view keeps under the groups. */
const LIVE_EVENTS = 12;
/** A table of VIP ownership that drops entries is logged at most this often (seconds). */
const EVICTION_LOG_EVERY_S = 60;
/** How often an exception caught at the top is logged at most (each one is counted). */
const UNCAUGHT_LOG_EVERY_S = 10;

/** The logger; with `--live`, the log calls are kept for the live view instead of written. */
export function makeLogger(settings: Settings, live: boolean): { log: Logger; liveEvents: string[] } {
  const liveEvents: string[] = [];
  const log = live
    ? createLogger(settings.config.log.level, 'json', (entry) => {
        liveEvents.push(eventLine(entry));
        if (liveEvents.length > LIVE_EVENTS) liveEvents.shift();
      })
    : createLogger(settings.config.log.level, settings.config.log.format);
  return { log, liveEvents };
}

/**
 * The last resort: the adapters catch their own failures; anything that still escapes is counted in
 * vrrpwatch_uncaught_errors_total and logged, and the exporter keeps watching.
 */
export function guardUncaught(log: Logger): { readonly count: number; remove(): void } {
  const state = { count: 0, lastLog: -Infinity };
  const onUncaught = (err: unknown): void => {
    state.count++;
    if (now() - state.lastLog < UNCAUGHT_LOG_EVERY_S) return;
    state.lastLog = now();
    log.error({ err, uncaught_errors: state.count }, 'internal error caught at the top; vrrpwatch keeps running (logged at most every 10 s)');
  };
  process.on('uncaughtException', onUncaught);
  return {
    get count() {
      return state.count;
    },
    remove() {
      process.off('uncaughtException', onUncaught);
    },
  };
}

/** Once a second: the findings of the view diffed into the log's start and end lines. */
export function startTicker(observer: Observer, { logBudget, clock, ended }: Judging, log: Logger): NodeJS.Timeout {
  let active: ReadonlyMap<string, FindingLine> = new Map();
  let garpsLogged = 0;
  let ownerChangesLogged = 0;
  /** VIP ownership's evictions as last logged, and when each table was last logged (at most once a minute). */
  const evictionsLogged = new Map<string, { count: number; at: number }>();
  const logEvictions = (evicted: PipelineView['owners']['evicted'], at: number): void => {
    for (const [table, count] of [['vip', evicted.vips], ['mac', evicted.macs], ['binding', evicted.bindings], ['router_binding', evicted.routerBindings]] as const) {
      const last = evictionsLogged.get(table) ?? { count: 0, at: -Infinity };
      if (count <= last.count || at - last.at < EVICTION_LOG_EVERY_S) continue;
      evictionsLogged.set(table, { count, at });
      log.warn({ table, evicted: count - last.count, evicted_total: count }, `VIP ownership's ${table} table full: entries dropped or refused (a flood or a spoofer?); logged at most every ${EVICTION_LOG_EVERY_S} s`);
    }
  };
  const tick = (): void => {
    const at = now();
    const view = observer.observe(at);
    const found = findings(view);
    ended.judged(found, clock.mark(found, at), at);
    const changes = findingChanges(active, found);
    for (const f of changes.started) {
      if (logBudget.findingStart(f.id, String(f.fields.finding), at)) log[f.level](f.fields, f.msg);
      // Not written yet: it starts again at the next judgement, and ends only once written.
      else changes.active.delete(f.id);
    }
    logBudget.judged();
    for (const f of changes.ended) log.info(f.fields, f.msg);
    active = changes.active;
    const held = logBudget.summary(at);
    if (held !== undefined) log[held.level](held.fields, held.msg);
    logEvictions(view.owners.evicted, at);
    for (const m of view.owners.missedGarps) {
      if (m.seq <= garpsLogged) continue;
      garpsLogged = m.seq;
      log.warn({ interface: m.key.interface, family: m.key.family, vrid: m.key.vrid, finding: 'failover_without_garp', router: m.router, vips: m.vips, failover_at: m.time }, 'the new master sent no gratuitous ARP or unsolicited NA after the failover');
    }
    for (const c of view.owners.ownerChanges) {
      if (c.seq <= ownerChangesLogged) continue;
      ownerChangesLogged = c.seq;
      log.info({ vip_interface: c.interface, vip: c.vip, event: 'vip_owner_change', from: c.from, to: c.to, changed_at: c.time }, 'another MAC answers for the VIP now: a failover on the wire');
    }
  };
  return setInterval(tick, TICK_MS);
}

export function logServing(settings: Settings, web: WebServer, log: Logger): void {
  const listen = splitListenAddress(settings.config.web.listenAddress);
  log.info(
    {
      version: VERSION,
      interfaces: settings.config.interfaces.length === 0 ? 'all' : settings.config.interfaces,
      listen: `${listen.host === '' ? '' : listen.host}:${web.address().port}`,
      telemetry_path: settings.config.web.telemetryPath,
      tls: settings.webConfig?.tls !== undefined,
      basic_auth: (settings.webConfig?.basicAuthUsers.size ?? 0) > 0,
      probes: settings.probeTargets,
      expected: settings.expected.map((e) => ({ vrid: e.vrid, interface: e.interface, family: e.family, vips: e.vips, from: e.source })),
      watched_vips: settings.config.vips.map((v) => ({ address: v.vip, interface: v.interface, mode: v.mode, owners: v.owners })),
      keepalived_config: settings.config.keepalivedConfig,
      notify_fifo: settings.notifyFifo,
      group_expiry_seconds: settings.config.groupExpirySeconds,
      vip_probe: settings.config.vipProbe.enabled ? { interval_seconds: settings.config.vipProbe.intervalSeconds, frames_per_second: settings.config.vipProbe.framesPerSecond, learned_vips: settings.config.vipProbe.learnedVips } : false,
    },
    'vrrpwatch serving',
  );
  for (const w of placeWatched(settings.config.vips, interfaceDetails(), settings.config.interfaces)) {
    if (w.interface === undefined) log.warn({ vip: w.vip }, "no captured interface's subnet holds the watched VIP: it is judged where it is first heard, and probed from then on");
  }
}
