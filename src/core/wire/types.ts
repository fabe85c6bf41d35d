/**
 * What a frame decodes to: an accepted advertisement, or a rejection with its reason and what could be
 * read of it. Types only, besides the list of invalid reasons.
 */
import type { AuthSecret } from '../base/secret.js';
import type { Family } from '../base/keys.js';
import type { HmacTrailer } from './hmac-trailer.js';

/** How a VRRPv3 (or keepalived v2/IPv6) checksum was computed by the sender. */
export type ChecksumForm = 'message' | 'pseudo_header' | 'pseudo_header_multicast';

/** Why a packet carrying IP protocol 112 (or AH around it) was not accepted as a VRRP advertisement. */
export const INVALID_REASONS = [
  'truncated',
  'fragmented',
  'bad_ip_header',
  'bad_version',
  'bad_type',
  'bad_vrid',
  'bad_auth_type',
  'bad_interval',
  'bad_checksum',
  'addr_count_mismatch',
  'not_vrrp',
  'hmac_malformed',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** The IP layer of a packet that carried protocol 112 (directly or inside AH). */
export interface IpInfo {
  family: Family;
  src: string;
  dst: string;
  ttl: number;
  /** true when the VRRP message came inside an IPsec AH header (keepalived `auth_type AH`). */
  ah: boolean;
}

/** An accepted VRRP advertisement. */
export interface Advert extends IpInfo {
  version: 2 | 3;
  type: 1;
  vrid: number;
  priority: number;
  /** The advertised addresses as text: all of them, or the first the decoder was asked to make text (see decodeFrame). */
  addresses: string[];
  /** How many addresses the advert lists (more than `addresses` holds when the decoder made fewer text). */
  addressCount: number;
  /** A fingerprint of the whole list, whatever its order (wire/addresses-key.ts). */
  addressesKey: string;
  /** Seconds (v2 whole seconds, v3 centiseconds converted). */
  advertInterval: number;
  /** v2 only: 0 none, 1 simple password, 2 IP AH. */
  authType: number | undefined;
  /** v2 with auth type 1: the password, comparable but never printable. */
  authSecret: AuthSecret | undefined;
  checksumForm: ChecksumForm;
  ttlOk: boolean;
  /** Bytes after the VRRP message (Ethernet padding is cut off by the IP length, not counted here). */
  trailerLength: number;
  /** keepalived 2.4's auth_hmac trailer, when the message is followed by one (hmac-trailer.ts). */
  hmac?: HmacTrailer | undefined;
}

/**
 * Another protocol's advertisement on IP protocol 112 (CARP: OpenBSD, pfSense, ucarp). It is not VRRP,
 * but VRRP routers on the segment read it as VRRP, and its vhid as a VRID: one equal to a group's VRID
 * disturbs that group (keepalived logs `vrrp packet too short` and the VRID flaps).
 */
export interface ForeignAdvert {
  protocol: 'carp';
  /** CARP's virtual host id, which a VRRP router reads as its VRID. */
  vhid: number;
  /** Whole seconds between adverts. */
  advbase: number;
  /** 1/256ths of a second added to advbase (the lower, the more preferred as master). */
  advskew: number;
  /** The demotion counter (0 when healthy; OpenBSD raises it on a failing interface). */
  demote: number;
  /** Seconds between adverts: advbase + advskew / 256. */
  interval: number;
}

/** VLAN ids from 802.1Q/802.1ad tags, outermost first. */
export type VlanTags = readonly number[];

export type Decoded =
  | { kind: 'advert'; advert: Advert; vlans: VlanTags }
  | {
      kind: 'invalid';
      reason: InvalidReason;
      ip: IpInfo | undefined;
      header: PartialHeader;
      vlans: VlanTags;
      /** Set when the packet is another protocol's advertisement (CARP): counted as `not_vrrp`. */
      foreign?: ForeignAdvert;
    }
  /** Not IP protocol 112/51: nothing to do with VRRP (a capture filter usually keeps these out). */
  | { kind: 'other' };

/** What could be read of a rejected VRRP header, for `--packets`. */
export interface PartialHeader {
  version?: number;
  type?: number;
  vrid?: number;
  priority?: number;
}
