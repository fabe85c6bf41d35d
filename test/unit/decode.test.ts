import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { decodeFrame, LinkType } from '../../src/core/wire/decode.js';
import { Decoder } from '../../src/core/wire/decoder.js';
import { packetRecord } from '../../src/core/wire/packet-record.js';
import { maximalAdvert } from '../helpers/maximal.js';
import { addressesKey } from '../helpers/adverts.js';
import { allPacketFixtures, packetFixture, vrrpFrame } from '../helpers/fixtures.js';
import { INVALID_REASONS } from '../../src/core/wire/types.js';
import type { Advert, Decoded } from '../../src/core/wire/types.js';

function advertOf(name: string): Advert {
  const f = packetFixture(name);
  const d = decodeFrame(f.linkType, f.bytes);
  assert.equal(d.kind, 'advert', `${name}: ${JSON.stringify(d)}`);
  return d.advert;
}

function rejectionOf(name: string): string {
  const f = packetFixture(name);
  const d = decodeFrame(f.linkType, f.bytes);
  assert.equal(d.kind, 'invalid', `${name} should be rejected`);
  return d.reason;
}

type Expected = Partial<Omit<Advert, 'authSecret'>> & { vlans?: number[] };

// One row per fixture that must decode: the fields a user sees in `replay --packets`.
const ACCEPTED: Record<string, Expected> = {
  'v2-ipv4-pass': { version: 2, vrid: 51, priority: 150, src: '192.0.2.11', dst: '224.0.0.18', family: 'ipv4', addresses: ['192.0.2.100'], advertInterval: 1, authType: 1, checksumForm: 'message', ttl: 255, ttlOk: true, ah: false, trailerLength: 0 },
  'v2-ipv4-priority0': { version: 2, vrid: 51, priority: 0, src: '192.0.2.11', authType: 1 },
  'v3-ipv4-sll': { version: 3, vrid: 61, priority: 150, family: 'ipv4', addresses: ['192.0.2.100'], advertInterval: 1, authType: undefined, checksumForm: 'pseudo_header' },
  'v3-ipv6-sll': { version: 3, vrid: 62, family: 'ipv6', dst: 'ff02::12', addresses: ['2001:db8::100'], checksumForm: 'pseudo_header' },
  'v3-ipv4-sll2': { version: 3, vrid: 61, family: 'ipv4', checksumForm: 'pseudo_header' },
  'v2-ipv4-ah': { version: 2, vrid: 72, priority: 150, src: '192.0.2.12', authType: 2, ah: true, addresses: ['192.0.2.102'], checksumForm: 'message' },
  'v3-ipv4-unicast': { version: 3, vrid: 71, dst: '192.0.2.13', addresses: ['192.0.2.101'], checksumForm: 'pseudo_header' },
  'v3-ipv6-ethernet': { version: 3, vrid: 81, family: 'ipv6', addresses: ['2001:db8::100'], checksumForm: 'pseudo_header' },
  'v2-ipv4-vlan': { version: 2, vrid: 51, vlans: [100] },
  'v2-ipv4-qinq': { version: 2, vrid: 51, vlans: [300, 100] },
  'v2-ipv4-raw': { version: 2, vrid: 51, src: '192.0.2.11' },
  'v2-ipv4-options': { version: 2, vrid: 51, priority: 150, addresses: ['192.0.2.100'] },
  'v2-ipv4-ttl64': { ttl: 64, ttlOk: false, dst: '192.0.2.12', vrid: 51 },
  'v3-ipv4-auth-hmac': { version: 3, vrid: 51, priority: 200, src: '198.51.100.10', addresses: ['192.0.2.100'], checksumForm: 'pseudo_header', trailerLength: 28 },
  'v3-ipv6-auth-hmac': { version: 3, vrid: 51, family: 'ipv6', src: 'fe80::a', addresses: ['2001:db8::100'], checksumForm: 'pseudo_header', trailerLength: 28 },
  'v2-ipv4-noauth-two-vips': { vrid: 52, priority: 100, authType: 0, advertInterval: 3, addresses: ['192.0.2.100', '192.0.2.101'] },
  'v2-ipv6-keepalived': { version: 2, vrid: 81, family: 'ipv6', addresses: ['2001:db8::100'], authType: 0, checksumForm: 'pseudo_header', src: 'fe80::1' },
  'v3-ipv4-message-checksum': { version: 3, vrid: 61, checksumForm: 'message' },
  'v3-ipv4-unicast-multicast-checksum': { version: 3, vrid: 71, dst: '192.0.2.13', checksumForm: 'pseudo_header_multicast' },
  'v3-ipv4-subsecond-reserved': { version: 3, vrid: 61, priority: 200, advertInterval: 0.25, checksumForm: 'pseudo_header' },
  'v3-ipv6-hop-by-hop': { version: 3, vrid: 62, family: 'ipv6', checksumForm: 'pseudo_header' },
  'frr-v3-ipv4': { version: 3, vrid: 51, priority: 150, src: '192.0.2.11', dst: '224.0.0.18', addresses: ['192.0.2.100'], advertInterval: 1, authType: undefined, checksumForm: 'pseudo_header', ttlOk: true, trailerLength: 0 },
  'frr-v3-ipv6': { version: 3, vrid: 51, priority: 150, family: 'ipv6', src: 'fe80::789:8fd5:34f1:6737', dst: 'ff02::12', addresses: ['2001:db8::100'], advertInterval: 1, checksumForm: 'pseudo_header', ttlOk: true },
};

