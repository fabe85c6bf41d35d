/** notify_fifo's line splitter: lines across chunks, a bound in bytes, long lines dropped and counted. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/adapters/keepalived.js';

function split(max: number, chunks: string[]): { lines: string[]; dropped: number } {
  const lines: string[] = [];
  let dropped = 0;
  const s = new LineSplitter(
    max,
    (l) => lines.push(l),
    () => dropped++,
  );
  for (const c of chunks) s.push(Buffer.from(c));
  return { lines, dropped };
}

describe('LineSplitter', () => {
  it('joins lines split across chunks and strips a carriage return', () => {
    assert.deepEqual(split(64, ['INSTANCE "VI', '_1" MASTER 150\nINST', 'ANCE "VI_2" BACKUP 100\r\n', '\n']), { lines: ['INSTANCE "VI_1" MASTER 150', 'INSTANCE "VI_2" BACKUP 100', ''], dropped: 0 });
  });

  it('keeps a line of exactly the bound and drops a longer one up to its newline, counted once', () => {
    assert.deepEqual(split(4, ['abcd\nabcde\nok\n']), { lines: ['abcd', 'ok'], dropped: 1 });
    assert.deepEqual(split(4, ['ab', 'cd', 'e', 'fgh', 'ijk\nok', '\n']), { lines: ['ok'], dropped: 1 });
  });

  it('drops a line that never ends once, however much of it comes', () => {
    const { lines, dropped } = split(8, Array.from({ length: 1000 }, () => 'x'.repeat(100)));
    assert.deepEqual({ lines, dropped }, { lines: [], dropped: 1 });
  });
});
