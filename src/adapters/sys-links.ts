/**
 * Reads this network namespace's links from /sys (their kind, master, the links they sit on, VLAN ids)
 * for the capture plan, and whether an interface exists and is up. The plan itself is pure
 * (core/links.ts); this file only touches the OS. A read that fails for another reason than the link
 * being gone (a descriptor shortage, for example) is reported as a problem, never as a link that
 * disappeared: the capture then keeps what it has instead of closing working sessions.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { parseVlanConfig } from '../core/wire/links.js';
import type { Link } from '../core/wire/links.js';

/** The links, or why they could not be read (`noSys`: /sys/class/net does not exist here). */
export type LinkList = { ok: true; links: Link[] } | { ok: false; problem: string; noSys: boolean };

/** Whether an interface is up, down or gone, or `unknown` (with the reason) when /sys could not be read. */
export type InterfaceState = { state: 'up' | 'down' | 'missing' } | { state: 'unknown'; problem: string };

/** Thrown inside this file when /sys cannot be read for another reason than the file being gone. */
class SysReadError extends Error {
  override readonly name = 'SysReadError';
}

function gone(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENODEV' || code === 'ENXIO';
}

/** The reason a read of `path` failed, as a sentence fragment (`too many open files (EMFILE)`). */
function readProblem(err: unknown, path: string): string {
  const code = (err as { code?: string }).code;
  if (code === 'EMFILE' || code === 'ENFILE') return `cannot read ${path}: too many open files (${code})`;
  return `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`;
}

/** A file's text, '' when it does not exist; throws SysReadError for any other failure. */
function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (gone(err)) return '';
    throw new SysReadError(readProblem(err, path));
  }
}

/** A link as /sys shows it; undefined once it is gone. */
function readLink(name: string, vlanIds: ReadonlyMap<string, number>): Link | undefined {
  const dir = `/sys/class/net/${name}`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (err) {
    if (gone(err)) return undefined;
    throw new SysReadError(readProblem(err, dir));
  }
  const lowers = entries.filter((e) => e.startsWith('lower_')).map((e) => e.slice('lower_'.length));
  let kind: Link['kind'] = 'other';
  if (entries.includes('bridge')) kind = 'bridge';
  else if (entries.includes('bonding')) kind = 'bond';
  else if (lowers.length > 0) {
    // Only stacked links need their type: a VLAN's id names tagged packets, MACsec is never skipped.
    const type = /^DEVTYPE=(\S+)$/m.exec(readText(`${dir}/uevent`))?.[1];
    if (type === 'vlan' || type === 'macsec') kind = type;
  }
  let master: string | undefined;
  if (entries.includes('master')) {
    try {
      master = basename(readlinkSync(`${dir}/master`));
    } catch (err) {
      // Gone: it left its master a moment ago.
      if (!gone(err)) throw new SysReadError(readProblem(err, `${dir}/master`));
    }
  }
  return { name, kind, master, lowers, vlanId: vlanIds.get(name) };
}

/** The non-loopback links of this network namespace. */
export function readLinks(): LinkList {
  let names: string[];
  try {
    names = readdirSync('/sys/class/net');
  } catch (err) {
    return { ok: false, problem: readProblem(err, '/sys/class/net'), noSys: gone(err) };
  }
  try {
    const vlanIds = parseVlanConfig(readText('/proc/net/vlan/config'));
    const links: Link[] = [];
    for (const name of names) {
      if (name === 'lo' || name.startsWith('bonding_')) continue;
      const link = readLink(name, vlanIds);
      if (link !== undefined) links.push(link);
    }
    return { ok: true, links };
  } catch (err) {
    if (err instanceof SysReadError) return { ok: false, problem: err.message, noSys: false };
    throw err;
  }
}

/** Whether an interface exists and is administratively up. */
export function interfaceState(name: string): InterfaceState {
  if (name === 'any') return { state: 'up' };
  const path = `/sys/class/net/${name}/flags`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return gone(err) ? { state: 'missing' } : { state: 'unknown', problem: readProblem(err, path) };
  }
  return { state: (parseInt(text.trim(), 16) & 1) === 1 ? 'up' : 'down' };
}

/** ARPHRD_ETHER and ARPHRD_LOOPBACK: the link types libpcap captures as Ethernet. */
const ETHERNET_TYPES = new Set([1, 772]);

/** Whether libpcap captures an interface as Ethernet, where a filter can match VLAN tags (not `any`, not tunnels). */
export function tagsFilterable(name: string): boolean {
  if (name === 'any') return false;
  try {
    return ETHERNET_TYPES.has(Number(readFileSync(`/sys/class/net/${name}/type`, 'utf8').trim()));
  } catch {
    // Unreadable: Ethernet is by far the most common; an open that fails says why and is retried.
    return true;
  }
}
