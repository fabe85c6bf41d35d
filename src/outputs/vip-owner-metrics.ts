/**
 * The VIP ownership families (who answers ARP and NDP for each VIP, the core's judgements of it, the
 * probes sent, the failovers without a gratuitous ARP), written by hand from the scrape's snapshot as
 * the per-group families are: a series or three per VIP watched, and prom-client's formatting of a
 * thousand VIPs' worth took most of a scrape. A VIP no longer watched leaves them at the next scrape.
 */
import { labelText } from './exposition.js';
import type { Fill } from './scrape.js';

type Add = (name: string, help: string, type: 'gauge' | 'counter', fill: Fill) => void;

/** Registers the families through `add` (metrics.ts), in the order they are written. */
export function registerVipOwnerFamilies(add: Add): void {
  const gauge = (name: string, help: string, fill: Fill): void => {
    add(name, help, 'gauge', fill);
  };
  gauge('vrrpwatch_vip_owners', 'Distinct MACs answering ARP or NDP for the VIP now (this probe round or the last).', (emit, s) => {
    for (const v of s.s.owners?.vips ?? []) emit(s.labels.vip(v.interface, v.vip), v.owners.length);
  });
  // Few series (the MACs that answer): their label text is made per scrape.
  gauge('vrrpwatch_vip_owner_info', '1 for each MAC answering for the VIP; router is the VRRP router it belongs to, empty when unknown.', (emit, s) => {
    for (const v of s.s.owners?.vips ?? []) for (const w of v.owners) emit(labelText({ interface: v.interface, vip: v.vip, mac: w.mac, router: w.router ?? '' }), 1);
  });
  gauge('vrrpwatch_vip_duplicate', '1 while more than one owner answers for the VIP in each probe round: split-brain on the wire.', (emit, s) => {
    for (const v of s.s.owners?.vips ?? []) emit(s.labels.vip(v.interface, v.vip), v.duplicate ? 1 : 0);
  });
  gauge('vrrpwatch_vip_foreign_owner', "1 while the MAC answers for the VIP and belongs to no master of its group (for a watched VIP with owners listed: is not among them).", (emit, s) => {
    for (const v of s.s.owners?.vips ?? []) {
      if (v.owners.length === 0 && v.foreign.length === 0) continue;
      const foreign = new Set(v.foreign);
      const written = new Set<string>();
      for (const w of v.owners) {
        written.add(w.mac);
        emit(labelText({ interface: v.interface, vip: v.vip, mac: w.mac }), foreign.has(w.mac) ? 1 : 0);
      }
      for (const mac of foreign) if (!written.has(mac)) emit(labelText({ interface: v.interface, vip: v.vip, mac }), 1);
    }
  });
  gauge('vrrpwatch_vip_unanswered', "1 while the VIP is probed and nobody answers (for a VIP of a VRRP group: while the group has a master).", (emit, s) => {
    for (const v of s.s.owners?.vips ?? []) emit(s.labels.vip(v.interface, v.vip), v.unanswered ? 1 : 0);
  });
  add('vrrpwatch_vip_owner_changes_total', 'Times another MAC began answering for the VIP alone: a failover on the wire, whatever the HA system.', 'counter', (emit, s) => {
    for (const v of s.s.owners?.vips ?? []) emit(s.labels.vip(v.interface, v.vip), v.ownerChanges);
  });
  gauge('vrrpwatch_vip_last_announcement_timestamp_seconds', 'When the last gratuitous ARP or unsolicited Neighbor Advertisement for the VIP was heard (absent before the first).', (emit, s) => {
    for (const v of s.s.owners?.vips ?? []) if (v.lastAnnouncement !== undefined) emit(s.labels.vip(v.interface, v.vip), v.lastAnnouncement);
  });
  add('vrrpwatch_vip_probes_total', 'ARP requests and Neighbor Solicitations sent for the VIPs (the VIP probe).', 'counter', (emit, s) => {
    for (const [iface, n] of s.s.owners?.probes ?? []) emit(labelText({ interface: iface }), n);
  });
  add('vrrpwatch_vrid_failovers_without_garp_total', 'Failovers after which the new master sent no gratuitous ARP or unsolicited NA for its VIPs within a few seconds.', 'counter', (emit, s) => {
    const owners = s.s.owners;
    if (owners === undefined) return;
    // Every group with a watched VIP is written, at 0 until its first miss, so increase() works from it; once each.
    const counts = new Map<string, number>();
    for (const m of owners.failoversWithoutGarp) counts.set(s.labels.group(m.key).inner, m.count);
    const written = new Set<string>();
    const write = (inner: string, labels: Uint8Array): void => {
      if (written.has(inner)) return;
      written.add(inner);
      emit(labels, counts.get(inner) ?? 0);
    };
    for (const v of owners.vips) {
      for (const k of v.groups) {
        const text = s.labels.group(k);
        write(text.inner, text.labels);
      }
    }
    for (const m of owners.failoversWithoutGarp) {
      const text = s.labels.group(m.key);
      write(text.inner, text.labels);
    }
  });
}
