#!/usr/bin/env node
/** The command line: the only place that reads argv and sets the exit code. */
import { parseArgs } from 'node:util';
import { replay } from './app/replay.js';
import { CaptureFileError } from './adapters/capture-file.js';
import { renderJson, renderText } from './outputs/report.js';
import { VERSION } from './version.js';

const USAGE = `usage:
  vrrpwatch replay FILE [--format text|json] [--packets]
  vrrpwatch --help | --version

commands:
  replay FILE    analyse a pcap or pcapng capture: masters, failovers, split-brain, mismatches

replay options:
  --format text|json   report format (default text)
  --packets            print one JSON line per VRRP packet instead of the report
`;

/** Exit codes of replay and of usage errors. */
const EXIT_OK = 0;
const EXIT_ERROR = 2;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

function fail(message: string, code: number): never {
  process.stderr.write(`vrrpwatch: ${message}\n`);
  process.exit(code);
}

async function runReplay(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        packets: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('replay needs exactly one capture file');
  if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, not "${values.format}"`);
  const file = positionals[0];
  const out: string[] = [];
  const flush = (): void => {
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    out.length = 0;
  };
  const onPacket = values.packets
    ? (line: string): void => {
        out.push(line);
        if (out.length >= 4096) flush();
      }
    : undefined;
  const { report, error } = await replay(onPacket === undefined ? { file } : { file, onPacket });
  if (values.packets) flush();
  else process.stdout.write(values.format === 'json' ? renderJson(report) : renderText(report));
  if (error !== undefined) {
    process.stderr.write(`vrrpwatch: ${error}\n`);
    return EXIT_ERROR;
  }
  if (report.adverts === 0 && (values.packets || values.format === 'json')) {
    process.stderr.write(`vrrpwatch: no VRRP advertisements in ${file}\n`);
  }
  return EXIT_OK;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? EXIT_ERROR : EXIT_OK;
    case '-V':
    case '--version':
      process.stdout.write(`vrrpwatch ${VERSION}\n`);
      return EXIT_OK;
    case 'replay':
      return runReplay(rest);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) fail(`${err.message}\n${USAGE}`, EXIT_ERROR);
    if (err instanceof CaptureFileError) fail(err.message, EXIT_ERROR);
    fail(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, EXIT_ERROR);
  },
);
