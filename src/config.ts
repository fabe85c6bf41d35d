/**
 * The YAML config (`-c FILE`): schema, defaults and strict validation. `parseConfig` takes what the
 * YAML parser produced and returns a config or every problem, each naming its key; nothing throws.
 * Flags are merged on top by the CLI (`withOverrides`).
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type * as Yaml from 'yaml';
import { canonicalIp } from './core/addr.js';
import type { ExpectedGroup } from './core/types.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface Config {
  interfaces: string[];
  keepalivedConfig: string | undefined;
  keepalivedNotifyFifo: string | undefined;
  peers: string[];
  gateway: string | undefined;
  groups: ExpectedGroup[];
  probe: { intervalSeconds: number; timeoutSeconds: number; count: number };
  web: { listenAddress: string; telemetryPath: string; configFile: string | undefined };
  log: { level: LogLevel; format: LogFormat };
  /** Groups and routers unheard for this long leave the metrics. */
  groupExpirySeconds: number;
}

export const DEFAULT_PORT = 9842;

export const DEFAULT_CONFIG: Config = {
  interfaces: [],
  keepalivedConfig: undefined,
  keepalivedNotifyFifo: undefined,
  peers: [],
  gateway: undefined,
  groups: [],
  probe: { intervalSeconds: 5, timeoutSeconds: 1, count: 3 },
  web: { listenAddress: `:${DEFAULT_PORT}`, telemetryPath: '/metrics', configFile: undefined },
  log: { level: 'info', format: 'json' },
  groupExpirySeconds: 600,
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Why `target` cannot be pinged, or undefined when it is an IP address or a host name. */
export function badProbeTarget(target: string): string | undefined {
  if (target.startsWith('-')) return `"${target}" starts with "-" (it would be read as an option of ping)`;
  if (isIP(target) !== 0 || HOST_NAME.test(target)) return undefined;
  return `"${target}" is neither an IP address nor a host name`;
}

/** Why `name` is not an interface name, or undefined. */
export function badInterfaceName(name: string): string | undefined {
  if (name.length === 0 || name.length > 15 || /[\s/]/.test(name) || name.startsWith('-')) return `"${name}" is not an interface name`;
  return undefined;
}

/** Why `text` is not HOST:PORT, or undefined. */
export function badListenAddress(text: string): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(\d{1,5})$/.exec(text);
  const port = Number(m?.[2]);
  if (m === null || port < 1 || port > 65535) return `"${text}" is not HOST:PORT (for example ":${DEFAULT_PORT}" or "[::1]:${DEFAULT_PORT}")`;
  return undefined;
}

/** Splits a checked listen address into host ('' for every address) and port. */
export function splitListenAddress(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(text.slice(at + 1)) };
}

/** Reads a typed value out of an untyped mapping, collecting errors that name the key. */
class Reader {
  readonly errors: string[] = [];

  constructor(private readonly prefix: string) {}

  key(name: string): string {
    return this.prefix === '' ? name : `${this.prefix}.${name}`;
  }

  fail(name: string, problem: string): void {
    this.errors.push(`${name === '' ? this.prefix : this.key(name)}: ${problem}`);
    return undefined;
  }

