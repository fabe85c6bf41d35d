/**
 * A million mutated copies of the packet fixtures through `replay`, for `npm run bench`: each copy cut
 * short, bytes changed or both (seeded, so every run is the same), one capture per link type. Each
 * copy is decoded on its own while the capture is written, and replay's counts must add up to that:
 * packets read, adverts, rejections by reason, and one `--packets` line per advert or rejection.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { replay } from '../src/app/replay.js';
import { decodeFrame } from '../src/core/wire/decode.js';
import { allPacketFixtures, pcapHeader, writeRecordHeader } from '../test/helpers/fixtures.js';
import type { PacketFixture } from '../test/helpers/fixtures.js';
import { heading } from './machine.js';

const COPIES = 1_000_000;

/** mulberry32: a small seeded generator, so the mutations are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(f: PacketFixture, next: () => number): Uint8Array {
  const cut = next() < 0.3 ? Math.floor(next() * (f.bytes.length + 1)) : f.bytes.length;
  const bytes = Uint8Array.from(f.bytes.subarray(0, cut));
  const changes = next() < 0.85 ? 1 + Math.floor(next() * 3) : 0;
  for (let i = 0; i < changes && bytes.length > 0; i++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
  return bytes;
}

interface Expected {
  packets: number;
  adverts: number;
  invalid: Map<string, number>;
}

export async function benchMutations(dir: string): Promise<void> {
  heading(`${COPIES.toLocaleString('en')} mutated copies of the packet fixtures through replay (cut, bytes changed; one capture per link type)`);
  const fixtures = allPacketFixtures();
  const next = random(19);
  const byLink = new Map<number, { fd: number; file: string; expected: Expected; chunk: Buffer[] }>();
  for (const f of fixtures) {
    if (byLink.has(f.linkType)) continue;
    const file = join(dir, `mutated-${f.linkType}.pcap`);
    const fd = openSync(file, 'w');
    writeSync(fd, pcapHeader(f.linkType));
    byLink.set(f.linkType, { fd, file, expected: { packets: 0, adverts: 0, invalid: new Map() }, chunk: [] });
  }
  for (let n = 0; n < COPIES; n++) {
    const f = fixtures[Math.floor(next() * fixtures.length)] as PacketFixture;
    const out = byLink.get(f.linkType);
    if (out === undefined) continue;
    const bytes = mutate(f, next);
    const d = decodeFrame(f.linkType, bytes);
    out.expected.packets++;
    if (d.kind === 'advert') out.expected.adverts++;
    else if (d.kind === 'invalid') out.expected.invalid.set(d.reason, (out.expected.invalid.get(d.reason) ?? 0) + 1);
    const rec = Buffer.alloc(16);
    writeRecordHeader(rec, 0, 1_800_000_000 + n / 1000, bytes.length);
    out.chunk.push(rec, Buffer.from(bytes));
    if (out.chunk.length >= 4096) {
      writeSync(out.fd, Buffer.concat(out.chunk));
      out.chunk.length = 0;
    }
  }
  const t0 = process.hrtime.bigint();
  let packets = 0;
  let adverts = 0;
  let invalid = 0;
  let lines = 0;
  const wrong: string[] = [];
  for (const [linkType, out] of byLink) {
    writeSync(out.fd, Buffer.concat(out.chunk));
    closeSync(out.fd);
    let fileLines = 0;
    const { report, error } = await replay({ file: out.file, onPacket: () => {
      fileLines++;
    } });
    const reasons = Object.entries(report.invalid);
    const rejected = reasons.reduce((s, [, c]) => s + c, 0);
    const e = out.expected;
    const same = error === undefined && report.packets === e.packets && report.adverts === e.adverts && reasons.length === e.invalid.size && reasons.every(([r, c]) => e.invalid.get(r) === c) && fileLines === report.adverts + rejected;
    if (!same) wrong.push(`link type ${linkType}: read ${report.packets}/${e.packets}, adverts ${report.adverts}/${e.adverts}, lines ${fileLines}, ${JSON.stringify(report.invalid)}${error === undefined ? '' : `, ${error}`}`);
    packets += report.packets;
    adverts += report.adverts;
    invalid += rejected;
    lines += fileLines;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `  ${packets.toLocaleString('en')} packets read in ${seconds.toFixed(1)} s: ${adverts.toLocaleString('en')} adverts + ${invalid.toLocaleString('en')} rejections with a reason = ${lines.toLocaleString('en')} --packets lines, ` +
      `the rest not VRRP; ${wrong.length === 0 ? 'every count adds up (target: no exception, every count adds up)' : `COUNTS DIFFER: ${wrong.join('; ')}`}`,
  );
}