const REJECTED: Record<string, string> = {
  carp: 'not_vrrp',
  'carp-ucarp': 'not_vrrp',
  'bad-checksum': 'bad_checksum',
  'bad-version': 'bad_version',
  'bad-type': 'bad_type',
  'addr-count-mismatch': 'addr_count_mismatch',
  truncated: 'truncated',
  'bad-interval': 'bad_interval',
  'v2-ipv4-hmac-trailer': 'hmac_malformed',
};

describe('decodeFrame on the fixtures', () => {
  it('covers every fixture file with an expectation', () => {
    const names = allPacketFixtures().map((f) => f.name).sort();
    assert.deepEqual(names, [...Object.keys(ACCEPTED), ...Object.keys(REJECTED)].sort());
  });

  for (const [name, expected] of Object.entries(ACCEPTED)) {
    it(`accepts ${name}`, () => {
      const f = packetFixture(name);
      const d = decodeFrame(f.linkType, f.bytes);
      assert.equal(d.kind, 'advert', JSON.stringify(d));
      const { vlans, ...fields } = expected;
      for (const [key, value] of Object.entries(fields)) {
        assert.deepEqual(d.advert[key as keyof Advert], value, `${name}.${key}`);
      }
      assert.deepEqual(d.vlans, vlans ?? []);
    });
  }

  for (const [name, reason] of Object.entries(REJECTED)) {
    it(`rejects ${name} as ${reason}`, () => {
      assert.equal(rejectionOf(name), reason);
    });
  }
});

/** The CARP message of the ucarp fixture (its last 36 bytes) inside an IPv6 packet to ff02::12, raw IP. */
function carpOverIpv6(): Uint8Array {
  const carp = packetFixture('carp-ucarp').bytes.slice(-36);
  const ip = Buffer.alloc(40);
  ip.writeUInt8(0x60, 0);
  ip.writeUInt16BE(carp.length, 4);
  ip.writeUInt8(112, 6);
  ip.writeUInt8(255, 7);
  Buffer.from('20010db8000000000000000000000013', 'hex').copy(ip, 8);
  Buffer.from('ff020000000000000000000000000012', 'hex').copy(ip, 24);
  return Buffer.concat([ip, carp]);
}

function invalidOf(linkType: number, bytes: Uint8Array): Extract<Decoded, { kind: 'invalid' }> {
  const d = decodeFrame(linkType, bytes);
  assert.equal(d.kind, 'invalid', JSON.stringify(d));
  return d;
}

