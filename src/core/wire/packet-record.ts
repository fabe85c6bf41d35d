/** The `replay --packets` line for one packet that carried VRRP (accepted or not). Pure. */
import type { Decoded } from './types.js';

export interface PacketRecord {
  ts: number;
  interface: string;
  src?: string;
  dst?: string;
  ttl?: number;
  family?: string;
  ok: boolean;
  reason?: string;
  version?: number;
  type?: number;
  vrid?: number;
  priority?: number;
  addresses?: string[];
  advert_interval?: number;
  auth_type?: number;
  checksum?: 'ok' | 'bad';
  checksum_form?: string;
  ttl_ok?: boolean;
  ah?: boolean;
  trailer_bytes?: number;
  /** keepalived 2.4's auth_hmac trailer: key id, its clock (seconds since the epoch) and counter. */
  hmac_key_id?: number;
  hmac_time?: number;
  hmac_counter?: number;
  /** Another protocol's advertisement on protocol 112 (`carp`), with its own header fields. */
  protocol?: string;
  vhid?: number;
  advbase?: number;
  advskew?: number;
}

export function packetRecord(ts: number, iface: string, d: Exclude<Decoded, { kind: 'other' }>): PacketRecord {
  if (d.kind === 'invalid') {
    const rec = { ts, interface: iface } as PacketRecord;
    if (d.ip !== undefined) {
      Object.assign(rec, { src: d.ip.src, dst: d.ip.dst, ttl: d.ip.ttl, family: d.ip.family });
    }
    Object.assign(rec, { ok: false, reason: d.reason });
    Object.assign(rec, d.header);
    if (d.reason === 'bad_checksum') rec.checksum = 'bad';
    if (d.ip !== undefined) rec.ttl_ok = d.ip.ttl === 255;
    if (d.foreign !== undefined) Object.assign(rec, { protocol: d.foreign.protocol, vhid: d.foreign.vhid, advbase: d.foreign.advbase, advskew: d.foreign.advskew });
    return rec;
  }
  const a = d.advert;
  const rec: PacketRecord = {
    ts,
    interface: iface,
    src: a.src,
    dst: a.dst,
    ttl: a.ttl,
    family: a.family,
    ok: true,
    version: a.version,
    type: a.type,
    vrid: a.vrid,
    priority: a.priority,
    addresses: a.addresses,
    advert_interval: a.advertInterval,
  };
  if (a.authType !== undefined) rec.auth_type = a.authType;
  rec.checksum = 'ok';
  rec.checksum_form = a.checksumForm;
  rec.ttl_ok = a.ttlOk;
  if (a.ah) rec.ah = true;
  if (a.trailerLength > 0) rec.trailer_bytes = a.trailerLength;
  if (a.hmac !== undefined) {
    rec.hmac_key_id = a.hmac.keyId;
    rec.hmac_time = a.hmac.time;
    rec.hmac_counter = a.hmac.counter;
  }
  return rec;
}
