/**
 * Pings peers and the gateway with the system ping (npm `ping`, the only importer of it). Each round
 * sends `count` echo requests 0.2 s apart and reports whether any came back, the first round-trip time
 * and the loss. Targets were validated by the config (an address or a host name, never an option).
 */
import { createRequire } from 'node:module';

export type ProbeRole = 'peer' | 'gateway';

export interface ProbeResult {
  target: string;
  role: ProbeRole;
  up: boolean;
  /** Seconds, when answered. */
  rtt: number | undefined;
  /** 0..1 */
  loss: number;
  /** When this result was taken (ms since the epoch). */
  at: number;
}

interface PingModule {
  promise: {
    probe(
      target: string,
      options: { timeout: number; min_reply: number; deadline: number; extra: string[]; v6?: boolean },
    ): Promise<{ alive: boolean; time: number | 'unknown'; packetLoss: string | number }>;
  };
}

let pingModule: PingModule | undefined;

/** One round against one target. Never rejects: a failure to run ping is a target that did not answer. */
export async function probe(target: string, role: ProbeRole, count: number, timeoutSeconds: number): Promise<ProbeResult> {
  pingModule ??= createRequire(import.meta.url)('ping') as PingModule;
  const at = Date.now();
  // ping 0.4 sets LANG=C on process.env itself when it spawns; keep our environment as it was.
  const lang = process.env.LANG;
  let pending: ReturnType<PingModule['promise']['probe']>;
  try {
    pending = pingModule.promise.probe(target, {
      timeout: timeoutSeconds,
      min_reply: count,
      deadline: Math.ceil(timeoutSeconds + 0.2 * count),
      extra: ['-i', '0.2'],
    });
  } finally {
    if (lang === undefined) delete process.env.LANG;
    else process.env.LANG = lang;
  }
  try {
    const r = await pending;
    const loss = typeof r.packetLoss === 'number' ? r.packetLoss : Number.parseFloat(r.packetLoss);
    return {
      target,
      role,
      up: r.alive,
      rtt: r.alive && typeof r.time === 'number' ? r.time / 1000 : undefined,
      loss: Number.isFinite(loss) ? loss / 100 : 1,
      at,
    };
  } catch {
    return { target, role, up: false, rtt: undefined, loss: 1, at };
  }
}

/** Probes every target every `intervalSeconds`, one round at a time per target. */
export class Pinger {
  readonly results = new Map<string, ProbeResult>();
  readonly #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(
    readonly targets: readonly { target: string; role: ProbeRole }[],
    private readonly options: { intervalSeconds: number; timeoutSeconds: number; count: number },
    private readonly onResult: (result: ProbeResult, previous: ProbeResult | undefined) => void = () => undefined,
  ) {}

  start(): void {
    for (const t of this.targets) void this.#loop(t.target, t.role);
  }

  async #loop(target: string, role: ProbeRole): Promise<void> {
    while (!this.#stopped) {
      const result = await probe(target, role, this.options.count, this.options.timeoutSeconds);
      // stop() may have been called while the round ran.
      if (this.isStopped()) return;
      const key = `${role}|${target}`;
      const previous = this.results.get(key);
      this.results.set(key, result);
      this.onResult(result, previous);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.intervalSeconds * 1000);
        timer.unref();
        this.#timers.push(timer);
      });
      this.#timers.length = 0;
    }
  }

  /** Whether any peer answered its last round (undefined without peers or before the first round). */
  peerAnswers(): boolean | undefined {
    const peers = [...this.results.values()].filter((r) => r.role === 'peer');
    if (peers.length === 0) return undefined;
    return peers.some((r) => r.up);
  }

  isStopped(): boolean {
    return this.#stopped;
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
  }
}
