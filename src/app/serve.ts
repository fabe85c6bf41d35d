/**
 * `vrrpwatch serve`: wiring only. Capture → pipeline (core) → views; local addresses, keepalived's
 * notify_fifo and pings are observations on the same path; metrics are rendered at scrape time; a log
 * line when a finding starts and one when it ends, never one per packet. `serve()` reads as its steps:
 * the judging and the probe are below, the log in serve-log.ts, the web server and the live view in
 * serve-web.ts, and the services a reload replaces are started in serve-services.ts.
 */
import type { Overrides } from '../config.js';
import { interfaceDetails, localAddresses } from '../adapters/addresses.js';
import type { InterfaceDetails } from '../adapters/addresses.js';
import { now } from '../adapters/clock.js';
import type { WebCounters } from '../adapters/http.js';
import type { Logger } from '../adapters/log.js';
import { FindingClock } from '../core/findings/finding-clock.js';
import { EndedFindings } from '../outputs/ended-findings.js';
import { RecentHistory } from '../core/history/recent.js';
import { DEFAULT_OWNER_SETTINGS } from '../core/ownership/owner-settings.js';
import { liveSettings, Pipeline } from '../core/pipeline/pipeline.js';
import type { LocalLinks, PipelineView } from '../core/pipeline/pipeline.js';
import type { SourceStatus } from '../outputs/health.js';
import type { CollectorChoice } from '../outputs/collectors.js';
import { LogBudget } from '../outputs/log-budget.js';
import { eventRecord } from '../outputs/log-lines.js';
import type { NearFailoverLog } from '../outputs/log-lines.js';
import type { MetricsSnapshot } from '../outputs/metrics.js';
import { reload, ReloadLines } from './reload.js';
import type { ConfigState, Running } from './reload.js';
import { guardUncaught, logServing, makeLogger, startTicker } from './serve-log.js';
import { startServices, starters } from './serve-services.js';
import { keepalivedConfigStatus, PAGE_HISTORY_S, snapshotOf, sourcesOf, startLiveView, startWeb } from './serve-web.js';
import { loadSettings } from './settings.js';
import type { Settings } from './settings.js';
import { tuneV8ForViews } from './v8-tuning.js';
import { probeTargetsOf, SKIP_LOG_EVERY_S, VipProber } from './vip-probe.js';
import type { ProbeTargets } from './vip-probe.js';
import { DropPoll } from './drop-poll.js';

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
  const running = startServices(settings, judging.pipeline, log);
  const observer = makeObserver(running, judging.pipeline);
  const ticker = startTicker(observer, judging, log);
  const prober = startProber(settings, running, judging.pipeline, observer, log);
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
    reload(running, starters(log), { configFile: options.configFile, overrides: options.overrides, web, pipeline: judging.pipeline, log, configState, lines: reloadLines, now });
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

export interface Judging {
  pipeline: Pipeline;
  /** The status page's last minutes per group. */
  history: RecentHistory;
  logBudget: LogBudget;
  /** Since when each finding has been found (the status API's `since`): marked at every judgement. */
  clock: FindingClock;
  /** The findings that ended in the last hour, for the status page and the status API. */
  ended: EndedFindings;
}

/** The pipeline (core) whose Monitor events go to the log (within its rate bound) and to the page's history. */
function startJudging(settings: Settings, log: Logger, started: number): Judging {
  const evictions = { last: -Infinity, pending: 0 };
  const nearFailovers: NearFailoverLog = new Map();
  const logBudget = new LogBudget();
  const history = new RecentHistory(PAGE_HISTORY_S);
  const pipeline = new Pipeline(
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
  pipeline.hmac = settings.hmac;
  pipeline.watched = settings.config.vips;
  return { pipeline, history, logBudget, clock: new FindingClock(), ended: new EndedFindings() };
}

export interface Observer {
  /** Judges now with the current observations (local addresses, keepalived's states, peers). */
  observe(at: number): PipelineView;
  /** The interfaces as last read, for the probe. */
  readonly links: LocalLinks<InterfaceDetails>;
  /** The VIPs watched at the last judgement: what the probe asks for. */
  readonly probeTargets: ProbeTargets;
}

function makeObserver(running: Running, pipeline: Pipeline): Observer {
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
      drops.poll(running.capture.statuses(), at, pipeline);
      const local = localAddresses();
      const view = pipeline.view(at, { localAddresses: local, keepalived: running.fifo?.states ?? new Map(), peerAnswers: running.pinger.peerAnswers() }, links());
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

/** The active VIP probe (ARP requests, Neighbor Solicitations), unless `--no-vip-probe`. */
function startProber(settings: Settings, running: Running, pipeline: Pipeline, observer: Observer, log: Logger): VipProber | undefined {
  if (!settings.config.vipProbe.enabled) return undefined;
  const prober = new VipProber(pipeline.owners, () => observer.probeTargets, {
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

