/**
 * Live capture with libpcap (npm `pcap`), the only importer of it. One session per interface, in
 * immediate mode (libpcap otherwise holds packets up to its read timeout, and detection latency
 * depends on it), filtered to IP protocol 112 and AH over IPv4 and IPv6, also inside VLAN tags.
 * An interface that goes down or disappears marks its capture down; it is reopened when the interface
 * returns, without a restart. Without `-i`, every interface is captured (each on its own session, so a
 * group keeps its interface) but those whose packets another capture already sees (see core/links.ts:
 * bridge and bond members, VLANs and keepalived's vmac interfaces on their parent), and new interfaces
 * are picked up as they appear.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { LinkType } from '../core/decode.js';
import { parseVlanConfig, planCapture } from '../core/links.js';
import type { CapturePlan, Link } from '../core/links.js';

interface PcapStats {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}
/**
 * The native session of npm `pcap` (its build/Release/pcap_binding). Its JavaScript wrapper loads a
 * decoder for every protocol (some 30 modules) and makes an object and an event per packet; vrrpwatch
 * decodes VRRP itself and only needs the session, so it drives the binding as the wrapper does.
 */
interface PcapBindingSession {
  /**
   * Opens a live capture; returns the link type's name. `packetReady` is called from `dispatch` for each
   * packet, with the packet copied into `buf` and its header into `header`.
   */
  open_live(device: string, filter: string, bufferSize: number, snapLength: number, outfile: string, packetReady: () => void, monitor: boolean, bufferTimeout: number, warning: (text: string) => void, promiscuous: boolean): string;
  /** Delivers the packets that are ready; returns how many, or a negative number on a read error. */
  dispatch(buf: Buffer, header: Buffer): number;
  /** Called by the binding when the capture's descriptor is readable (after `start_polling`). */
  read_callback: () => void;
  start_polling(): void;
  stats(): PcapStats;
  close(): void;
}
interface PcapBinding {
  PcapSession: new () => PcapBindingSession;
  findalldevs(): { name: string; flags?: string }[];
}

const VRRP = 'ip proto 112 or ip proto 51 or ip6 proto 112 or ip6 proto 51';
export const CAPTURE_FILTER = `${VRRP} or (vlan and (${VRRP})) or (vlan and vlan and (${VRRP}))`;
/** VRRP messages are small; 512 bytes holds any advertisement with its headers and tags. */
const SNAP_LENGTH = 512;
/**
 * The kernel's capture ring. In immediate mode libpcap uses fixed slots of the snap length, so 4 MiB is
 * some 6,000 advertisements: 0.3 s of 20,000 a second while the exporter is busy with a
 * scrape. (2 MiB, libpcap's default, dropped packets under that flood.) Drops are counted and exported.
 */
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
  /** Which interfaces are captured, which are left out and why, and the names of VLAN devices; at start and when it changes. */
  onPlan?(plan: CapturePlan): void;
}

/** Explains an open error in an operator's words. */
export function explainOpenError(message: string): string {
  if (/permitted|permission|EPERM|EACCES/i.test(message)) return `${message} (capturing needs root or CAP_NET_RAW)`;
  return message;
}

let pcapBinding: PcapBinding | undefined;
function pcap(): PcapBinding {
  pcapBinding ??= createRequire(import.meta.url)('pcap/build/Release/pcap_binding') as PcapBinding;
  return pcapBinding;
}

/** libpcap warnings are about the environment (for example promiscuous mode); they are not ours to print. */
function ignoreWarning(): void {
  // Nothing to do.
}

