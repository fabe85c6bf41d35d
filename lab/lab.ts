/**
 * A namespace lab on one bridge: keepalived nodes, a witness and a gateway host, each in its own
 * network namespace, with documentation addresses only and no route out. Used by the end-to-end tests
 * and by the demo. Everything it creates carries its prefix and is removed by `destroy()` (also called
 * on exit and on Ctrl-C), and `sweep()` removes what an earlier, killed run left behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMatch, findLogs } from './log-match.js';
import type { LogEntry, LogMatch } from './log-match.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
export const PORT = 9842;
/** How the bin's shebang, the systemd unit and the image start Node for vrrpwatch. */
export const NODE_FLAGS = ['--max-semi-space-size=2'];

export type HostName = 'a' | 'b' | 'c' | 'd' | 'w' | 'gw';

/** Host → its address on the segment (documentation ranges). */
export const ADDRESS: Record<HostName, { v4: string; v6: string }> = {
  gw: { v4: '192.0.2.1', v6: '2001:db8::1' },
  a: { v4: '192.0.2.11', v6: '2001:db8::11' },
  b: { v4: '192.0.2.12', v6: '2001:db8::12' },
  c: { v4: '192.0.2.13', v6: '2001:db8::13' },
  d: { v4: '192.0.2.14', v6: '2001:db8::14' },
  w: { v4: '192.0.2.20', v6: '2001:db8::20' },
};
/** A bridge and a macvlan a test may make inside a host (removed by `reset`). */
export const BRIDGE = 'br0';
export const MACVLAN = 'mv0';
export const VIP = { v4: '192.0.2.100', v6: '2001:db8::100', v4b: '192.0.2.101', carp: '192.0.2.110' };
/** Where FRR daemons started with `-N NAME` keep their sockets and pid files (owned by the frr user). */
const FRR_RUN = '/var/run/frr';

export class LabError extends Error {
  override readonly name = 'LabError';
}

