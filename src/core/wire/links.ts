/**
 * Which interfaces to capture when none are named, so that each advertisement is seen once and its
 * group carries the interface name keepalived uses. Linux shows a packet to captures on every device
 * it passes through: a bond's member and the bond, a bridge port and the bridge, a VLAN's parent (tagged)
 * and the VLAN device, a macvlan (keepalived's `use_vmac` interface vrrp.VRID) and its parent. Capturing
 * each of them made one group appear under several interfaces, and those not in keepalived.conf as
 * unexpected. Pure: the links come in as data (read from /sys by the capture adapter).
 */

export interface Link {
  name: string;
  /** From /sys: a bridge or bond master, a VLAN device, a MACsec device, or anything else. */
  kind: 'bridge' | 'bond' | 'vlan' | 'macsec' | 'other';
  /** The bridge, bond, VRF or team this link is a member of. */
  master: string | undefined;
  /** Links this one sits on (a VLAN's or macvlan's parent, a master's members). */
  lowers: readonly string[];
  /** A VLAN device's id, when known. */
  vlanId: number | undefined;
}

export interface CapturePlan {
  /** Interfaces to capture, sorted. */
  capture: string[];
  /** Interfaces left out → why (their packets are seen on a captured one). */
  skipped: Map<string, string>;
  /**
   * `PARENT.VID` → the VLAN device's name, for naming tagged packets seen on the parent (`eth0` with tag
   * 100 is `vlan100` when that is the VLAN device on eth0 with id 100; without one it stays `eth0.100`).
   */
  vlanNames: Map<string, string>;
}

function isMaster(link: Link | undefined): boolean {
  return link?.kind === 'bridge' || link?.kind === 'bond';
}

/**
 * Plans a capture of every interface: members of a bridge or bond are left to the master (keepalived
 * runs on the bond or the bridge); devices stacked on a captured link (VLANs, macvlans, VRF and team
 * masters) are left to that link, except MACsec, whose parent only sees ciphertext.
 */
export function planCapture(links: readonly Link[]): CapturePlan {
  const byName = new Map(links.map((l) => [l.name, l]));
  const skipped = new Map<string, string>();
  // How a link's packets are seen: by its own capture, by its master's, or by its lowers' (memoised;
  // 'pending' while being worked out, so a loop in what /sys said, mid-change, ends in a capture).
  const seen = new Map<string, 'self' | 'master' | 'lower' | 'pending'>();
  const seenAt = (link: Link): 'self' | 'master' | 'lower' | 'pending' => {
    const known = seen.get(link.name);
    if (known !== undefined) return known;
    seen.set(link.name, 'pending');
    let at: 'self' | 'master' | 'lower' = 'self';
    const master = link.master === undefined ? undefined : byName.get(link.master);
    if (master !== undefined && isMaster(master)) {
      at = 'master';
      skipped.set(link.name, `a member of ${master.kind} ${master.name}, captured there`);
    } else if (!isMaster(link) && link.kind !== 'macsec' && link.lowers.length > 0 && link.lowers.every((name) => capturesTagged(byName.get(name)))) {
      at = 'lower';
      skipped.set(link.name, `stacked on ${link.lowers.join(', ')}, captured there`);
    }
    seen.set(link.name, at);
    return at;
  };
  // Whether a capture sees everything a link carries, its VLANs included: not so for a bridge port,
  // whose own VLANs are untagged before the bridge.
  const capturesTagged = (link: Link | undefined): boolean => {
    if (link === undefined) return false;
    const at = seenAt(link);
    return at === 'self' || at === 'lower';
  };
  for (const link of links) seenAt(link);

  const vlanNames = new Map<string, string>();
  for (const link of links) {
    const parent = link.lowers[0];
    if (link.kind === 'vlan' && link.vlanId !== undefined && parent !== undefined) vlanNames.set(`${parent}.${link.vlanId}`, link.name);
  }
  const capture = links.filter((l) => !skipped.has(l.name)).map((l) => l.name).sort();
  return { capture, skipped, vlanNames };
}

/**
 * Names the interface of a packet seen on `name` with VLAN tags (outermost first): each tag that has a
 * VLAN device on the interface named so far takes that device's name, others append `.VID`.
 */
export function vlanInterface(name: string, vlans: readonly number[], vlanNames: ReadonlyMap<string, string>): string {
  let label = name;
  for (const vid of vlans) {
    const dotted = `${label}.${vid}`;
    label = vlanNames.get(dotted) ?? dotted;
  }
  return label;
}

/** VLAN device → id, from /proc/net/vlan/config (lines `NAME | VID | PARENT`; absent without 8021q). */
export function parseVlanConfig(text: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s*\|\s*(\d+)\s*\|/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) ids.set(m[1], Number(m[2]));
  }
  return ids;
}
