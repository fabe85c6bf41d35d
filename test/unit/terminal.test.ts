/**
 * What came from a capture, the network or a config is shown on a terminal, never obeyed: replay's text
 * report, the HTML report, `--live` and the log make C0/C1 controls, DEL and bidi controls visible.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { replay } from '../../src/app/replay.js';
import { visible, visibleFields, visibleLines } from '../../src/outputs/terminal.js';
import { renderText } from '../../src/outputs/report.js';
import { renderHtmlReport } from '../../src/outputs/html-replay.js';
import { renderLive } from '../../src/outputs/live.js';
import { quote } from '../../src/core/base/quote.js';
import { pcapngFile, ROOT, vrrpFrame } from '../helpers/fixtures.js';

/** A name that sets the window title, clears the screen, writes the clipboard, forges a line and reads backwards. */
const HOSTILE = 'eth0\x1b]0;owned\x07\x1b[2J\x1b]52;c;cm0gLXJmIC8=\x07\r\nvrrpwatch OK\u202edesrever\x9b31m\x7f\0';
const SHOWN = 'eth0\\x1b]0;owned\\x07\\x1b[2J\\x1b]52;c;cm0gLXJmIC8=\\x07\\x0d\\x0avrrpwatch OK\\u202edesrever\\x9b31m\\x7f\\x00';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

describe('terminal escaping', () => {
  it('makes each control visible and leaves other text as it is', () => {
    assert.equal(visible(HOSTILE), SHOWN);
    for (const ch of ['\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
      assert.equal(visible(ch), `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    }
    assert.equal(visible('été ✓ 日本 \\x1b'), 'été ✓ 日本 \\x1b');
    assert.equal(visibleLines('a\nb\x1bc\r\n'), 'a\nb\\x1bc\\x0d\n');
    assert.equal(quote('a\u202eb\x9b'), '"a\\u202eb\\u009b"');
  });

  it("walks a log call's fields, keys and errors", () => {
    const err = new Error(`no ${HOSTILE}`);
    const fields = visibleFields({ interface: HOSTILE, list: [HOSTILE], nested: { [HOSTILE]: 1 }, n: 5, err }) as Record<string, unknown>;
    assert.doesNotMatch(JSON.stringify(fields).replace(/\\\\/g, ''), /\\u00[01]|\\u007f|\u202e/);
    assert.equal(fields.interface, SHOWN);
    assert.deepEqual(fields.list, [SHOWN]);
    assert.deepEqual(fields.nested, { [SHOWN]: 1 });
    assert.equal(fields.n, 5);
    assert.equal((fields.err as { message: string }).message, `no ${SHOWN}`);
  });

  it('replay: a hostile pcapng interface name is visible in the text report, on its own line count, and inert in the HTML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-terminal-'));
    try {
      const file = join(dir, 'hostile.pcapng');
      const frames = [1, 2, 3].map((s) => ({ ts: 1_800_000_000 + s, bytes: vrrpFrame(51, 11, 150) }));
      writeFileSync(file, pcapngFile(HOSTILE, frames));
      const { report } = await replay({ file });
      const text = renderText(report);
      assert.doesNotMatch(text, RAW_CONTROL);
      // Cut at 64 bytes by the parser, and what is left shown.
      assert.ok(text.includes(`group vrid 51 ipv4 on ${SHOWN.slice(0, SHOWN.indexOf('\\x9b'))}…: stable`), text);
      assert.doesNotMatch(text, /^vrrpwatch OK/m, 'no line forged');
      const html = renderHtmlReport(report);
      assert.doesNotMatch(html, RAW_CONTROL);
      assert.ok(html.includes('eth0\\x1b]0;owned\\x07'), 'shown as text');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--live: interface names, capture problems and log events are shown, and only our own colours are codes', () => {
    const text = renderLive({
      now: 100,
      title: 'vrrpwatch',
      groups: [],
      node: [],
      conflicts: new Map(),
      captures: [{ interface: HOSTILE, up: false, dropped: 0, problem: `gone: ${HOSTILE}` }],
      probes: [],
      events: [`00:00:01 !! ${HOSTILE}`],
      color: true,
    });
    // eslint-disable-next-line no-control-regex
    const ours = text.replace(/\x1b\[(?:31;1|33|32|2|0)m/g, '');
    assert.doesNotMatch(ours, RAW_CONTROL);
    assert.ok(ours.includes(`capture: ${SHOWN} DOWN (gone: ${SHOWN})`), ours);
    assert.ok(ours.includes(`  00:00:01 !! ${SHOWN}`));
  });

  it('the log (JSON lines and pretty) writes every field and message visible', () => {
    const log = pathToFileURL(join(ROOT, 'dist', 'src', 'adapters', 'log.js')).href;
    for (const format of ['json', 'pretty']) {
      const script = `import { createLogger } from ${JSON.stringify(log)};
        const log = createLogger('info', ${JSON.stringify(format)});
        log.warn({ interface: ${JSON.stringify(HOSTILE)} }, ${JSON.stringify(`capture closed on ${HOSTILE}`)});`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stdout.replace(/\n$/, ''), RAW_CONTROL, format);
      assert.ok(r.stdout.includes(SHOWN.replace(/\\/g, format === 'json' ? '\\\\' : '\\')), `${format}: ${r.stdout}`);
    }
  });
});
