import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LinkType } from '../../src/core/wire/decode.js';
import { readLinkHeader } from '../../src/core/wire/link-header.js';
import { claimOf, decodeNeighbor, NEIGHBOR_INVALID_REASONS } from '../../src/core/wire/neighbor.js';
import type { AddressClaim, ArpMessage, NdpMessage, NeighborDecoded } from '../../src/core/wire/neighbor.js';
import { allPacketFixtures, packetFixture } from '../helpers/fixtures.js';

const KA = '02:00:00:00:0a:01';
const KB = '02:00:00:00:0b:01';

function decodeFixture(name: string): NeighborDecoded {
  const f = packetFixture(name, 'neighbor');
  return decodeNeighbor(f.linkType, f.bytes);
}

interface Expected {
  message: Partial<ArpMessage> | Partial<NdpMessage>;
  claim: AddressClaim | undefined;
  vlans?: number[];
  source?: string | undefined;
  outgoing?: boolean | undefined;
}

// One row per fixture that must decode: the message fields and the address claim a client would learn.
const ACCEPTED: Record<string, Expected> = {
  'arp-request': { message: { protocol: 'arp', op: 'request', senderMac: KB, senderIp: '192.0.2.12', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.11', gratuitous: false, probe: false }, claim: { ip: '192.0.2.12', mac: KB, kind: 'request' }, source: KB },
  'arp-request-padded': { message: { op: 'request', targetIp: '192.0.2.11' }, claim: { ip: '192.0.2.12', mac: KB, kind: 'request' } },
  'arp-reply': { message: { op: 'reply', senderMac: KA, senderIp: '192.0.2.11', targetMac: KB, targetIp: '192.0.2.12', gratuitous: false }, claim: { ip: '192.0.2.11', mac: KA, kind: 'reply' }, source: KA, outgoing: undefined },
  'arp-reply-sll': { message: { op: 'reply', senderIp: '192.0.2.11' }, claim: { ip: '192.0.2.11', mac: KA, kind: 'reply' }, source: KA, outgoing: false },
  'arp-garp-keepalived': { message: { op: 'request', senderIp: '192.0.2.100', targetIp: '192.0.2.100', targetMac: 'ff:ff:ff:ff:ff:ff', gratuitous: true }, claim: { ip: '192.0.2.100', mac: KA, kind: 'garp' } },
  'arp-garp-sll': { message: { gratuitous: true }, claim: { ip: '192.0.2.100', mac: KA, kind: 'garp' }, source: KA, outgoing: false },
  'arp-garp-vlan': { message: { gratuitous: true }, claim: { ip: '192.0.2.100', mac: KA, kind: 'garp' }, vlans: [100] },
  'arp-garp-qinq': { message: { gratuitous: true }, claim: { ip: '192.0.2.100', mac: KA, kind: 'garp' }, vlans: [300, 100] },
  'arp-garp-reply': { message: { op: 'reply', senderIp: '192.0.2.11', targetIp: '192.0.2.11', gratuitous: true }, claim: { ip: '192.0.2.11', mac: KA, kind: 'garp' } },
  'arp-probe': { message: { op: 'request', senderIp: '0.0.0.0', targetIp: '192.0.2.11', probe: true, gratuitous: false }, claim: undefined },
  'ns-multicast': { message: { protocol: 'ndp', type: 'solicitation', src: '2001:db8::12', dst: 'ff02::1:ff00:11', target: '2001:db8::11', linkAddress: KB, dad: false }, claim: { ip: '2001:db8::12', mac: KB, kind: 'ns' } },
  'ns-unicast-link-local': { message: { type: 'solicitation', src: 'fe80::ff:fe00:a01', dst: '2001:db8::12', target: '2001:db8::12', linkAddress: KA }, claim: { ip: 'fe80::ff:fe00:a01', mac: KA, kind: 'ns' } },
  'ns-dad': { message: { type: 'solicitation', src: '::', dst: 'ff02::1:ff00:21', target: '2001:db8::21', linkAddress: undefined, dad: true }, claim: undefined },
  'na-solicited': { message: { type: 'advertisement', src: '2001:db8::11', dst: '2001:db8::12', target: '2001:db8::11', linkAddress: KA, router: false, solicited: true, override: true, dad: false }, claim: { ip: '2001:db8::11', mac: KA, kind: 'na' } },
  'na-solicited-sll': { message: { type: 'advertisement', solicited: true }, claim: { ip: '2001:db8::11', mac: KA, kind: 'na' }, source: KA, outgoing: false },
  'na-no-target-option': { message: { type: 'advertisement', target: '2001:db8::12', linkAddress: undefined, solicited: true, override: false }, claim: { ip: '2001:db8::12', mac: KB, kind: 'na' }, source: KB },
  'na-unsolicited-keepalived': { message: { type: 'advertisement', src: '2001:db8::100', dst: 'ff02::1', target: '2001:db8::100', linkAddress: KA, solicited: false, override: true, router: false }, claim: { ip: '2001:db8::100', mac: KA, kind: 'unsolicited_na' } },
  'na-unsolicited-sll': { message: { target: '2001:db8::100', solicited: false }, claim: { ip: '2001:db8::100', mac: KA, kind: 'unsolicited_na' }, source: KA, outgoing: false },
  'na-unsolicited-sll2': { message: { target: '2001:db8::100', solicited: false }, claim: { ip: '2001:db8::100', mac: KA, kind: 'unsolicited_na' }, source: KA, outgoing: false },
  'na-unsolicited-raw': { message: { target: '2001:db8::100', linkAddress: KA }, claim: { ip: '2001:db8::100', mac: KA, kind: 'unsolicited_na' }, source: undefined },
  'na-hop-by-hop': { message: { target: '2001:db8::100', override: true }, claim: { ip: '2001:db8::100', mac: KA, kind: 'unsolicited_na' } },
};

const REJECTED: Record<string, string> = {
  'arp-truncated': 'truncated',
  'arp-bad-hardware': 'bad_hardware_type',
  'arp-bad-protocol': 'bad_protocol_type',
  'arp-bad-opcode': 'bad_opcode',
  'arp-bad-sender': 'bad_sender',
  'na-truncated': 'truncated',
  'na-fragmented': 'fragmented',
  'na-bad-hop-limit': 'bad_hop_limit',
  'na-bad-code': 'bad_code',
  'na-bad-checksum': 'bad_checksum',
  'na-bad-length': 'bad_length',
  'na-bad-option': 'bad_option',
  'na-bad-flags': 'bad_flags',
  'na-multicast-target': 'multicast_target',
  'ns-bad-dad': 'bad_dad',
};

describe('decodeNeighbor on the fixtures', () => {
  it('covers every fixture file with an expectation, and every reason with a fixture', () => {
    const names = allPacketFixtures('neighbor').map((f) => f.name).sort();
    assert.deepEqual(names, [...Object.keys(ACCEPTED), ...Object.keys(REJECTED)].sort());
    assert.deepEqual(new Set(Object.values(REJECTED)), new Set(NEIGHBOR_INVALID_REASONS));
  });

  for (const [name, expected] of Object.entries(ACCEPTED)) {
    it(`accepts ${name}`, () => {
      const d = decodeFixture(name);
      assert.equal(d.kind, 'neighbor', JSON.stringify(d));
      const fields = new Map(Object.entries(d.message));
      for (const [key, value] of Object.entries(expected.message)) assert.deepEqual(fields.get(key), value, `${name}.${key}`);
      assert.deepEqual(claimOf(d.message, d.link), expected.claim);
      assert.deepEqual(d.link.vlans, expected.vlans ?? []);
      if ('source' in expected) assert.equal(d.link.source, expected.source);
      if ('outgoing' in expected) assert.equal(d.link.outgoing, expected.outgoing);
    });
  }

  for (const [name, reason] of Object.entries(REJECTED)) {
    it(`rejects ${name} as ${reason}`, () => {
      const d = decodeFixture(name);
      assert.equal(d.kind === 'invalid' && d.reason, reason, JSON.stringify(d));
    });
  }

  it('leaves VRRP adverts and other link types to others', () => {
    const advert = packetFixture('v2-ipv4-pass');
    assert.deepEqual(decodeNeighbor(advert.linkType, advert.bytes), { kind: 'other' });
    const v6 = packetFixture('v3-ipv6-ethernet');
    assert.deepEqual(decodeNeighbor(v6.linkType, v6.bytes), { kind: 'other' });
    const na = packetFixture('na-unsolicited-keepalived', 'neighbor');
    assert.deepEqual(decodeNeighbor(147, na.bytes), { kind: 'other' });
  });

  it('marks frames this host sent on cooked capture as outgoing', () => {
    const f = packetFixture('arp-reply-sll', 'neighbor');
    const sent = Uint8Array.from(f.bytes);
    sent[1] = 4;
    const d = decodeNeighbor(f.linkType, sent);
    assert.equal(d.kind === 'neighbor' && d.link.outgoing, true);
  });
});

const LINK_TYPES = [LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW, LinkType.DLT_RAW, LinkType.IPV6, 0, 147];

describe('decodeNeighbor on any bytes', () => {
  const fixtures = allPacketFixtures('neighbor');

  function checkTotal(linkType: number, bytes: Uint8Array): void {
    const d = decodeNeighbor(linkType, bytes);
    assert.ok(['neighbor', 'invalid', 'other'].includes(d.kind), JSON.stringify(d));
    if (d.kind === 'invalid') assert.ok(NEIGHBOR_INVALID_REASONS.includes(d.reason), d.reason);
    // An ARP frame is always judged: a message or a counted reason, never passed over.
    const link = readLinkHeader(linkType, bytes);
    if (link?.etherType === 0x0806) assert.notEqual(d.kind, 'other');
  }

  it('never throws and always yields a message, a listed reason, or not-mine, for random frames of any link type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 200 }), (linkType, bytes) => {
        checkTotal(linkType, bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on fixtures cut at any length or with any byte changed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fixtures), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (f, cut, at, value) => {
        const bytes = Uint8Array.from(f.bytes.subarray(0, cut % (f.bytes.length + 1)));
        if (bytes.length > 0) bytes[at % bytes.length] = value;
        checkTotal(f.linkType, bytes);
      }),
      { numRuns: 5000 },
    );
  });
});
