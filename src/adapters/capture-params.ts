/**
 * What a live capture asks libpcap for, and how its answers read: the filter (VRRP and AH, ARP and
 * IPv6 Neighbor Solicitations and Advertisements, also inside VLAN tags where libpcap can compile that), the snap length and ring size, the link types the decoder
 * takes, and open errors in an operator's words. Pure; capture.ts opens the sessions with them.
 */
import { LinkType } from '../core/wire/decode.js';

/**
 * VRRP (and AH), ARP, and ICMPv6 types 135 and 136 (NS, NA) only: other ICMPv6 (echo, router
 * adverts, MLD) never reaches the process. `icmp6[0]` reads the type right after a plain IPv6 header;
 * an NS or NA with extension headers before it is not matched (hosts send none).
 */
const WANTED = 'ip proto 112 or ip proto 51 or ip6 proto 112 or ip6 proto 51 or arp or (icmp6 and (icmp6[0] == 135 or icmp6[0] == 136))';
/**
 * On Ethernet, also inside one or two VLAN tags (802.1Q or 802.1ad outer: libpcap's `vlan` takes 0x8100,
 * 0x88a8 and 0x9100). Each `vlan` moves the offsets for the REST OF THE WHOLE FILTER, across `or`, so the
 * two-tag case nests inside the one-tag case: `vlan and vlan and ...` after an earlier `vlan` would
 * expect three tags.
 */
export const CAPTURE_FILTER = `${WANTED} or (vlan and (${WANTED} or (vlan and (${WANTED}))))`;
/**
 * Elsewhere (the `any` device's cooked capture, tunnels) libpcap cannot compile `vlan` and refused the
 * whole filter after it had opened the packet socket: the `any` capture never started, and each retry
 * kept a descriptor. There tagged packets match only when the kernel took their tag off.
 */
export const PLAIN_FILTER = WANTED;

/**
 * The largest legal advertisement with every header it can arrive in: the `any` device's cooked header
 * (16 bytes; Ethernet is 14), two VLAN tags, IPv6 with room for extension headers or AH, the VRRP header,
 * 255 IPv6 addresses, v2 auth data and an HMAC trailer. The snap length rounds it up to a multiple of
 * 512 (4,608 bytes), so the capture cuts no legal advert.
 */
export const LARGEST_ADVERT_FRAME = 16 + 2 * 4 + 40 + 256 + 8 + 255 * 16 + 8 + 28;
export const SNAP_LENGTH = Math.ceil(LARGEST_ADVERT_FRAME / 512) * 512;
/**
 * The kernel's capture ring. Immediate mode uses fixed slots: on Ethernet the smaller of the snap length
 * and MTU + 18, plus 64 bytes (at MTU 1500: 5,200 adverts, 0.26 s of 20,000 a second while a scrape
 * keeps the exporter busy); on `any` the whole snap length (one slot in 8 KiB: 1,000). Drops are exported.
 */
export const BUFFER_SIZE = 8 * 1024 * 1024;

/** The link types a session may open with (open_live names them), as the decoder's numbers. */
export const LINK_TYPES: Record<string, number> = {
  LINKTYPE_ETHERNET: LinkType.ETHERNET,
  LINKTYPE_RAW: LinkType.RAW,
  LINKTYPE_LINUX_SLL: LinkType.LINUX_SLL,
};

/** Explains an open error in an operator's words. */
export function explainOpenError(message: string): string {
  if (/permitted|permission|EPERM|EACCES/i.test(message)) return `${message} (capturing needs root or CAP_NET_RAW)`;
  if (/too many open files|EMFILE|ENFILE/i.test(message)) return `${message} (the process is out of file descriptors; retrying)`;
  return message;
}
