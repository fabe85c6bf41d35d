/**
 * The command line in our own words: each problem with the arguments is one line naming the option, and
 * each command's help lists exactly the options it takes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commandHelp, commandOptions, COMMANDS, parseCommand, USAGE, UsageError } from '../../src/cli-args.js';
import type { Command } from '../../src/cli-args.js';

function problem(command: Command, args: string[]): string {
  try {
    parseCommand(command, args);
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.command, command);
    return err.line();
  }
  assert.fail(`${command} ${args.join(' ')} was accepted`);
}

/** The long options a help text names. */
function named(help: string): string[] {
  return [...new Set(help.match(/--[a-z][a-z.-]*[a-z]/g) ?? [])].sort();
}

describe('command line problems', () => {
  it('an unknown option is named, in quotes, with the command whose help lists the options', () => {
    assert.equal(problem('serve', ['--bogus']), 'serve has no option "--bogus" (see vrrpwatch serve --help)');
    assert.equal(problem('once', ['-i', 'lo', '-x']), 'once has no option "-x" (see vrrpwatch once --help)');
    assert.equal(problem('replay', ['f.pcap', '--window=3']), 'replay has no option "--window" (see vrrpwatch replay --help)');
  });

  it('says which option misses its value, takes none, or would take the next option as its value', () => {
    assert.equal(problem('replay', ['f.pcap', '--format']), '--format needs a value (see vrrpwatch replay --help)');
    assert.equal(problem('serve', ['--live=yes']), '--live takes no value, but was given "yes" (see vrrpwatch serve --help)');
    assert.equal(problem('replay', ['f.pcap', '--format', '--packets']), '--format needs a value, not the option "--packets" (--format=VALUE gives a value that starts with "--") (see vrrpwatch replay --help)');
  });

  it('shows a hostile option name with its controls escaped, never raw', () => {
    const line = problem('serve', ['--\x1b]0;owned\x07\u202e']);
    assert.equal(line, 'serve has no option "--\\u001b]0;owned\\u0007\\u202e" (see vrrpwatch serve --help)');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u202e]/);
  });

  it('accepts every form the help shows: repeated, short, inline values, and a value that starts with one dash', () => {
    const { values, positionals } = parseCommand('once', ['-i', 'eth0', '--interface=eth1', '-t', '5', '--vrid', '51', '--vrid=52', '--window', '-1']);
    assert.deepEqual(values.interface, ['eth0', 'eth1']);
    assert.deepEqual(values.vrid, ['51', '52']);
    assert.equal(values.timeout, '5');
    assert.equal(values.window, '-1', 'left for the range check, which names the option');
    assert.deepEqual(positionals, []);
    assert.equal(parseCommand('serve', ['--no-collector.router']).values['no-collector.router'], true);
  });
});

describe('help per command', () => {
  for (const command of COMMANDS) {
    it(`${command} --help names exactly the long options ${command} takes`, () => {
      const options = Object.keys(commandOptions(command))
        .filter((o) => !o.startsWith('collector.') && !o.startsWith('no-collector.') && o !== 'help')
        .map((o) => `--${o}`);
      const help = commandHelp(command);
      // serve's help says --no-collector.NAME and --collector.NAME once for all the collectors.
      const shown = named(help).filter((o) => o !== '--collector' && o !== '--no-collector');
      assert.deepEqual(shown, options.sort());
      assert.match(help, new RegExp(`^usage:\\n {2}vrrpwatch ${command === 'serve' ? '\\[serve\\]' : command} `));
    });
  }

  it('the whole usage holds every command help, and one command help none of the others', () => {
    for (const command of COMMANDS) for (const option of named(commandHelp(command))) assert.ok(USAGE.includes(option), option);
    assert.doesNotMatch(commandHelp('replay'), /--window|--web\.listen-address|--interface/);
    assert.doesNotMatch(commandHelp('once'), /--packets|--output|--web\.listen-address/);
    assert.doesNotMatch(commandHelp('serve'), /--window|--format|--packets/);
  });
});