  mapping(value: unknown, name: string, allowed: readonly string[]): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(name, 'must be a mapping');
      return undefined;
    }
    const record = value as Record<string, unknown>;
    const path = name === '' ? this.prefix : this.key(name);
    for (const k of Object.keys(record)) {
      if (!allowed.includes(k)) this.errors.push(`${path === '' ? k : `${path}.${k}`}: unknown key (known: ${allowed.join(', ')})`);
    }
    return record;
  }

  string(value: unknown, name: string, check?: (s: string) => string | undefined): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.fail(name, `must be a string, not ${describe(value)}`);
      return undefined;
    }
    const problem = check?.(value);
    if (problem === undefined) return value;
    this.fail(name, problem);
    return undefined;
  }

  number(value: unknown, name: string, min: number, max: number, integer = false): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(name, `must be a number, not ${describe(value)}`);
      return undefined;
    }
    if (integer && !Number.isInteger(value)) {
      this.fail(name, `must be a whole number, not ${value}`);
      return undefined;
    }
    if (value < min || value > max) {
      this.fail(name, `must be between ${min} and ${max}, not ${value}`);
      return undefined;
    }
    return value;
  }

  strings(value: unknown, name: string, check?: (s: string) => string | undefined): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.fail(name, 'must be a list');
      return undefined;
    }
    const out: string[] = [];
    value.forEach((item: unknown, i) => {
      const s = this.string(item, `${name}[${i}]`, check);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  oneOf<T extends string>(value: unknown, name: string, choices: readonly T[]): T | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(name, `must be one of ${choices.join(', ')}, not ${describe(value)}`);
      return undefined;
    }
    return value as T;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function badAddress(s: string): string | undefined {
  return isIP(s) === 0 ? `"${s}" is not an IP address` : undefined;
}

const TOP_KEYS = ['interfaces', 'keepalived_config', 'keepalived_notify_fifo', 'peers', 'gateway', 'groups', 'probe', 'web', 'log', 'group_expiry_seconds'] as const;
const GROUP_KEYS = ['vrid', 'interface', 'family', 'vips', 'advert_interval'] as const;

/** Validates a parsed YAML document; every problem names its key. */
export function parseConfig(doc: unknown): Parsed<Config> {
  const r = new Reader('');
  const top = r.mapping(doc, '', TOP_KEYS);
  if (top === undefined) return { ok: false, errors: ['the config must be a mapping of keys (interfaces, peers, groups, ...)'] };
  const d = DEFAULT_CONFIG;

  const probeR = new Reader('probe');
  const probe = probeR.mapping(top.probe, '', ['interval_seconds', 'timeout_seconds', 'count']) ?? {};
  const webR = new Reader('web');
  const web = webR.mapping(top.web, '', ['listen_address', 'telemetry_path', 'config_file']) ?? {};
  const logR = new Reader('log');
  const log = logR.mapping(top.log, '', ['level', 'format']) ?? {};

  const groups: ExpectedGroup[] = [];
  if (top.groups !== undefined && top.groups !== null) {
    if (!Array.isArray(top.groups)) r.fail('groups', 'must be a list');
    else {
      top.groups.forEach((item: unknown, i) => {
        const gr = new Reader(`groups[${i}]`);
        const g = gr.mapping(item, '', GROUP_KEYS);
        if (g === undefined) {
          r.errors.push(...gr.errors);
          return;
        }
        const vrid = gr.number(g.vrid, 'vrid', 1, 255, true);
        if (g.vrid === undefined) gr.fail('vrid', 'is required');
        const vips = gr.strings(g.vips, 'vips', badAddress) ?? [];
        const family = gr.oneOf(g.family, 'family', ['ipv4', 'ipv6'] as const) ?? (vips[0]?.includes(':') === true ? 'ipv6' : 'ipv4');
        for (const v of vips) if ((isIP(v) === 6) !== (family === 'ipv6')) gr.fail('vips', `"${v}" is not an ${family} address`);
        const iface = gr.string(g.interface, 'interface', badInterfaceName);
        const interval = gr.number(g.advert_interval, 'advert_interval', 0.01, 255);
        r.errors.push(...gr.errors);
        if (vrid !== undefined) groups.push({ vrid, interface: iface, family, vips: vips.map((v) => canonicalIp(v) ?? v), advertInterval: interval, instance: undefined, source: 'config' });
      });
    }
  }

  const config: Config = {
    interfaces: r.strings(top.interfaces, 'interfaces', badInterfaceName) ?? d.interfaces,
    keepalivedConfig: r.string(top.keepalived_config, 'keepalived_config'),
    keepalivedNotifyFifo: r.string(top.keepalived_notify_fifo, 'keepalived_notify_fifo'),
    peers: r.strings(top.peers, 'peers', badProbeTarget) ?? d.peers,
    gateway: r.string(top.gateway, 'gateway', badProbeTarget),
    groups,
    probe: {
      intervalSeconds: probeR.number(probe.interval_seconds, 'interval_seconds', 1, 3600) ?? d.probe.intervalSeconds,
      timeoutSeconds: probeR.number(probe.timeout_seconds, 'timeout_seconds', 1, 60, true) ?? d.probe.timeoutSeconds,
      count: probeR.number(probe.count, 'count', 1, 20, true) ?? d.probe.count,
    },
    web: {
      listenAddress: webR.string(web.listen_address, 'listen_address', badListenAddress) ?? d.web.listenAddress,
      telemetryPath: webR.string(web.telemetry_path, 'telemetry_path', badTelemetryPath) ?? d.web.telemetryPath,
      configFile: webR.string(web.config_file, 'config_file'),
    },
    log: {
      level: logR.oneOf(log.level, 'level', LOG_LEVELS) ?? d.log.level,
      format: logR.oneOf(log.format, 'format', ['json', 'pretty'] as const) ?? d.log.format,
    },
    groupExpirySeconds: r.number(top.group_expiry_seconds, 'group_expiry_seconds', 10, 86400 * 7) ?? d.groupExpirySeconds,
  };
  const errors = [...r.errors, ...probeR.errors, ...webR.errors, ...logR.errors];
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: config };
}

