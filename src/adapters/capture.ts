/**
 * Live capture with libpcap (npm `pcap`, loaded by pcap-session.ts). One session per interface, in
 * immediate mode (libpcap otherwise holds packets up to its read timeout, and detection latency
 * depends on it), filtered to IP protocol 112 and AH over IPv4 and IPv6, ARP and IPv6 Neighbor
 * Solicitations and Advertisements (who holds each VIP), also inside VLAN tags (the filter and sizes are
 * in capture-params.ts). The VIP probe's frames are injected through the interface's session (`inject`).
 * An interface that goes down or disappears marks its capture down; it is reopened when the interface
 * returns, without a restart. Without `-i`, every interface is captured (each on its own session, so a
 * group keeps its interface) but those whose packets another capture already sees (see core/links.ts,
 * read from /sys by sys-links.ts), and new interfaces are picked up as they appear. Nothing here
 * throws at its caller: a session that cannot open is a capture down with its reason, retried; a
 * list of interfaces that cannot be read keeps the sessions that run and is read again next check.
 */
import { planCapture } from '../core/wire/links.js';
import type { CapturePlan, Link } from '../core/wire/links.js';
import { BUFFER_SIZE, CAPTURE_FILTER, explainOpenError, LINK_TYPES, PLAIN_FILTER, SNAP_LENGTH } from './capture-params.js';
import { pcap, pcapDevices, release } from './pcap-session.js';
import type { PcapBindingSession, PcapStats, Session } from './pcap-session.js';
import { interfaceState, readLinks, tagsFilterable } from './sys-links.js';

/** A session that cannot open is retried after 1 s, then 2, 4, ... up to this many seconds. */
const RETRY_MAX_SECONDS = 30;

/** A frame is bytes[0, length): the buffer is libpcap's, reused for the next packet. */
export type FrameSink = (iface: string, linkType: number, bytes: Uint8Array, length: number, ts: number) => void;

export interface CaptureStatus {
  interface: string;
  up: boolean;
  /** Why it is down (permission, interface missing or down, libpcap error, descriptor shortage). */
  problem: string | undefined;
  /** Packets libpcap and the kernel dropped, summed over every session this interface had. */
  dropped: number;
  received: number;
}

export interface CaptureEvents {
  /** The capture on `iface` went up or down (`problem` says why); once per change, not per retry. */
  onChange(iface: string, up: boolean, problem: string | undefined): void;
  /** Interfaces captured, left out (why) and VLAN device names; at start, on change, after reconfigure. `all`: none named. */
  onPlan?(plan: CapturePlan, all: boolean): void;
  /** The interfaces could not be listed (`problem`), or can be again (undefined); once per change. */
  onDiscovery?(problem: string | undefined): void;
}

/** libpcap warnings are about the environment (for example promiscuous mode); they are not ours to print. */
const ignoreWarning = (): void => undefined;

