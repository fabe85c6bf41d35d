/**
 * `vrrpwatch once`: listen for a bounded window, judge with the same core as serve, and return the
 * Nagios line and exit code, or with `--format json` the status document (outputs/status-api.ts) with the
 * check's verdict. Loads only what it needs: capture, pings, the core (no HTTP server, no metrics
 * registry, no logger).
 */
import { hostname } from 'node:os';
import { now } from '../adapters/clock.js';
import { LiveCapture } from '../adapters/capture.js';
import { interfaceDetails, localAddresses } from '../adapters/addresses.js';
import type { InterfaceDetails } from '../adapters/addresses.js';
import { probe } from '../adapters/pinger.js';
import type { ProbeResult } from '../adapters/pinger.js';
import type { Overrides } from '../config.js';
import type { KeepalivedState } from '../core/expect/keepalived-conf.js';
import { windowHoldSeconds } from '../core/node/node.js';
import { DropPoll } from './drop-poll.js';
import { knownRoutersOf, NO_KNOWN_ROUTERS } from '../core/expect/known-routers.js';
import { FindingClock } from '../core/findings/finding-clock.js';
import { findingId, findings } from '../core/findings/findings.js';
import { EXIT, renderCheck, stateName } from '../outputs/nagios.js';
import type { CheckInput, CheckResult, ExitCode } from '../outputs/nagios.js';
import { statusDocument, statusJson } from '../outputs/status-api.js';
import type { StatusInput } from '../outputs/status-api.js';
import { VERSION } from '../version.js';
import { DEFAULT_OWNER_SETTINGS } from '../core/ownership/owner-settings.js';
import { loadSettings } from './settings.js';
import { probeTargetsOf, VipProber } from './vip-probe.js';
import type { ProbeTargets } from './vip-probe.js';
import { liveSettings, Pipeline } from '../core/pipeline/pipeline.js';
import type { LocalLinks, PipelineView } from '../core/pipeline/pipeline.js';

export interface OnceOptions {
  configFile: string | undefined;
  overrides: Overrides;
  /** Fixed window, seconds; undefined: 3 x the largest interval heard or expected, at least 3.5 s. */
  window: number | undefined;
  vrids: number[];
  /** Give up after this long, seconds. */
  timeout: number;
  /** `text`: the plugin line and detail lines; `json`: the status document with the verdict (docs/once.md). */
  format?: 'text' | 'json';
}

/** What `once` prints and its exit code. */
export interface OnceResult {
  code: ExitCode;
  text: string;
}

export const MIN_WINDOW = 3.5;

/**
 * keepalived's states are not read here: notify_fifo carries only changes (a window rarely holds one), and
 * a FIFO gives each line to one reader, so a check would take lines from the exporter reading it.
 */
const NO_STATES: ReadonlyMap<string, KeepalivedState> = new Map();

export class CheckTimeout extends Error {
  override readonly name = 'CheckTimeout';
}

/** The status document of a check, as `once --format json` prints it (pretty, one field a line). */
export function checkDocument(check: Pick<CheckResult, 'code' | 'summary'>, windowSeconds: number, input: Omit<StatusInput, 'host' | 'version'>): string {
  const doc = statusDocument({ ...input, host: hostname(), version: VERSION });
  return `${statusJson({ ...doc, check: { status: stateName(check.code), code: check.code, window_seconds: windowSeconds, summary: check.summary } }, 2)}\n`;
}

/** A check that judged nothing (timeout, bad config) as `once --format json` prints it. */
export function unknownDocument(summary: string): string {
  const health = { level: 'critical' as const, lines: [{ severity: 'critical' as const, text: `the check could not judge: ${summary}` }] };
  return checkDocument({ code: EXIT.UNKNOWN, summary: `VRRP UNKNOWN - ${summary}` }, 0, { now: now(), groups: [], node: [], conflicts: new Map(), findings: [], since: () => undefined, captures: [], sources: [], probes: [], health });
}

