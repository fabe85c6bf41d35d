/**
 * keepalived's notify_fifo as vrrpwatch reads it, against a real FIFO written the way keepalived writes
 * it (opened read-write and non-blocking, lines `INSTANCE "NAME" STATE PRIORITY`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NOTIFY_LINE_MAX_BYTES, NotifyFifo } from '../../src/adapters/keepalived.js';
import { sleep, waitFor } from '../../lab/lab.js';

let dir = '';

/** Bytes the heap and buffers hold after a full collection. */
function held(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('reading notify_fifo', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-fifo-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the FIFO, reads states, and forgets them when keepalived goes (a SIGKILL says nothing more)', async () => {
    const path = join(dir, 'notify_fifo');
    const seen: string[] = [];
    const fifo = new NotifyFifo(path, {
      state: (instance, state) => seen.push(`${instance} ${state}`),
      status: (problem) => seen.push(problem === undefined ? 'reading' : 'waiting'),
      gone: () => seen.push('gone'),
    });
    try {
      fifo.start();
      assert.deepEqual(seen, ['waiting']);
      execFileSync('mkfifo', [path]);
      await waitFor('the FIFO to be opened', () => seen.includes('reading'), 5000);

      // keepalived starts: it opens the FIFO and reports.
      let keepalived = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
      writeSync(keepalived, 'INSTANCE "VI_1" BACKUP 100\nGROUP "G1" BACKUP\nINSTANCE "VI_1" MASTER 150\n');
      await waitFor('MASTER', () => fifo.states.get('VI_1') === 'MASTER', 5000);
      assert.deepEqual([...fifo.states], [['VI_1', 'MASTER']]);

      // keepalived dies: its end of the FIFO closes without another word.
      closeSync(keepalived);
      await waitFor('the states to be forgotten', () => seen.includes('gone'), 5000);
      assert.equal(fifo.states.size, 0);

      // The next keepalived is read again.
      keepalived = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
      writeSync(keepalived, 'INSTANCE "VI_1" BACKUP 100\n');
      await waitFor('BACKUP from the next keepalived', () => fifo.states.get('VI_1') === 'BACKUP', 5000);
      closeSync(keepalived);
      await waitFor('gone again', () => seen.filter((e) => e === 'gone').length === 2, 5000);
      assert.deepEqual(seen, ['waiting', 'reading', 'VI_1 BACKUP', 'VI_1 MASTER', 'gone', 'reading', 'VI_1 BACKUP', 'gone', 'reading']);
    } finally {
      fifo.close();
    }
  });

  it('drops a line longer than 4 KiB and counts it, without holding it (32 MiB and no newline for a while)', async () => {
    const path = join(dir, 'long_fifo');
    execFileSync('mkfifo', [path]);
    const dropped: number[] = [];
    const fifo = new NotifyFifo(path, {
      state: () => undefined,
      status: () => undefined,
      gone: () => undefined,
      longLine: (n) => dropped.push(n),
    });
    const writer = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    /** Writes all of `bytes`, waiting while the FIFO is full (it holds 64 KiB). */
    const write = async (bytes: Buffer): Promise<void> => {
      let at = 0;
      while (at < bytes.length) {
        try {
          at += writeSync(writer, bytes, at);
        } catch (err) {
          if ((err as { code?: string }).code !== 'EAGAIN') throw err;
          await sleep(2);
        }
      }
    };
    try {
      fifo.start();
      await write(Buffer.from('INSTANCE "VI_1" BACKUP 100\n'));
      await waitFor('BACKUP', () => fifo.states.get('VI_1') === 'BACKUP', 5000);
      const mebibyte = Buffer.alloc(1 << 20, 'x');
      const before = held();
      for (let i = 0; i < 32; i++) await write(mebibyte);
      // The FIFO holds 64 KiB: the reader has taken all but that of the 32 MiB. The read buffers it let go
      // of are freed by a collection that may come a moment later (seen on a loaded machine): the least of
      // a few samples is what is held. A line held whole would be 32 MiB in every sample.
      let least = Infinity;
      for (let i = 0; i < 5; i++) {
        await sleep(50);
        least = Math.min(least, held());
      }
      const grown = least - before;
      assert.ok(grown < 8 << 20, `the long line is not held (${grown} bytes more after 32 MiB)`);
      await write(Buffer.from(' MASTER 200\nINSTANCE "VI_1" MASTER 150\n'));
      await waitFor('MASTER after the long line', () => fifo.states.get('VI_1') === 'MASTER', 10_000);
      assert.deepEqual(dropped, [1]);
      assert.equal(fifo.droppedLines, 1);
      // A line of exactly the bound is still read.
      await write(Buffer.from(`INSTANCE "${'v'.repeat(NOTIFY_LINE_MAX_BYTES - 'INSTANCE "" FAULT 0'.length)}" FAULT 0\n`));
      await waitFor('the longest line allowed', () => [...fifo.states.values()].includes('FAULT'), 5000);
      assert.equal(fifo.droppedLines, 1);
    } finally {
      closeSync(writer);
      fifo.close();
    }
  });
});
