#!/usr/bin/env -S node --max-semi-space-size=2
/** The command line: the only place that reads argv and sets the exit code. */
// First: signals that come while the rest loads are held, not fatal.
import { defaultSignals, handleSignals } from './adapters/signals.js';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
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
import { collectorChoice, collectorOptions } from './outputs/collectors.js';

const USAGE = `usage:
  vrrpwatch [serve] [options]          the Prometheus exporter (the default command)
  vrrpwatch once [options]             Nagios/Icinga check: listen, judge, print one line, exit
  vrrpwatch replay FILE [--format text|json|html] [--output FILE] [--packets] [-c FILE] [--vip ADDR]
  vrrpwatch --help | --version

options (serve and once):
  -i, --interface NAME           capture on NAME (repeatable; default: every interface)
  -c, --config FILE              YAML config; flags override it
  --keepalived-config FILE       expectations from keepalived.conf (includes followed)
  --keepalived-config-id NAME    keepalived's config id (-i): which @NAME lines of a shared keepalived.conf apply
                                 (default: the first label of the host name, as keepalived takes it)
  --peer ADDR                    a peer node to ping (repeatable)
  --gateway ADDR                 the default gateway to ping
  --log.level LEVEL              fatal, error, warn, info (default), debug, trace, silent
  --log.format json|pretty       log format (default json)
  --no-vip-probe                 send no ARP request / Neighbor Solicitation for the VIPs (listen only)
  --vip-probe.frames-per-second N  all VIP probe frames together at most N a second (default 10)
  --vip ADDR                     watch who answers ARP/NDP for ADDR, with or without VRRP (repeatable)

serve options:
  --web.listen-address HOST:PORT where metrics are served (default :9842)
  --web.telemetry-path PATH      default /metrics
  --web.config.file FILE         TLS and basic auth (Prometheus exporter-toolkit format)
  --check-config                 check the config files, print the result and exit
  --live                         a live view of the groups on the terminal, refreshed every second
  --no-collector.NAME            leave a set of /metrics families out (--collector.NAME: keep it; all
                                 are on): group, failover_causes, router, router_errors, hmac, vip,
                                 vip_owner (docs/metrics.md lists each one's families and series)

once options:
  --window SECONDS               how long to listen (default 3 x the largest interval heard, at least 3.5;
                                 with watched VIPs, 4 VIP probe rounds)
  --vrid N                       judge only these VRIDs (repeatable)
  --format text|json             text: the plugin line and a line per group (default); json: the status
                                 document of /api/v1/status with the verdict (docs/once.md)
  -t, --timeout SECONDS          give up (UNKNOWN) after this long
  -V, --version                  print the version

replay options:
  --format text|json|html        report format (default text); html is one self-contained page
  --output FILE                  write the report to FILE instead of standard output
  --packets                      print one JSON line per VRRP packet instead of the report
  -c, --config FILE              a YAML config whose groups' hmac_window_seconds and hmac_key_file apply,
                                 and whose \`vips:\` are watched
  --vip ADDR                     report who answered ARP/NDP for ADDR over the capture (repeatable)
`;

/** Exit codes of replay and of usage errors. */
const EXIT_OK = 0;
const EXIT_ERROR = 2;
/** Nagios UNKNOWN: `once` with bad arguments or an internal problem (the plugin's own code). */
const EXIT_UNKNOWN = EXIT.UNKNOWN;

/** `--packets` lines are written in batches of about this many characters (one write each). */
const PACKET_LINES_BATCH = 1 << 20;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function fail(message: string, code: number): number {
  process.stderr.write(`vrrpwatch: ${message}\n`);
  return code;
}

