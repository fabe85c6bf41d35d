/**
 * `vrrpwatch serve`: wiring only. Capture → watcher (core) → views; local addresses, keepalived's
 * notify_fifo and pings are observations on the same path; metrics are rendered at scrape time; a log
 * line when a finding starts and one when it ends, never one per packet.
 */
import { setFlagsFromString } from 'node:v8';
import { splitListenAddress } from '../config.js';
import type { Overrides } from '../config.js';
import { LiveCapture } from '../adapters/capture.js';
import { localAddresses } from '../adapters/addresses.js';
import { WebServer } from '../adapters/http.js';
import type { WebCounters } from '../adapters/http.js';
import { NOTIFY_LINE_MAX_BYTES, NotifyFifo } from '../adapters/keepalived.js';
import { createLogger } from '../adapters/log.js';
import type { Logger } from '../adapters/log.js';
import { Pinger } from '../adapters/pinger.js';
import type { MonitorEvent } from '../core/state.js';
import type { NodeGroupView } from '../core/node.js';
import { othersOf } from '../core/vips.js';
import { eventLine, renderLive } from '../outputs/live.js';
import { Metrics } from '../outputs/metrics.js';
import type { MetricsSnapshot } from '../outputs/metrics.js';
import { VERSION } from '../version.js';
import { loadSettings, SettingsError } from './settings.js';
import type { Settings } from './settings.js';
import { Watcher } from './watch.js';
import type { WatchView } from './watch.js';

export interface ServeOptions {
  configFile: string | undefined;
  overrides: Overrides;
  /** A live view of the groups on the terminal instead of log lines on stdout. */
  live: boolean;
}

/**
 * How often findings are re-judged for the log between packets (starts and ends of findings, silent
 * masters). Scrapes judge on their own; once a second keeps the log prompt and the idle exporter under
 * 1% of a core (every 250 ms cost twice the CPU).
 */
const TICK_MS = 1000;
const EVICTION_LOG_EVERY_S = 10;
const LIVE_EVENTS = 12;

function now(): number {
  return Date.now() / 1000;
}

function groupFields(e: { group: { key: { interface: string; family: string; vrid: number } } }): Record<string, unknown> {
  return { interface: e.group.key.interface, family: e.group.key.family, vrid: e.group.key.vrid };
}

/** One log line per change of judgement that an operator acts on. */
function logEvent(log: Logger, e: MonitorEvent, evictions: { last: number; pending: number }): void {
  switch (e.type) {
    case 'split_start':
      log.error({ ...groupFields(e), finding: 'split_brain', routers: e.split.routers, since: e.split.onset }, 'split-brain: more than one master');
      return;
    case 'split_end':
      log.info({ ...groupFields(e), finding: 'split_brain', routers: e.split.routers, duration_seconds: +(e.time - e.split.onset).toFixed(3) }, 'split-brain ended');
      return;
    case 'failover':
      log.warn({ ...groupFields(e), from: e.from, to: e.to }, 'failover: the master changed');
      return;
    case 'no_master_start':
      log.error({ ...groupFields(e), finding: 'no_master' }, 'the group has no master');
      return;
    case 'no_master_end':
      log.info({ ...groupFields(e), finding: 'no_master' }, 'the group has a master again');
      return;
    case 'mismatch_start':
      log.warn({ ...groupFields(e), finding: e.field === 'auth' ? 'auth_mismatch' : 'config_mismatch', field: e.field }, e.field === 'auth' ? 'routers disagree on authentication' : `routers disagree on ${e.field}`);
      return;
    case 'mismatch_end':
      log.info({ ...groupFields(e), finding: e.field === 'auth' ? 'auth_mismatch' : 'config_mismatch', field: e.field }, 'routers agree again');
      return;
    case 'group_expired':
      log.info({ ...groupFields(e) }, 'group silent too long: forgotten');
      return;
    case 'evicted':
      evictions.pending++;
      if (e.time - evictions.last >= EVICTION_LOG_EVERY_S) {
        log.warn({ evicted: evictions.pending }, 'tables full: least recently heard groups or routers evicted (a flood or a spoofer?)');
        evictions.last = e.time;
        evictions.pending = 0;
      }
      return;
    case 'master_start':
    case 'master_end':
      log.debug({ ...groupFields(e), router: e.router }, e.type === 'master_start' ? 'router acts as master' : 'router no longer master');
      return;
  }
}

