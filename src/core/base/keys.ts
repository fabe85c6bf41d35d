/**
 * The keys the layers share: an address family, a VRRP group's key and its one spelling as text.
 */

/** An address family as the core names it. */
export type Family = 'ipv4' | 'ipv6';

export interface GroupKey {
  interface: string;
  family: Family;
  vrid: number;
}

/** A group's identity as text, `interface|family|vrid`: the one place it is spelled. */
export function groupId(key: GroupKey): string {
  return `${key.interface}|${key.family}|${key.vrid}`;
}

/** A VIP's identity on an interface as text, `interface|vip`: the one place it is spelled. */
export function vipId(iface: string, vip: string): string {
  return `${iface}|${vip}`;
}

/** A MAC answering for a VIP on an interface as text, `interface|vip|mac`. */
export function ownerId(iface: string, vip: string, mac: string): string {
  return `${vipId(iface, vip)}|${mac}`;
}
