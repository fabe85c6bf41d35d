/**
 * `vrrpwatch serve`: wiring only. Capture → watcher (core) → views; local addresses, keepalived's
 * notify_fifo and pings are observations on the same path; metrics are rendered at scrape time; a log
 * line when a finding starts and one when it ends, never one per packet. `serve()` reads as its steps;
 * each step is a function below, and the services a reload replaces are started in serve-services.ts.
 */
import { hostname } from 'node:os';
import { splitListenAddress } from '../config.js';
import type { Overrides } from '../config.js';
import { interfaceDetails, localAddresses } from '../adapters/addresses.js';
import type { InterfaceDetails } from '../adapters/addresses.js';
import { libpcapVersion } from '../adapters/capture.js';
import { WebServer } from '../adapters/http.js';
import type { WebCounters } from '../adapters/http.js';
import { createLogger } from '../adapters/log.js';
import type { Logger } from '../adapters/log.js';
import { FindingClock } from '../core/findings/finding-clock.js';
import { findingChanges, findingId, findings } from '../core/findings/findings.js';
import type { FindingLine } from '../core/findings/findings.js';
import { RecentHistory } from '../core/history/recent.js';
import { DEFAULT_OWNER_SETTINGS } from '../core/ownership/owner-settings.js';
import { placeWatched } from '../core/ownership/watched-vips.js';
import { healthOf, healthzResponse } from '../outputs/health.js';
import type { SourceStatus } from '../outputs/health.js';
import { renderStatusPage } from '../outputs/html-live.js';
import { statusDocument } from '../outputs/status-api.js';
import { eventLine, renderLive } from '../outputs/live.js';
import { LogBudget } from '../outputs/log-budget.js';
import { eventRecord } from '../outputs/log-lines.js';
import type { NearFailoverLog } from '../outputs/log-lines.js';
import { Metrics } from '../outputs/metrics.js';
import type { CollectorChoice } from '../outputs/collectors.js';
import type { MetricsSnapshot } from '../outputs/metrics.js';
import { pipelineSnapshot } from '../outputs/scrape.js';
import { REVISION, VERSION } from '../version.js';
import { reload, ReloadLines } from './reload.js';
import type { ConfigState, Running } from './reload.js';
import { startServices, starters } from './serve-services.js';
import { loadSettings } from './settings.js';
import type { Settings } from './settings.js';
import { tuneV8ForViews } from './v8-tuning.js';
import { probeTargetsOf, SKIP_LOG_EVERY_S, VipProber } from './vip-probe.js';
import type { ProbeTargets } from './vip-probe.js';
import { liveSettings, Pipeline } from '../core/pipeline/pipeline.js';
import { DropPoll } from './drop-poll.js';
import type { LocalLinks, PipelineView } from '../core/pipeline/pipeline.js';

export interface ServeOptions {
  configFile: string | undefined;
  overrides: Overrides;
  /** A live view of the groups on the terminal instead of log lines on stdout. */
  live: boolean;
  /** The /metrics collectors turned on or off (`--collector.NAME`, `--no-collector.NAME`). */
  collectors?: CollectorChoice;
}

export interface ServeHandle {
  port: number;
  /** Reloads the config files (SIGHUP); a bad one keeps the previous config. */
  reload(): void;
  /** Stops: scrapes in flight may finish first (a few seconds at most). */
  stop(): Promise<void>;
}

/**
 * How often findings are re-judged for the log between packets (starts and ends of findings, silent
 * masters). Scrapes judge on their own; once a second keeps the log prompt and the idle exporter under
 * 1% of a core (every 250 ms cost twice the CPU).
 */
const TICK_MS = 1000;
const LIVE_EVENTS = 12;
/** A table of VIP ownership that drops entries is logged at most this often (seconds). */
const EVICTION_LOG_EVERY_S = 60;
/** The status page at `/` reloads itself this often and draws this much of each group's history (less while younger). */
const PAGE_REFRESH_S = 5;
const PAGE_HISTORY_S = 600;
/** How often an exception caught at the top is logged at most (each one is counted). */
const UNCAUGHT_LOG_EVERY_S = 10;

