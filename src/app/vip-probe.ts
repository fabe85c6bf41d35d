/**
 * The active VIP probe, wiring only: for each VIP being watched, an ARP request (IPv4) or a Neighbor
 * Solicitation (IPv6) injected on its capture interface at most once per round (core/probe.ts plans the
 * frames and the times), each counted as sent (the injecting session never captures its own frames).
 * Answers come back through the capture like any ARP or NDP. A VIP whose interface has no MAC, no
 * running capture or (IPv6) no link-local address is not probed; a failed injection is reported once
 * per interface until one succeeds again.
 */
import type { InterfaceDetails } from '../adapters/addresses.js';
import { arpProbeSender, arpRequestFrame, neighborSolicitationFrame, nsProbeSource, ProbeSchedule } from '../core/probe.js';
import type { ProbeTarget } from '../core/probe.js';
import type { VipOwners } from '../core/vip-owners.js';

/** Seconds answers are given to arrive after a probe, inside its round. */
export const PROBE_WINDOW_SECONDS = 0.5;
/**
 * The timer wakes at least this often to pick up new VIPs, and at most this often (seconds): the VIPs
 * due within a wake-up go out together, so many VIPs cost a few wake-ups a second, not one each.
 */
const MAX_SLEEP_S = 1;
const MIN_SLEEP_S = 0.25;

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
  readonly #problems = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly owners: VipOwners,
    private readonly targets: () => readonly ProbeTarget[],
    private readonly io: ProbeIo,
    interval: number,
  ) {
    this.#schedule = new ProbeSchedule({ interval, window: PROBE_WINDOW_SECONDS });
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
    const sleep = Math.min(MAX_SLEEP_S, Math.max(MIN_SLEEP_S, next - now));
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