/** A finding to log once when it starts and once when it ends. */
interface Finding {
  msg: string;
  fields: Record<string, unknown>;
  level: 'error' | 'warn';
}

/** Node findings, as stable ids, so each start and end is logged once. */
function nodeFindings(views: readonly NodeGroupView[]): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const n of views) {
    const g = { interface: n.key.interface, family: n.key.family, vrid: n.key.vrid };
    const id = `${n.key.interface}|${n.key.family}|${n.key.vrid}`;
    for (const vip of n.backupHolding) out.set(`${id}|backup_holding|${vip}`, { level: 'error', msg: 'this node holds the VIP but is not master', fields: { ...g, finding: 'backup_holding_vip', vip, role_from: n.roleFrom } });
    for (const vip of n.masterMissing) out.set(`${id}|master_missing|${vip}`, { level: 'error', msg: 'this node is master but does not hold the VIP', fields: { ...g, finding: 'master_missing_vip', vip } });
    if (n.expectedWithoutMaster) out.set(`${id}|expected_no_master`, { level: 'error', msg: 'an expected group has no master', fields: { ...g, finding: 'no_master', expected_from: n.expected?.source } });
    if (n.mastersBeside.length > 0) out.set(`${id}|split_beside`, { level: 'error', msg: 'split-brain: keepalived here is MASTER and another router advertises as master; this node\'s adverts are not seen leaving it', fields: { ...g, finding: 'split_brain', routers: n.mastersBeside } });
    for (const field of n.configDiffers) {
      out.set(`${id}|differs|${field}`, { level: 'warn', msg: "the master's adverts disagree with this node's config", fields: { ...g, finding: 'config_mismatch', field, config: n.expected?.source } });
    }
    if (n.advertsBlocked) out.set(`${id}|blocked`, { level: 'warn', msg: 'peers answer ping but no advertisement of the group arrives: VRRP is blocked', fields: { ...g, finding: 'adverts_blocked' } });
  }
  return out;
}

/** VIPs mastered in two VRIDs, as findings of each group involved (ids as nodeFindings makes them). */
function addConflictFindings(view: WatchView, out: Map<string, Finding>): void {
  for (const group of view.groups) {
    const g = { interface: group.key.interface, family: group.key.family, vrid: group.key.vrid };
    for (const c of view.conflicts.get(group.key) ?? []) {
      const others = othersOf(c, group);
      out.set(`${g.interface}|${g.family}|${g.vrid}|vip_conflict|${c.vip}`, {
        level: 'error',
        msg: "split-brain across VRIDs: another VRID's master advertises this group's VIP",
        fields: { ...g, finding: 'vip_conflict', vip: c.vip, other_vrids: others.vrids, routers: others.routers },
      });
    }
  }
}

export interface ServeHandle {
  port: number;
  /** Reloads the config files (SIGHUP); a bad one keeps the previous config. */
  reload(): void;
  /** Stops: scrapes in flight may finish first (a few seconds at most). */
  stop(): Promise<void>;
}

