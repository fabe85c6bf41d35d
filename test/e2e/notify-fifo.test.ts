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
import { NotifyFifo } from '../../src/adapters/keepalived.js';
import { waitFor } from '../../lab/lab.js';

let dir = '';

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
});