function now(): number {
  return Date.now() / 1000;
}

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  tuneV8ForViews();
  // keepalived.conf that cannot be read is no reason to stay down: serve watches the wire and says so.
  const settings = loadSettings(options.configFile, options.overrides, true, true);
  const { log, liveEvents } = makeLogger(settings, options.live);
  const started = now();
  const uncaught = guardUncaught(log);
  const judging = startJudging(settings, log, started);
  const configState: ConfigState = { lastReloadOk: true, lastReloadAt: started, keepalivedConfig: keepalivedConfigStatus(settings) };
  if (settings.keepalivedConfigProblem !== undefined) {
    log.warn({ path: settings.config.keepalivedConfig, problem: settings.keepalivedConfigProblem, finding: 'source_unreadable', source: 'keepalived_config' }, 'keepalived.conf not read: serving without its expectations until a reload (SIGHUP) can read it');
  }
  const running = startServices(settings, judging.watcher, log);
  const observer = makeObserver(running, judging.watcher);
  const ticker = startTicker(observer, judging, log);
  const prober = startProber(settings, running, judging.watcher, observer, log);
  const sources = (): SourceStatus[] => sourcesOf(running, configState);
  const http: { counters?: WebCounters } = {};
  const snapshot = (): MetricsSnapshot => snapshotOf(observer.observe(now()), running, judging, configState, uncaught.count, http.counters, prober?.skipped);
  const stopParts = (): void => {
    uncaught.remove();
    clearInterval(ticker);
    prober?.stop();
    running.capture.close();
    running.pinger.stop();
    running.fifo?.close();
  };
  const web = await startWeb(settings, running, judging, observer, snapshot, sources, started, log, options.collectors ?? {}).catch((err: unknown) => {
    // The capture and the probes run already: a listen address that fails must not leave them running.
    stopParts();
    throw err;
  });
  http.counters = web.counters;
  logServing(settings, web, log);
  const painter = options.live ? startLiveView(settings, web, running, observer, liveEvents) : undefined;

  const reloadLines = new ReloadLines();
  const onHangup = (): void => {
    reload(running, starters(log), { configFile: options.configFile, overrides: options.overrides, web, watcher: judging.watcher, log, configState, lines: reloadLines, now });
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
  return { port: web.address().port, reload: onHangup, stop };
}

