/**
 * `vrrpwatch once`: listen for a bounded window, judge with the same core as serve, and return the
 * Nagios line and exit code. Loads only what it needs: capture, pings, the core (no HTTP server, no
 * metrics registry, no logger).
 */
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
import { renderCheck } from '../outputs/nagios.js';
import type { CheckResult } from '../outputs/nagios.js';
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

export async function once(options: OnceOptions): Promise<CheckResult> {
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
      return renderCheck({ now: now(), windowSeconds: 0, groups: [], node: [], conflicts: new Map(), probes: [], knownRouters: NO_KNOWN_ROUTERS, haveExpectations: false, captureProblems: captureProblems() });
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
    const observe = (at: number): PipelineView => {
      const local = localAddresses();
      const view = pipeline.view(at, { localAddresses: local, keepalived: NO_STATES, peerAnswers: undefined }, links());
      targets = probeTargetsOf(view.owners, local, settings.config.vipProbe.learnedVips);
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
    const knownRouters = knownRoutersOf(settings.probeTargets.filter((t) => t.role === 'peer').map((t) => t.target), local.keys());
    return renderCheck({
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
  } finally {
    prober?.stop();
    capture.close();
  }
}