describe('CARP is recognised as another protocol, never as VRRP', () => {
  it('reads a real ucarp advert: vhid, advbase, advskew, demote and its interval', () => {
    const f = packetFixture('carp-ucarp');
    const d = invalidOf(f.linkType, f.bytes);
    assert.equal(d.reason, 'not_vrrp');
    assert.deepEqual(d.foreign, { protocol: 'carp', vhid: 51, advbase: 1, advskew: 0, demote: 0, interval: 1 });
    assert.deepEqual(d.ip, { family: 'ipv4', src: '192.0.2.13', dst: '224.0.0.18', ttl: 255, ah: false });
    assert.deepEqual(d.header, {}, 'no VRRP header fields: its advskew is not a priority');
  });

  it('reads the hand-built OpenBSD advert and CARP over IPv6 (pfSense, OpenBSD)', () => {
    const f = packetFixture('carp');
    assert.equal(invalidOf(f.linkType, f.bytes).foreign?.vhid, 5);
    const v6 = invalidOf(LinkType.RAW, carpOverIpv6());
    assert.equal(v6.reason, 'not_vrrp');
    assert.equal(v6.ip?.family, 'ipv6');
    assert.equal(v6.foreign?.vhid, 51);
  });

  it('turns advskew into 1/256ths of a second', () => {
    const f = packetFixture('carp-ucarp');
    const bytes = Uint8Array.from(f.bytes);
    bytes[bytes.length - 36 + 2] = 128;
    bytes[bytes.length - 36 + 5] = 3;
    const foreign = invalidOf(f.linkType, bytes).foreign;
    assert.deepEqual([foreign?.advskew, foreign?.advbase, foreign?.interval], [128, 3, 3.5]);
  });

  it('is not claimed for a 36-byte message of another shape (authlen other than 7, or version 3)', () => {
    const f = packetFixture('carp-ucarp');
    for (const [at, value] of [[3, 1], [0, 0x31]] as const) {
      const bytes = Uint8Array.from(f.bytes);
      bytes[bytes.length - 36 + at] = value;
      const d = decodeFrame(f.linkType, bytes);
      assert.equal(d.kind === 'invalid' && d.foreign, undefined, `byte ${at} = ${value}: ${JSON.stringify(d)}`);
    }
  });

  it('gives replay --packets its protocol and CARP fields, and nothing of the counter or HMAC', () => {
    const f = packetFixture('carp-ucarp');
    const rec = packetRecord(7, 'eth0', invalidOf(f.linkType, f.bytes));
    assert.deepEqual(rec, { ts: 7, interface: 'eth0', src: '192.0.2.13', dst: '224.0.0.18', ttl: 255, family: 'ipv4', ok: false, reason: 'not_vrrp', ttl_ok: true, protocol: 'carp', vhid: 51, advbase: 1, advskew: 0 });
  });
});

describe('decodeFrame robustness', () => {
  it('never throws on any prefix of any fixture, and rejects every cut VRRP message', () => {
    for (const f of allPacketFixtures()) {
      for (let n = 0; n < f.bytes.length; n++) {
        const d = decodeFrame(f.linkType, f.bytes.subarray(0, n));
        assert.notEqual(d.kind, 'advert', `${f.name} cut to ${n} bytes was accepted`);
      }
    }
  });

  it('a byte changed anywhere in a fixture is rejected with a listed reason, passed over, or leaves the VRRP message as it was', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    /** What the VRRP message says (the checksum covers all of it); IP fields (source, TTL) may change. */
    const message = (a: Advert): unknown => ({ version: a.version, vrid: a.vrid, priority: a.priority, addressesKey: a.addressesKey, addressCount: a.addressCount, advertInterval: a.advertInterval, authType: a.authType });
    for (const f of allPacketFixtures()) {
      const original = decodeFrame(f.linkType, f.bytes);
      if (original.kind !== 'advert') continue;
      let rejected = 0;
      for (let i = 0; i < f.bytes.length; i++) {
        const copy = f.bytes.slice();
        copy[i] = (copy[i] ?? 0) ^ (1 + (rand() % 255));
        const d = decodeFrame(f.linkType, copy);
        if (d.kind === 'invalid') {
          assert.ok((INVALID_REASONS as readonly string[]).includes(d.reason), `${f.name} byte ${i}: ${d.reason}`);
          rejected++;
        } else if (d.kind === 'advert') {
          assert.deepEqual(message(d.advert), message(original.advert), `${f.name}: byte ${i} changed the message and was accepted`);
          const secret = d.advert.authSecret;
          const before = original.advert.authSecret;
          assert.ok(secret === undefined ? before === undefined : before !== undefined && secret.equals(before), `${f.name}: byte ${i} changed the password and was accepted`);
        }
      }
      assert.ok(rejected > 0, `${f.name}: no change was rejected`);
    }
  });

  it('ignores frames that are not VRRP, and unknown link types', () => {
    const f = packetFixture('v2-ipv4-pass');
    const udp = f.bytes.slice();
    udp[14 + 9] = 17;
    assert.equal(decodeFrame(1, udp).kind, 'other');
    assert.equal(decodeFrame(9999, f.bytes).kind, 'other');
    const arp = f.bytes.slice();
    arp[12] = 0x08;
    arp[13] = 0x06;
    assert.equal(decodeFrame(1, arp).kind, 'other');
  });

  it('rejects fragments rather than decoding half a message', () => {
    const f = packetFixture('v2-ipv4-pass');
    const frag = f.bytes.slice();
    frag[14 + 6] = 0x20; // more fragments
    assert.equal(rejectionOf2(f.linkType, frag), 'fragmented');
  });

  it('rejects a third VLAN tag instead of reading past it', () => {
    const f = packetFixture('v2-ipv4-qinq');
    const three = new Uint8Array([...f.bytes.subarray(0, 12), 0x81, 0x00, 0x00, 0x07, ...f.bytes.subarray(12)]);
    assert.equal(decodeFrame(1, three).kind, 'other');
  });
});