/** The logger; with `--live`, the log calls are kept for the live view instead of written. */
function makeLogger(settings: Settings, live: boolean): { log: Logger; liveEvents: string[] } {
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
function guardUncaught(log: Logger): { readonly count: number; remove(): void } {
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

interface Judging {
  watcher: Pipeline;
  /** The status page's last minutes per group. */
  history: RecentHistory;
  logBudget: LogBudget;
  /** Since when each finding has been found (the status API's `since`): marked at every judgement. */
  clock: FindingClock;
}

/** The watcher (core) whose Monitor events go to the log (within its rate bound) and to the page's history. */
function startJudging(settings: Settings, log: Logger, started: number): Judging {
  const evictions = { last: -Infinity, pending: 0 };
  const nearFailovers: NearFailoverLog = new Map();
  const logBudget = new LogBudget();
  const history = new RecentHistory(PAGE_HISTORY_S);
  const watcher = new Pipeline(
    liveSettings({
      started,
      expected: settings.expected,
      groupExpirySeconds: settings.config.groupExpirySeconds,
      sink(e) {
        const r = eventRecord(e, evictions, nearFailovers);
        if (r !== undefined && logBudget.event(e, r)) log[r.level](r.fields, r.msg);
        history.onEvent(e);
      },
      owners: { ...DEFAULT_OWNER_SETTINGS, round: settings.config.vipProbe.intervalSeconds },
    }),
  );
  watcher.hmac = settings.hmac;
  watcher.watched = settings.config.vips;
  return { watcher, history, logBudget, clock: new FindingClock() };
}

interface Observer {
  /** Judges now with the current observations (local addresses, keepalived's states, peers). */
  observe(at: number): PipelineView;
  /** The interfaces as last read, for the probe. */
  readonly links: LocalLinks<InterfaceDetails>;
  /** The VIPs watched at the last judgement: what the probe asks for. */
  readonly probeTargets: ProbeTargets;
}

function makeObserver(running: Running, watcher: Pipeline): Observer {
  let lastLinks: LocalLinks<InterfaceDetails> = { details: interfaceDetails(), only: undefined };
  let probeTargets: ProbeTargets = { candidates: [], budgetSkipped: [], own: new Map() };
  const links = (): LocalLinks<InterfaceDetails> => {
    const captured = running.settings.config.interfaces;
    lastLinks = { details: interfaceDetails(), only: captured.length === 1 ? captured[0] : undefined, captured };
    return lastLinks;
  };
  const drops = new DropPoll();
  return {
    observe(at) {
      drops.poll(running.capture.statuses(), at, watcher);
      const local = localAddresses();
      const view = watcher.view(at, { localAddresses: local, keepalived: running.fifo?.states ?? new Map(), peerAnswers: running.pinger.peerAnswers() }, links());
      probeTargets = probeTargetsOf(view.owners, local, running.settings.config.vipProbe.learnedVips);
      return view;
    },
    get links() {
      return lastLinks;
    },
    get probeTargets() {
      return probeTargets;
    },
  };
}

/** Once a second: the findings of the view diffed into the log's start and end lines. */
function startTicker(observer: Observer, { logBudget, clock }: Judging, log: Logger): NodeJS.Timeout {
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
    clock.mark(found, at);
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

/** The active VIP probe (ARP requests, Neighbor Solicitations), unless `--no-vip-probe`. */
function startProber(settings: Settings, running: Running, watcher: Pipeline, observer: Observer, log: Logger): VipProber | undefined {
  if (!settings.config.vipProbe.enabled) return undefined;
  const prober = new VipProber(watcher.owners, () => observer.probeTargets, {
    inject: (iface, frame) => running.capture.inject(iface, frame),
    links: () => observer.links.details,
    now,
    onProblem(iface, problem) {
      if (problem === undefined) log.info({ interface: iface }, 'the VIP probe is sent again');
      else log.warn({ interface: iface, problem }, 'the VIP probe cannot be sent; only ARP and NDP heard are judged');
    },
    onSkipped(summary) {
      log.info({ skipped: summary.counts, examples: summary.examples }, `VIPs not probed (by reason; logged at most every ${SKIP_LOG_EVERY_S} s)`);
    },
  }, settings.config.vipProbe.intervalSeconds, settings.config.vipProbe.framesPerSecond);
  prober.start();
  return prober;
}

function keepalivedConfigStatus(s: Settings): ConfigState['keepalivedConfig'] {
  const path = s.config.keepalivedConfig;
  return path === undefined ? undefined : { path, problem: s.keepalivedConfigProblem };
}

/** The sources besides the wire and whether each is read now. */
function sourcesOf(running: Running, configState: ConfigState): SourceStatus[] {
  const out: SourceStatus[] = [];
  const conf = configState.keepalivedConfig;
  if (conf !== undefined) out.push({ source: 'keepalived_config', path: conf.path, problem: conf.problem });
  if (running.fifo !== undefined) out.push({ source: 'notify_fifo', path: running.fifo.path, problem: running.fifo.problem });
  return out;
}

/** What one scrape reads. */
function snapshotOf(view: PipelineView, running: Running, judging: Judging, configState: ConfigState, uncaughtErrors: number, web: WebCounters | undefined, probesSkipped: ReadonlyMap<string, number> | undefined): MetricsSnapshot {
  const { watcher, logBudget } = judging;
  return {
    ...pipelineSnapshot(view, watcher),
    captures: running.capture.statuses(),
    probes: [...running.pinger.results.values()],
    keepalived: running.fifo?.states ?? new Map(),
    config: configState,
    sources: sourcesOf(running, configState),
    ...(web === undefined ? {} : { web }),
    uncaughtErrors,
    notifyFifoLinesDropped: running.fifo?.droppedLines ?? 0,
    logLinesHeldBack: logBudget.heldBack,
    probesSkipped,
  };
}

/** The HTTP(S) server: /metrics from the snapshot, `/` the status page, /healthz from the health. */
async function startWeb(settings: Settings, running: Running, judging: Judging, observer: Observer, snapshot: () => MetricsSnapshot, sources: () => SourceStatus[], started: number, log: Logger, collectors: CollectorChoice): Promise<WebServer> {
  const metrics = new Metrics(
    { version: VERSION, revision: REVISION, nodejs: process.version, libpcap: libpcapVersion() },
    snapshot,
    (family, err) => {
      log.error({ err, collector: family }, 'a metric family failed: scrapes leave it out until it works again');
    },
    collectors,
  );
  const listen = splitListenAddress(settings.config.web.listenAddress);
  const host = hostname();
  return WebServer.start({
    host: listen.host,
    port: listen.port,
    telemetryPath: settings.config.web.telemetryPath,
    webConfig: settings.webConfig,
    metrics: () => metrics.render(snapshot()),
    page: () => {
      const at = now();
      const view = observer.observe(at);
      const s = running.settings;
      const about = [`capturing on ${s.config.interfaces.length === 0 ? 'every interface' : s.config.interfaces.join(', ')}`, `groups heard: ${view.groups.length}, expected: ${s.expected.length}`];
      const seen = { captures: running.capture.statuses(), sources: sources(), probes: [...running.pinger.results.values()], invalid: judging.watcher.invalid };
      return renderStatusPage({ ...view, ...seen, host, version: VERSION, about, telemetryPath: s.config.web.telemetryPath, refreshSeconds: PAGE_REFRESH_S, historySeconds: Math.min(PAGE_HISTORY_S, Math.max(60, at - started)), history: (id) => judging.history.of(id, at) });
    },
    status: () => {
      const at = now();
      const view = observer.observe(at);
      const found = findings(view);
      const since = judging.clock.mark(found, at);
      const doc = statusDocument({ ...view, findings: found, since: (f) => since.get(findingId(f)), host, version: VERSION, captures: running.capture.statuses(), sources: sources(), probes: [...running.pinger.results.values()] });
      return JSON.stringify(doc);
    },
    health: () => healthzResponse(healthOf({ captures: running.capture.statuses(), sources: sources() })),
    onError: (message, err) => {
      log.error({ err }, message);
    },
  });
}

function logServing(settings: Settings, web: WebServer, log: Logger): void {
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

/** `--live`: the groups painted on the terminal every second, with the latest log calls under them. */
function startLiveView(settings: Settings, web: WebServer, running: Running, observer: Observer, liveEvents: readonly string[]): NodeJS.Timeout {
  const listen = splitListenAddress(settings.config.web.listenAddress);
  const where = `http://${listen.host === '' ? 'localhost' : listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${web.address().port}${settings.config.web.telemetryPath}`;
  const paint = (): void => {
    const at = now();
    const view = observer.observe(at);
    const frame = renderLive({
      now: at,
      title: `vrrpwatch ${VERSION} live view · metrics at ${where} · Ctrl-C to quit`,
      groups: view.groups,
      node: view.node,
      conflicts: view.conflicts,
      foreign: view.foreign,
      owners: view.owners,
      captures: running.capture.statuses(),
      probes: [...running.pinger.results.values()],
      events: liveEvents,
      color: process.stdout.isTTY || process.env.FORCE_COLOR === '1',
    });
    process.stdout.write(`${process.stdout.isTTY ? '\x1b[H\x1b[2J' : '\n'}${frame}`);
  };
  paint();
  return setInterval(paint, 1000);
}
