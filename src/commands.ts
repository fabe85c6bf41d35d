/**
 * The commands, loaded by the entry module (cli.ts) once it holds the signals: the only place that reads
 * argv and sets the exit code.
 */
import { defaultSignals, handleSignals } from './adapters/signals.js';
import { commandHelp, COMMANDS, parseCommand, USAGE, UsageError } from './cli-args.js';
import type { Command, Values } from './cli-args.js';
import { quote } from './core/base/quote.js';
import { visible, visibleLines } from './outputs/terminal.js';
import { DEFAULT_CONFIG, withOverrides } from './config.js';
import type { Overrides } from './config.js';
import { replay } from './app/replay.js';
import { hmacGroups, loadConfig, loadSettings, SettingsError } from './app/settings.js';
import { CaptureFileError } from './adapters/capture-file.js';
import { drained, exitWhenFlushed, watchOutput } from './adapters/stdio.js';
import { EXIT } from './outputs/nagios.js';
import { ReportFileError, writeReport } from './adapters/report-file.js';
import { renderJson, renderText } from './outputs/report.js';
import { renderHtmlReport } from './outputs/html-replay.js';
import { VERSION } from './version.js';
import { collectorChoice } from './outputs/collectors.js';

/** Exit codes of replay and of usage errors. */
const EXIT_OK = 0;
const EXIT_ERROR = 2;
/** Nagios UNKNOWN: `once` with bad arguments or an internal problem (the plugin's own code). */
const EXIT_UNKNOWN = EXIT.UNKNOWN;

/** `--packets` lines are written in batches of about this many characters (one write each). */
const PACKET_LINES_BATCH = 1 << 20;

/** A line (or lines) on stderr, every control in what it quotes made visible. */
function say(message: string): void {
  process.stderr.write(`vrrpwatch: ${visibleLines(message)}\n`);
}

function fail(message: string, code: number): number {
  say(message);
  return code;
}

/** A command's arguments, or undefined once its help is printed (`COMMAND --help`). */
function argsOf(command: Command, args: readonly string[]): { values: Values; positionals: string[] } | undefined {
  const parsed = parseCommand(command, args);
  if (parsed.values.help !== true) return parsed;
  process.stdout.write(commandHelp(command));
  return undefined;
}

async function runReplay(args: string[]): Promise<number> {
  const parsed = argsOf('replay', args);
  if (parsed === undefined) return EXIT_OK;
  const { values, positionals } = parsed;
  const configFile = text(values, 'config');
  const output = text(values, 'output');
  const packets = values.packets === true;
  let hmac;
  let watched;
  try {
    const config = configFile === undefined ? DEFAULT_CONFIG : loadConfig(configFile);
    hmac = configFile === undefined ? undefined : hmacGroups(config);
    // The watch list: the config's `vips:` and --vip, checked as serve checks them.
    const merged = withOverrides(config, { vips: list(values, 'vip') ?? [] });
    if (!merged.ok) return fail(merged.errors.join('\nvrrpwatch: '), EXIT_ERROR);
    watched = merged.value.vips;
  } catch (err) {
    if (err instanceof SettingsError) return fail(err.problems.join('\nvrrpwatch: '), EXIT_ERROR);
    throw err;
  }
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError(`replay needs exactly one capture file, not ${positionals.length}`, 'replay');
  const format = text(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'html') throw new UsageError(`--format must be text, json or html, not ${quote(format)}`, 'replay');
  if (output !== undefined && packets) throw new UsageError('--output writes the report; --packets prints packets to standard output, so they cannot be combined', 'replay');
  const file = positionals[0];
  const out: string[] = [];
  let outChars = 0;
  const flush = (): void => {
    // As bytes: a string the pipe cannot take at once is copied at three bytes a character to wait.
    if (out.length > 0) process.stdout.write(Buffer.from(`${out.join('\n')}\n`));
    out.length = 0;
    outChars = 0;
  };
  const onPacket = (line: string): void => {
    out.push(line);
    outChars += line.length + 1;
    if (outChars >= PACKET_LINES_BATCH) flush();
  };
  // A reader slower than the decoder (`| less`, ssh) holds the capture between chunks rather than
  // letting the lines it has not taken pile up in memory.
  const betweenChunks = (): Promise<void> | undefined => {
    flush();
    return drained(process.stdout);
  };
  const note = (line: string): void => void process.stderr.write(`vrrpwatch: ${visible(line)}\n`);
  const { report, error } = await replay(packets ? { file, onPacket, betweenChunks, hmac, note } : { file, hmac, note, watched });
  if (packets) flush();
  else {
    const rendered = format === 'json' ? renderJson(report) : format === 'html' ? renderHtmlReport(report) : renderText(report);
    if (output === undefined) process.stdout.write(rendered);
    else {
      try {
        writeReport(output, rendered);
      } catch (err) {
        if (!(err instanceof ReportFileError)) throw err;
        return fail(err.message, EXIT_ERROR);
      }
    }
  }
  if (error !== undefined) {
    return fail(error, EXIT_ERROR);
  }
  if (report.adverts === 0 && (packets || format !== 'text')) {
    say(`no VRRP advertisements in ${file}`);
  }
  return EXIT_OK;
}

