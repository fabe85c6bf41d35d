import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptureFile } from '../../src/adapters/capture-file.js';
import { replay } from '../../src/app/replay.js';
import { CaptureFileParser, MAX_INTERFACES } from '../../src/core/wire/capture-file.js';
import { renderHtmlReport } from '../../src/outputs/html-replay.js';
import { renderText } from '../../src/outputs/report.js';
import { block, epb, idb, option, shb, vrrpFrame } from '../helpers/fixtures.js';

/** An Ethernet interface block with raw options (name, if_tsresol, if_tsoffset as given). */
function idbWith(name: Uint8Array, tsresol?: number, tsoffset?: bigint): Uint8Array {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(1, 0);
  head.writeUInt32LE(262144, 4);
  const opts = [option(2, name)];
  if (tsresol !== undefined) opts.push(option(9, Uint8Array.of(tsresol)));
  if (tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    v.writeBigInt64LE(tsoffset);
    opts.push(option(14, v));
  }
  opts.push(Buffer.alloc(4));
  return block(1, Buffer.concat([head, ...opts]));
}

const advert = vrrpFrame(7, 1, 200);

function parse(bytes: Uint8Array): { got: { ts: number; name: string }[]; parser: CaptureFileParser } {
  const got: { ts: number; name: string }[] = [];
  const parser = new CaptureFileParser((p) => got.push({ ts: p.ts, name: p.interfaceName }));
  parser.feed(bytes, bytes.length, true);
  return { got, parser };
}

async function replayBytes(bytes: Uint8Array): Promise<Awaited<ReturnType<typeof replay>>> {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-hostile-'));
  try {
    const file = join(dir, 'hostile.pcapng');
    writeFileSync(file, bytes);
    return await replay({ file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('hostile pcapng times', () => {
  it('rejects times no Date can hold, counted, and the text and HTML reports still render', async () => {
    const file = Buffer.concat([
      shb(),
      idbWith(Buffer.from('eth0')),
      idbWith(Buffer.from('huge'), 0, 8_640_000_000_001n), // whole seconds, if_tsoffset beyond Date's range
      idbWith(Buffer.from('fine'), 0x80 | 0x7f), // 2^-127 s ticks
      epb(0, 1_700_000_000_000000n, advert),
      epb(1, 1n, advert),
      epb(0, 1_700_000_001_000000n, advert),
      epb(0, 0xffffffffffffffffn, advert), // 1.8e13 s in µs
      epb(2, 1n << 63n, advert), // 2^-64 s: 1970, far back
      epb(0, 1_700_000_002_000000n, advert),
    ]);
    const { got, parser } = parse(file);
    assert.deepEqual(got.map((p) => p.ts), [1_700_000_000, 1_700_000_001, 1_700_000_002]);
    assert.deepEqual(parser.rejected, { time_out_of_range: 2, time_backwards: 1 });
    assert.equal(parser.packets, 6);
    const { report } = await replayBytes(file);
    assert.equal(report.invalid['time_out_of_range'], 2);
    assert.equal(report.adverts, 3);
    const text = renderText(report);
    assert.match(text, /time_out_of_range 2/);
    assert.doesNotMatch(text, /Invalid time|RangeError/);
    assert.match(renderHtmlReport(report), /<\/html>/);
  });

  it('skips a packet far back in time rather than reporting a near failover of decades', async () => {
    const file = Buffer.concat([
      shb(),
      idbWith(Buffer.from('eth0')),
      epb(0, 1_700_000_000_000000n, advert),
      epb(0, 1_700_000_001_000000n, advert),
      epb(0, 5_000000n, advert), // 1970
      epb(0, 1_700_000_002_000000n, advert),
      epb(0, 1_700_000_001_500000n, advert), // reordered by half a second: kept
      epb(0, 1_700_000_003_000000n, advert),
    ]);
    const { got, parser } = parse(file);
    assert.deepEqual(got.map((p) => p.ts), [1_700_000_000, 1_700_000_001, 1_700_000_002, 1_700_000_001.5, 1_700_000_003]);
    assert.deepEqual(parser.rejected, { time_backwards: 1 });
    assert.equal(parser.firstTime, 1_700_000_000);
    assert.equal(parser.lastTime, 1_700_000_003);
    const { report } = await replayBytes(file);
    assert.equal(report.invalid['time_backwards'], 1);
    const text = renderText(report);
    assert.doesNotMatch(text, /near failover/);
    assert.doesNotMatch(text, /1970/);
  });
});

describe('hostile pcapng interfaces', () => {
  it('cuts interface names at 64 bytes, on a character, with an ellipsis', () => {
    const long = Buffer.from(`${'a'.repeat(63)}é${'b'.repeat(60000)}`);
    const file = Buffer.concat([shb(), idbWith(long), idbWith(Buffer.from(`${'c'.repeat(64)}\0\0\0`)), epb(0, 1_000000n, advert), epb(1, 2_000000n, advert)]);
    const { got } = parse(file);
    assert.equal(got[0]?.name, `${'a'.repeat(63)}…`);
    assert.equal(got[1]?.name, 'c'.repeat(64));
  });

  it(`keeps ${MAX_INTERFACES} interfaces per section and counts the packets of further ones`, () => {
    const blocks = [shb()];
    for (let i = 0; i < MAX_INTERFACES + 10; i++) blocks.push(idb(1, `if-${i}`));
    blocks.push(epb(0, 1_000000n, advert), epb(MAX_INTERFACES - 1, 2_000000n, advert), epb(MAX_INTERFACES + 3, 3_000000n, advert));
    const { got, parser } = parse(Buffer.concat(blocks));
    assert.deepEqual(got.map((p) => p.name), ['if-0', `if-${MAX_INTERFACES - 1}`]);
    assert.deepEqual(parser.rejected, { interface_over_cap: 1 });
    assert.equal(parser.packets, 3);
  });

  it('still refuses a packet for an interface never declared', () => {
    const file = Buffer.concat([shb(), idb(1, 'eth0'), epb(5, 1_000000n, advert)]);
    assert.throws(() => parse(file), /undeclared interface 5/);
  });
});

describe('a FIFO as the capture file', () => {
  it('is read to its end, with a note that it waits for a writer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-fifo-'));
    try {
      const fifo = join(dir, 'capture');
      execFileSync('mkfifo', [fifo]);
      const notes: string[] = [];
      const times: number[] = [];
      const reading = readCaptureFile(fifo, (p) => times.push(p.ts), undefined, (line) => notes.push(line));
      const writer = await open(fifo, 'w');
      await writer.write(Buffer.concat([shb(), idb(1, 'eth0'), epb(0, 1_000000n, advert), epb(0, 2_000000n, advert)]));
      await writer.close();
      const result = await reading;
      assert.deepEqual(times, [1, 2]);
      assert.equal(result.packets, 2);
      assert.equal(notes.length, 1);
      assert.match(notes[0] ?? '', /is a FIFO: .*waiting for a writer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
