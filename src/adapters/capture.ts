/**
 * Live capture with libpcap (npm `pcap`), the only importer of it. One session per interface, in
 * immediate mode (libpcap otherwise holds packets up to its read timeout, and detection latency
 * depends on it), filtered to IP protocol 112 and AH over IPv4 and IPv6, also inside VLAN tags.
 * An interface that goes down or disappears marks its capture down; it is reopened when the interface
 * returns, without a restart. Without `-i`, every interface is captured (each on its own session, so a
 * group keeps its interface) and new interfaces are picked up as they appear.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LinkType } from '../core/decode.js';

interface PcapStats {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}
interface PcapBinding {
  dispatch(buf: Buffer, header: Buffer): number;
  read_callback: () => void;
}
interface PcapSession {
  link_type: string;
  buf: Buffer;
  header: Buffer;
  session: PcapBinding;
  on(event: 'packet', listener: () => void): void;
  stats(): PcapStats;
  close(): void;
}
interface PcapModule {
  createSession(device: string, options: { filter: string; buffer_size: number; snap_length: number; buffer_timeout: number; promiscuous: boolean }): PcapSession;
  findalldevs(): { name: string; flags?: string }[];
  warningHandler: (text: string) => void;
}

const VRRP = 'ip proto 112 or ip proto 51 or ip6 proto 112 or ip6 proto 51';
export const CAPTURE_FILTER = `${VRRP} or (vlan and (${VRRP})) or (vlan and vlan and (${VRRP}))`;
/** VRRP messages are small; 512 bytes holds any advertisement with its headers and tags. */
const SNAP_LENGTH = 512;
const BUFFER_SIZE = 4 * 1024 * 1024;

const LINK_TYPES: Record<string, number> = {
  LINKTYPE_ETHERNET: LinkType.ETHERNET,
  LINKTYPE_RAW: LinkType.RAW,
  LINKTYPE_LINUX_SLL: LinkType.LINUX_SLL,
};

/** A frame is bytes[0, length): the buffer is libpcap's, reused for the next packet. */
export type FrameSink = (iface: string, linkType: number, bytes: Uint8Array, length: number, ts: number) => void;

export interface CaptureStatus {
  interface: string;
  up: boolean;
  /** Why it is down (permission, interface missing or down, libpcap error). */
  problem: string | undefined;
  /** Packets libpcap and the kernel dropped, summed over every session this interface had. */
  dropped: number;
  received: number;
}

export interface CaptureEvents {
  /** The capture on `iface` went up or down (`problem` says why). */
  onChange(iface: string, up: boolean, problem: string | undefined): void;
}

/** Explains an open error in an operator's words. */
export function explainOpenError(message: string): string {
  if (/permitted|permission|EPERM|EACCES/i.test(message)) return `${message} (capturing needs root or CAP_NET_RAW)`;
  return message;
}

let pcapModule: PcapModule | undefined;
function pcap(): PcapModule {
  if (pcapModule === undefined) {
    pcapModule = createRequire(import.meta.url)('pcap') as PcapModule;
    // libpcap warnings are about the environment (for example promiscuous mode); they are not ours to print.
    pcapModule.warningHandler = () => undefined;
  }
  return pcapModule;
}

/** Non-loopback interfaces of this network namespace. */
export function listInterfaces(): string[] {
  try {
    return readdirSync('/sys/class/net').filter((n) => n !== 'lo' && !n.startsWith('bonding_')).sort();
  } catch {
    return pcap()
      .findalldevs()
      .filter((d) => d.name !== 'any' && d.flags !== 'PCAP_IF_LOOPBACK' && !/^(nf|dbus|bluetooth|usbmon)/.test(d.name))
      .map((d) => d.name);
  }
}

/** Whether an interface exists and is administratively up ('missing' when it does not exist). */
function interfaceState(name: string): 'up' | 'down' | 'missing' {
  if (name === 'any') return 'up';
  try {
    const flags = parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
    return (flags & 1) === 1 ? 'up' : 'down';
  } catch {
    return 'missing';
  }
}

interface Slot {
  status: CaptureStatus;
  session: PcapSession | undefined;
  /** Drop and receive counters of sessions closed before, so the totals never go back. */
  droppedBefore: number;
  receivedBefore: number;
}

export class LiveCapture {
  readonly #slots = new Map<string, Slot>();
  readonly #timer: NodeJS.Timeout;
  readonly #all: boolean;