/** A string option's value (the last one given), or undefined. */
function text(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable option's values, or undefined when it was not given. */
function list(values: Values, key: string): string[] | undefined {
  const v = values[key];
  return Array.isArray(v) ? v : undefined;
}

function overridesOf(values: Values): Overrides {
  const str = (k: string): string | undefined => text(values, k);
  const o: Overrides = {};
  const set = <K extends keyof Overrides>(key: K, value: Overrides[K] | undefined): void => {
    if (value !== undefined) o[key] = value;
  };
  set('interfaces', list(values, 'interface'));
  set('keepalivedConfig', str('keepalived-config'));
  set('keepalivedConfigId', str('keepalived-config-id'));
  set('peers', list(values, 'peer'));
  set('gateway', str('gateway'));
  set('listenAddress', str('web.listen-address'));
  set('telemetryPath', str('web.telemetry-path'));
  set('webConfigFile', str('web.config.file'));
  set('logLevel', str('log.level'));
  set('logFormat', str('log.format'));
  set('vips', list(values, 'vip'));
  if (values['no-vip-probe'] === true) o.vipProbe = false;
  set('vipProbeFramesPerSecond', str('vip-probe.frames-per-second'));
  return o;
}

async function runServe(args: string[]): Promise<number> {
  const parsed = argsOf('serve', args);
  if (parsed === undefined) return EXIT_OK;
  const { values, positionals } = parsed;
  if (positionals[0] !== undefined) throw new UsageError(`serve takes no argument ${quote(positionals[0])}`, 'serve');
  const overrides = overridesOf(values);
  const configFile = text(values, 'config');
  if (values['check-config'] === true) {
    const s = loadSettings(configFile, overrides, true);
    process.stdout.write(
      `config ok: ${s.expected.length} expected groups, ${s.probeTargets.length} probe targets, capture on ${s.config.interfaces.length === 0 ? 'every interface' : s.config.interfaces.join(', ')}, ` +
        `TLS ${s.webConfig?.tls === undefined ? 'off' : 'on'}, basic auth ${(s.webConfig?.basicAuthUsers.size ?? 0) > 0 ? 'on' : 'off'}\n`,
    );
    return EXIT_OK;
  }
  const { serve } = await import('./app/serve.js');
  const { ListenError } = await import('./adapters/http.js');
  let handle;
  try {
    handle = await serve({ configFile, overrides, live: values.live === true, collectors: collectorChoice(args) });
  } catch (err) {
    if (err instanceof ListenError) return fail(err.message, EXIT_ERROR);
    throw err;
  }
  // Signals held since the start (a reload or a stop during start-up) are handled now.
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void handle.stop().then(resolve);
    };
    handleSignals({
      SIGHUP: () => {
        handle.reload();
      },
      SIGTERM: stop,
      SIGINT: stop,
    });
  });
  return EXIT_OK;
}

const ONCE_DEFAULT_TIMEOUT = 30;

