/**
 * Everything a live command starts from: the YAML config with flags on top, the expectations imported
 * from keepalived.conf, and the web config. Problems come back as messages, each naming its file and
 * key or line; nothing here exits.
 */
import { DEFAULT_CONFIG, parseConfigText, withOverrides } from '../config.js';
import type { Config, Overrides } from '../config.js';
import { KeepalivedConfError } from '../core/expect/keepalived-conf.js';
import type { KeepalivedConf } from '../core/expect/keepalived-conf.js';
import { HmacGroups, parseHmacKey } from '../core/expect/hmac-groups.js';
import type { HmacGroup } from '../core/expect/hmac-groups.js';
import { AuthSecret } from '../core/base/secret.js';
import type { ExpectedGroup } from '../core/expect/types.js';
import { parseWebConfig } from '../web-config.js';
import type { WebConfig } from '../web-config.js';
import { expectationsOf, KeepalivedConfUnreadableError, keepalivedConfigId, readKeepalivedConf } from '../adapters/keepalived.js';
import { localAddresses } from '../adapters/addresses.js';
import { ConfigFileError, readConfigText } from '../adapters/config-file.js';
import { TlsFileError, tlsServerOptions } from '../adapters/tls-files.js';
import type { ProbeRole } from '../adapters/pinger.js';

export interface Settings {
  config: Config;
  expected: ExpectedGroup[];
  notifyFifo: string | undefined;
  /** Why keepalived.conf's notify_fifo is not read (it has a script reading it), for the log. */
  notifyFifoSkipped: string | undefined;
  /**
   * Why keepalived.conf could not be read at all (only when the caller tolerates it: serve runs on
   * without its expectations); undefined when it was read or none is configured.
   */
  keepalivedConfigProblem: string | undefined;
  webConfig: WebConfig | undefined;
  /** Peers (config, flags and keepalived's unicast peers that are not this host) and the gateway. */
  probeTargets: { target: string; role: ProbeRole }[];
  /** keepalived 2.4 auth_hmac per group: freshness windows and keys (config `groups[].hmac_*`). */
  hmac: HmacGroups;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';

  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

function readText(file: string, what: string): string {
  try {
    return readConfigText(file);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new SettingsError([`cannot read the ${what} ${file}: ${err.problem}`]);
    throw err;
  }
}

/**
 * Loads and checks everything; throws SettingsError listing every problem. With `tolerateUnreadable`, a
 * keepalived.conf that cannot be read at all (permission, missing) is no error: its expectations are left
 * out and the problem is returned in `keepalivedConfigProblem` (serve says so in a metric, the log and the
 * page, and reads it again at the next reload).
 */
export function loadSettings(configFile: string | undefined, overrides: Overrides, withWeb: boolean, tolerateUnreadable = false): Settings {
  let config = DEFAULT_CONFIG;
  if (configFile !== undefined) {
    const parsed = parseConfigText(readText(configFile, 'config'), configFile);
    if (!parsed.ok) throw new SettingsError(parsed.errors);
    config = parsed.value;
  }
  const merged = withOverrides(config, overrides);
  if (!merged.ok) throw new SettingsError(merged.errors);
  config = merged.value;

  const expected = [...config.groups];
  let notifyFifo = config.keepalivedNotifyFifo;
  let notifyFifoSkipped: string | undefined;
  let keepalivedConfigProblem: string | undefined;
  const peers = [...config.peers];
  let conf: KeepalivedConf | undefined;
  if (config.keepalivedConfig !== undefined) {
    try {
      conf = readKeepalivedConf(config.keepalivedConfig, config.keepalivedConfigId ?? keepalivedConfigId());
    } catch (err) {
      if (err instanceof KeepalivedConfUnreadableError && tolerateUnreadable) keepalivedConfigProblem = err.problem;
      else if (err instanceof KeepalivedConfError) throw new SettingsError([err.message]);
      else throw err;
    }
  }
  if (conf !== undefined) {
    for (const e of expectationsOf(conf)) {
      // The YAML config wins where it names the same group.
      if (!expected.some((x) => x.vrid === e.vrid && x.family === e.family && (x.interface === undefined || x.interface === e.interface))) expected.push(e);
    }
    if (notifyFifo === undefined) {
      notifyFifo = conf.notifyFifo;
      notifyFifoSkipped = conf.notifyFifoSkipped;
    }
    const local = localAddresses();
    for (const i of conf.instances) for (const p of i.unicastPeers) if (!local.has(p) && !peers.includes(p)) peers.push(p);
  }

  let webConfig: WebConfig | undefined;
  if (withWeb && config.web.configFile !== undefined) {
    const parsed = parseWebConfig(readText(config.web.configFile, 'web config'), config.web.configFile);
    if (!parsed.ok) throw new SettingsError(parsed.errors);
    webConfig = parsed.value;
    // The certificate, key and client CA are read and checked now, so a bad one is one line at start,
    // in --check-config and on reload (the server reads them again when it starts or reloads).
    if (webConfig.tls !== undefined) {
      try {
        tlsServerOptions(webConfig.tls);
      } catch (err) {
        if (err instanceof TlsFileError) throw new SettingsError([`${config.web.configFile}: ${err.message}`]);
        throw err;
      }
    }
  }
  const probeTargets = [
    ...peers.map((target) => ({ target, role: 'peer' as const })),
    ...(config.gateway === undefined ? [] : [{ target: config.gateway, role: 'gateway' as const }]),
  ];
  return { config, expected, notifyFifo, notifyFifoSkipped, keepalivedConfigProblem, webConfig, probeTargets, hmac: hmacGroups(config) };
}

/** The YAML config file alone (replay's `-c`), checked; throws SettingsError naming each problem. */
export function loadConfig(configFile: string): Config {
  const parsed = parseConfigText(readText(configFile, 'config'), configFile);
  if (!parsed.ok) throw new SettingsError(parsed.errors);
  return parsed.value;
}

/** The config's auth_hmac settings per group, with each key file read (its content is never quoted). */
export function hmacGroups(config: Pick<Config, 'groups'>): HmacGroups {
  const groups: HmacGroup[] = [];
  const problems: string[] = [];
  for (const g of config.groups) {
    if (g.hmacWindow === undefined && g.hmacKeyFile === undefined) continue;
    let key: AuthSecret | undefined;
    if (g.hmacKeyFile !== undefined) {
      const parsed = parseHmacKey(readText(g.hmacKeyFile, 'auth_hmac key file'));
      if ('problem' in parsed) problems.push(`${g.hmacKeyFile}: ${parsed.problem}`);
      else {
        key = new AuthSecret(parsed);
        parsed.fill(0);
      }
    }
    groups.push({ match: g, window: g.hmacWindow, key });
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return new HmacGroups(groups);
}
