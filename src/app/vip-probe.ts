/**
 * The active VIP probe, wiring only: for each VIP being watched, an ARP request (IPv4) or a Neighbor
 * Solicitation (IPv6) injected on its capture interface at most once per round (core/probe.ts plans the
 * frames and the times), each counted as sent (the injecting session never captures its own frames).
 * Answers come back through the capture like any ARP or NDP. A VIP whose interface has no MAC, no
 * running capture or (IPv6) no link-local address is not probed; a failed injection is reported once
 * per interface until one succeeds again.
 */
import type { InterfaceDetails } from '../adapters/addresses.js';
import { arpProbeSender, arpRequestFrame, neighborSolicitationFrame, nsProbeSource, ProbeSchedule } from '../core/ownership/probe.js';
import type { ProbeTarget } from '../core/ownership/probe.js';
import type { VipOwners } from '../core/ownership/vip-owners.js';

/**
 * The share of a round left for answers after the last probe: the probes of a round go out in its first
 * quarter, and the timer wakes at most once per quarter round, so the VIPs due together go out together
 * and their answers come back in one burst. Each wake-up of the process costs more than the frames it
 * handles (16 VIPs probed one by one cost twice as much CPU as in bursts).
 */
const ANSWER_SHARE = 0.75;
/** The timer wakes at least this often to pick up new VIPs (seconds). */
const MAX_SLEEP_S = 1;

export interface ProbeIo {
  /** Sends a frame out of the interface; undefined when sent, else why not. */
  inject(iface: string, frame: Uint8Array): string | undefined;
  /** The interfaces' MACs and addresses (as last read: reading them is a system call per interface). */
  links(): ReadonlyMap<string, InterfaceDetails>;
  now(): number;
  /** An interface's injection failed (`problem`), or works again (undefined); once per change. */
  onProblem(iface: string, problem: string | undefined): void;
}

export class VipProber {
  readonly #schedule: ProbeSchedule;
  readonly #minSleep: number;
  readonly #problems = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly owners: VipOwners,
    private readonly targets: () => readonly ProbeTarget[],
    private readonly io: ProbeIo,
    interval: number,
  ) {
    this.#schedule = new ProbeSchedule({ interval, window: interval * ANSWER_SHARE });
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
    const { due, next } = this.#schedule.due(this.targets(), now);
    if (due.length > 0) {
      const links = this.io.links();
      const vips = new Set(this.targets().map((t) => t.vip));
      for (const t of due) this.#probe(t, links, vips, now);
    }
    const sleep = Math.min(MAX_SLEEP_S, Math.max(this.#minSleep, next - now));
    this.#timer = setTimeout(() => {
      this.#run();
    }, sleep * 1000);
    this.#timer.unref();
  }

  #probe(t: ProbeTarget, links: ReadonlyMap<string, InterfaceDetails>, vips: ReadonlySet<string>, now: number): void {
    const link = links.get(t.interface);
    if (link === undefined) return;
    let frame: Uint8Array | undefined;
    if (t.vip.includes(':')) {
      const source = nsProbeSource(link.addresses);
      if (source !== undefined) frame = neighborSolicitationFrame(link.mac, source, t.vip);
    } else frame = arpRequestFrame(link.mac, arpProbeSender(t.vip, link.addresses, vips), t.vip);
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
