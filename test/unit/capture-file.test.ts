import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile } from '../../src/adapters/capture-file.js';
import type { BetweenChunks } from '../../src/adapters/capture-file.js';
import { CaptureFileParser, CaptureFormatError } from '../../src/core/wire/capture-file.js';
import type { CapturedPacket } from '../../src/core/wire/capture-file.js';
import { epb, idb, packetFixture, pcapFile, shb } from '../helpers/fixtures.js';

/** A packet as the sink saw it, with its bytes copied out. */
type Got = Pick<CapturedPacket, 'ts' | 'linkType' | 'interfaceName'> & { data: Uint8Array };

function parseAll(bytes: Uint8Array, chunk = bytes.length): Got[] {
  const got: Got[] = [];
  const parser = new CaptureFileParser((p) => got.push({ ts: p.ts, linkType: p.linkType, interfaceName: p.interfaceName, data: p.data.slice() }));
  // Feed in pieces the way the file reader does: keep what was not consumed, append the next piece.
  let pending = new Uint8Array(0);
  for (let at = 0; ; at += chunk) {
    const piece = bytes.subarray(at, Math.min(bytes.length, at + chunk));
    const buf = new Uint8Array(pending.length + piece.length);
    buf.set(pending);
    buf.set(piece, pending.length);
    const final = at + chunk >= bytes.length;
    const used = parser.feed(buf, buf.length, final);
    pending = buf.slice(used);
    if (final) break;
  }
  return got;
}

const frame = packetFixture('v2-ipv4-pass').bytes;
const sll = packetFixture('v3-ipv4-sll');

describe('pcap files', () => {
  it('reads records with their times, in any chunking', () => {
    const file = pcapFile(1, [
      { ts: 1700000000.25, bytes: frame },
      { ts: 1700000001.5, bytes: frame },
    ]);
    for (const chunk of [file.length, 1, 7, 40]) {
      const got = parseAll(file, chunk);
      assert.deepEqual(got.map((p) => p.ts), [1700000000.25, 1700000001.5], `chunk ${chunk}`);
      assert.deepEqual(got[0]?.data, frame);
      assert.equal(got[0].linkType, 1);
      assert.equal(got[0].interfaceName, 'if0');
    }
  });

  it('reads big-endian and nanosecond pcap', () => {
    const le = pcapFile(1, [{ ts: 1700000000.5, bytes: frame }]);
    const be = Buffer.alloc(le.length);
    be.writeUInt32BE(0xa1b23c4d, 0);
    be.writeUInt16BE(2, 4);
    be.writeUInt16BE(4, 6);
    be.writeUInt32BE(65535, 16);
    be.writeUInt32BE(1, 20);
    be.writeUInt32BE(1700000000, 24);
    be.writeUInt32BE(500_000_000, 28);
    be.writeUInt32BE(frame.length, 32);
    be.writeUInt32BE(frame.length, 36);
    Buffer.from(frame).copy(be, 40);
    const [p] = parseAll(be);
    assert.equal(p?.ts, 1700000000.5);
    assert.deepEqual(p.data, frame);
  });

  it('names empty, short, foreign and truncated files precisely', () => {
    assert.throws(() => parseAll(new Uint8Array(0)), { name: 'CaptureFormatError', message: 'the file is empty' });
    assert.throws(() => parseAll(Buffer.from('hello')), /not a pcap or pcapng file/);
    assert.throws(() => parseAll(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), { message: 'not a pcap or pcapng file (starts with 0x47455420)' });
    const file = pcapFile(1, [{ ts: 1, bytes: frame }, { ts: 2, bytes: frame }]);
    assert.throws(() => parseAll(file.subarray(0, file.length - 3)), (err: unknown) => {
      assert.ok(err instanceof CaptureFormatError);
      assert.equal(err.message, 'truncated: the capture ends inside a record after 1 packets');
      return true;
    });
  });

  it('rejects an absurd record length instead of waiting for it', () => {
    const file = pcapFile(1, [{ ts: 1, bytes: frame }]);
    file.writeUInt32LE(0x7fffffff, 24 + 8);
    assert.throws(() => parseAll(file), /corrupt record after 0 packets/);
  });
});

