/**
 * A hostile capture through a real terminal (tmux): `replay` of a pcapng whose interface name sets the
 * window title, clears the screen, writes the clipboard, colours, forges a line with CR/LF and reverses
 * text. The terminal shows exactly the report's text, and its title, colours and screen stay as they were.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../lab/lab.js';
import { CLI, pcapngFile, vrrpFrame } from '../helpers/fixtures.js';

const HOSTILE = 'e\x1b]0;owned\x07\x1b[2J\x1b[31m\x1b]52;c;cm0=\x07\r\nFAKE\u202eX\x9b1m';
/** The test's own tmux server, its socket in the test's directory (removed with it). */
let socket = '';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
}

describe('a hostile capture on a real terminal (tmux)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-tmux-'));
    socket = join(dir, 'tmux.sock');
  });
  after(() => {
    try {
      tmux('kill-server');
    } catch {
      // no server left to kill
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('replay prints the name as text: no title, no clearing, no colour, no forged line', async () => {
    const file = join(dir, 'hostile.pcapng');
    writeFileSync(file, pcapngFile(HOSTILE, [1, 2].map((s) => ({ ts: 1_800_000_000 + s, bytes: vrrpFrame(51, 11, 150) }))));
    const expected = join(dir, 'report.txt');
    execFileSync(process.execPath, [CLI, 'replay', file, '--output', expected]);
    const script = `printf 'before the report\\n'; "$0" "$1" replay "$2"; printf 'END-OF-REPORT\\n'; exec sleep 600`;
    tmux('new-session', '-d', '-x', '300', '-y', '60', '-s', 'replay', 'sh', '-c', script, process.execPath, CLI, file);
    const titleBefore = tmux('display-message', '-p', '-t', 'replay', '#{pane_title}');
    const screen = await waitFor('the report on the terminal', () => {
      const text = tmux('capture-pane', '-p', '-t', 'replay');
      return text.includes('END-OF-REPORT') ? text : undefined;
    }, 30_000);
    assert.match(screen, /^before the report\n/, 'nothing cleared the screen');
    const shown = screen.slice('before the report\n'.length, screen.indexOf('END-OF-REPORT'));
    assert.equal(shown, readFileSync(expected, 'utf8'), 'the terminal shows the text of the report, line for line');
    assert.ok(shown.includes('on e\\x1b]0;owned\\x07\\x1b[2J\\x1b[31m\\x1b]52;c;cm0=\\x07\\x0d\\x0aFAKE\\u202eX'), shown);
    assert.doesNotMatch(shown, /^FAKE/m, 'no forged line');
    assert.equal(tmux('display-message', '-p', '-t', 'replay', '#{pane_title}'), titleBefore, 'the title is unchanged');
    // With -e tmux writes the attributes of each cell as SGR sequences: a plain screen has none.
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(tmux('capture-pane', '-p', '-e', '-t', 'replay'), /\x1b\[[0-9;]*[1-9][0-9;]*m/, 'no colour or attribute was set');
  });
});
