/**
 * The real binary (dist/src/cli.js) answers a bad command line in one line of its own words with the
 * contract's exit code (2; 3 and the plugin's UNKNOWN line for `once`), and gives each command's help alone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/fixtures.js';

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the command line through the real binary', () => {
  it('an unknown option of serve (the default command) or replay: one line on stderr, exit 2', () => {
    for (const [args, line] of [
      [['--bogus'], 'vrrpwatch: serve has no option "--bogus" (see vrrpwatch serve --help)\n'],
      [['serve', '-i', 'lo', '--web.listen-adress', ':1'], 'vrrpwatch: serve has no option "--web.listen-adress" (see vrrpwatch serve --help)\n'],
      [['replay', 'x.pcap', '--format'], 'vrrpwatch: --format needs a value (see vrrpwatch replay --help)\n'],
      [['serve', '--live=1'], 'vrrpwatch: --live takes no value, but was given "1" (see vrrpwatch serve --help)\n'],
      [['frobnicate'], 'vrrpwatch: there is no command "frobnicate" (the commands are serve, once and replay) (see vrrpwatch --help)\n'],
    ] as const) {
      const r = run(...args);
      assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 2, stdout: '', stderr: line }, args.join(' '));
    }
  });

  it('once says it as the plugin UNKNOWN line on stdout, exit 3', () => {
    for (const [args, line] of [
      [['once', '--bogus'], 'VRRP UNKNOWN - once has no option "--bogus" (see vrrpwatch once --help)\n'],
      [['once', '--window', 'soon'], 'VRRP UNKNOWN - --window must be a number of seconds from 0.1 to 3600, not "soon" (see vrrpwatch once --help)\n'],
      [['once', '--vrid'], 'VRRP UNKNOWN - --vrid needs a value (see vrrpwatch once --help)\n'],
    ] as const) {
      const r = run(...args);
      assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 3, stdout: line, stderr: '' }, args.join(' '));
    }
  });

  it('a bad value of a config option names the option', () => {
    const r = run('serve', '--log.level', 'loud', '--check-config');
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'vrrpwatch: --log.level: must be one of fatal, error, warn, info, debug, trace, silent, not "loud"\n');
  });

  it('COMMAND --help and help COMMAND print that command help only, the same text', () => {
    for (const command of ['serve', 'once', 'replay']) {
      const flag = run(command, '--help');
      assert.equal(flag.code, 0, flag.stderr);
      assert.equal(run('help', command).stdout, flag.stdout);
      assert.equal(run(command, '-h').stdout, flag.stdout);
      assert.match(flag.stdout, new RegExp(`^usage:\\n {2}vrrpwatch ${command === 'serve' ? '\\[serve\\]' : command} `));
      const others = ['serve', 'once', 'replay'].filter((c) => c !== command);
      for (const other of others) assert.doesNotMatch(flag.stdout, new RegExp(`^${other} options:`, 'm'), `${command} --help shows ${other}'s options`);
    }
    assert.match(run('once', '--help').stdout, /--window SECONDS/);
    assert.match(run('serve', '--help').stdout, /--web\.listen-address HOST:PORT/);
    assert.doesNotMatch(run('replay', '--help').stdout, /--interface/);
    const all = run('--help').stdout;
    assert.match(all, /^serve options:$/m);
    assert.match(all, /^once options:$/m);
    assert.match(all, /^replay options:$/m);
    assert.equal(run('help').stdout, all);
  });

  it('help for a command that does not exist is an error, not the whole usage', () => {
    const r = run('help', 'frob');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'vrrpwatch: there is no command "frob" (the commands are serve, once and replay) (see vrrpwatch --help)\n');
  });
});
