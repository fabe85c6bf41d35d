/**
 * The interface a packet belongs to: the capture's interface, then for each VLAN tag the VLAN device
 * of that id on it (`vlanNames`, from the capture plan) or `.VID`. Remembered, so that a tagged advert
 * costs no new string. Pure.
 */
import { vlanInterface } from '../wire/links.js';

/**
 * Labels already made, by the tag list they were made from: the Decoder hands out the same (immutable)
 * list for every repeat of an advert.
 */
const labels = new WeakMap<readonly number[], { name: string; names: ReadonlyMap<string, string>; label: string }>();
export const NO_VLAN_DEVICES: ReadonlyMap<string, string> = new Map();
/** Labels of singly tagged packets by capture interface, then VLAN id (for the `vlanNames` they were made with). */
const oneTag = new Map<string, { names: ReadonlyMap<string, string>; labels: Map<number, string> }>();

export function interfaceLabel(name: string, vlans: readonly number[], vlanNames: ReadonlyMap<string, string> = NO_VLAN_DEVICES): string {
  if (vlans.length === 0) return name;
  const known = labels.get(vlans);
  if (known !== undefined && known.name === name && known.names === vlanNames) return known.label;
  // An advert decoded afresh brings a new tag list: one tag is looked up by its id (at most 4,096 per interface).
  const vid = vlans.length === 1 ? (vlans[0] as number) : undefined;
  let byVid = vid === undefined ? undefined : oneTag.get(name);
  if (byVid !== undefined && byVid.names !== vlanNames) byVid = undefined;
  const label = (vid === undefined ? undefined : byVid?.labels.get(vid)) ?? vlanInterface(name, vlans, vlanNames);
  if (vid !== undefined) {
    if (byVid === undefined) oneTag.set(name, (byVid = { names: vlanNames, labels: new Map() }));
    byVid.labels.set(vid, label);
  }
  labels.set(vlans, { name, names: vlanNames, label });
  return label;
}
