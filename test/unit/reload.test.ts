import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RELOAD_LOG_EVERY_S, ReloadLines } from '../../src/app/reload.js';

describe('reload lines', () => {
  it('300 reloads a second apart give a line every 10 s, each counting those left out', () => {
    const lines = new ReloadLines();
    const written: number[] = [];
    for (let i = 0; i < 300; i++) {
      const line = lines.take('reloaded', 1000 + i);
      if (line !== undefined) written.push(line.notLogged);
    }
    assert.equal(RELOAD_LOG_EVERY_S, 10);
    assert.equal(written.length, 30);
    assert.deepEqual(written.slice(0, 3), [0, 9, 9]);
  });

  it('bounds failed reloads apart from successful ones', () => {
    const lines = new ReloadLines();
    assert.deepEqual(lines.take('reloaded', 0), { notLogged: 0 });
    assert.deepEqual(lines.take('failed', 1), { notLogged: 0 });
    assert.equal(lines.take('failed', 2), undefined);
    assert.deepEqual(lines.take('failed', 11), { notLogged: 1 });
  });
});