describe('pcapng files', () => {
  it('reads interfaces by name, link types and timestamp resolutions', () => {
    const file = Buffer.concat([
      shb(),
      idb(1, 'eth0'),
      idb(113, 'any', 9),
      epb(0, 1700000000_250000n, frame),
      epb(1, 1700000001_000000001n, sll.bytes),
    ]);
    const got = parseAll(file, 13);
    assert.deepEqual(got.map((p) => [p.interfaceName, p.linkType]), [['eth0', 1], ['any', 113]]);
    assert.equal(got[0]?.ts, 1700000000.25);
    assert.ok(Math.abs((got[1]?.ts ?? 0) - 1700000001) < 1e-6);
    assert.deepEqual(got[1]?.data, sll.bytes);
  });

  it('reads a big-endian section after a little-endian one, with fresh interfaces', () => {
    const file = Buffer.concat([shb(), idb(1, 'a'), epb(0, 1_000000n, frame), shb(false), idb(1, 'b', undefined, false), epb(0, 2_000000n, frame, false)]);
    assert.deepEqual(parseAll(file).map((p) => [p.interfaceName, p.ts]), [['a', 1], ['b', 2]]);
  });

  it('names a packet for an undeclared interface and a truncated block', () => {
    assert.throws(() => parseAll(Buffer.concat([shb(), epb(3, 1n, frame)])), /undeclared interface 3/);
    const file = Buffer.concat([shb(), idb(1, 'eth0'), epb(0, 1n, frame)]);
    assert.throws(() => parseAll(file.subarray(0, file.length - 1)), /truncated/);
  });
});

describe('reading a capture file from disk (chunks read ahead while the last one is parsed)', () => {
  // Records of many sizes, so that some straddle every 4 MiB chunk boundary, plus records longer
  // than the 256 KiB headroom kept for a cut record, and one longer than a whole chunk.
  const sizes = [60, 61, 1514, 9000, 300 * 1024, 77, 5 * 1024 * 1024, 3];
  const frames = Array.from({ length: 2400 }, (_, i) => {
    const size = sizes[i % sizes.length] === 5 * 1024 * 1024 && i > 8 ? 999 : (sizes[i % sizes.length] ?? 60);
    return { ts: 1_700_000_000 + i / 8, bytes: new Uint8Array(size).fill(i & 0xff) };
  });
  const file = pcapFile(1, frames);

  async function readFromDisk(bytes: Uint8Array, between?: (got: Got[]) => ReturnType<BetweenChunks>): Promise<{ got: Got[]; error: string | undefined }> {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-capture-'));
    try {
      const path = join(dir, 'c.pcap');
      writeFileSync(path, bytes);
      const got: Got[] = [];
      const sink = (p: CapturedPacket): void => {
        got.push({ ts: p.ts, linkType: p.linkType, interfaceName: p.interfaceName, data: p.data.slice() });
      };
      const r = await readCaptureFile(path, sink, between === undefined ? undefined : () => between(got));
      return { got, error: r.error };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('gives every packet exactly as parsing the whole file in memory does', async () => {
    assert.ok(file.length > 3 * 4 * 1024 * 1024, `the file spans several chunks (${file.length} bytes)`);
    const { got, error } = await readFromDisk(file);
    assert.equal(error, undefined);
    const expected = parseAll(file);
    assert.equal(got.length, frames.length);
    for (let i = 0; i < expected.length; i++) {
      assert.equal(got[i]?.ts, expected[i]?.ts, `packet ${i}`);
      assert.deepEqual(got[i]?.data, expected[i]?.data, `packet ${i}`);
    }
  });

  it('parses nothing more while the reader of the output holds it between chunks, and everything after', async () => {
    const held: number[] = [];
    const { got, error } = await readFromDisk(file, async (sofar) => {
      held.push(sofar.length);
      // Long enough for the chunk read ahead to arrive: it must wait, not be parsed.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(sofar.length, held.at(-1), 'no packet while held');
    });
    assert.equal(error, undefined);
    assert.equal(held.length, Math.ceil(file.length / (4 * 1024 * 1024)), 'held after every chunk read');
    assert.ok(held.every((n, i) => n > (held[i - 1] ?? 0)), `packets when held: ${held.join(', ')}`);
    assert.ok((held[0] ?? 0) < frames.length / 10, `packets when first held: ${held[0]}`);
    assert.deepEqual(got, parseAll(file));
  });

  it('reports a capture cut inside its last record after the packets before it', async () => {
    const { got, error } = await readFromDisk(file.subarray(0, file.length - 2));
    assert.equal(got.length, frames.length - 1);
    assert.match(error ?? '', /truncated: the capture ends inside a record after 2399 packets/);
  });
});