/** The links to plan from: /sys, or libpcap's list where /sys is not mounted. */
function discoverLinks(): { links: Link[] } | { problem: string } {
  const read = readLinks();
  if (read.ok) return read;
  if (!read.noSys) return read;
  try {
    const names = pcapDevices();
    return { links: names.map((name) => ({ name, kind: 'other', master: undefined, lowers: [], vlanId: undefined })) };
  } catch (err) {
    return { problem: `cannot list the network interfaces: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** How long after a read error the interface's state is read to tell why the capture stopped. */
const READ_ERROR_SETTLE_MS = 300;

interface Slot {
  status: CaptureStatus;
  session: Session | undefined;
  /** Drop and receive counters of sessions closed before, so the totals never go back. */
  droppedBefore: number;
  receivedBefore: number;
  /** Opens that failed in a row, and when (ms since the epoch) the next may be tried. */
  failures: number;
  retryAt: number;
}

/** A plan as text, to tell when it changed. */
function planKey(plan: CapturePlan): string {
  return JSON.stringify([plan.capture, [...plan.skipped], [...plan.vlanNames]]);
}

export class LiveCapture {
  readonly #slots = new Map<string, Slot>();
  /** Sessions closed whose release did not complete yet: tried again at every check. */
  readonly #releasing = new Set<Session>();
  readonly #timer: NodeJS.Timeout;
  #all: boolean;
  #plan: string | undefined;
  /** Why the interfaces cannot be listed now; undefined while they can. */
  #discovery: string | undefined;

  constructor(
    interfaces: readonly string[],
    private readonly sink: FrameSink,
    private readonly events: CaptureEvents,
    checkEverySeconds = 1,
  ) {
    this.#all = interfaces.length === 0;
    const plan = this.#readPlan();
    if (this.#all) for (const name of plan?.capture ?? []) this.#add(name);
    else for (const name of interfaces) this.#add(name);
    this.#timer = setInterval(() => {
      this.check();
    }, checkEverySeconds * 1000);
    this.#timer.unref();
  }

  /** Plans from the links; undefined (and the problem reported once) when they cannot be listed. */
  #readPlan(): CapturePlan | undefined {
    const found = discoverLinks();
    if ('problem' in found) {
      if (this.#discovery !== found.problem) this.events.onDiscovery?.(found.problem);
      this.#discovery = found.problem;
      return undefined;
    }
    if (this.#discovery !== undefined) this.events.onDiscovery?.(undefined);
    this.#discovery = undefined;
    const plan = planCapture(found.links);
    const key = planKey(plan);
    if (key !== this.#plan) {
      this.#plan = key;
      this.events.onPlan?.(plan, this.#all);
    }
    return plan;
  }

  #add(name: string): void {
    const slot: Slot = { status: { interface: name, up: false, problem: 'not opened yet', dropped: 0, received: 0 }, session: undefined, droppedBefore: 0, receivedBefore: 0, failures: 0, retryAt: 0 };
    this.#slots.set(name, slot);
    this.#open(slot);
  }

  /**
   * Opens or closes sessions to follow the interfaces. Capturing on all, it also follows the plan:
   * new interfaces are picked up, and one that joins a bridge or bond is left to it.
   */
  check(): void {
    for (const session of this.#releasing) if (release(session)) this.#releasing.delete(session);
    const plan = this.#readPlan();
    if (this.#all && plan !== undefined) {
      const present = new Set(plan.capture);
      for (const name of present) if (!this.#slots.has(name)) this.#add(name);
      for (const [name, slot] of this.#slots) {
        if (present.has(name)) continue;
        if (plan.skipped.has(name)) {
          this.#close(slot);
          this.#slots.delete(name);
        } else if (slot.session === undefined) this.#slots.delete(name);
      }
    }
    for (const slot of this.#slots.values()) {
      const state = interfaceState(slot.status.interface);
      if (slot.session !== undefined) {
        // Unknown (/sys unreadable for now): a session that runs is left running.
        if (state.state === 'down' || state.state === 'missing') this.#down(slot, state.state === 'missing' ? 'the interface disappeared' : 'the interface is down');
      } else if (state.state === 'up' || state.state === 'unknown') {
        if (Date.now() >= slot.retryAt) this.#open(slot);
      } else {
        // Already down and logged with the reason it stopped: only the status follows the interface.
        slot.status.problem = state.state === 'missing' ? 'no such interface' : 'the interface is down';
      }
    }
  }

  #open(slot: Slot): void {
    const name = slot.status.interface;
    const state = interfaceState(name).state;
    if (state === 'down' || state === 'missing') {
      this.#setDown(slot, state === 'missing' ? 'no such interface' : 'the interface is down');
      return;
    }
    // libpcap copies each packet into these, reused for the next one: the decoder copies what it keeps.
    const buf = Buffer.alloc(SNAP_LENGTH);
    const header = Buffer.alloc(16);
    let native: PcapBindingSession;
    try {
      native = new (pcap().PcapSession)();
    } catch (err) {
      this.#failed(slot, err instanceof Error ? err.message : String(err));
      return;
    }
    const opened: Session = { native, buf, header, state: 'open' };
    let linkType = 0;
    const packetReady = (): void => {
      // A closing session's last dispatch may still hand over a packet: it is not ours any more.
      if (opened.state !== 'open') return;
      const ts = header.readUInt32LE(0) + header.readUInt32LE(4) / 1e6;
      const caplen = Math.min(header.readUInt32LE(8), buf.length);
      this.sink(name, linkType, buf, caplen, ts);
    };
    let linkName: string;
    try {
      linkName = native.open_live(name, tagsFilterable(name) ? CAPTURE_FILTER : PLAIN_FILTER, BUFFER_SIZE, SNAP_LENGTH, '', packetReady, false, 0, ignoreWarning, true);
    } catch (err) {
      // A session that failed to open holds no descriptor (libpcap cleans up a failed activation).
      this.#failed(slot, explainOpenError(err instanceof Error ? err.message : String(err)));
      return;
    }
    const known = LINK_TYPES[linkName];
    if (known === undefined) {
      this.#release(opened);
      this.#failed(slot, `unsupported link type (${linkName})`);
      return;
    }
    linkType = known;
    // Called when the descriptor is readable; a read error means the session failed (interface gone).
    native.read_callback = () => {
      if (opened.state !== 'open') {
        // A poll event of a session whose release is pending: releasing it ends the events.
        if (release(opened)) this.#releasing.delete(opened);
        return;
      }
      if (native.dispatch(buf, header) >= 0) return;
      // The session cannot go on: libuv stops polling a descriptor that reported an error. The error
      // comes as the interface goes, a moment before /sys shows it gone or down, so the reason is read
      // a little later (and the capture not reopened before).
      this.#close(slot);
      slot.retryAt = Date.now() + READ_ERROR_SETTLE_MS;
      setTimeout(() => {
        if (this.#slots.get(name) !== slot || slot.session !== undefined) return;
        const state = interfaceState(name).state;
        this.#setDown(slot, state === 'missing' ? 'the interface disappeared' : state === 'down' ? 'the interface is down' : 'libpcap reported a read error');
      }, READ_ERROR_SETTLE_MS).unref();
    };
    try {
      native.start_polling();
    } catch (err) {
      this.#release(opened);
      this.#failed(slot, err instanceof Error ? err.message : String(err));
      return;
    }
    // Packets that arrived between opening and polling would otherwise wait for the next one.
    process.nextTick(native.read_callback);
    slot.session = opened;
    slot.failures = 0;
    slot.retryAt = 0;
    slot.status.up = true;
    slot.status.problem = undefined;
    this.events.onChange(name, true, undefined);
  }

  /** An open that failed: the capture is down with the reason, and retried later, each time later. */
  #failed(slot: Slot, problem: string): void {
    slot.failures++;
    slot.retryAt = Date.now() + Math.min(RETRY_MAX_SECONDS, 2 ** (slot.failures - 1)) * 1000;
    this.#setDown(slot, problem);
  }

  #setDown(slot: Slot, problem: string): void {
    const changed = slot.status.up || slot.status.problem !== problem;
    slot.status.up = false;
    slot.status.problem = problem;
    if (changed) this.events.onChange(slot.status.interface, false, problem);
  }

  #down(slot: Slot, problem: string): void {
    this.#close(slot);
    this.#setDown(slot, problem);
  }

  /** Closes a slot's session, keeping its counters. */
  #close(slot: Slot): void {
    if (slot.session === undefined) return;
    this.#fold(slot);
    this.#release(slot.session);
    slot.session = undefined;
  }

  #release(session: Session): void {
    if (!release(session)) this.#releasing.add(session);
  }

  /** Moves a closing session's counters into the slot's totals. */
  #fold(slot: Slot): void {
    const stats = this.#stats(slot);
    if (stats === undefined) return;
    slot.droppedBefore += stats.ps_drop + stats.ps_ifdrop;
    slot.receivedBefore += stats.ps_recv;
  }

  #stats(slot: Slot): PcapStats | undefined {
    if (slot.session?.state !== 'open') return undefined;
    try {
      return slot.session.native.stats();
    } catch {
      return undefined;
    }
  }

  /** One per interface; capturing on all, none yet and the interfaces not listed: `any`, down with the reason. */
  statuses(): CaptureStatus[] {
    const out = [...this.#slots.values()].map((slot) => {
      const stats = this.#stats(slot);
      slot.status.dropped = slot.droppedBefore + (stats === undefined ? 0 : stats.ps_drop + stats.ps_ifdrop);
      slot.status.received = slot.receivedBefore + (stats?.ps_recv ?? 0);
      return { ...slot.status };
    });
    if (this.#all && out.length === 0 && this.#discovery !== undefined) out.push({ interface: 'any', up: false, problem: this.#discovery, dropped: 0, received: 0 });
    return out;
  }

  /**
   * Sends a frame out of `iface` through its capture session: undefined when sent, else why not (no
   * running capture on it, or libpcap's error, for example a missing CAP_NET_RAW). The session does
   * not capture what it sends itself.
   */
  inject(iface: string, frame: Uint8Array): string | undefined {
    const session = this.#slots.get(iface)?.session;
    if (session?.state !== 'open') return `no capture runs on ${iface}`;
    try {
      session.native.inject(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
      return undefined;
    } catch (err) {
      return explainOpenError(err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * Follows a reload's interfaces (none: every interface): sessions of interfaces still wanted are
   * kept, others closed, new ones opened, and the plan reported again.
   */
  reconfigure(interfaces: readonly string[]): void {
    this.#all = interfaces.length === 0;
    this.#plan = undefined;
    const plan = this.#readPlan();
    const wanted = new Set(this.#all ? (plan?.capture ?? [...this.#slots.keys()]) : interfaces);
    for (const [name, slot] of this.#slots) {
      if (wanted.has(name)) continue;
      this.#close(slot);
      this.#slots.delete(name);
    }
    for (const name of wanted) if (!this.#slots.has(name)) this.#add(name);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const slot of this.#slots.values()) this.#close(slot);
    for (const session of this.#releasing) if (release(session)) this.#releasing.delete(session);
  }
}