/** A link as /sys shows it (its kind, master, the links it sits on); undefined once it is gone. */
function readLink(name: string, vlanIds: ReadonlyMap<string, number>): Link | undefined {
  const dir = `/sys/class/net/${name}`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  const lowers = entries.filter((e) => e.startsWith('lower_')).map((e) => e.slice('lower_'.length));
  let kind: Link['kind'] = 'other';
  if (entries.includes('bridge')) kind = 'bridge';
  else if (entries.includes('bonding')) kind = 'bond';
  else if (lowers.length > 0) {
    // Only stacked links need their type: a VLAN's id names tagged packets, MACsec is never skipped.
    const type = /^DEVTYPE=(\S+)$/m.exec(readText(`${dir}/uevent`))?.[1];
    if (type === 'vlan' || type === 'macsec') kind = type;
  }
  let master: string | undefined;
  if (entries.includes('master')) {
    try {
      master = basename(readlinkSync(`${dir}/master`));
    } catch {
      // Left its master a moment ago.
    }
  }
  return { name, kind, master, lowers, vlanId: vlanIds.get(name) };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The non-loopback links of this network namespace. */
export function readLinks(): Link[] {
  let names: string[];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    names = pcap()
      .findalldevs()
      .filter((d) => d.name !== 'any' && d.flags !== 'PCAP_IF_LOOPBACK' && !/^(nf|dbus|bluetooth|usbmon)/.test(d.name))
      .map((d) => d.name);
    return names.map((name) => ({ name, kind: 'other', master: undefined, lowers: [], vlanId: undefined }));
  }
  const vlanIds = parseVlanConfig(readText('/proc/net/vlan/config'));
  const links: Link[] = [];
  for (const name of names) {
    if (name === 'lo' || name.startsWith('bonding_')) continue;
    const link = readLink(name, vlanIds);
    if (link !== undefined) links.push(link);
  }
  return links;
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

/** Why a running capture stopped, from its interface's state (undefined while it is up). */
function downReason(state: 'up' | 'down' | 'missing'): string | undefined {
  if (state === 'up') return undefined;
  return state === 'missing' ? 'the interface disappeared' : 'the interface is down';
}

interface Slot {
  status: CaptureStatus;
  session: PcapBindingSession | undefined;
  /** Drop and receive counters of sessions closed before, so the totals never go back. */
  droppedBefore: number;
  receivedBefore: number;
}

/** A plan as text, to tell when it changed. */
function planKey(plan: CapturePlan): string {
  return JSON.stringify([plan.capture, [...plan.skipped], [...plan.vlanNames]]);
}

export class LiveCapture {
  readonly #slots = new Map<string, Slot>();
  readonly #timer: NodeJS.Timeout;
  readonly #all: boolean;
  #plan: string;

  constructor(
    interfaces: readonly string[],
    private readonly sink: FrameSink,
    private readonly events: CaptureEvents,
    checkEverySeconds = 1,
  ) {
    this.#all = interfaces.length === 0;
    const plan = planCapture(readLinks());
    this.#plan = planKey(plan);
    this.events.onPlan?.(plan);
    for (const name of this.#all ? plan.capture : interfaces) this.#add(name);
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

  /**
   * Opens or closes sessions to follow the interfaces. Capturing on all, it also follows the plan:
   * new interfaces are picked up, and one that joins a bridge or bond is left to it.
   */
  check(): void {
    const plan = planCapture(readLinks());
    const key = planKey(plan);
    if (key !== this.#plan) {
      this.#plan = key;
      this.events.onPlan?.(plan);
    }
    if (this.#all) {
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
      const reason = downReason(state);
      if (reason !== undefined && slot.session !== undefined) this.#down(slot, reason);
      else if (reason === undefined && slot.session === undefined) this.#open(slot);
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
    const session = new (pcap().PcapSession)();
    // libpcap copies each packet into these, reused for the next one: the decoder copies what it keeps.
    const buf = Buffer.alloc(SNAP_LENGTH);
    const header = Buffer.alloc(16);
    const packetReady = (): void => {
      const ts = header.readUInt32LE(0) + header.readUInt32LE(4) / 1e6;
      const caplen = Math.min(header.readUInt32LE(8), buf.length);
      this.sink(name, linkType, buf, caplen, ts);
    };
    let linkType: number;
    try {
      const linkName = session.open_live(name, CAPTURE_FILTER, BUFFER_SIZE, SNAP_LENGTH, '', packetReady, false, 0, ignoreWarning, true);
      const known = LINK_TYPES[linkName];
      if (known === undefined) {
        session.close();
        this.#setDown(slot, `unsupported link type (${linkName})`);
        return;
      }
      linkType = known;
    } catch (err) {
      this.#setDown(slot, explainOpenError(err instanceof Error ? err.message : String(err)));
      return;
    }
    // Called when the descriptor is readable; a read error means the session failed (interface gone).
    session.read_callback = () => {
      // A poll event can still arrive for a session closed a moment ago: it is not ours any more.
      if (slot.session !== session) return;
      if (session.dispatch(buf, header) < 0) this.#down(slot, downReason(interfaceState(name)) ?? 'libpcap reported a read error');
    };
    session.start_polling();
    // Packets that arrived between opening and polling would otherwise wait for the next one.
    process.nextTick(session.read_callback);
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
    this.#close(slot);
    this.#setDown(slot, problem);
  }

  /** Closes a slot's session, keeping its counters. */
  #close(slot: Slot): void {
    if (slot.session === undefined) return;
    this.#fold(slot);
    try {
      slot.session.close();
    } catch {
      // Already closed by libpcap after an error: nothing left to release.
    }
    slot.session = undefined;
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
    for (const slot of this.#slots.values()) this.#close(slot);
  }
}
