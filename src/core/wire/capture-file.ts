/**
 * pcap and pcapng file format, as a pure incremental parser: the shell feeds it byte ranges, it calls
 * back once per packet with a view into those bytes (valid only during the call) and reports format
 * problems as values. Supports classic pcap (µs and ns, either byte order) and pcapng (several sections
 * and interfaces, if_tsresol, if_tsoffset, enhanced/simple/obsolete packet blocks). What the capture
 * says it dropped (pcapng epb_dropcount, and isb_ifdrop + isb_osdrop of interface statistics blocks) is
 * reported with the time span it fell in, so that the failover risk leaves those gaps alone.
 */

export class CapturedPacket {
  /** Seconds since the epoch. */
  ts = 0;
  linkType = 0;
  /** Interface name from the capture (pcapng if_name), or `if<index>` when it has none. */
  interfaceName = '';
  /** The packet is bytes[offset, offset + length): no view is made per packet unless `data` is read. */
  bytes: Uint8Array = new Uint8Array(0);
  offset = 0;
  length = 0;

  get data(): Uint8Array {
    return this.bytes.subarray(this.offset, this.offset + this.length);
  }
}

/** Receives each packet; the object and its bytes are reused after the call returns. */
export type PacketSink = (packet: CapturedPacket) => void;

/** Receives what the capture dropped: `count` packets on `interfaceName` between `from` and `to` (seconds). */
export type DropSink = (interfaceName: string, from: number, to: number, count: number) => void;

export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_OPB = 2;
const BLOCK_SPB = 3;
const BLOCK_ISB = 5;
const BLOCK_EPB = 6;
/** Option codes: epb_dropcount; isb_ifdrop and isb_osdrop (pcapng, draft-ietf-opsawg-pcapng). */
const EPB_DROPCOUNT = 4;
const ISB_IFDROP = 5;
const ISB_OSDROP = 7;
/** Largest block or record we accept; anything bigger is a corrupt length field, not a packet. */
const MAX_RECORD = 16 * 1024 * 1024;
/** Interfaces kept per pcapng section; packets of further ones are counted (`interface_over_cap`), not read. */
export const MAX_INTERFACES = 4096;
/** Bytes of an interface name kept; a longer one is cut and ends in an ellipsis. */
export const MAX_INTERFACE_NAME = 64;
/** Largest time a JavaScript Date holds, in seconds (±8.64e15 ms); later or negative times are rejected. */
export const MAX_TIME = 8.64e12;
/** A packet this much older than the one before it is skipped (`time_backwards`); less is reordering. */
export const BACKWARDS_TOLERANCE = 1;

interface Interface {
  linkType: number;
  name: string;
  /** Seconds per timestamp unit. */
  resolution: number;
  /** Units per second when the resolution is decimal (10^n), so times divide exactly as pcap's do. */
  divisor: number | undefined;
  offset: number;
  snaplen: number;
  /** Time of its last packet or statistics block: where a drop it reports next may have begun. */
  lastTs: number | undefined;
  /** isb_ifdrop + isb_osdrop of its last statistics block (counters since the capture began). */
  statsDropped: number;
}

type Format =
  | { kind: 'unknown' }
  | { kind: 'pcap'; little: boolean; resolution: number; linkType: number }
  | { kind: 'pcapng'; little: boolean; interfaces: Interface[]; declared: number };

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** Timestamp units since the epoch → seconds, exact to the double nearest the true value. */
function ticksToSeconds(high: number, low: number, iface: Interface): number {
  const ticks = high * 4294967296 + low;
  if (iface.divisor === undefined) return ticks * iface.resolution;
  if (ticks <= Number.MAX_SAFE_INTEGER) return ticks / iface.divisor;
  // Nanosecond (and finer) times since 1970 exceed 2^53: split whole seconds off exactly.
  const big = (BigInt(high) << 32n) | BigInt(low);
  const div = BigInt(iface.divisor);
  return Number(big / div) + Number(big % div) / iface.divisor;
}

export class CaptureFileParser {
  #format: Format = { kind: 'unknown' };
  #packets = 0;
  #accepted = 0;
  /** Packets read but not handed to the sink, by reason (merged into the replay report's invalid counts). */
  readonly rejected: Record<string, number> = {};
  /** Handed to the sink for every packet and refilled: valid only during the call, like `data`. */
  readonly #packet = new CapturedPacket();
  /** Simple packet blocks carry no time: they take the last time seen. */
  #lastTs = 0;
  #firstTs = 0;
  #view: DataView | undefined;
  #viewOf: Uint8Array | undefined;

  constructor(
    private readonly sink: PacketSink,
    private readonly drops?: DropSink,
  ) {}

  get packets(): number {
    return this.#packets;
  }

  /** Times of the first and the last packet given to the sink (undefined before any). */
  get firstTime(): number | undefined {
    return this.#accepted === 0 ? undefined : this.#firstTs;
  }

  get lastTime(): number | undefined {
    return this.#accepted === 0 ? undefined : this.#lastTs;
  }

  get format(): 'pcap' | 'pcapng' | undefined {
    return this.#format.kind === 'unknown' ? undefined : this.#format.kind;
  }

