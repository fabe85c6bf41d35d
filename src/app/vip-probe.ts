/**
 * The active VIP probe, wiring only: for each VIP that deserves it (core/ownership/probe-policy.ts), an ARP
 * request (IPv4) or a Neighbor Solicitation (IPv6) injected on its capture interface at most once per
 * round (core/ownership/probe.ts plans the frames and the times), all of them within one frame-rate bound, each
 * counted as sent (the injecting session never captures its own frames). Answers come back through the
 * capture like any ARP or NDP. A VIP not probed is counted by reason; a failed injection is reported
 * once per interface until one succeeds again.
 */
import type { InterfaceDetails } from '../adapters/addresses.js';
import { arpRequestFrame, neighborSolicitationFrame, ProbeSchedule } from '../core/ownership/probe.js';
import { decideProbe, PROBE_SKIPS, ProbeBudget, probeCandidates } from '../core/ownership/probe-policy.js';
import type { ProbeCandidate, ProbeSkip } from '../core/ownership/probe-policy.js';
import type { OwnershipView, VipOwners } from '../core/ownership/vip-owners.js';
import { vipId } from '../core/base/keys.js';

/**
 * The share of a round left for answers after the last probe: the probes of a round go out in its first
 * quarter, and the timer wakes at most once per quarter round, so the VIPs due together go out together
 * and their answers come back in one burst. Each wake-up of the process costs more than the frames it
 * handles (16 VIPs probed one by one cost twice as much CPU as in bursts).
 */
const ANSWER_SHARE = 0.75;
/** The timer wakes at least this often to pick up new VIPs (seconds). */
const MAX_SLEEP_S = 1;
/** VIPs not probed are logged at most this often (seconds), as a summary of the reasons. */
export const SKIP_LOG_EVERY_S = 60;

export interface ProbeTargets {
  /** What to probe, expected VIPs first. */
  candidates: readonly ProbeCandidate[];
  /** Learned VIPs left out by the learned budget. */
  budgetSkipped: readonly ProbeCandidate[];
  /** Every address this host holds. */
  own: ReadonlyMap<string, unknown>;
}

/** The probe's targets from a judgement's VIP owners (expected first, `learnedMax` learned ones) and this host's addresses. */
export function probeTargetsOf(owners: OwnershipView, own: ReadonlyMap<string, unknown>, learnedMax: number): ProbeTargets {
  return { ...probeCandidates(owners.vips, learnedMax), own };
}

/** What was not probed since the last summary: counts by reason, and one example of each. */
export interface SkipSummary {
  counts: Partial<Record<ProbeSkip, number>>;
  examples: Partial<Record<ProbeSkip, { interface: string; vip: string }>>;
}

export interface ProbeIo {
  /** Sends a frame out of the interface; undefined when sent, else why not. */
  inject(iface: string, frame: Uint8Array): string | undefined;
  /** The interfaces' MACs and addresses (as last read: reading them is a system call per interface). */
  links(): ReadonlyMap<string, InterfaceDetails>;
  now(): number;
  /** An interface's injection failed (`problem`), or works again (undefined); once per change. */
  onProblem(iface: string, problem: string | undefined): void;
  /** VIPs were not probed: at most once per SKIP_LOG_EVERY_S. */
  onSkipped?(summary: SkipSummary): void;
}

export class VipProber {
  readonly #schedule: ProbeSchedule;
  readonly #budget: ProbeBudget;
  readonly #minSleep: number;
  readonly #interval: number;
  readonly #problems = new Map<string, string>();
  /** VIPs not probed since start, by reason. */
  readonly skipped = new Map<ProbeSkip, number>(PROBE_SKIPS.map((r) => [r, 0]));
  #pending: SkipSummary = { counts: {}, examples: {} };
  #lastSummary = -Infinity;
  /** The VIPs counted as skipped in the current round (each once a round), and that round. */
  #counted = new Set<string>();
  #countedRound = -1;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** `framesPerSecond`: the bound on all probe frames together. */
  constructor(
    private readonly owners: VipOwners,
    private readonly targets: () => ProbeTargets,
    private readonly io: ProbeIo,
    interval: number,
    framesPerSecond: number,
  ) {
    this.#interval = interval;
    this.#schedule = new ProbeSchedule({ interval, window: interval * ANSWER_SHARE });
    this.#budget = new ProbeBudget(framesPerSecond);
    this.#minSleep = (interval * (1 - ANSWER_SHARE)) / 2;
  }

  start(): void {
    this.#run();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #run(): void {
    if (this.#stopped) return;
    const now = this.io.now();
    const round = Math.floor(now / this.#interval);
    if (round !== this.#countedRound) {
      this.#counted = new Set();
      this.#countedRound = round;
    }
    const targets = this.targets();
    for (const t of targets.budgetSkipped) this.#skip(t, 'learned_budget');
    const links = this.io.links();
    const expectedVips = new Set<string>();
    const advertisedVips = new Set<string>();
    for (const t of targets.candidates) (t.expected ? expectedVips : advertisedVips).add(t.vip);
    const { next } = this.#schedule.due(targets.candidates, now, (t) => {
      const link = links.get(t.interface);
      // No MAC or addresses known (no capture there): nothing can be sent, nothing to count.
      if (link === undefined) return true;
      const decision = decideProbe(t, { addresses: link.addresses, own: targets.own, expectedVips, advertisedVips });
      if ('skip' in decision) {
        this.#skip(t, decision.skip);
        return true;
      }
      if (!this.#budget.take(now)) {
        this.#skip(t, 'rate');
        return false;
      }
      this.#send(t, link, decision.sender, now);
      return true;
    });
    this.#summarise(now);
    const sleep = Math.min(MAX_SLEEP_S, Math.max(this.#minSleep, next - now));
    this.#timer = setTimeout(() => {
      this.#run();
    }, sleep * 1000);
    this.#timer.unref();
  }

  #skip(t: ProbeCandidate, reason: ProbeSkip): void {
    const id = vipId(t.interface, t.vip);
    if (this.#counted.has(id)) return;
    this.#counted.add(id);
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    this.#pending.counts[reason] = (this.#pending.counts[reason] ?? 0) + 1;
    this.#pending.examples[reason] ??= { interface: t.interface, vip: t.vip };
  }

  #summarise(now: number): void {
    if (Object.keys(this.#pending.counts).length === 0 || now - this.#lastSummary < SKIP_LOG_EVERY_S) return;
    this.#lastSummary = now;
    this.io.onSkipped?.(this.#pending);
    this.#pending = { counts: {}, examples: {} };
  }

  #send(t: ProbeCandidate, link: InterfaceDetails, sender: string, now: number): void {
    const frame = t.vip.includes(':') ? neighborSolicitationFrame(link.mac, sender, t.vip) : arpRequestFrame(link.mac, sender, t.vip);
    if (frame === undefined) return;
    const problem = this.io.inject(t.interface, frame);
    if (problem !== this.#problems.get(t.interface)) {
      if (problem === undefined) this.#problems.delete(t.interface);
      else this.#problems.set(t.interface, problem);
      this.io.onProblem(t.interface, problem);
    }
    if (problem === undefined) this.owners.observeProbe(t.interface, t.vip, now);
  }
}