  constructor(
    interfaces: readonly string[],
    private readonly sink: FrameSink,
    private readonly events: CaptureEvents,
    checkEverySeconds = 1,
  ) {
    this.#all = interfaces.length === 0;
    for (const name of this.#all ? listInterfaces() : interfaces) this.#add(name);
    this.#timer = setInterval(() => {
      this.check();
    }, checkEverySeconds * 1000);
    this.#timer.unref();
  }

  #add(name: string): void {
    const slot: Slot = { status: { interface: name, up: false, problem: 'not opened yet', dropped: 0, received: 0 }, session: undefined, droppedBefore: 0, receivedBefore: 0 };
    this.#slots.set(name, slot);
    this.#open(slot);
  }

  /** Opens or closes sessions to follow the interfaces; also picks up new ones when capturing on all. */
  check(): void {
    if (this.#all) {
      const present = new Set(listInterfaces());
      for (const name of present) if (!this.#slots.has(name)) this.#add(name);
      for (const [name, slot] of this.#slots) {
        if (!present.has(name) && slot.session === undefined) this.#slots.delete(name);
      }
    }
    for (const slot of this.#slots.values()) {
      const state = interfaceState(slot.status.interface);
      if (state !== 'up' && slot.session !== undefined) this.#down(slot, state === 'missing' ? 'the interface disappeared' : 'the interface is down');
      else if (state === 'up' && slot.session === undefined) this.#open(slot);
      else if (state !== 'up') slot.status.problem = state === 'missing' ? 'no such interface' : 'the interface is down';
    }
  }

  #open(slot: Slot): void {
    const name = slot.status.interface;
    const state = interfaceState(name);
    if (state !== 'up') {
      this.#setDown(slot, state === 'missing' ? 'no such interface' : 'the interface is down');
      return;
    }
    let session: PcapSession;
    try {
      session = pcap().createSession(name, { filter: CAPTURE_FILTER, buffer_size: BUFFER_SIZE, snap_length: SNAP_LENGTH, buffer_timeout: 0, promiscuous: true });
    } catch (err) {
      this.#setDown(slot, explainOpenError(err instanceof Error ? err.message : String(err)));
      return;
    }
    const linkType = LINK_TYPES[session.link_type];
    if (linkType === undefined) {
      session.close();
      this.#setDown(slot, `unsupported link type (${session.link_type})`);
      return;
    }
    const { buf, header } = session;
    // pcap's own read callback ignores errors; this one notices a session that failed (interface gone).
    session.session.read_callback = () => {
      // A poll event can still arrive for a session closed a moment ago: it is not ours any more.
      if (slot.session !== session) return;
      if (session.session.dispatch(buf, header) < 0) this.#down(slot, 'libpcap reported a read error');
    };
    session.on('packet', () => {
      const ts = header.readUInt32LE(0) + header.readUInt32LE(4) / 1e6;
      const caplen = Math.min(header.readUInt32LE(8), buf.length);
      // The buffer is reused for the next packet: the decoder copies what it keeps. No view per packet.
      this.sink(name, linkType, buf, caplen, ts);
    });
    slot.session = session;
    slot.status.up = true;
    slot.status.problem = undefined;
    this.events.onChange(name, true, undefined);
  }

  #setDown(slot: Slot, problem: string): void {
    const changed = slot.status.up || slot.status.problem !== problem;
    slot.status.up = false;
    slot.status.problem = problem;
    if (changed) this.events.onChange(slot.status.interface, false, problem);
  }

  #down(slot: Slot, problem: string): void {
    if (slot.session !== undefined) {
      this.#fold(slot);
      try {
        slot.session.close();
      } catch {
        // Already closed by libpcap after an error: nothing left to release.
      }
      slot.session = undefined;
    }
    this.#setDown(slot, problem);
  }

  /** Moves a closing session's counters into the slot's totals. */
  #fold(slot: Slot): void {
    const stats = this.#stats(slot);
    if (stats === undefined) return;
    slot.droppedBefore += stats.ps_drop + stats.ps_ifdrop;
    slot.receivedBefore += stats.ps_recv;
  }

  #stats(slot: Slot): PcapStats | undefined {
    try {
      return slot.session?.stats();
    } catch {
      return undefined;
    }
  }

  statuses(): CaptureStatus[] {
    return [...this.#slots.values()].map((slot) => {
      const stats = this.#stats(slot);
      slot.status.dropped = slot.droppedBefore + (stats === undefined ? 0 : stats.ps_drop + stats.ps_ifdrop);
      slot.status.received = slot.receivedBefore + (stats?.ps_recv ?? 0);
      return { ...slot.status };
    });
  }

  close(): void {
    clearInterval(this.#timer);
    for (const slot of this.#slots.values()) {
      if (slot.session === undefined) continue;
      try {
        slot.session.close();
      } catch {
        // Closing twice is harmless.
      }
      slot.session = undefined;
    }
  }
}
