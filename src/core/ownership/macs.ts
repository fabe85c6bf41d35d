/**
 * MACs that tell something by their form: a VRRP group's virtual MAC (RFC 5798 section 7.3) and the
 * MACs several hosts answer with by construction.
 */
import type { Family } from '../base/keys.js';

/**
 * A MAC that several hosts answer with by construction: Windows NLB's cluster MACs (02:bf:.. unicast
 * mode, 03:bf:.. multicast mode) and any multicast MAC. A VIP answered by one is shared by design.
 */
export function sharedMac(mac: string): boolean {
  return mac.startsWith('02:bf:') || mac.startsWith('03:bf:') || (parseInt(mac.slice(0, 2), 16) & 1) === 1;
}

/** Whether a MAC is a VRRP virtual MAC (00:00:5e:00:01:XX or 00:00:5e:00:02:XX, RFC 5798 section 7.3). */
export function isVirtualMac(mac: string): boolean {
  return mac.startsWith('00:00:5e:00:01:') || mac.startsWith('00:00:5e:00:02:');
}

/** The virtual MAC of a VRRP group (RFC 5798 section 7.3). */
export function virtualMac(family: Family, vrid: number): string {
  return `00:00:5e:00:0${family === 'ipv4' ? 1 : 2}:${vrid.toString(16).padStart(2, '0')}`;
}
