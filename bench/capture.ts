/**
 * Writes a synthetic capture for the benchmark: `seconds` rounds of VRRPv2 adverts over 255 VRIDs
 * (one master each), with a split-brain in every 16th VRID during the middle tenth of the capture.
 */
import { openSync, writeSync, closeSync } from 'node:fs';
import { pcapHeader, vrrpFrame, writeRecordHeader } from '../test/helpers/fixtures.js';

/** Returns the number of advertisements written. */
export function writeBenchCapture(path: string, seconds: number): number {
  const fd = openSync(path, 'w');
  writeSync(fd, pcapHeader(1));
  const masters = Array.from({ length: 255 }, (_, i) => vrrpFrame(i + 1, 11, 150));
  const rogues = Array.from({ length: 255 }, (_, i) => vrrpFrame(i + 1, 12, 100));
  const t0 = 1_800_000_000;
  const out = Buffer.alloc(8 * 1024 * 1024);
  let used = 0;
  let count = 0;
  const put = (ts: number, f: Buffer): void => {
    if (used + 16 + f.length > out.length) {
      writeSync(fd, out, 0, used);
      used = 0;
    }
    writeRecordHeader(out, used, ts, f.length);
    f.copy(out, used + 16);
    used += 16 + f.length;
    count++;
  };
  const splitFrom = Math.floor(seconds * 0.45);
  const splitTo = Math.floor(seconds * 0.55);
  for (let s = 0; s < seconds; s++) {
    for (let v = 0; v < 255; v++) {
      put(t0 + s + v * 0.003, masters[v] as Buffer);
      if (v % 16 === 0 && s >= splitFrom && s < splitTo) put(t0 + s + v * 0.003 + 0.5, rogues[v] as Buffer);
    }
  }
  writeSync(fd, out, 0, used);
  closeSync(fd);
  return count;
}
