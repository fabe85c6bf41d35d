/**
 * The native libpcap session of npm `pcap`, the only importer of it: the binding loaded on first use,
 * its version and device list, and a session's release for good. capture.ts drives the sessions.
 */
import { createRequire } from 'node:module';

export type PcapStats = { ps_recv: number; ps_drop: number; ps_ifdrop: number };
/**
 * The native session of npm `pcap` (its build/Release/pcap_binding), pinned to an exact version in
 * package.json. Its JavaScript wrapper loads a decoder for every protocol (some 30 modules) and makes
 * an object and an event per packet; vrrpwatch decodes VRRP itself and only needs the session, so it
 * drives the binding as the wrapper does.
 */
export interface PcapBindingSession {
  /**
   * Opens a live capture; returns the link type's name. `packetReady` is called from `dispatch` for each
   * packet, with the packet copied into `buf` and its header into `header`.
   */
  /** Sends one whole frame out of the device (pcap_inject); throws on a libpcap error. */
  inject(frame: Buffer): void;
  open_live(device: string, filter: string, bufferSize: number, snapLength: number, outfile: string, packetReady: () => void, monitor: boolean, bufferTimeout: number, warning: (text: string) => void, promiscuous: boolean): string;
  /**
   * Delivers the packets that are ready; returns how many, or a negative number: -1 a read error, -2
   * the loop was broken by `close`, and then (only then) the session is released: its poll stopped and
   * pcap_close called. Must not be called again after it returned -2.
   */
  dispatch(buf: Buffer, header: Buffer): number;
  /** Called by the binding when the capture's descriptor is readable (after `start_polling`). */
  read_callback: () => void;
  start_polling(): void;
  stats(): PcapStats;
  /** Only breaks the loop (pcap_breakloop): the next `dispatch` releases the session. */
  close(): void;
}
interface PcapBinding {
  PcapSession: new () => PcapBindingSession;
  findalldevs(): { name: string; flags?: string }[];
  /** pcap_lib_version(): "libpcap version 1.10.3 (with TPACKET_V3)". */
  lib_version(): string;
}

let pcapBinding: PcapBinding | undefined;
export function pcap(): PcapBinding {
  pcapBinding ??= createRequire(import.meta.url)('pcap/build/Release/pcap_binding') as PcapBinding;
  return pcapBinding;
}

/** The libpcap version the binding runs on ("1.10.3"), for vrrpwatch_build_info; "unknown" when it cannot load. */
export function libpcapVersion(): string {
  try {
    const text = pcap().lib_version();
    return /libpcap version (\S+)/.exec(text)?.[1] ?? text;
  } catch {
    return 'unknown';
  }
}

/** libpcap's devices that may carry VRRP (not `any`, loopback or the USB, D-Bus, netfilter pseudo-devices); throws when libpcap cannot list them. */
export function pcapDevices(): string[] {
  return pcap()
    .findalldevs()
    .filter((d) => d.name !== 'any' && d.flags !== 'PCAP_IF_LOOPBACK' && !/^(nf|dbus|bluetooth|usbmon)/.test(d.name))
    .map((d) => d.name);
}

/** Dispatches tried at once to release a closed session (a pending socket error takes one). */
const RELEASE_TRIES = 2;

/** One open libpcap session, the buffers its packets are copied into, and whether it was released. */
export interface Session {
  native: PcapBindingSession;
  buf: Buffer;
  header: Buffer;
  /** `closing`: `close` was called and packets are no longer delivered; `released`: pcap_close done. */
  state: 'open' | 'closing' | 'released';
}

/**
 * Releases a session for good (its packet socket closed, its poll stopped). The binding's `close` only
 * breaks the loop (pcap_breakloop); pcap_close runs in the first dispatch that sees the break, and in
 * non-blocking mode libpcap looks at the break only after it handled a packet. So the dispatch is made
 * here at once (a packet is often waiting), then again at every check and on the next poll event until
 * a packet has come: a session whose reads were ignored instead kept its descriptor for good and, with
 * packets waiting in its ring, woke the event loop without end. False while not released yet.
 */
export function release(session: Session): boolean {
  if (session.state === 'released') return true;
  session.state = 'closing';
  session.native.close();
  for (let i = 0; i < RELEASE_TRIES; i++) {
    let result: number;
    try {
      result = session.native.dispatch(session.buf, session.header);
    } catch {
      result = -1;
    }
    if (result === -2) {
      session.state = 'released';
      return true;
    }
  }
  return false;
}
