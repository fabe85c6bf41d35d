/**
 * The failover risk in replay, from generated captures: a master that loses adverts is at risk in the
 * report (text and JSON) and on the HTML page; the same capture as pcapng whose drop counts (epb_dropcount,
 * interface statistics) cover its near failover is not, since our own capture may have lost those adverts.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replay } from '../../src/app/replay.js';
import { renderJson, renderText } from '../../src/outputs/report.js';
import { renderHtmlReport } from '../../src/outputs/html-replay.js';
import { CaptureFileParser } from '../../src/core/wire/capture-file.js';
import { count64, epb, idb, isb, pcapFile, shb, vrrpFrame } from '../helpers/fixtures.js';

const T0 = 1_800_000_000;
/** Slots a master at 192.0.2.11 (priority 150, VRID 51, 1 s) does not advertise: 4 singles, then two in a row at 50-51. */
const LOST = new Set([10, 20, 30, 40, 50, 51]);
const FRAME = vrrpFrame(51, 11, 150);
const slots = Array.from({ length: 120 }, (_, i) => i).filter((i) => !LOST.has(i));

const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-risk-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('failover risk in replay', () => {
  it('a master missing 6 adverts with a near failover among them is at risk from that gap for the window', async () => {
    const path = file('lossy.pcap', pcapFile(1, slots.map((i) => ({ ts: T0 + i, bytes: FRAME }))));
    const { report } = await replay({ file: path });
    const [g] = report.groups;
    // Priority 150: deadline 3 + 106/256 s; the gap from 49 to 52 (3 s) is a near failover, the 6th advert missing.
    assert.deepEqual(g?.failover_risk, [{ start: T0 + 52, end: T0 + 112 }]);
    const text = renderText(report);
    assert.match(text, /failover risk: the master's adverts came close to the takeover deadline/);
    const json = JSON.parse(renderJson(report)) as { groups: { failover_risk: unknown }[] };
    assert.deepEqual(json.groups[0]?.failover_risk, [{ start: T0 + 52, end: T0 + 112 }]);
    assert.match(renderHtmlReport(report), /at risk of a failover/);
  });

  it('the same capture as pcapng with the near failover inside a drop window is not at risk', async () => {
    const packets = (dropAt: number | undefined): Uint8Array[] => slots.map((i) => epb(0, BigInt((T0 + i) * 1e6), FRAME, true, i === dropAt ? [count64(4, 2)] : []));
    // epb_dropcount on the advert that ends the near failover: dropped since the packet before.
    const epbDrops = file('epb-drops.pcapng', Buffer.concat([shb(), idb(1, 'eth0'), ...packets(52)]));
    assert.deepEqual((await replay({ file: epbDrops })).report.groups[0]?.failover_risk, []);
    // An interface statistics block at 51.5 whose drop counters grew since the one at 45.
    const stats = (at: number, dropped: number): Uint8Array => isb(0, BigInt((T0 + at) * 1e6), [count64(5, dropped), count64(7, 1)]);
    const all = packets(undefined);
    const isbDrops = file('isb-drops.pcapng', Buffer.concat([shb(), idb(1, 'eth0'), ...all.slice(0, 42), stats(45.5, 0), ...all.slice(42, 46), stats(51.5, 3), ...all.slice(46)]));
    assert.deepEqual((await replay({ file: isbDrops })).report.groups[0]?.failover_risk, []);
    // Without drops, the pcapng is judged as the pcap is.
    const clean = file('clean.pcapng', Buffer.concat([shb(), idb(1, 'eth0'), ...all]));
    assert.deepEqual((await replay({ file: clean })).report.groups[0]?.failover_risk, [{ start: T0 + 52, end: T0 + 112 }]);
  });

  it('the parser reports what pcapng says was dropped, dated from the packet or block before', () => {
    const got: [string, number, number, number][] = [];
    const parser = new CaptureFileParser(() => undefined, (iface, from, to, count) => got.push([iface, from, to, count]));
    const bytes = Buffer.concat([
      shb(),
      idb(1, 'eth0'),
      epb(0, 1_000000n, FRAME),
      epb(0, 2_000000n, FRAME, true, [count64(4, 5)]),
      isb(0, 3_000000n, [count64(5, 2), count64(7, 1)]),
      isb(0, 4_000000n, [count64(5, 2), count64(7, 1)]),
      isb(0, 5_000000n, [count64(5, 4), count64(7, 1)]),
    ]);
    parser.feed(bytes, bytes.length, true);
    assert.deepEqual(got, [
      ['eth0', 1, 2, 5],
      ['eth0', 2, 3, 3],
      ['eth0', 4, 5, 2],
    ]);
  });
});