  /**
   * Parses the complete records in bytes[0, end) and returns how many bytes it consumed; the caller
   * keeps the rest and calls again with more. With `final`, leftover bytes are a truncated capture.
   */
  feed(bytes: Uint8Array, end: number, final: boolean): number {
    if (this.#viewOf !== bytes) {
      this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.#viewOf = bytes;
    }
    const view = this.#view as DataView;
    let at = 0;
    if (this.#format.kind === 'unknown') {
      if (end < 4) {
        if (final) throw new CaptureFormatError(end === 0 ? 'the file is empty' : 'not a pcap or pcapng file (too short)');
        return 0;
      }
      const magic = view.getUint32(0, false);
      if (magic === PCAPNG_SHB) {
        this.#format = { kind: 'pcapng', little: true, interfaces: [], declared: 0 };
      } else {
        if (end < 24) {
          if (final) throw this.#notCapture(magic);
          return 0;
        }
        const big = magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS;
        const little = swap32(magic) === PCAP_MAGIC_US || swap32(magic) === PCAP_MAGIC_NS;
        if (!big && !little) throw this.#notCapture(magic);
        const ns = (big ? magic : swap32(magic)) === PCAP_MAGIC_NS;
        this.#format = { kind: 'pcap', little, resolution: ns ? 1e-9 : 1e-6, linkType: view.getUint32(20, little) & 0xffff };
        at = 24;
      }
    }
    const format = this.#format;
    if (format.kind === 'pcap') at = this.#pcapRecords(bytes, view, at, end, format);
    else at = this.#pcapngBlocks(bytes, view, at, end, format);
    if (final && at < end) {
      throw new CaptureFormatError(`truncated: the capture ends inside a record after ${this.#packets} packets`);
    }
    return at;
  }

  #reject(reason: string): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }

  /** Counts the packet; hands it to the sink unless its time is one no report can show or goes far back. */
  #emit(ts: number, linkType: number, interfaceName: string, bytes: Uint8Array, offset: number, length: number): void {
    this.#packets++;
    if (!(ts >= 0 && ts <= MAX_TIME)) {
      this.#reject('time_out_of_range');
      return;
    }
    if (this.#accepted > 0 && ts < this.#lastTs - BACKWARDS_TOLERANCE) {
      this.#reject('time_backwards');
      return;
    }
    const p = this.#packet;
    this.#accepted++;
    if (this.#accepted === 1) this.#firstTs = ts;
    if (ts > this.#lastTs || this.#accepted === 1) this.#lastTs = ts;
    p.ts = ts;
    p.linkType = linkType;
    p.interfaceName = interfaceName;
    p.bytes = bytes;
    p.offset = offset;
    p.length = length;
    this.sink(p);
  }

  #notCapture(magic: number): CaptureFormatError {
    return new CaptureFormatError(`not a pcap or pcapng file (starts with 0x${magic.toString(16).padStart(8, '0')})`);
  }

