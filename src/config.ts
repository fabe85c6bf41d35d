/**
 * The YAML config (`-c FILE`), declared once: the declaration below gives the `Config` type, its defaults
 * and every check, each problem naming its key (`groups[0].vrid: must be between 1 and 255, not 300`).
 * Flags go on top (`withOverrides`), read by the same leaf schemas. Nothing here throws or reads files.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { parseAddress } from './core/base/addr.js';
import { interfaceNameProblem, isHostName } from './core/base/names.js';
import { macText, parseMac } from './core/wire/link-header.js';
import type { ExpectedGroup } from './core/expect/types.js';
import type { WatchedVip } from './core/ownership/vip-owner-types.js';
import { quote } from './core/base/quote.js';
import { vipId } from './core/base/keys.js';
import { boolean, checkedText, defaultsOf, list, mapping, number, oneOf, optional, parseWith, refine, required, section, text, withDefault, INVALID } from './schema.js';
import type { Infer, Parsed, Schema } from './schema.js';

export type { Parsed } from './schema.js';

export const DEFAULT_PORT = 9842;

/** Why `target` cannot be pinged, or its canonical form: an IP address (a zone only on a link-local one) or a host name. */
export function parseProbeTarget(target: string): { value: string } | { problem: string } {
  if (target.startsWith('-')) return { problem: `${quote(target)} starts with "-" (it would be read as an option of ping)` };
  const ip = parseAddress(target, 'link-local-zone');
  if (!('problem' in ip)) return { value: ip.address };
  if (isHostName(target)) return { value: target };
  if (target.includes('%')) return ip;
  if (/^[0-9a-fA-F:.]+$/.test(target) || /(^|\.)(\d+|0x[0-9a-f]*)\.?$/i.test(target)) {
    return { problem: `${quote(target)} is not an IP address (and a name ending in a number is not a host name)` };
  }
  return { problem: `${quote(target)} is neither an IP address nor a host name` };
}

/** Why `text` is not HOST:PORT, or undefined; HOST is empty (every address), an address ([IPv6]) or a host name. */
export function badListenAddress(text: string): string | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2] ?? '';
  const port = Number(m?.[3]);
  const hostOk = host === '' || !('problem' in parseAddress(host, 'link-local-zone')) || (m?.[2] !== undefined && isHostName(host) && !host.includes(':'));
  if (m === null || port < 1 || port > 65535 || !hostOk || (m[1] !== undefined && !host.includes(':'))) {
    return `${quote(text)} is not HOST:PORT (for example ":${DEFAULT_PORT}" or "[::1]:${DEFAULT_PORT}")`;
  }
  return undefined;
}

/** Splits a checked listen address into host ('' for every address) and port. */
export function splitListenAddress(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':');
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(text.slice(at + 1)) };
}