async function runOnce(args: string[]): Promise<number> {
  const parsed = argsOf('once', args);
  if (parsed === undefined) return EXIT_OK;
  const { values, positionals } = parsed;
  if (values.version === true) {
    process.stdout.write(`vrrpwatch ${VERSION}\n`);
    return EXIT_OK;
  }
  if (positionals[0] !== undefined) throw new UsageError(`once takes no argument ${quote(positionals[0])}`, 'once');
  const seconds = (name: string, min: number, max: number): number | undefined => {
    const v = text(values, name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number of seconds from ${min} to ${max}, not ${quote(v)}`, 'once');
    return n;
  };
  const window = seconds('window', 0.1, 3600);
  const timeout = seconds('timeout', 1, 3600) ?? ONCE_DEFAULT_TIMEOUT;
  const vrids = (list(values, 'vrid') ?? []).map((v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 255) throw new UsageError(`--vrid must be a VRID from 1 to 255, not ${quote(v)}`, 'once');
    return n;
  });
  const format = text(values, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${quote(format)}`, 'once');
  const { once, CheckTimeout, unknownDocument } = await import('./app/once.js');
  const unknown = (summary: string): number => {
    process.stdout.write(format === 'json' ? unknownDocument(summary) : `VRRP UNKNOWN - ${visible(summary)}\n`);
    return EXIT_UNKNOWN;
  };
  try {
    const result = await once({ configFile: text(values, 'config'), overrides: overridesOf(values), window, vrids, timeout, format });
    process.stdout.write(result.text);
    return result.code;
  } catch (err) {
    if (err instanceof CheckTimeout) return unknown(err.message);
    if (err instanceof SettingsError) return unknown(err.problems.join('; '));
    throw err;
  }
}

/** serve is the default command; anything that is not another command or --help/--version is serve's. */
function isServe(argv: readonly string[]): boolean {
  const command = argv[0];
  if (command === undefined || command === 'serve') return true;
  return command.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(command);
}

/** `vrrpwatch help [COMMAND]`: every command's help, or one command's. */
function help(topic: string | undefined, more: readonly string[]): number {
  if (more.length > 0) throw new UsageError(`help takes one command, not ${more.length + 1}`, undefined);
  if (topic === undefined) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c === topic);
  if (command === undefined) throw new UsageError(`there is no command ${quote(topic)} (the commands are serve, once and replay)`, undefined);
  process.stdout.write(commandHelp(command));
  return EXIT_OK;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      return runServe([]);
    case '-h':
    case '--help':
      if (rest.length > 0) throw new UsageError(`${command} comes after the command (vrrpwatch COMMAND --help), not before ${quote(rest[0] ?? '')}`, undefined);
      process.stdout.write(USAGE);
      return EXIT_OK;
    case 'help':
      return help(rest[0], rest.slice(1));
    case '-V':
    case '--version':
      process.stdout.write(`vrrpwatch ${VERSION}\n`);
      return EXIT_OK;
    case 'replay':
      return runReplay(rest);
    case 'serve':
      return runServe(rest);
    case 'once':
      return runOnce(rest);
    default:
      if (command.startsWith('-')) return runServe([...argv]);
      throw new UsageError(`there is no command ${quote(command)} (the commands are serve, once and replay)`, undefined);
  }
}

/** The commands' usage errors are one line: on stderr with exit 2, or for `once` as the plugin's UNKNOWN line. */
function usageFailure(err: UsageError): number {
  if (err.command === 'once') {
    process.stdout.write(`VRRP UNKNOWN - ${visible(err.line())}\n`);
    return EXIT_UNKNOWN;
  }
  return fail(err.line(), EXIT_ERROR);
}

function failure(argv: readonly string[], err: unknown): number {
  if (err instanceof UsageError) return usageFailure(err);
  if (argv[0] === 'once') {
    process.stdout.write(`VRRP UNKNOWN - internal error: ${visible(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT_UNKNOWN;
  }
  if (err instanceof CaptureFileError) return fail(err.message, EXIT_ERROR);
  if (err instanceof SettingsError) return fail(err.problems.join('\nvrrpwatch: '), EXIT_ERROR);
  return fail(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, EXIT_ERROR);
}

/** Runs the command argv names; everything printed reaches its reader (a pipe, a file, a terminal) before the exit. */
export function run(argv: readonly string[]): void {
  const serving = isServe(argv);
  // The other commands die on these signals as any command does.
  if (!serving) defaultSignals();
  // A reader of stdout that goes away (`| head -1`) ends the command quietly; the exporter stops, saying so.
  watchOutput(() => {
    if (serving) process.stderr.write('vrrpwatch: stdout was closed by its reader (EPIPE): the log cannot be written; stopping.\n');
    void exitWhenFlushed(serving ? EXIT_ERROR : EXIT_OK);
  });
  main(argv).then(exitWhenFlushed, (err: unknown) => exitWhenFlushed(failure(argv, err)));
}