export function badTelemetryPath(path: string): string | undefined {
  if (!path.startsWith('/') || path === '/' || path === '/healthz' || /[\s?#]/.test(path)) return `"${path}" must start with "/" and not be "/" or "/healthz"`;
  return undefined;
}

/** The YAML parser, loaded on first use: an exporter started without a config file never needs it. */
let yaml: typeof Yaml | undefined;

/** YAML text to plain data; syntax errors and repeated keys name the line. */
export function parseYaml(text: string, file: string): Parsed<unknown> {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  const doc = yaml.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0] ?? e.message}`) };
  }
  return { ok: true, value: doc.toJS() as unknown };
}

/** Parses the config file's text; every problem names the file, and the line or the key. */
export function parseConfigText(text: string, file: string): Parsed<Config> {
  const doc = parseYaml(text, file);
  if (!doc.ok) return doc;
  const parsed = parseConfig(doc.value);
  return parsed.ok ? parsed : { ok: false, errors: parsed.errors.map((e) => `${file}: ${e}`) };
}

/** What command-line flags can set; undefined or empty leaves the config's value. */
export interface Overrides {
  interfaces?: string[];
  keepalivedConfig?: string;
  peers?: string[];
  gateway?: string;
  listenAddress?: string;
  telemetryPath?: string;
  webConfigFile?: string;
  logLevel?: string;
  logFormat?: string;
}

/** Applies flags over a config, validating them the same way. */
export function withOverrides(config: Config, o: Overrides): Parsed<Config> {
  const r = new Reader('');
  const flag = (name: string, problem: string): void => {
    r.errors.push(`--${name}: ${problem}`);
  };
  const check = <T>(name: string, value: T | undefined, bad: (v: T) => string | undefined): T | undefined => {
    if (value === undefined) return undefined;
    const problem = bad(value);
    if (problem !== undefined) {
      flag(name, problem);
      return undefined;
    }
    return value;
  };
  const each = (name: string, values: string[] | undefined, bad: (v: string) => string | undefined): string[] | undefined => {
    if (values === undefined || values.length === 0) return undefined;
    const ok = values.filter((v) => check(name, v, bad) !== undefined);
    return ok.length === values.length ? ok : undefined;
  };
  const level = check('log.level', o.logLevel, (v) => ((LOG_LEVELS as readonly string[]).includes(v) ? undefined : `must be one of ${LOG_LEVELS.join(', ')}, not "${v}"`));
  const format = check('log.format', o.logFormat, (v) => (v === 'json' || v === 'pretty' ? undefined : `must be json or pretty, not "${v}"`));
  const next: Config = {
    ...config,
    interfaces: each('interface', o.interfaces, badInterfaceName) ?? config.interfaces,
    keepalivedConfig: o.keepalivedConfig ?? config.keepalivedConfig,
    peers: each('peer', o.peers, badProbeTarget) ?? config.peers,
    gateway: check('gateway', o.gateway, badProbeTarget) ?? config.gateway,
    web: {
      listenAddress: check('web.listen-address', o.listenAddress, badListenAddress) ?? config.web.listenAddress,
      telemetryPath: check('web.telemetry-path', o.telemetryPath, badTelemetryPath) ?? config.web.telemetryPath,
      configFile: o.webConfigFile ?? config.web.configFile,
    },
    log: { level: (level as LogLevel | undefined) ?? config.log.level, format: (format as LogFormat | undefined) ?? config.log.format },
  };
  return r.errors.length > 0 ? { ok: false, errors: r.errors } : { ok: true, value: next };
}