function run(cmd: string, args: string[], allowFail = false): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error !== undefined) throw new LabError(`${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) throw new LabError(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/**
 * Every namespace of the lab starts with this. VRRPWATCH_LAB_PREFIX gives a checkout its own, so two
 * labs on one machine (two worktrees under test at once) neither share nor sweep each other's hosts.
 */
const PREFIX = process.env.VRRPWATCH_LAB_PREFIX ?? 'vwlab';
if (!/^[a-z][a-z0-9]{0,9}$/.test(PREFIX)) throw new LabError(`VRRPWATCH_LAB_PREFIX must be 1 to 10 lower-case letters and digits, not ${JSON.stringify(PREFIX)}`);

/** Removes namespaces and veths left by earlier runs that were killed before they could clean up. */
export function sweep(prefix = PREFIX): void {
  for (const line of run('ip', ['netns', 'list'], true).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (!name.startsWith(`${prefix}-`)) continue;
    // Processes inside (keepalived, vrrpwatch) go first, or the namespace lingers.
    for (const pid of run('ip', ['netns', 'pids', name], true).split('\n').filter(Boolean)) run('kill', ['-9', pid], true);
    run('ip', ['netns', 'del', name], true);
  }
  let frrDirs: string[] = [];
  try {
    frrDirs = readdirSync(FRR_RUN);
  } catch {
    // No FRR state directory: nothing of FRR to sweep.
  }
  for (const dir of frrDirs) if (dir.startsWith(`${prefix}-`)) rmSync(join(FRR_RUN, dir), { recursive: true, force: true });
}

export interface KeepalivedInstance {
  name: string;
  vrid: number;
  priority: number;
  state?: 'MASTER' | 'BACKUP';
  /** Default 1 (fractions need VRRPv3). */
  advertInt?: number;
  /** keepalived's `version` of the instance; default its own (2). */
  version?: 2 | 3;
  /** keepalived's auth_pass; none when undefined. */
  authPass?: string;
  vips?: string[];
  nopreempt?: boolean;
  ipv6?: boolean;
  unicastPeers?: string[];
  /** A track_script: the weight applies while the script fails (a file in the run directory missing). */
  trackFile?: { name: string; weight: number };
  /** keepalived's use_vmac: adverts leave from a macvlan (vrrp.VRID) with the virtual MAC. */
  useVmac?: boolean;
  /**
   * keepalived's no_track on every VIP: a VIP deleted behind keepalived's back stays deleted while it
   * stays master (without it, keepalived 2.2.7 drops to backup and takes over again, re-adding the VIP).
   */
  vipNoTrack?: boolean;
}

function instanceConf(i: KeepalivedInstance): string {
  const lines = [
    `vrrp_instance ${i.name} {`,
    '  interface eth0',
    `  state ${i.state ?? 'BACKUP'}`,
    `  virtual_router_id ${i.vrid}`,
    `  priority ${i.priority}`,
    `  advert_int ${i.advertInt ?? 1}`,
  ];
  if (i.version !== undefined) lines.push(`  version ${i.version}`);
  if (i.nopreempt === true) lines.push('  nopreempt');
  if (i.useVmac === true) lines.push('  use_vmac');
  if (i.ipv6 === true) lines.push('  native_ipv6');
  if (i.authPass !== undefined) lines.push('  authentication {', '    auth_type PASS', `    auth_pass ${i.authPass}`, '  }');
  lines.push('  virtual_ipaddress {', ...(i.vips ?? [i.ipv6 === true ? VIP.v6 : VIP.v4]).map((v) => `    ${v}/${v.includes(':') ? 64 : 24}${i.vipNoTrack === true ? ' no_track' : ''}`), '  }');
  if (i.unicastPeers !== undefined) lines.push('  unicast_peer {', ...i.unicastPeers.map((p) => `    ${p}`), '  }');
  if (i.trackFile !== undefined) lines.push('  track_script {', `    ${i.trackFile.name} weight ${i.trackFile.weight}`, '  }');
  lines.push('}');
  return lines.join('\n');
}

/** A virtual router of FRR's vrrpd (VRRPv3) on a host's eth0. */
export interface FrrRouter {
  vrid: number;
  priority: number;
  /** Milliseconds; default 1000. */
  advertIntervalMs?: number;
  /** Both families; default VIP.v4. IPv6 ones make the router speak VRRPv3 over IPv6 too. */
  vips?: string[];
}

/**
 * The macvlan FRR's vrrpd needs for a VRID and family: vrrp4-2-VRID (vrrp6-2-VRID) on eth0 with the
 * RFC's virtual MAC 00:00:5e:00:01:VRID (02 for IPv6), holding the VIPs; vrrpd puts it in protodown
 * while it is backup.
 */
function frrMacvlan(vrid: number, family: 'v4' | 'v6'): { name: string; mac: string } {
  const n = family === 'v4' ? 4 : 6;
  return { name: `vrrp${n}-2-${vrid}`, mac: `00:00:5e:00:0${family === 'v4' ? 1 : 2}:${vrid.toString(16).padStart(2, '0')}` };
}

function frrConf(host: HostName, routers: FrrRouter[]): string {
  const lines = [`hostname ${host}`, 'log stdout informational', 'interface eth0'];
  for (const r of routers) {
    lines.push(` vrrp ${r.vrid} version 3`, ` vrrp ${r.vrid} priority ${r.priority}`, ` vrrp ${r.vrid} advertisement-interval ${r.advertIntervalMs ?? 1000}`);
    for (const vip of r.vips ?? [VIP.v4]) lines.push(` vrrp ${r.vrid} ${vip.includes(':') ? 'ipv6' : 'ip'} ${vip}`);
  }
  return [...lines, '!'].join('\n') + '\n';
}

export class Lab {
  readonly hosts: HostName[];
  /** The namespaces' prefix: the checkout's, with the site's name appended for a second site. */
  readonly prefix: string;
  readonly #children = new Map<string, ChildProcess>();
  /** Host → the macvlans made for FRR's virtual routers (removed by `reset`). */
  readonly #frrLinks = new Map<HostName, Set<string>>();
  /** Name → the log file of the latest process started under it. */
  readonly #logs = new Map<string, string>();
  #started = 0;
  /** The lab's files (configs, logs, fifos), made by `create`. */
  #dir: string | undefined;
  #destroyed = false;
  readonly #onExit = (): void => {
    this.destroy();
  };
  readonly #onSignal = (): void => {
    this.destroy();
    process.exit(130);
  };

  /**
   * `site` makes a lab of its own segment beside another (a second site of a fleet, with the same
   * addresses, as sites reuse theirs): its namespaces are PREFIX+site-HOST, apart from the first lab's.
   * It makes nothing yet (a test file names its lab before its tests run): `create` does.
   */
  constructor(hosts: HostName[] = ['gw', 'a', 'b', 'w'], options: { site?: string } = {}) {
    this.hosts = hosts;
    this.prefix = options.site === undefined ? PREFIX : `${PREFIX}${options.site}`;
    if (!/^[a-z][a-z0-9]{0,12}$/.test(this.prefix)) throw new LabError(`a lab's site must be a few lower-case letters and digits, not ${JSON.stringify(options.site)}`);
  }

  ns(host: HostName | 'br'): string {
    return `${this.prefix}-${host}`;
  }

  /** The folder of the lab's files (configs, logs, fifos), there from `create` to `destroy`. */
  get dir(): string {
    if (this.#dir === undefined) throw new LabError('the lab has no folder before create()');
    return this.#dir;
  }

  /** Builds the namespaces, the bridge and the addresses; fails with a clear message without root. */
  create(): void {
    if (process.getuid?.() !== 0) throw new LabError('the lab needs root (network namespaces, veth, a bridge)');
    this.#dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-lab-'));
    process.on('exit', this.#onExit);
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);
    sweep(this.prefix);
    try {
      run('ip', ['netns', 'add', this.ns('br')]);
    } catch (err) {
      throw new LabError(`cannot create network namespaces here: ${err instanceof Error ? err.message : String(err)}`);
    }
    const br = this.ns('br');
    run('ip', ['-n', br, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
    run('ip', ['-n', br, 'link', 'set', 'br0', 'up']);
    for (const h of this.hosts) this.#addHost(h);
  }

  #addHost(h: HostName): void {
    const ns = this.ns(h);
    const br = this.ns('br');
    run('ip', ['netns', 'add', ns]);
    run('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p-${h}`, 'netns', br]);
    run('ip', ['-n', br, 'link', 'set', `p-${h}`, 'master', 'br0', 'up']);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=0', 'net.ipv4.ping_group_range=0 2147483647']);
    run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    run('ip', ['-n', ns, 'addr', 'add', `${ADDRESS[h].v4}/24`, 'dev', 'eth0']);
    run('ip', ['-n', ns, 'addr', 'add', `${ADDRESS[h].v6}/64`, 'dev', 'eth0', 'nodad']);
    // The gateway of the segment; it leads nowhere (the lab has no route out).
    if (h !== 'gw') run('ip', ['-n', ns, 'route', 'add', 'default', 'via', ADDRESS.gw.v4]);
  }

  /**
   * Plugs a second interface of `host` (eth1, with `cidr`) into the segment of another lab: a
   * monitoring host of one site that reaches the hosts of another site. Removed with this lab's host.
   */
  joinSegment(host: HostName, other: Lab, cidr: string): void {
    const port = `j-${this.prefix}-${host}`.slice(0, 15);
    run('ip', ['link', 'add', 'eth1', 'netns', this.ns(host), 'type', 'veth', 'peer', 'name', port, 'netns', other.ns('br')]);
    run('ip', ['-n', other.ns('br'), 'link', 'set', port, 'master', 'br0', 'up']);
    run('ip', ['-n', this.ns(host), 'link', 'set', 'eth1', 'up']);
    run('ip', ['-n', this.ns(host), 'addr', 'add', cidr, 'dev', 'eth1']);
  }

  /** Runs a command inside a host's namespace and returns its output. */
  exec(host: HostName, cmd: string[], allowFail = false): string {
    return run('ip', ['netns', 'exec', this.ns(host), ...cmd], allowFail);
  }

  /** The MAC address of a host's eth0 (what ARP and NDP answers from it carry). */
  macOf(host: HostName): string {
    const found = /link\/ether ([0-9a-f:]{17})/.exec(this.exec(host, ['ip', 'link', 'show', 'eth0']));
    if (found?.[1] === undefined) throw new Error(`no MAC on ${host}'s eth0`);
    return found[1];
  }

  /**
   * Starts a long-running process inside a namespace. Its output goes straight to a file of its own
   * (DIR/NAME.N.log), not through a pipe: a pipe is only drained while this process's event loop runs,
   * and a test blocked in spawnSync would stall a process that logs a burst. With `stdout: 'pipe'` the
   * caller reads stdout itself (the demo shows the live view) and only stderr goes to the file.
   */
  start(name: string, host: HostName, cmd: string[], env: Record<string, string> = {}, stdout: 'file' | 'pipe' = 'file'): ChildProcess {
    this.stop(name);
    const log = join(this.dir, `${name}.${++this.#started}.log`);
    const fd = openSync(log, 'a');
    try {
      const child = spawn('ip', ['netns', 'exec', this.ns(host), ...cmd], { stdio: ['ignore', stdout === 'pipe' ? 'pipe' : fd, fd], env: { ...process.env, ...env } });
      this.#children.set(name, child);
      this.#logs.set(name, log);
      return child;
    } finally {
      closeSync(fd);
    }
  }

  /** The output so far of the latest process started as `name`. */
  log(name: string): string {
    const path = this.#logs.get(name);
    if (path === undefined) return '';
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  }

  /** Waits for text matching `pattern` in the output of a process that does not log JSON (keepalived). */
  async waitForOutput(name: string, pattern: RegExp, timeoutMs = 5000): Promise<void> {
    await waitFor(`${name} to print ${String(pattern)}`, () => pattern.test(this.log(name)), timeoutMs);
  }

  /** The JSON log lines of a process's output that carry every field of `want`. */
  logs(name: string, want: LogMatch): LogEntry[] {
    return findLogs(this.log(name), want);
  }

  /**
   * Waits for a JSON log line carrying every field of `want` in a process's output (findings are logged
   * on the next tick), and returns the first such line.
   */
  async waitForLog(name: string, want: LogMatch, timeoutMs = 5000): Promise<LogEntry> {
    return waitFor(`${name} to log ${describeMatch(want)}`, () => this.logs(name, want)[0], timeoutMs);
  }

  /** Stops a process started with `start` (SIGTERM, or the given signal), waiting for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.#children.get(name);
    if (child === undefined) return;
    this.#children.delete(name);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
    child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }

  stop(name: string): void {
    const child = this.#children.get(name);
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    this.#children.delete(name);
  }

  /**
   * Writes a keepalived config for `host` and starts keepalived in its namespace. `fifoOwner` names the
   * user keepalived gives the FIFO it creates (`notify_fifo PATH USER`; it keeps a FIFO that exists).
   */
  keepalived(host: HostName, instances: KeepalivedInstance[], options: { notifyFifo?: boolean; fifoOwner?: string } = {}): string {
    const conf = join(this.dir, `ka-${host}.conf`);
    const globals = [`  router_id ${host}`, '  enable_script_security', '  script_user root'];
    if (options.notifyFifo === true) globals.push(`  notify_fifo ${join(this.dir, `ka-${host}.fifo`)}${options.fifoOwner === undefined ? '' : ` ${options.fifoOwner}`}`);
    const scripts = instances
      .filter((i) => i.trackFile !== undefined)
      .map((i) => `vrrp_script ${i.trackFile?.name ?? ''} {\n  script "/usr/bin/test -e ${join(this.dir, `${i.trackFile?.name ?? ''}.ok`)}"\n  interval 1\n  fall 1\n  rise 1\n}`);
    writeFileSync(conf, [`global_defs {\n${globals.join('\n')}\n}`, ...scripts, ...instances.map(instanceConf)].join('\n') + '\n');
    const d = this.dir;
    this.start(`keepalived-${host}`, host, ['keepalived', '-f', conf, '-p', join(d, `ka-${host}.pid`), '-r', join(d, `ka-${host}.vpid`), '-c', join(d, `ka-${host}.cpid`), '-i', host, '--dont-fork', '--log-console', '--log-detail']);
    return conf;
  }

  /**
   * Kills every keepalived process of a host at once with SIGKILL, as `pkill -9 keepalived` does. (Killing
   * only the parent lets its VRRP child shut down cleanly and take the VIP away.)
   */
  killKeepalived(host: HostName): void {
    const pids = run('ip', ['netns', 'pids', this.ns(host)], true)
      .split('\n')
      .filter(Boolean)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'keepalived';
        } catch {
          return false;
        }
      });
    // Stopped first, all at once, then killed: a keepalived parent that saw its VRRP child die would start
    // a new one, and a child that outlived its parent would be told to stop and remove the VIP (a loaded
    // machine made either likely between one kill and the next).
    if (pids.length > 0) {
      run('kill', ['-STOP', ...pids], true);
      run('kill', ['-9', ...pids], true);
    }
    this.#children.delete(`keepalived-${host}`);
  }

  /**
   * Starts FRR on a host: zebra, then vrrpd with these virtual routers (VRRPv3, preempting), each in
   * the foreground with its own state directory under /var/run/frr (`-N`), after making the macvlans
   * vrrpd needs. Returns the vrrpd config file. Stop vrrpd gracefully with `kill('vrrpd-HOST')`: it sends
   * priority 0.
   */
  frr(host: HostName, routers: FrrRouter[]): string {
    const links = this.#frrLinks.get(host) ?? new Set<string>();
    this.#frrLinks.set(host, links);
    for (const r of routers) {
      for (const family of ['v4', 'v6'] as const) {
        const vips = (r.vips ?? [VIP.v4]).filter((v) => v.includes(':') === (family === 'v6'));
        const { name, mac } = frrMacvlan(r.vrid, family);
        if (vips.length === 0 || links.has(name)) continue;
        // A random link-local: vrrpd sends IPv6 adverts from it, and one derived from the shared MAC
        // would be the same on every router.
        this.exec(host, ['ip', 'link', 'add', 'link', 'eth0', 'name', name, 'type', 'macvlan', 'mode', 'bridge']);
        links.add(name);
        this.exec(host, ['ip', 'link', 'set', 'dev', name, 'address', mac, 'addrgenmode', 'random']);
        this.exec(host, ['sysctl', '-qw', `net.ipv6.conf.${name}.accept_dad=0`]);
        this.exec(host, ['ip', 'link', 'set', 'dev', name, 'up']);
        for (const vip of vips) this.exec(host, ['ip', 'addr', 'add', `${vip}/${family === 'v6' ? 64 : 24}`, 'dev', name, ...(family === 'v6' ? ['nodad'] : [])]);
      }
    }
    const name = this.ns(host);
    const dir = join(FRR_RUN, name);
    mkdirSync(dir, { recursive: true });
    const zebra = join(dir, 'zebra.conf');
    const vrrpd = join(dir, 'vrrpd.conf');
    writeFileSync(zebra, `hostname ${host}\nlog stdout informational\n`);
    writeFileSync(vrrpd, frrConf(host, routers));
    run('chown', ['-R', 'frr:frr', dir]);
    // -P 0: no vty TCP port (vtysh still reaches the daemons through their sockets in `dir`).
    this.start(`zebra-${host}`, host, ['/usr/lib/frr/zebra', '-N', name, '-f', zebra, '-i', join(dir, 'zebra.pid'), '-P', '0']);
    this.start(`vrrpd-${host}`, host, ['/usr/lib/frr/vrrpd', '-N', name, '-f', vrrpd, '-i', join(dir, 'vrrpd.pid'), '-P', '0']);
    return vrrpd;
  }

  /** A host's IPv6 link-local address on a device (FRR's IPv6 adverts come from the macvlan's). */
  linkLocal(host: HostName, dev: string): string {
    const m = /inet6 (fe80::[0-9a-f:]+)\//.exec(this.exec(host, ['ip', '-6', 'addr', 'show', 'dev', dev, 'scope', 'link']));
    if (m?.[1] === undefined) throw new LabError(`${dev} on ${host} has no IPv6 link-local address`);
    return m[1];
  }

  /**
   * Starts ucarp (CARP) on a host's eth0 with this vhid: OpenBSD's CARP format on protocol 112 and
   * 224.0.0.18. Its up and down scripts do nothing, so it never takes an address.
   */
  ucarp(host: HostName, options: { vhid: number; advskew?: number; advbase?: number; pass?: string }): void {
    const { vhid, advskew = 0, advbase = 1, pass = 'carp-lab' } = options;
    this.start(`ucarp-${host}`, host, ['ucarp', '-i', 'eth0', '-s', ADDRESS[host].v4, '-v', String(vhid), '-p', pass, '-a', VIP.carp, '-b', String(advbase), '-k', String(advskew), '-P', '-u', '/bin/true', '-d', '/bin/true']);
  }

  /** Path of a host's notify_fifo (when its keepalived was started with one). */
  fifo(host: HostName): string {
    return join(this.dir, `ka-${host}.fifo`);
  }

  /** Makes a track_script pass (`ok`) or fail. */
  track(name: string, ok: boolean): void {
    const f = join(this.dir, `${name}.ok`);
    if (ok) writeFileSync(f, '');
    else rmSync(f, { force: true });
  }

  /** Puts a host's eth0 into a bridge (BRIDGE, removed by `reset`), as on a hypervisor or container host. */
  bridgeEth0(host: HostName): void {
    this.exec(host, ['ip', 'link', 'add', BRIDGE, 'type', 'bridge', 'mcast_snooping', '0']);
    this.exec(host, ['ip', 'link', 'set', 'eth0', 'master', BRIDGE]);
    this.exec(host, ['ip', 'link', 'set', BRIDGE, 'up']);
  }

  /** Adds a macvlan (MACVLAN) on a host's eth0: an interface a test can delete and make again. */
  addMacvlan(host: HostName): void {
    this.exec(host, ['ip', 'link', 'add', 'link', 'eth0', 'name', MACVLAN, 'type', 'macvlan', 'mode', 'bridge']);
    this.exec(host, ['ip', 'link', 'set', MACVLAN, 'up']);
  }

  /**
   * Stops (or restores) multicast to a host at its bridge port, as a switch port without multicast
   * does: VRRP adverts no longer reach it, while unicast (ping) still does.
   */
  multicastTo(host: HostName, on: boolean): void {
    run('bridge', ['-n', this.ns('br'), 'link', 'set', 'dev', `p-${host}`, 'mcast_flood', on ? 'on' : 'off']);
  }

  /**
   * Drops, until `reset`, the gratuitous ARPs a host sends for a VIP (sender and target the VIP) as they
   * enter the bridge at its port, as a switch filter would: keepalived sends them on a packet socket,
   * which the host's own netfilter never sees (and the kernel here lacks tc's drop action, act_gact). The
   * host's ARP replies for the VIP still go through.
   */
  dropGarps(host: HostName, vip: string): void {
    run('ip', ['netns', 'exec', this.ns('br'), 'ebtables', '-t', 'nat', '-A', 'PREROUTING', '-i', `p-${host}`, '-p', 'ARP', '--arp-ip-src', vip, '--arp-ip-dst', vip, '-j', 'DROP']);
  }

  /** Gratuitous ARPs for a VIP from a host that `dropGarps` has dropped so far (0 without the rule). */
  garpsDropped(host: HostName, vip: string): number {
    const rules = run('ip', ['netns', 'exec', this.ns('br'), 'ebtables', '-t', 'nat', '-L', 'PREROUTING', '--Lc'], true).split('\n');
    const rule = rules.find((l) => l.includes(`-i p-${host} `) && l.includes(`--arp-ip-src ${vip} `));
    return Number(/pcnt = (\d+)/.exec(rule ?? '')?.[1] ?? 0);
  }

  /** Cuts (or restores) incoming (or outgoing) VRRP on a host with iptables/ip6tables, as a firewall would. */
  cutVrrp(host: HostName, cut: boolean, chain: 'INPUT' | 'OUTPUT' = 'INPUT'): void {
    for (const tool of ['iptables', 'ip6tables']) this.exec(host, [tool, cut ? '-A' : '-D', chain, '-p', '112', '-j', 'DROP']);
  }

  /**
   * Starts `vrrpwatch serve` on a host, listening on every address of its namespace (Prometheus scrapes
   * the lab address; tests read 127.0.0.1, which still answers while the lab interface is down).
   */
  serve(host: HostName, args: string[] = [], options: { name?: string; prefix?: string[] } = {}): ChildProcess {
    return this.start(options.name ?? `vrrpwatch-${host}`, host, [...(options.prefix ?? []), process.execPath, ...NODE_FLAGS, CLI, 'serve', '--web.listen-address', `:${PORT}`, ...args]);
  }

  /** Samples of a host's exporter, read from inside its namespace; undefined when it does not answer. */
  metrics(host: HostName, extra: string[] = [], scheme = 'http'): Sample[] | undefined {
    const r = this.fetch(host, `${scheme}://127.0.0.1:${PORT}/metrics`, extra);
    return r?.status === 200 ? parseMetrics(r.body) : undefined;
  }

  /** Stops every process the lab started (keepalived, vrrpwatch) and removes firewall and bridge filter rules. */
  async reset(): Promise<void> {
    for (const name of [...this.#children.keys()]) await this.kill(name);
    run('ip', ['netns', 'exec', this.ns('br'), 'ebtables', '-t', 'nat', '-F'], true);
    for (const h of this.hosts) {
      for (const tool of ['iptables', 'ip6tables']) this.exec(h, [tool, '-F'], true);
      for (const link of [BRIDGE, MACVLAN, ...(this.#frrLinks.get(h) ?? [])]) this.exec(h, ['ip', 'link', 'del', link], true);
      this.#frrLinks.delete(h);
      this.multicastTo(h, true);
      this.exec(h, ['ip', 'link', 'set', 'eth0', 'up'], true);
      // A VIP left behind by a keepalived killed with SIGKILL.
      for (const vip of [`${VIP.v4}/24`, `${VIP.v4b}/24`, `${VIP.v6}/64`]) this.exec(h, ['ip', 'addr', 'del', vip, 'dev', 'eth0'], true);
    }
  }

  /** GET a URL from inside a host's namespace (curl); undefined when nothing answers. */
  fetch(from: HostName, url: string, extra: string[] = []): { status: number; body: string } | undefined {
    const r = spawnSync('ip', ['netns', 'exec', this.ns(from), 'curl', '-sS', '--max-time', '3', '-w', '\n%{http_code}', ...extra, url], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) return undefined;
    const at = r.stdout.lastIndexOf('\n');
    return { status: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, at) };
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const name of [...this.#children.keys()]) this.stop(name);
    for (const h of [...this.hosts, 'br' as const]) {
      const ns = this.ns(h);
      for (const pid of run('ip', ['netns', 'pids', ns], true).split('\n').filter(Boolean)) run('kill', ['-9', pid], true);
      run('ip', ['netns', 'del', ns], true);
    }
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    for (const h of this.hosts) rmSync(join(FRR_RUN, this.ns(h)), { recursive: true, force: true });
    process.off('exit', this.#onExit);
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition into samples. */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] ?? ''] = l[2] ?? '';
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) });
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The value of the first sample named `name` whose labels include `labels`. */
export function valueOf(samples: readonly Sample[] | undefined, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples?.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Polls `check` every `everyMs` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs: number, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new LabError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
