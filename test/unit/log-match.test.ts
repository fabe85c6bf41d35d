import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findLogs, logEntries, logMatches } from '../../lab/log-match.js';

const OUTPUT = [
  '{"level":30,"time":1,"app":"vrrpwatch","interface":"eth0","msg":"capture running"}',
  'not json',
  '{"level":40,"msg":"split-brain: more than one master","finding":"split_brain","routers":["192.0.2.11","192.0.2.12"]}',
  '{"level":30,"msg":"cut',
  '',
].join('\n');

describe('log lines read as objects (lab/log-match.ts)', () => {
  it('parses each JSON object line and skips the rest', () => {
    assert.deepEqual(logEntries(OUTPUT).map((e) => e.msg), ['capture running', 'split-brain: more than one master']);
  });

  it('matches on fields whatever their order, values deeply, RegExps against the text', () => {
    const [running, split] = logEntries(OUTPUT);
    assert.ok(running !== undefined && split !== undefined);
    assert.ok(logMatches(running, { msg: 'capture running', interface: 'eth0' }));
    assert.ok(!logMatches(running, { msg: 'capture running', interface: 'eth1' }));
    assert.ok(!logMatches(running, { problem: 'x' }), 'a field the line lacks');
    assert.ok(logMatches(split, { routers: ['192.0.2.11', '192.0.2.12'], level: 40 }));
    assert.ok(!logMatches(split, { routers: ['192.0.2.11'] }), 'arrays are compared whole');
    assert.ok(logMatches(split, { msg: /^split-brain:/ }));
    assert.ok(!logMatches(split, { routers: /192/ }), 'a RegExp reads text or numbers only');
    assert.equal(findLogs(OUTPUT, { level: 30 }).length, 1);
  });
});