function rejectionOf2(linkType: number, bytes: Uint8Array): string {
  const d = decodeFrame(linkType, bytes);
  return d.kind === 'invalid' ? d.reason : d.kind;
}

describe('auth data stays secret', () => {
  it('cannot be printed, serialised or inspected', () => {
    const a = advertOf('v2-ipv4-pass');
    const outputs = [JSON.stringify(a), String(a.authSecret), inspect(a, { depth: 5, showHidden: true }), a.authSecret?.toString() ?? ''];
    for (const text of outputs) {
      assert.ok(!text.includes('s3cr3t'), text);
      assert.ok(!text.includes('73336372'), text);
    }
  });

  it('compares equal for the same password and unequal otherwise', () => {
    const a = advertOf('v2-ipv4-pass');
    const f = packetFixture('v2-ipv4-pass');
    const other = f.bytes.slice();
    // change the last password byte and fix the checksum by the same amount on the other half-word
    const at = other.length - 1;
    other[at] = (other[at] ?? 0) + 1;
    const ck = 14 + 20 + 6;
    const sum = (((other[ck] ?? 0) << 8) | (other[ck + 1] ?? 0)) - 1;
    other[ck] = (sum >> 8) & 0xff;
    other[ck + 1] = sum & 0xff;
    const d = decodeFrame(1, other);
    assert.equal(d.kind, 'advert', JSON.stringify(d));
    if (a.authSecret === undefined || d.advert.authSecret === undefined) throw new Error('PASS adverts carry a secret');
    assert.equal(a.authSecret.equals(advertOf('v2-ipv4-pass').authSecret ?? a.authSecret), true);
    assert.equal(a.authSecret.equals(d.advert.authSecret), false);
  });
});

