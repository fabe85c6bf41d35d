/**
 * What `serve` shows: the HTTP(S) server (/metrics from one snapshot per scrape, the status page at
 * `/`, the status API, /healthz) and, with `--live`, the groups painted on the terminal.
 */
import { hostname } from 'node:os';
import { now } from '../adapters/clock.js';
import { WebServer } from '../adapters/http.js';
import type { WebCounters } from '../adapters/http.js';
import type { Logger } from '../adapters/log.js';
import { libpcapVersion } from '../adapters/pcap-session.js';
import { splitListenAddress } from '../config.js';
import { findingId, findings } from '../core/findings/findings.js';
import type { PipelineView } from '../core/pipeline/pipeline.js';
import { healthOf, healthzResponse } from '../outputs/health.js';
import type { SourceStatus } from '../outputs/health.js';
import { renderStatusPage } from '../outputs/html-live.js';
import { renderLive } from '../outputs/live.js';
import { Metrics } from '../outputs/metrics.js';
import type { CollectorChoice } from '../outputs/collectors.js';
import type { MetricsSnapshot } from '../outputs/metrics.js';
import { pipelineSnapshot } from '../outputs/scrape.js';
import { statusDocument, statusJson } from '../outputs/status-api.js';
import { REVISION, VERSION } from '../version.js';
import type { ConfigState, Running } from './reload.js';
import type { Judging, Observer } from './serve.js';
import type { Settings } from './settings.js';

/** The status page at `/` reloads itself this often and draws this much of each group's history (less while younger). */
const PAGE_REFRESH_S = 5;
export const PAGE_HISTORY_S = 600;

export function keepalivedConfigStatus(s: Settings): ConfigState['keepalivedConfig'] {
  const path = s.config.keepalivedConfig;
  return path === undefined ? undefined : { path, problem: s.keepalivedConfigProblem };
}

/** The sources besides the wire and whether each is read now. */
export function sourcesOf(running: Running, configState: ConfigState): SourceStatus[] {
  const out: SourceStatus[] = [];
  const conf = configState.keepalivedConfig;
  if (conf !== undefined) out.push({ source: 'keepalived_config', path: conf.path, problem: conf.problem });
  if (running.fifo !== undefined) out.push({ source: 'notify_fifo', path: running.fifo.path, problem: running.fifo.problem });
  return out;
}

/** What one scrape reads. */
export function snapshotOf(view: PipelineView, running: Running, judging: Judging, configState: ConfigState, uncaughtErrors: number, web: WebCounters | undefined, probesSkipped: ReadonlyMap<string, number> | undefined): MetricsSnapshot {
  const { pipeline, logBudget } = judging;
  return {
    ...pipelineSnapshot(view, pipeline),
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
export async function startWeb(settings: Settings, running: Running, judging: Judging, observer: Observer, snapshot: () => MetricsSnapshot, sources: () => SourceStatus[], started: number, log: Logger, collectors: CollectorChoice): Promise<WebServer> {
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
      const seen = { captures: running.capture.statuses(), sources: sources(), probes: [...running.pinger.results.values()], invalid: judging.pipeline.invalid };
      return renderStatusPage({ ...view, ...seen, host, version: VERSION, about, telemetryPath: s.config.web.telemetryPath, refreshSeconds: PAGE_REFRESH_S, historySeconds: Math.min(PAGE_HISTORY_S, Math.max(60, at - started)), history: (id) => judging.history.of(id, at), ended: judging.ended.recent(at) });
    },
    status: () => {
      const at = now();
      const view = observer.observe(at);
      const found = findings(view);
      const since = judging.clock.mark(found, at);
      const doc = statusDocument({ ...view, findings: found, since: (f) => since.get(findingId(f)), host, version: VERSION, captures: running.capture.statuses(), sources: sources(), probes: [...running.pinger.results.values()], ended: judging.ended.recent(at) });
      return statusJson(doc);
    },
    health: () => healthzResponse(healthOf({ captures: running.capture.statuses(), sources: sources() })),
    onError: (message, err) => {
      log.error({ err }, message);
    },
  });
}

/** `--live`: the groups painted on the terminal every second, with the latest log calls under them. */
export function startLiveView(settings: Settings, web: WebServer, running: Running, observer: Observer, liveEvents: readonly string[]): NodeJS.Timeout {
  const listen = splitListenAddress(settings.config.web.listenAddress);
  const where = `http://${listen.host === '' ? 'localhost' : listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${web.address().port}${settings.config.web.telemetryPath}`;
  const paint = (): void => {
    const at = now();
    const view = observer.observe(at);
    const frame = renderLive({
      ...view,
      now: at,
      title: `vrrpwatch ${VERSION} live view · metrics at ${where} · Ctrl-C to quit`,
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
