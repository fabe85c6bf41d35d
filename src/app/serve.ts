/**
 * `vrrpwatch serve`: wiring only. Capture → watcher (core) → views; local addresses, keepalived's
 * notify_fifo and pings are observations on the same path; metrics are rendered at scrape time; a log
 * line when a finding starts and one when it ends, never one per packet.
 */
import { splitListenAddress } from '../config.js';
import type { Overrides } from '../config.js';
import { libpcapVersion, LiveCapture } from '../adapters/capture.js';
import { interfaceDetails, localAddresses } from '../adapters/addresses.js';
import type { InterfaceDetails } from '../adapters/addresses.js';
import { WebServer } from '../adapters/http.js';
import type { WebCounters } from '../adapters/http.js';
import { NOTIFY_LINE_MAX_BYTES, NotifyFifo } from '../adapters/keepalived.js';
import { createLogger } from '../adapters/log.js';
import { Pinger } from '../adapters/pinger.js';
import { findingChanges, findings } from '../core/findings/findings.js';
import type { FindingLine } from '../core/findings/findings.js';
import { eventLine, renderLive } from '../outputs/live.js';
import { LogBudget } from '../outputs/log-budget.js';
import { eventRecord } from '../outputs/log-lines.js';
import type { NearFailoverLog } from '../outputs/log-lines.js';
import { renderStatusPage } from '../outputs/html-live.js';
import { RecentHistory } from '../core/history/recent.js';
import { DEFAULT_OWNER_SETTINGS } from '../core/ownership/vip-owners.js';
import type { ProbeTarget } from '../core/ownership/probe.js';
import { Metrics } from '../outputs/metrics.js';
import type { MetricsSnapshot } from '../outputs/metrics.js';
import { REVISION, VERSION } from '../version.js';
import { reload } from './reload.js';
import type { ConfigState, Running, Starters } from './reload.js';
import { loadSettings } from './settings.js';
import type { Settings } from './settings.js';
import { tuneV8ForViews } from './v8-tuning.js';
import { VipProber } from './vip-probe.js';
import { liveSettings, Pipeline } from '../core/pipeline/pipeline.js';
import type { LocalLinks, PipelineView } from '../core/pipeline/pipeline.js';

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
const LIVE_EVENTS = 12;
/** The status page at `/` reloads itself this often and draws this much of each group's history (less while younger). */
const PAGE_REFRESH_S = 5;
const PAGE_HISTORY_S = 600;

function now(): number {
  return Date.now() / 1000;
}

export interface ServeHandle {
  port: number;
  /** Reloads the config files (SIGHUP); a bad one keeps the previous config. */
  reload(): void;
  /** Stops: scrapes in flight may finish first (a few seconds at most). */
  stop(): Promise<void>;
}