  #pcapRecords(bytes: Uint8Array, view: DataView, at: number, end: number, f: Extract<Format, { kind: 'pcap' }>): number {
    const { little, resolution, linkType } = f;
    while (at + 16 <= end) {
      const incl = view.getUint32(at + 8, little);
      if (incl > MAX_RECORD) throw new CaptureFormatError(`corrupt record after ${this.#packets} packets (length ${incl})`);
      if (at + 16 + incl > end) break;
      const sec = view.getUint32(at, little);
      const frac = view.getUint32(at + 4, little);
      // Same arithmetic as pcapng below, so a capture and its pcapng conversion give identical times.
      const ts = resolution === 1e-6 ? (sec * 1e6 + frac) / 1e6 : sec + frac / 1e9;
      this.#emit(ts, linkType, 'if0', bytes, at + 16, incl);
      at += 16 + incl;
    }
    return at;
  }

  #pcapngBlocks(bytes: Uint8Array, view: DataView, at: number, end: number, f: Extract<Format, { kind: 'pcapng' }>): number {
    while (at + 12 <= end) {
      const rawType = view.getUint32(at, f.little);
      if (view.getUint32(at, false) === PCAPNG_SHB) {
        // A section header sets the byte order for everything up to the next one.
        const bom = view.getUint32(at + 8, false);
        if (bom === PCAPNG_BYTE_ORDER) f.little = false;
        else if (swap32(bom) === PCAPNG_BYTE_ORDER) f.little = true;
        else throw new CaptureFormatError('corrupt pcapng section header (byte-order magic)');
        f.interfaces = [];
        f.declared = 0;
      }
      const type = view.getUint32(at, false) === PCAPNG_SHB ? PCAPNG_SHB : rawType;
      const length = view.getUint32(at + 4, f.little);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD) {
        throw new CaptureFormatError(`corrupt pcapng block after ${this.#packets} packets (length ${length})`);
      }
      if (at + length > end) break;
      const body = at + 8;
      const bodyEnd = at + length - 4;
      switch (type) {
        case BLOCK_IDB:
          if (f.declared < MAX_INTERFACES) f.interfaces.push(this.#interface(bytes, view, body, bodyEnd, f.little, f.declared));
          f.declared++;
          break;
        case BLOCK_EPB:
        case BLOCK_OPB: {
          const epb = type === BLOCK_EPB;
          const id = epb ? view.getUint32(body, f.little) : view.getUint16(body, f.little);
          const iface = f.interfaces[id];
          if (iface === undefined && id < f.declared) {
            this.#packets++;
            this.#reject('interface_over_cap');
            break;
          }
          if (iface === undefined) throw new CaptureFormatError(`pcapng packet for undeclared interface ${id}`);
          const ts = ticksToSeconds(view.getUint32(body + 4, f.little), view.getUint32(body + 8, f.little), iface) + iface.offset;
          const caplen = view.getUint32(body + 12, f.little);
          if (body + 20 + caplen > bodyEnd) throw new CaptureFormatError(`corrupt pcapng packet block after ${this.#packets} packets`);
          if (epb && this.drops !== undefined) {
            // Dropped between the interface's packet before and this one.
            const dropped = optionSum(view, body + 20 + Math.ceil(caplen / 4) * 4, bodyEnd, f.little, EPB_DROPCOUNT);
            if (dropped > 0) this.drops(iface.name, iface.lastTs ?? ts, ts, dropped);
          }
          iface.lastTs = ts;
          this.#emit(ts, iface.linkType, iface.name, bytes, body + 20, caplen);
          break;
        }
        case BLOCK_ISB: {
          const iface = f.interfaces[view.getUint32(body, f.little)];
          if (iface === undefined || this.drops === undefined || body + 12 > bodyEnd) break;
          const ts = ticksToSeconds(view.getUint32(body + 4, f.little), view.getUint32(body + 8, f.little), iface) + iface.offset;
          const total = optionSum(view, body + 12, bodyEnd, f.little, ISB_IFDROP, ISB_OSDROP);
          // The counters run from the capture's start: what grew since the block before fell since then.
          if (total > iface.statsDropped) this.drops(iface.name, iface.lastTs ?? ts, ts, total - iface.statsDropped);
          iface.statsDropped = Math.max(iface.statsDropped, total);
          iface.lastTs = ts;
          break;
        }
        case BLOCK_SPB: {
          // Simple packet blocks have no timestamp; they can only come from interface 0.
          const iface = f.interfaces[0];
          if (iface === undefined) throw new CaptureFormatError('pcapng simple packet before any interface');
          const orig = view.getUint32(body, f.little);
          const caplen = Math.min(orig, iface.snaplen === 0 ? orig : iface.snaplen, bodyEnd - body - 4);
          this.#emit(this.#lastTs, iface.linkType, iface.name, bytes, body + 4, caplen);
          break;
        }
        default:
          break;
      }
      at += length;
    }
    return at;
  }

  #interface(bytes: Uint8Array, view: DataView, body: number, bodyEnd: number, little: boolean, index: number): Interface {
    const iface: Interface = {
      linkType: view.getUint16(body, little),
      name: `if${index}`,
      resolution: 1e-6,
      divisor: 1e6,
      offset: 0,
      snaplen: view.getUint32(body + 4, little),
      lastTs: undefined,
      statsDropped: 0,
    };
    for (let o = body + 8; o + 4 <= bodyEnd; ) {
      const code = view.getUint16(o, little);
      const len = view.getUint16(o + 2, little);
      const value = o + 4;
      if (code === 0 || value + len > bodyEnd) break;
      if (code === 2 && len > 0) iface.name = interfaceName(bytes.subarray(value, value + len)) || iface.name;
      if (code === 9 && len >= 1) {
        const r = bytes[value] ?? 6;
        iface.resolution = r & 0x80 ? 2 ** -(r & 0x7f) : 10 ** -r;
        iface.divisor = r & 0x80 ? undefined : 10 ** r;
      }
      if (code === 14 && len >= 8) iface.offset = Number(view.getBigInt64(value, little));
      o = value + Math.ceil(len / 4) * 4;
    }
    return iface;
  }
}

/** The sum of the 64-bit options with these codes in options[at, end) (0 without any). */
function optionSum(view: DataView, at: number, end: number, little: boolean, ...codes: number[]): number {
  let sum = 0;
  for (let o = at; o + 4 <= end; ) {
    const code = view.getUint16(o, little);
    const len = view.getUint16(o + 2, little);
    const value = o + 4;
    if (code === 0 || value + len > end) break;
    if (codes.includes(code) && len === 8) sum += Number(view.getBigUint64(value, little));
    o = value + Math.ceil(len / 4) * 4;
  }
  return sum;
}

/** An if_name option's bytes → at most MAX_INTERFACE_NAME bytes of it, cut on a character and marked with "…". */
function interfaceName(raw: Uint8Array): string {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  if (end <= MAX_INTERFACE_NAME) return new TextDecoder().decode(raw.subarray(0, end));
  // `stream` holds back a character the cut splits, rather than decoding it as U+FFFD.
  return `${new TextDecoder().decode(raw.subarray(0, MAX_INTERFACE_NAME), { stream: true })}…`;
}