describe('Decoder (remembers repeated adverts)', () => {
  it('makes text of as many addresses as asked, with the count and fingerprint of the whole list', () => {
    const frame = maximalAdvert(201, 51, 3, 112);
    const all = decodeFrame(LinkType.ETHERNET, frame);
    const kept = new Decoder(64).decode(LinkType.ETHERNET, frame);
    assert.ok(all.kind === 'advert' && kept.kind === 'advert');
    assert.equal(all.advert.addresses.length, 255);
    assert.deepEqual(kept.advert.addresses, all.advert.addresses.slice(0, 64));
    assert.equal(kept.advert.addressCount, 255);
    assert.equal(kept.advert.addressesKey, all.advert.addressesKey);
    // The fingerprint from the bytes is the one of the texts, whatever their order; another list differs.
    assert.equal(all.advert.addressesKey, addressesKey([...all.advert.addresses].reverse()));
    assert.notEqual(all.advert.addressesKey, addressesKey(all.advert.addresses.slice(1)));
    const other = decodeFrame(LinkType.ETHERNET, maximalAdvert(201, 52, 3, 112));
    assert.ok(other.kind === 'advert');
    assert.notEqual(other.advert.addressesKey, all.advert.addressesKey);
  });

  it('gives the same result as decodeFrame for every fixture, first and second time', () => {
    const decoder = new Decoder();
    for (const f of allPacketFixtures()) {
      const expected = JSON.stringify(decodeFrame(f.linkType, f.bytes));
      assert.equal(JSON.stringify(decoder.decode(f.linkType, f.bytes)), expected, f.name);
      assert.equal(JSON.stringify(decoder.decode(f.linkType, f.bytes.slice())), expected, `${f.name} again`);
    }
  });

  it('decodes afresh when any byte of the message, the addresses or the TTL changes', () => {
    const decoder = new Decoder();
    const f = packetFixture('v2-ipv4-noauth-two-vips');
    const first = decoder.decode(1, f.bytes);
    assert.equal(decoder.decode(1, f.bytes.slice()), first, 'an identical repeat is the same object');
    const ip = 14;
    for (const at of [ip + 8, ip + 12, ip + 15, ip + 16, ip + 19, ip + 20 + 2, ip + 20 + 11, ip + 20 + 19]) {
      const changed = f.bytes.slice();
      changed[at] = (changed[at] ?? 0) ^ 0x01;
      assert.equal(JSON.stringify(decoder.decode(1, changed)), JSON.stringify(decodeFrame(1, changed)), `byte ${at}`);
      assert.notEqual(decoder.decode(1, changed), first);
    }
  });

  it('keeps VLANs apart: the same router and VRID on two VLANs, one or two tags, or none', () => {
    const decoder = new Decoder();
    const plain = packetFixture('v2-ipv4-noauth-two-vips').bytes;
    const tagged = (tags: number[]): Uint8Array => {
      const out = new Uint8Array(plain.length + 4 * tags.length);
      out.set(plain.subarray(0, 12));
      tags.forEach((vlan, i) => {
        out.set([i === 0 && tags.length === 2 ? 0x88 : 0x81, i === 0 && tags.length === 2 ? 0xa8 : 0x00, vlan >> 8, vlan & 0xff], 12 + 4 * i);
      });
      out.set(plain.subarray(12), 12 + 4 * tags.length);
      return out;
    };
    const frames = [tagged([101]), tagged([102]), tagged([]), tagged([101, 7]), tagged([101, 8])];
    for (let round = 0; round < 3; round++) {
      for (const f of frames) {
        const d = decoder.decode(1, f);
        assert.equal(JSON.stringify(d), JSON.stringify(decodeFrame(1, f)), `round ${round}`);
      }
    }
    const d = decoder.decode(1, tagged([101, 8]));
    assert.ok(d.kind === 'advert' && d.vlans.join('.') === '101.8', JSON.stringify(d));
    assert.equal(decoder.decode(1, tagged([102])), decoder.decode(1, tagged([102])), 'a tagged repeat is remembered');
  });

  it('copies what it keeps: every VLAN through one reused Buffer (as libpcap gives) keeps its own tag', () => {
    const decoder = new Decoder();
    const plain = packetFixture('v2-ipv4-noauth-two-vips').bytes;
    const frame = Buffer.alloc(plain.length + 4);
    frame.set(plain.subarray(0, 12));
    frame.set([0x81, 0x00], 12);
    frame.set(plain.subarray(12), 16);
    for (let round = 0; round < 2; round++) {
      for (let vlan = 1; vlan < 4095; vlan++) {
        frame.writeUInt16BE(vlan, 14);
        const d = decoder.decode(1, frame);
        assert.ok(d.kind === 'advert' && d.vlans.length === 1 && d.vlans[0] === vlan, `round ${round} VLAN ${vlan}: ${JSON.stringify(d.kind === 'advert' ? d.vlans : d)}`);
      }
    }
  });

  it('remembers 4 VLANs x 250 VRIDs x 4 routers at once (the same result object on a repeat)', () => {
    const decoder = new Decoder();
    const frames: Buffer[] = [];
    for (let vlan = 101; vlan <= 104; vlan++) for (let vrid = 1; vrid <= 250; vrid++) for (let r = 0; r < 4; r++) frames.push(vrrpFrame(vrid, 31 + r, 200 - 10 * r, vlan));
    const first = frames.map((f) => decoder.decode(1, f));
    const remembered = frames.filter((f, i) => decoder.decode(1, f) === first[i]).length;
    // A few may share both ways of a slot; the tags must not make whole VLANs collide.
    assert.ok(remembered >= 0.98 * frames.length, `${remembered} of ${frames.length}`);
  });

  it('decodes a frame inside a larger buffer (offset and length) as the frame alone', () => {
    const decoder = new Decoder();
    for (const f of allPacketFixtures()) {
      const buf = new Uint8Array(f.bytes.length + 40).fill(0xee);
      buf.set(f.bytes, 17);
      assert.equal(JSON.stringify(decoder.decode(f.linkType, buf, 17, f.bytes.length)), JSON.stringify(decodeFrame(f.linkType, f.bytes)), f.name);
    }
  });
});