/** How often an exception caught at the top is logged at most (each one is counted). */
const UNCAUGHT_LOG_EVERY_S = 10;

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  // Views of every group are built each second and by every scrape, and a scrape keeps its views for
  // the milliseconds of a render. V8's allocation-site pretenuring takes that for long life and then
  // allocates every later view straight into the old generation, which grew by megabytes a second at
  // 1,000 groups. Views die young: let them.
  setFlagsFromString('--no-allocation-site-pretenuring');
  // Some of a scrape's views still reach the old generation (a scavenge during a render moves their
  // pages there whole). V8 lets the old generation grow to four times what was live at the last full
  // collection before it collects again: on a small heap such as this one that was 60 MB of dead views
  // between collections under frequent scrapes. Growing by 30% keeps the resident size near what is
  // live, for a full collection (a few ms at this size) every few seconds at worst.
  setFlagsFromString('--heap-growing-percent=30');
  let settings: Settings = loadSettings(options.configFile, options.overrides, true);
  const recent: string[] = [];
  const log = options.live
    ? createLogger(settings.config.log.level, 'json', (line) => {
        const e = eventLine(line);
        if (e === undefined) return;
        recent.push(e);
        if (recent.length > LIVE_EVENTS) recent.shift();
      })
    : createLogger(settings.config.log.level, settings.config.log.format);
  const started = now();
  // The last resort: the adapters catch their own failures; anything that still escapes is counted in
  // vrrpwatch_uncaught_errors_total and logged, and the exporter keeps watching.
  const uncaught = { count: 0, lastLog: -Infinity };
  const onUncaught = (err: unknown): void => {
    uncaught.count++;
    if (now() - uncaught.lastLog < UNCAUGHT_LOG_EVERY_S) return;
    uncaught.lastLog = now();
    log.error({ err, uncaught_errors: uncaught.count }, 'internal error caught at the top; vrrpwatch keeps running (logged at most every 10 s)');
  };
  process.on('uncaughtException', onUncaught);
  const evictions = { last: -Infinity, pending: 0 };
  const watcher = new Watcher(started, settings.expected, settings.config.groupExpirySeconds, (e) => {
    logEvent(log, e, evictions);
  });
  const configState = { lastReloadOk: true, lastReloadAt: started };

  const startCapture = (s: Settings): LiveCapture =>
    new LiveCapture(s.config.interfaces, watcher.onFrame, {
      onChange(iface, up, problem) {
        if (up) log.info({ interface: iface }, 'capture running');
        else log.warn({ interface: iface, problem }, 'capture down');
      },
      onPlan(plan) {
        watcher.vlanNames = plan.vlanNames;
        if (s.config.interfaces.length > 0) return;
        const skipped = Object.fromEntries(plan.skipped);
        log.info({ interfaces: plan.capture, ...(plan.skipped.size > 0 ? { skipped } : {}) }, 'capturing on every interface');
      },
    });
  const startPinger = (s: Settings): Pinger => {
    const p = new Pinger(s.probeTargets, s.config.probe, (result, previous) => {
      if (previous !== undefined && previous.up === result.up) return;
      const fields = { target: result.target, role: result.role };
      if (result.up) log.info({ ...fields, rtt_seconds: result.rtt }, `${result.role} answers ping`);
      else log.warn({ ...fields, finding: 'probe_down', loss: result.loss }, `${result.role} does not answer ping`);
    });
    p.start();
    return p;
  };
  const startFifo = (s: Settings): NotifyFifo | undefined => {
    if (s.notifyFifoSkipped !== undefined) log.warn({ problem: s.notifyFifoSkipped }, 'keepalived notify_fifo not read');
    if (s.notifyFifo === undefined) return undefined;
    const path = s.notifyFifo;
    let longLineLogged = -Infinity;
    const fifo = new NotifyFifo(path, {
      state(instance, state, priority) {
        log.info({ instance, state, priority }, 'keepalived state');
      },
      status(problem) {
        if (problem === undefined) log.info({ path }, 'reading keepalived notify_fifo');
        // keepalived creates the FIFO when it starts; it may come after us.
        else log.warn({ problem }, 'keepalived notify_fifo not read yet; retrying every 2 s');
      },
      gone() {
        log.warn({ path }, 'keepalived closed notify_fifo (stopped or killed): its states are forgotten until it reports again');
      },
      longLine(dropped) {
        if (now() - longLineLogged < EVICTION_LOG_EVERY_S) return;
        longLineLogged = now();
        log.warn({ path, dropped }, `a notify_fifo line longer than ${NOTIFY_LINE_MAX_BYTES} bytes was dropped (not keepalived's; logged at most every 10 s)`);
      },
    });
    fifo.start();
    return fifo;
  };

  let capture = startCapture(settings);
  let pinger = startPinger(settings);
  let fifo = startFifo(settings);

  const observe = (at: number): WatchView =>
    watcher.view(at, { localAddresses: localAddresses(), keepalived: fifo?.states ?? new Map(), peerAnswers: pinger.peerAnswers() });

  let active = new Map<string, Finding>();
  const tick = (): void => {
    const view = observe(now());
    const next = nodeFindings(view.node);
    addConflictFindings(view, next);
    for (const [id, f] of next) if (!active.has(id)) log[f.level](f.fields, f.msg);
    for (const [id, f] of active) if (!next.has(id)) log.info(f.fields, `ended: ${f.msg}`);
    active = next;
  };
  const ticker = setInterval(tick, TICK_MS);

  const snapshot = (): MetricsSnapshot => {
    const view = observe(now());
    return {
      groups: view.groups,
      node: view.node,
      conflicts: view.conflicts,
      invalid: watcher.invalid,
      captures: capture.statuses(),
      probes: [...pinger.results.values()],
      evictions: watcher.monitor.evictions,
      keepalived: fifo?.states ?? new Map(),
      config: configState,
      web: http.counters,
      uncaughtErrors: uncaught.count,
      notifyFifoLinesDropped: fifo?.droppedLines ?? 0,
    };
  };
  const metrics = new Metrics(VERSION, snapshot);
  const listen = splitListenAddress(settings.config.web.listenAddress);
  const http: { counters?: WebCounters } = {};
  const stopParts = (): void => {
    process.off('uncaughtException', onUncaught);
    clearInterval(ticker);
    capture.close();
    pinger.stop();
    fifo?.close();
  };
  const starting = WebServer.start({
    host: listen.host,
    port: listen.port,
    telemetryPath: settings.config.web.telemetryPath,
    webConfig: settings.webConfig,
    metrics: () => metrics.render(snapshot()),
    describe: () => [
      `version ${VERSION}`,
      `capturing on ${settings.config.interfaces.length === 0 ? 'every interface' : settings.config.interfaces.join(', ')}`,
      `${watcher.monitor.groups.size} groups heard, ${settings.expected.length} expected`,
    ],
    onError: (message, err) => {
      log.error({ err }, message);
    },
  });
  // The capture and the probes run already: a listen address that fails must not leave them running.
  const web = await starting.catch((err: unknown) => {
    stopParts();
    throw err;
  });
  http.counters = web.counters;

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
      keepalived_config: settings.config.keepalivedConfig,
      notify_fifo: settings.notifyFifo,
      group_expiry_seconds: settings.config.groupExpirySeconds,
    },
    'vrrpwatch serving',
  );

  let painter: NodeJS.Timeout | undefined;
  if (options.live) {
    const where = `http://${listen.host === '' ? 'localhost' : listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${web.address().port}${settings.config.web.telemetryPath}`;
    const paint = (): void => {
      const at = now();
      const view = observe(at);
      const frame = renderLive({
        now: at,
        title: `vrrpwatch ${VERSION} live view · metrics at ${where} · Ctrl-C to quit`,
        groups: view.groups,
        node: view.node,
        conflicts: view.conflicts,
        captures: capture.statuses(),
        probes: [...pinger.results.values()],
        events: recent,
        color: process.stdout.isTTY || process.env.FORCE_COLOR === '1',
      });
      process.stdout.write(`${process.stdout.isTTY ? '\x1b[H\x1b[2J' : '\n'}${frame}`);
    };
    paint();
    painter = setInterval(paint, 1000);
  }

  const reload = (): void => {
    try {
      const next = loadSettings(options.configFile, options.overrides, true);
      web.reload(next.webConfig);
      if (JSON.stringify(next.config.interfaces) !== JSON.stringify(settings.config.interfaces)) {
        capture.close();
        capture = startCapture(next);
      }
      if (JSON.stringify(next.probeTargets) !== JSON.stringify(settings.probeTargets) || JSON.stringify(next.config.probe) !== JSON.stringify(settings.config.probe)) {
        pinger.stop();
        pinger = startPinger(next);
      }
      if (next.notifyFifo !== settings.notifyFifo) {
        fifo?.close();
        fifo = startFifo(next);
      }
      watcher.expect(now(), next.expected);
      log.level = next.config.log.level;
      const restartNeeded = ['listenAddress', 'telemetryPath'].filter((k) => next.config.web[k as 'listenAddress'] !== settings.config.web[k as 'listenAddress']);
      if (restartNeeded.length > 0) log.warn({ keys: restartNeeded.map((k) => `web.${k}`) }, 'these settings take effect after a restart');
      settings = next;
      configState.lastReloadOk = true;
      configState.lastReloadAt = now();
      log.info({ expected: next.expected.length, probes: next.probeTargets.length }, 'config reloaded');
    } catch (err) {
      configState.lastReloadOk = false;
      const problems = err instanceof SettingsError ? err.problems : [err instanceof Error ? err.message : String(err)];
      log.error({ problems }, 'config reload failed; the previous config stays in force');
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(painter);
      // Scrapes in flight are answered from the running parts, then those stop.
      await web.close();
      stopParts();
      log.info('vrrpwatch stopped');
    })();
    return stopping;
  };
  return { port: web.address().port, reload, stop };
}
