/**
 * The commands' options and help texts, and argv parsed into them with every problem said in one line
 * of our own words (never Node's parseArgs message), naming the option and pointing to the command's help.
 */
import { parseArgs } from 'node:util';
import { collectorOptions } from './outputs/collectors.js';
import { quote } from './core/base/quote.js';

export type Command = 'serve' | 'once' | 'replay';
export const COMMANDS: readonly Command[] = ['serve', 'once', 'replay'];

const SYNOPSIS: Record<Command, string> = {
  serve: '  vrrpwatch [serve] [options]          the Prometheus exporter (the default command)\n',
  once: '  vrrpwatch once [options]             Nagios/Icinga check: listen, judge, print one line, exit\n',
  replay: '  vrrpwatch replay FILE [--format text|json|html] [--output FILE] [--packets] [-c FILE] [--vip ADDR]\n',
};

const COMMON_HELP = `options (serve and once):
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
`;

const OPTIONS_HELP: Record<Command, string> = {
  serve: `serve options:
  --web.listen-address HOST:PORT where metrics are served (default :9842)
  --web.telemetry-path PATH      default /metrics
  --web.config.file FILE         TLS and basic auth (Prometheus exporter-toolkit format)
  --check-config                 check the config files, print the result and exit
  --live                         a live view of the groups on the terminal, refreshed every second
  --no-collector.NAME            leave a set of /metrics families out (--collector.NAME: keep it; all
                                 are on): group, failover_causes, router, router_errors, hmac, vip,
                                 vip_owner (docs/metrics.md lists each one's families and series)
`,
  once: `once options:
  --window SECONDS               how long to listen (default 3 x the largest interval heard, at least 3.5;
                                 with watched VIPs, 4 VIP probe rounds)
  --vrid N                       judge only these VRIDs (repeatable)
  --format text|json             text: the plugin line and a line per group (default); json: the status
                                 document of /api/v1/status with the verdict (docs/once.md)
  -t, --timeout SECONDS          give up (UNKNOWN) after this long
  -V, --version                  print the version
`,
  replay: `replay options:
  --format text|json|html        report format (default text); html is one self-contained page
  --output FILE                  write the report to FILE instead of standard output
  --packets                      print one JSON line per VRRP packet instead of the report
  -c, --config FILE              a YAML config whose groups' hmac_window_seconds and hmac_key_file apply,
                                 and whose \`vips:\` are watched
  --vip ADDR                     report who answered ARP/NDP for ADDR over the capture (repeatable)
`,
};

/** `vrrpwatch --help`: every command and every option. */
export const USAGE = `usage:
${SYNOPSIS.serve}${SYNOPSIS.once}${SYNOPSIS.replay}  vrrpwatch COMMAND --help | vrrpwatch help COMMAND   one command's help
  vrrpwatch --help | --version

${COMMON_HELP}
${OPTIONS_HELP.serve}
${OPTIONS_HELP.once}
${OPTIONS_HELP.replay}`;

/** `vrrpwatch COMMAND --help` (and `vrrpwatch help COMMAND`): that command's synopsis and options only. */
export function commandHelp(command: Command): string {
  const common = command === 'replay' ? '' : `${COMMON_HELP}\n`;
  return `usage:\n${SYNOPSIS[command]}\n${common}${OPTIONS_HELP[command]}`;
}

/** A problem with the command line, said in one line; the command it concerns gives the help it points to. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    problem: string,
    readonly command: Command | undefined,
  ) {
    super(problem);
  }

  /** The line printed: the problem and where the options are listed. */
  line(): string {
    return `${this.message} (see vrrpwatch ${this.command === undefined ? '' : `${this.command} `}--help)`;
  }
}

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}
type Options = Record<string, OptionSpec>;

const COMMON_OPTIONS: Options = {
  interface: { type: 'string', short: 'i', multiple: true },
  config: { type: 'string', short: 'c' },
  'keepalived-config': { type: 'string' },
  'keepalived-config-id': { type: 'string' },
  peer: { type: 'string', multiple: true },
  gateway: { type: 'string' },
  'log.level': { type: 'string' },
  'log.format': { type: 'string' },
  'no-vip-probe': { type: 'boolean' },
  'vip-probe.frames-per-second': { type: 'string' },
  vip: { type: 'string', multiple: true },
};

const HELP: Options = { help: { type: 'boolean', short: 'h' } };

/** Each command's options, as parseArgs takes them. */
export function commandOptions(command: Command): Options {
  switch (command) {
    case 'serve':
      return {
        ...COMMON_OPTIONS,
        ...HELP,
        'web.listen-address': { type: 'string' },
        'web.telemetry-path': { type: 'string' },
        'web.config.file': { type: 'string' },
        'check-config': { type: 'boolean' },
        live: { type: 'boolean' },
        ...collectorOptions(),
      };
    case 'once':
      return {
        ...COMMON_OPTIONS,
        ...HELP,
        window: { type: 'string' },
        vrid: { type: 'string', multiple: true },
        format: { type: 'string' },
        timeout: { type: 'string', short: 't' },
        version: { type: 'boolean', short: 'V' },
      };
    case 'replay':
      return {
        ...HELP,
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        packets: { type: 'boolean' },
        vip: { type: 'string', multiple: true },
        config: { type: 'string', short: 'c' },
      };
  }
}

export type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * A command's arguments as values and positionals. Unknown options, a missing value, a value given to a
 * switch, or the next option taken for a value (`--format --packets`) are a UsageError naming the option.
 */
export function parseCommand(command: Command, args: readonly string[]): { values: Values; positionals: string[] } {
  const options = commandOptions(command);
  const { values, positionals, tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = options[token.name];
    if (spec === undefined) throw new UsageError(`${command} has no option ${quote(token.rawName)}`, command);
    // A known option's name is one of ours: shown as it is.
    const shown = token.rawName;
    if (spec.type === 'boolean' && token.value !== undefined) throw new UsageError(`${shown} takes no value, but was given ${quote(token.value)}`, command);
    if (spec.type === 'string') {
      if (token.value === undefined) throw new UsageError(`${shown} needs a value`, command);
      if (!token.inlineValue && token.value.startsWith('--')) {
        throw new UsageError(`${shown} needs a value, not the option ${quote(token.value)} (${shown}=VALUE gives a value that starts with "--")`, command);
      }
    }
  }
  return { values, positionals };
}