async function runReplay(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        output: { type: 'string', short: 'o' },
        packets: { type: 'boolean', default: false },
        vip: { type: 'string', multiple: true },
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  let hmac;
  let watched;
  try {
    const config = values.config === undefined ? DEFAULT_CONFIG : loadConfig(values.config);
    hmac = values.config === undefined ? undefined : hmacGroups(config);
    // The watch list: the config's `vips:` and --vip, checked as serve checks them.
    const merged = withOverrides(config, { vips: values.vip ?? [] });
    if (!merged.ok) throw new UsageError(merged.errors.join('; '));
    watched = merged.value.vips;
  } catch (err) {
    if (err instanceof SettingsError) return fail(err.problems.join('\nvrrpwatch: '), EXIT_ERROR);
    throw err;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('replay needs exactly one capture file');
  const format = values.format;
  if (format !== 'text' && format !== 'json' && format !== 'html') throw new UsageError(`--format must be text, json or html, not "${format}"`);
  if (values.output !== undefined && values.packets) throw new UsageError('--output writes the report; --packets prints packets to standard output, so they cannot be combined');
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
  const note = (line: string): void => void process.stderr.write(`vrrpwatch: ${line}\n`);
  const { report, error } = await replay(values.packets ? { file, onPacket, betweenChunks, hmac, note } : { file, hmac, note, watched });
  if (values.packets) flush();
  else {
    const text = format === 'json' ? renderJson(report) : format === 'html' ? renderHtmlReport(report) : renderText(report);
    if (values.output === undefined) process.stdout.write(text);
    else {
      try {
        writeReport(values.output, text);
      } catch (err) {
        if (!(err instanceof ReportFileError)) throw err;
        process.stderr.write(`vrrpwatch: ${err.message}\n`);
        return EXIT_ERROR;
      }
    }
  }
  if (error !== undefined) {
    process.stderr.write(`vrrpwatch: ${error}\n`);
    return EXIT_ERROR;
  }
  if (report.adverts === 0 && (values.packets || format !== 'text')) {
    process.stderr.write(`vrrpwatch: no VRRP advertisements in ${file}\n`);
  }
  return EXIT_OK;
}

const COMMON_OPTIONS = {
  interface: { type: 'string', short: 'i', multiple: true },
  config: { type: 'string', short: 'c' },
  'keepalived-config': { type: 'string' },
  'keepalived-config-id': { type: 'string' },
  peer: { type: 'string', multiple: true },
  gateway: { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
  'no-vip-probe': { type: 'boolean', default: false },
  'vip-probe.frames-per-second': { type: 'string' },
  vip: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function overridesOf(values: Values): Overrides {
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === 'string' ? v : undefined;
  };
  const list = (k: string): string[] | undefined => {
    const v = values[k];
    return Array.isArray(v) ? v.map(String) : undefined;
  };
  const o: Overrides = {};
  const set = <K extends keyof Overrides>(key: K, value: Overrides[K] | undefined): void => {
    if (value !== undefined) o[key] = value;
  };
  set('interfaces', list('interface'));
  set('keepalivedConfig', str('keepalived-config'));
  set('keepalivedConfigId', str('keepalived-config-id'));
  set('peers', list('peer'));
  set('gateway', str('gateway'));
  set('listenAddress', str('web.listen-address'));
  set('telemetryPath', str('web.telemetry-path'));
  set('webConfigFile', str('web.config.file'));
  set('logLevel', str('log.level'));
  set('logFormat', str('log.format'));
  set('vips', list('vip'));
  if (values['no-vip-probe'] === true) o.vipProbe = false;
  set('vipProbeFramesPerSecond', str('vip-probe.frames-per-second'));
  return o;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function runServe(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    ...COMMON_OPTIONS,
    'web.listen-address': { type: 'string' },
    'web.telemetry-path': { type: 'string' },
    'web.config.file': { type: 'string' },
    'check-config': { type: 'boolean', default: false },
    live: { type: 'boolean', default: false },
    ...collectorOptions(),
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
  const overrides = overridesOf(values);
  const configFile = typeof values.config === 'string' ? values.config : undefined;
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

/** `once` speaks the plugin protocol even for its own usage errors: exit 3 (UNKNOWN). */
class OnceUsageError extends Error {
  override readonly name = 'OnceUsageError';
}

const ONCE_DEFAULT_TIMEOUT = 30;

async function runOnce(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parse(args, {
      ...COMMON_OPTIONS,
      window: { type: 'string' },
      vrid: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      timeout: { type: 'string', short: 't' },
      version: { type: 'boolean', short: 'V', default: false },
    });
  } catch (err) {
    throw new OnceUsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (values.version === true) {
    process.stdout.write(`vrrpwatch ${VERSION}\n`);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new OnceUsageError(`unexpected argument "${positionals[0] ?? ''}"`);
  const seconds = (name: string, min: number, max: number): number | undefined => {
    const v = values[name];
    if (typeof v !== 'string') return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new OnceUsageError(`--${name} must be a number of seconds from ${min} to ${max}, not "${v}"`);
    return n;
  };
  const window = seconds('window', 0.1, 3600);
  const timeout = seconds('timeout', 1, 3600) ?? ONCE_DEFAULT_TIMEOUT;
  const vrids = (Array.isArray(values.vrid) ? values.vrid.map(String) : []).map((v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < 1 || n > 255) throw new OnceUsageError(`--vrid must be a VRID from 1 to 255, not "${v}"`);
    return n;
  });
  const format = values.format;
  if (format !== 'text' && format !== 'json') throw new OnceUsageError(`--format must be text or json, not "${String(format)}"`);
  const { once, CheckTimeout, unknownDocument } = await import('./app/once.js');
  const unknown = (summary: string): number => {
    process.stdout.write(format === 'json' ? unknownDocument(summary) : `VRRP UNKNOWN - ${summary}\n`);
    return EXIT_UNKNOWN;
  };
  try {
    const result = await once({ configFile: typeof values.config === 'string' ? values.config : undefined, overrides: overridesOf(values), window, vrids, timeout, format });
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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      return runServe([]);
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return EXIT_OK;
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
      if (command.startsWith('-')) return runServe(argv);
      throw new UsageError(`unknown command "${command}"`);
  }
}

const argv = process.argv.slice(2);
const serving = isServe(argv);
// The other commands die on these signals as any command does.
if (!serving) defaultSignals();
// A reader of stdout that goes away (`| head -1`) ends the command quietly; the exporter stops, saying so.
watchOutput(() => {
  if (serving) process.stderr.write('vrrpwatch: stdout was closed by its reader (EPIPE): the log cannot be written; stopping.\n');
  void exitWhenFlushed(serving ? EXIT_ERROR : EXIT_OK);
});

function failure(err: unknown): number {
  if (err instanceof UsageError) return fail(`${err.message}\n${USAGE}`, EXIT_ERROR);
  if (err instanceof OnceUsageError) {
    process.stdout.write(`VRRP UNKNOWN - ${err.message}\n${USAGE}`);
    return EXIT_UNKNOWN;
  }
  if (argv[0] === 'once') {
    process.stdout.write(`VRRP UNKNOWN - internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_UNKNOWN;
  }
  if (err instanceof CaptureFileError) return fail(err.message, EXIT_ERROR);
  if (err instanceof SettingsError) return fail(err.problems.join('\nvrrpwatch: '), EXIT_ERROR);
  return fail(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, EXIT_ERROR);
}

// Everything printed reaches its reader (a pipe, a file, a terminal) before the exit.
main(argv).then(exitWhenFlushed, (err: unknown) => exitWhenFlushed(failure(err)));