/** Why `path` cannot be the telemetry path, or undefined: a literal path, not "/" or "/healthz". */
export function badTelemetryPath(path: string): string | undefined {
  if (!path.startsWith('/') || path === '/' || path === '/healthz' || /[\s?#]/.test(path)) return `${quote(path)} must start with "/" and not be "/" or "/healthz"`;
  return undefined;
}

const interfaceName = checkedText(interfaceNameProblem);
const probeTarget = text(parseProbeTarget);
const filePath = checkedText((s) => (s === '' || s.includes('\0') ? `${quote(s)} is not a file name` : undefined));
const vip = text((s) => {
  const r = parseAddress(s, 'no-zone');
  return 'problem' in r ? r : { value: r.address };
});
const mac = text((s): { value: string } | { problem: string } => {
  const b = parseMac(s);
  return b === undefined ? { problem: `${quote(s)} is not a MAC address (six hex pairs, as 02:00:5e:10:00:01)` } : { value: macText(b, 0) };
});
const listenAddress = checkedText(badListenAddress);
const configId = checkedText((s) => (s === '' || /[\s\p{Cc}]/u.test(s) ? `${quote(s)} is not a keepalived config id (one word, as keepalived -i takes it)` : undefined));
const telemetryPath = checkedText(badTelemetryPath);
const probeFrameRate = number(1, 1000);
const logLevel = oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const logFormat = oneOf(['json', 'pretty']);

export type LogLevel = Infer<typeof logLevel>;
export type LogFormat = Infer<typeof logFormat>;

const GROUP: Schema<ExpectedGroup> = refine(
  mapping({
    vrid: required('vrid', number(1, 255, true)),
    interface: optional('interface', interfaceName),
    family: optional('family', oneOf(['ipv4', 'ipv6'])),
    vips: withDefault('vips', list(vip), []),
    advertInterval: optional('advert_interval', number(0.01, 255)),
    hmacWindow: optional('hmac_window_seconds', number(0.1, 3600)),
    hmacKeyFile: optional('hmac_key_file', filePath),
  }),
  (g, fail) => {
    const family = g.family ?? (g.vips[0]?.includes(':') === true ? 'ipv6' : 'ipv4');
    for (const v of g.vips) if (v.includes(':') !== (family === 'ipv6')) fail('vips', `${quote(v)} is not an ${family} address`);
    return { vrid: g.vrid, interface: g.interface, family, vips: g.vips, advertInterval: g.advertInterval, instance: undefined, source: 'config', hmacWindow: g.hmacWindow, hmacKeyFile: g.hmacKeyFile };
  },
);

/** A VIP watched on the wire, with or without VRRP (`vips:`; `--vip ADDR` adds `{address: ADDR}`). */
const WATCHED_VIP: Schema<WatchedVip> = refine(
  mapping({
    address: required('address', vip),
    interface: optional('interface', interfaceName),
    mode: withDefault('mode', oneOf(['exclusive', 'shared']), 'exclusive'),
    owners: optional('owners', list(mac)),
  }),
  (v, fail) => {
    if (v.owners?.length === 0) fail('owners', 'must list at least one MAC (leave the key out to accept any)');
    return { vip: v.address, interface: v.interface, mode: v.mode, owners: v.owners === undefined ? undefined : [...new Set(v.owners)] };
  },
);

/** Problems of the watch list as a whole: one address watched twice on one interface. */
function watchListProblems(vips: readonly WatchedVip[], path: string): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  vips.forEach((v, i) => {
    const id = vipId(v.interface ?? '', v.vip);
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else problems.push(`${path}[${i}].address: ${quote(v.vip)} is already watched${v.interface === undefined ? '' : ` on ${v.interface}`} by ${path}[${first}]`);
  });
  return problems;
}

/** The YAML config: every key, its check and its default, once. */
export const CONFIG_SCHEMA = mapping(
  {
    interfaces: withDefault('interfaces', list(interfaceName), []),
    keepalivedConfig: optional('keepalived_config', filePath),
    /** keepalived's config id (`keepalived -i`): which `@ID` lines of a shared keepalived.conf apply; default: the host name's first label. */
    keepalivedConfigId: optional('keepalived_config_id', configId),
    keepalivedNotifyFifo: optional('keepalived_notify_fifo', filePath),
    peers: withDefault('peers', list(probeTarget), []),
    gateway: optional('gateway', probeTarget),
    groups: withDefault('groups', list(GROUP), []),
    /** VIPs watched on the wire with or without VRRP. */
    vips: withDefault('vips', list(WATCHED_VIP), []),
    probe: section(
      'probe',
      mapping({
        intervalSeconds: withDefault('interval_seconds', number(1, 3600), 5),
        timeoutSeconds: withDefault('timeout_seconds', number(1, 60, true), 1),
        count: withDefault('count', number(1, 20, true), 3),
      }),
    ),
    /**
     * The active VIP probe: one ARP request or Neighbor Solicitation per watched VIP per interval, all
     * together at most `frames_per_second`; VIPs learned only from unexpected adverts get `learned_vips` places.
     */
    vipProbe: section(
      'vip_probe',
      mapping({
        enabled: withDefault('enabled', boolean(), true),
        intervalSeconds: withDefault('interval_seconds', number(1, 60), 2),
        framesPerSecond: withDefault('frames_per_second', probeFrameRate, 10),
        learnedVips: withDefault('learned_vips', number(0, 4096, true), 16),
      }),
    ),
    web: section(
      'web',
      mapping({
        listenAddress: withDefault('listen_address', listenAddress, `:${DEFAULT_PORT}`),
        telemetryPath: withDefault('telemetry_path', telemetryPath, '/metrics'),
        configFile: optional('config_file', filePath),
      }),
    ),
    log: section('log', mapping({ level: withDefault('level', logLevel, 'info'), format: withDefault('format', logFormat, 'json') })),
    /** Groups and routers unheard for this long leave the metrics. */
    groupExpirySeconds: withDefault('group_expiry_seconds', number(10, 86400 * 7), 600),
  },
  { notMapping: 'the config must be a mapping of keys (interfaces, peers, groups, ...)' },
);

export type Config = Infer<typeof CONFIG_SCHEMA>;

export const DEFAULT_CONFIG: Config = defaultsOf(CONFIG_SCHEMA);

/** Validates a parsed YAML document; every problem names its key. */
export function parseConfig(doc: unknown): Parsed<Config> {
  const parsed = parseWith(CONFIG_SCHEMA, doc);
  if (!parsed.ok) return parsed;
  const problems = watchListProblems(parsed.value.vips, 'vips');
  return problems.length > 0 ? { ok: false, errors: problems } : parsed;
}

/** The YAML parser, loaded on first use: an exporter started without a config file never needs it. */
let yaml: typeof Yaml | undefined;

/** A parser's message on one line, without raw bytes, cut if long. */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const line = (message.split('\n')[0] ?? message).replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** YAML text to plain data; a syntax error or repeated key is one line naming the file and line; aliases are bounded (no alias bomb). */
export function parseYaml(source: string, file: string): Parsed<unknown> {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  try {
    const doc = yaml.parseDocument(source, { uniqueKeys: true });
    const [first] = doc.errors;
    if (first !== undefined) {
      const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more YAML errors after it)` : '';
      return { ok: false, errors: [`${file}:${first.linePos?.[0].line ?? '?'}: ${oneLine(first.message).replace(/:$/, '')}${more}`] };
    }
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (err) {
    return { ok: false, errors: [`${file}: cannot be read as YAML: ${oneLine(err instanceof Error ? err.message : String(err))}`] };
  }
}

/** Parses the config file's text; every problem names the file, and the line or the key. */
export function parseConfigText(source: string, file: string): Parsed<Config> {
  const doc = parseYaml(source, file);
  if (!doc.ok) return doc;
  const parsed = parseConfig(doc.value);
  return parsed.ok ? parsed : { ok: false, errors: parsed.errors.map((e) => `${file}: ${e}`) };
}

/** What command-line flags can set; undefined or empty leaves the config's value. */
export interface Overrides {
  interfaces?: string[];
  keepalivedConfig?: string;
  keepalivedConfigId?: string;
  peers?: string[];
  gateway?: string;
  listenAddress?: string;
  telemetryPath?: string;
  webConfigFile?: string;
  logLevel?: string;
  logFormat?: string;
  /** `--no-vip-probe`: false turns the active VIP probe off. */
  vipProbe?: boolean;
  /** `--vip ADDR`: VIPs watched on the wire, added to the config's `vips:` (exclusive, on the interface whose subnet holds them). */
  vips?: string[];
  /** `--vip-probe.frames-per-second`: the bound on all probe frames together. */
  vipProbeFramesPerSecond?: string;
}

/** A flag's text as the number it writes, or the text itself (which the schema then refuses by name). */
function numeric(text: string | undefined): string | number | undefined {
  return text !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : text;
}

/** Applies flags over a config, each read by the schema of the key it overrides; problems name the flag. */
export function withOverrides(config: Config, o: Overrides): Parsed<Config> {
  const problems: string[] = [];
  const one = <T>(schema: Schema<T>, name: string, value: string | number | undefined): T | undefined => {
    if (value === undefined) return undefined;
    const r = schema.read(value, `--${name}`, problems);
    return r === INVALID ? undefined : r;
  };
  const each = <T>(schema: Schema<T>, name: string, values: string[] | undefined): T[] | undefined => {
    if (values === undefined || values.length === 0) return undefined;
    const out = values.map((v) => one(schema, name, v)).filter((v): v is T => v !== undefined);
    return out.length === values.length ? out : undefined;
  };
  const level = one(logLevel, 'log.level', o.logLevel);
  const format = one(logFormat, 'log.format', o.logFormat);
  const next: Config = {
    ...config,
    interfaces: each(interfaceName, 'interface', o.interfaces) ?? config.interfaces,
    keepalivedConfig: one(filePath, 'keepalived-config', o.keepalivedConfig) ?? config.keepalivedConfig,
    keepalivedConfigId: one(configId, 'keepalived-config-id', o.keepalivedConfigId) ?? config.keepalivedConfigId,
    peers: each(probeTarget, 'peer', o.peers) ?? config.peers,
    gateway: one(probeTarget, 'gateway', o.gateway) ?? config.gateway,
    web: {
      listenAddress: one(listenAddress, 'web.listen-address', o.listenAddress) ?? config.web.listenAddress,
      telemetryPath: one(telemetryPath, 'web.telemetry-path', o.telemetryPath) ?? config.web.telemetryPath,
      configFile: one(filePath, 'web.config.file', o.webConfigFile) ?? config.web.configFile,
    },
    log: { level: level ?? config.log.level, format: format ?? config.log.format },
    vipProbe: {
      ...config.vipProbe,
      enabled: o.vipProbe ?? config.vipProbe.enabled,
      framesPerSecond: one(probeFrameRate, 'vip-probe.frames-per-second', numeric(o.vipProbeFramesPerSecond)) ?? config.vipProbe.framesPerSecond,
    },
    vips: [...config.vips, ...(each(vip, 'vip', o.vips) ?? []).filter((a) => !config.vips.some((v) => v.vip === a)).map((a): WatchedVip => ({ vip: a, interface: undefined, mode: 'exclusive', owners: undefined }))],
  };
  const flagged = new Set<string>();
  for (const a of o.vips ?? []) {
    const canonical = vip.read(a, '--vip', []);
    if (canonical === INVALID) continue;
    if (flagged.has(canonical)) problems.push(`--vip: ${quote(a)} is given twice`);
    flagged.add(canonical);
  }
  return problems.length > 0 ? { ok: false, errors: problems } : { ok: true, value: next };
}