/** How often an exception caught at the top, or a notify_fifo line too long, is logged at most (each one is counted). */
const UNCAUGHT_LOG_EVERY_S = 10;

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  tuneV8ForViews();
  const settings: Settings = loadSettings(options.configFile, options.overrides, true);
  // The live view is handed the log calls as they are made (the same events the log writes).
  const recent: string[] = [];
  const log = options.live
    ? createLogger(settings.config.log.level, 'json', (entry) => {
        recent.push(eventLine(entry));
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
  const nearFailovers: NearFailoverLog = new Map();
  const logBudget = new LogBudget();
  const history = new RecentHistory(PAGE_HISTORY_S);
  const ownerRound = settings.config.vipProbe.intervalSeconds;
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
      owners: { ...DEFAULT_OWNER_SETTINGS, round: ownerRound },
    }),
  );
  watcher.hmac = settings.hmac;
  const configState: ConfigState = { lastReloadOk: true, lastReloadAt: started };

  const startCapture = (s: Settings): LiveCapture =>
    new LiveCapture(s.config.interfaces, watcher.onFrame, {
      onChange(iface, up, problem) {
        if (up) log.info({ interface: iface }, 'capture running');
        else log.warn({ interface: iface, problem }, 'capture down');
      },
      onDiscovery(problem) {
        if (problem === undefined) log.info('the network interfaces can be listed again');
        else log.warn({ problem }, 'cannot list the network interfaces; the running captures go on, retrying every second');
      },
      onPlan(plan, all) {
        watcher.vlanNames = plan.vlanNames;
        if (!all) return;
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
        if (now() - longLineLogged < UNCAUGHT_LOG_EVERY_S) return;
        longLineLogged = now();
        log.warn({ path, dropped }, `a notify_fifo line longer than ${NOTIFY_LINE_MAX_BYTES} bytes was dropped (not keepalived's; logged at most every 10 s)`);
      },
    });
    fifo.start();
    return fifo;
  };

  const start: Starters = { pinger: startPinger, fifo: startFifo };
  const running: Running = { settings, capture: startCapture(settings), pinger: startPinger(settings), fifo: startFifo(settings) };

  /** The interfaces as last read, for the probe (read again at every judgement). */
  let lastLinks: LocalLinks<InterfaceDetails> = { details: interfaceDetails(), only: undefined };
  const links = (): LocalLinks<InterfaceDetails> => {
    const captured = running.settings.config.interfaces;
    lastLinks = { details: interfaceDetails(), only: captured.length === 1 ? captured[0] : undefined };
    return lastLinks;
  };
  /** The VIPs watched at the last judgement: what the probe asks for. */
  let probeTargets: readonly ProbeTarget[] = [];
  const observe = (at: number): PipelineView => {
    const view = watcher.view(at, { localAddresses: localAddresses(), keepalived: running.fifo?.states ?? new Map(), peerAnswers: running.pinger.peerAnswers() }, links());
    probeTargets = view.owners.vips.map((v) => ({ interface: v.interface, vip: v.vip }));
    return view;
  };

  let active: ReadonlyMap<string, FindingLine> = new Map();
  let garpsLogged = 0;
  const tick = (): void => {
    const at = now();
    const view = observe(at);
    const changes = findingChanges(active, findings(view));
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
    for (const m of view.owners.missedGarps) {
      if (m.seq <= garpsLogged) continue;
      garpsLogged = m.seq;
      log.warn({ interface: m.key.interface, family: m.key.family, vrid: m.key.vrid, finding: 'failover_without_garp', router: m.router, vips: m.vips, failover_at: m.time }, 'the new master sent no gratuitous ARP or unsolicited NA after the failover');
    }
  };
  const ticker = setInterval(tick, TICK_MS);
  let prober: VipProber | undefined;
  if (settings.config.vipProbe.enabled) {
    prober = new VipProber(watcher.owners, () => probeTargets, {
      inject: (iface, frame) => running.capture.inject(iface, frame),
      links: () => lastLinks.details,
      now,
      onProblem(iface, problem) {
        if (problem === undefined) log.info({ interface: iface }, 'the VIP probe is sent again');
        else log.warn({ interface: iface, problem }, 'the VIP probe cannot be sent; only ARP and NDP heard are judged');
      },
    }, ownerRound);
    prober.start();
  }

  const snapshot = (): MetricsSnapshot => {
    const view = observe(now());
    return {
      groups: view.groups,
      node: view.node,
      conflicts: view.conflicts,
      foreign: view.foreign,
      foreignTable: watcher.foreign,
      invalid: watcher.invalid,
      captures: running.capture.statuses(),
      probes: [...running.pinger.results.values()],
      owners: view.owners,
      evictions: watcher.monitor.evictions,
      keepalived: running.fifo?.states ?? new Map(),
      config: configState,
      web: http.counters,
      uncaughtErrors: uncaught.count,
      notifyFifoLinesDropped: running.fifo?.droppedLines ?? 0,
      logLinesHeldBack: logBudget.heldBack,
      routerErrors: view.routerErrors,
    };
  };
  const metrics = new Metrics({ version: VERSION, revision: REVISION, nodejs: process.version, libpcap: libpcapVersion() }, snapshot, (family, err) => {
    log.error({ err, collector: family }, 'a metric family failed: scrapes leave it out until it works again');
  });
  const listen = splitListenAddress(settings.config.web.listenAddress);
  const http: { counters?: WebCounters } = {};
  const stopParts = (): void => {
    process.off('uncaughtException', onUncaught);
    clearInterval(ticker);
    prober?.stop();
    running.capture.close();
    running.pinger.stop();
    running.fifo?.close();
  };
  const starting = WebServer.start({
    host: listen.host,
    port: listen.port,
    telemetryPath: settings.config.web.telemetryPath,
    webConfig: settings.webConfig,
    metrics: () => metrics.render(snapshot()),
    page: () => {
      const at = now();
      const view = observe(at);
      const about = [`capturing on ${running.settings.config.interfaces.length === 0 ? 'every interface' : running.settings.config.interfaces.join(', ')}`, `groups heard: ${view.groups.length}, expected: ${running.settings.expected.length}`];
      const health = { captures: running.capture.statuses(), probes: [...running.pinger.results.values()], invalid: watcher.invalid };
      return renderStatusPage({ ...view, ...health, version: VERSION, about, telemetryPath: running.settings.config.web.telemetryPath, refreshSeconds: PAGE_REFRESH_S, historySeconds: Math.min(PAGE_HISTORY_S, Math.max(60, at - started)), history: (id) => history.of(id, at) });
    },
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
      vip_probe: settings.config.vipProbe.enabled ? { interval_seconds: ownerRound } : false,
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
        foreign: view.foreign,
        owners: view.owners,
        captures: running.capture.statuses(),
        probes: [...running.pinger.results.values()],
        events: recent,
        color: process.stdout.isTTY || process.env.FORCE_COLOR === '1',
      });
      process.stdout.write(`${process.stdout.isTTY ? '\x1b[H\x1b[2J' : '\n'}${frame}`);
    };
    paint();
    painter = setInterval(paint, 1000);
  }

  const onHangup = (): void => {
    reload(running, start, { configFile: options.configFile, overrides: options.overrides, web, watcher, log, configState, now });
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
