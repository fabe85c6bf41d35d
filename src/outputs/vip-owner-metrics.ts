/**
 * The VIP ownership families (who answers ARP and NDP for each VIP, the core's judgements of it, the
 * probes sent, the failovers without a gratuitous ARP), as prom-client gauges and counters whose
 * collect() reads the snapshot of the scrape. A VIP no longer watched leaves them at the next scrape.
 */
import type { Registry } from 'prom-client';
import { collectedFamilies } from './collected.js';
import type { OwnershipView } from '../core/vip-owners.js';

/** Registers the families in `registry`; `owners` is undefined when there is no snapshot (or ownership is not watched). */
export function registerVipOwnerFamilies(registry: Registry, owners: () => OwnershipView | undefined): void {
  const { gauge, counter } = collectedFamilies(registry, owners);

  gauge('vrrpwatch_vip_owners', 'Distinct MACs answering ARP or NDP for the VIP now (this probe round or the last).', ['interface', 'vip'], (g, o) => {
    for (const v of o.vips) g.set({ interface: v.interface, vip: v.vip }, v.owners.length);
  });
  gauge('vrrpwatch_vip_owner_info', '1 for each MAC answering for the VIP; router is the VRRP router it belongs to, empty when unknown.', ['interface', 'vip', 'mac', 'router'], (g, o) => {
    for (const v of o.vips) for (const w of v.owners) g.set({ interface: v.interface, vip: v.vip, mac: w.mac, router: w.router ?? '' }, 1);
  });
  gauge('vrrpwatch_vip_duplicate', '1 while more than one owner answers for the VIP in each probe round: split-brain on the wire.', ['interface', 'vip'], (g, o) => {
    for (const v of o.vips) g.set({ interface: v.interface, vip: v.vip }, v.duplicate ? 1 : 0);
  });
  gauge('vrrpwatch_vip_foreign_owner', '1 while the MAC answers for the VIP and belongs to no master of its group.', ['interface', 'vip', 'mac'], (g, o) => {
    for (const v of o.vips) {
      const foreign = new Set(v.foreign);
      for (const w of v.owners) g.set({ interface: v.interface, vip: v.vip, mac: w.mac }, foreign.has(w.mac) ? 1 : 0);
      for (const mac of foreign) g.set({ interface: v.interface, vip: v.vip, mac }, 1);
    }
  });
  gauge('vrrpwatch_vip_unanswered', "1 while the VIP's group has a master, the VIP is probed, and nobody answers.", ['interface', 'vip'], (g, o) => {
    for (const v of o.vips) g.set({ interface: v.interface, vip: v.vip }, v.unanswered ? 1 : 0);
  });
  counter('vrrpwatch_vip_probes_total', 'ARP requests and Neighbor Solicitations sent for the VIPs (the VIP probe).', ['interface'], (c, o) => {
    for (const [iface, n] of o.probes) c.inc({ interface: iface }, n);
  });
  counter('vrrpwatch_vrid_failovers_without_garp_total', 'Failovers after which the new master sent no gratuitous ARP or unsolicited NA for its VIPs within a few seconds.', ['interface', 'family', 'vrid'], (c, o) => {
    // Every group with a watched VIP starts at 0, so increase() works from the first miss.
    for (const v of o.vips) for (const k of v.groups) c.inc({ interface: k.interface, family: k.family, vrid: String(k.vrid) }, 0);
    for (const m of o.failoversWithoutGarp) c.inc({ interface: m.key.interface, family: m.key.family, vrid: String(m.key.vrid) }, m.count);
  });
}