export async function once(options: OnceOptions): Promise<OnceResult> {
  const json = options.format === 'json';
  const settings = loadSettings(options.configFile, options.overrides, false);
  const vrids = options.vrids.length > 0 ? new Set(options.vrids) : undefined;
  const expected = settings.expected.filter((e) => vrids === undefined || vrids.has(e.vrid));
  const started = now();
  // The start-up grace of the node judgement is the window itself: judge expected groups at its end.
  // Node findings must hold for most of what the window sees of the group (see windowHoldSeconds).
  const hold = (interval: number): number => windowHoldSeconds(options.window ?? Math.max(MIN_WINDOW, 3 * interval), interval);
  const round = settings.config.vipProbe.intervalSeconds;
  const pipeline = new Pipeline(liveSettings({ started: started - 3600, expected, groupExpirySeconds: Infinity, sink: () => undefined, owners: { ...DEFAULT_OWNER_SETTINGS, round }, ...(vrids === undefined ? {} : { vrids }), hold }));
  pipeline.watched = settings.config.vips;
  pipeline.hmac = settings.hmac;
  const capture = new LiveCapture(settings.config.interfaces, pipeline.onFrame, {
    onChange: () => undefined,
    onPlan(plan) {
      pipeline.vlanNames = plan.vlanNames;
    },
  });
  let prober: VipProber | undefined;
  const captureProblems = (): string[] => capture.statuses().filter((s) => !s.up).map((s) => `${s.interface}: ${s.problem ?? 'down'}`);
  try {
    const opened = capture.statuses();
    if (opened.length > 0 && opened.every((s) => !s.up)) {
      const at = now();
      const input: CheckInput = { now: at, windowSeconds: 0, groups: [], node: [], conflicts: new Map(), probes: [], knownRouters: NO_KNOWN_ROUTERS, haveExpectations: false, captureProblems: captureProblems() };
      const check = renderCheck(input);
      return json ? { code: check.code, text: checkDocument(check, 0, { ...input, findings: check.findings, since: () => at, captures: opened, sources: [], probes: [] }) } : check;
    }
    const probes: Promise<ProbeResult>[] = settings.probeTargets.map((t) => probe(t.target, t.role, settings.config.probe.count, settings.config.probe.timeoutSeconds));
    const expectedInterval = Math.max(0, ...expected.map((e) => e.advertInterval ?? 0));
    // A watched VIP is judged on whole probe rounds: the window holds the confirming rounds after a partial first one.
    const watchWindow = settings.config.vips.length > 0 ? (DEFAULT_OWNER_SETTINGS.confirmRounds + 1) * round + 0.2 : 0;
    const windowEnd = (): number => started + (options.window ?? Math.max(MIN_WINDOW, watchWindow, 3 * Math.max(pipeline.largestInterval, expectedInterval)));
    const deadline = started + options.timeout;
    let lastLinks: LocalLinks<InterfaceDetails> | undefined;
    const links = (): LocalLinks<InterfaceDetails> => (lastLinks = { details: interfaceDetails(), only: settings.config.interfaces.length === 1 ? settings.config.interfaces[0] : undefined, captured: settings.config.interfaces });
    let targets: ProbeTargets = { candidates: [], budgetSkipped: [], own: new Map() };
    /** Since when each finding has been found in the window (the JSON's `since`): judged at every look. */
    const clock = new FindingClock();
    const peers = settings.probeTargets.filter((t) => t.role === 'peer').map((t) => t.target);
    const observe = (at: number): PipelineView => {
      const local = localAddresses();
      const view = pipeline.view(at, { localAddresses: local, keepalived: NO_STATES, peerAnswers: undefined }, links());
      targets = probeTargetsOf(view.owners, local, settings.config.vipProbe.learnedVips);
      if (json) clock.mark(findings({ ...view, knownRouters: knownRoutersOf(peers, local.keys()), haveExpectations: expected.length > 0, captureProblems: captureProblems() }), at);
      return view;
    };
    if (settings.config.vipProbe.enabled) {
      observe(now());
      prober = new VipProber(pipeline.owners, () => targets, { inject: (iface, frame) => capture.inject(iface, frame), links: () => lastLinks?.details ?? interfaceDetails(), now, onProblem: () => undefined }, round, settings.config.vipProbe.framesPerSecond);
      prober.start();
    }
    const drops = new DropPoll();
    while (now() < windowEnd()) {
      drops.poll(capture.statuses(), now(), pipeline);
      observe(now());
      if (now() >= deadline) throw new CheckTimeout(`timed out after ${options.timeout} s (window ${windowEnd() - started} s)`);
      await new Promise((r) => setTimeout(r, Math.max(5, Math.min(100, (windowEnd() - now()) * 1000))));
    }
    const probeResults = await Promise.all(probes);
    const local = localAddresses();
    const at = now();
    const view = pipeline.view(at, { localAddresses: local, keepalived: NO_STATES, peerAnswers: probeResults.some((p) => p.role === 'peer') ? probeResults.some((p) => p.role === 'peer' && p.up) : undefined }, links());
    const knownRouters = knownRoutersOf(peers, local.keys());
    const check = renderCheck({
      now: at,
      windowSeconds: at - started,
      groups: view.groups,
      node: view.node,
      conflicts: view.conflicts,
      foreign: view.foreign,
      probes: probeResults,
      knownRouters,
      haveExpectations: expected.length > 0,
      captureProblems: captureProblems(),
      owners: view.owners,
    });
    if (!json) return check;
    const since = clock.mark(check.findings, at);
    const conf = settings.config.keepalivedConfig;
    const input = { ...view, findings: check.findings, since: (f: (typeof check.findings)[number]) => since.get(findingId(f)), captures: capture.statuses(), sources: conf === undefined ? [] : [{ source: 'keepalived_config' as const, path: conf, problem: undefined }], probes: probeResults };
    return { code: check.code, text: checkDocument(check, at - started, input) };
  } finally {
    prober?.stop();
    capture.close();
  }
}
