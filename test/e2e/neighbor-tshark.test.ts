/**
 * The ARP/NDP fixtures and the probe frames as tshark reads them: every field vrrpwatch decodes must
 * agree with tshark's, and every rejection must be a packet tshark also finds wrong in that way.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkType } from '../../src/core/wire/decode.js';
import { decodeNeighbor } from '../../src/core/wire/neighbor.js';
import { arpRequestFrame, neighborSolicitationFrame } from '../../src/core/ownership/probe.js';
import { allPacketFixtures, pcapFile } from '../helpers/fixtures.js';

const FIELDS = [
  'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4', 'arp.isgratuitous', 'arp.isprobe',
  'icmpv6.type', 'icmpv6.code', 'icmpv6.checksum.status', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'icmpv6.nd.ns.target_address', 'icmpv6.nd.na.target_address',
  'icmpv6.nd.na.flag.r', 'icmpv6.nd.na.flag.s', 'icmpv6.nd.na.flag.o', 'icmpv6.opt.type', 'icmpv6.opt.linkaddr', 'ieee8021ad.id', 'vlan.id', 'eth.dst', '_ws.malformed',
] as const;
type Field = (typeof FIELDS)[number];

let dir = '';
/** tshark's fields for each frame, one run per pcap (tshark starts slowly: one run per link type). */
function tshark(linkType: number, frames: readonly Uint8Array[]): Map<Field, string>[] {
  const file = join(dir, `${linkType}.pcap`);
  writeFileSync(file, pcapFile(linkType, frames.map((bytes, i) => ({ ts: i + 1, bytes }))));
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f])], { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines = out.toString().replace(/\n$/, '').split('\n');
  assert.equal(lines.length, frames.length, 'one line per frame');
  return lines.map((line) => {
    const values = line.split('|');
    return new Map(FIELDS.map((f, i) => [f, values[i] ?? '']));
  });
}

function field(t: Map<Field, string>, f: Field): string {
  return t.get(f) ?? '';
}

function fields(t: Map<Field, string>, ...names: Field[]): string[] {
  return names.map((f) => field(t, f));
}

/** tshark's expert flags (gratuitous, probe) are present only when set; NA flags are 0 or 1. */
const expert = (value: boolean): string => (value ? '1' : '');
const bit = (value: boolean): string => (value ? '1' : '0');

describe('ARP/NDP fixtures agree with tshark', () => {
  const fixtures = allPacketFixtures('neighbor');
  const read = new Map<string, Map<Field, string>>();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-neighbor-'));
    for (const linkType of new Set(fixtures.map((f) => f.linkType))) {
      const same = fixtures.filter((f) => f.linkType === linkType);
      tshark(linkType, same.map((f) => f.bytes)).forEach((t, i) => read.set(same[i]?.name ?? '', t));
    }
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const f of fixtures) {
    it(`${f.name}: ${f.description}`, () => {
      const t = read.get(f.name);
      assert.ok(t);
      const d = decodeNeighbor(f.linkType, f.bytes);
      assert.ok(d.kind !== 'other', 'an ARP/NDP fixture is never passed over');
      if (d.kind === 'invalid') {
        const expected: Partial<Record<string, [Field, string]>> = {
          bad_hop_limit: ['ipv6.hlim', '64'],
          bad_code: ['icmpv6.code', '1'],
          bad_checksum: ['icmpv6.checksum.status', '0'],
          multicast_target: ['icmpv6.nd.na.target_address', 'ff02::1'],
          bad_opcode: ['arp.opcode', '3'],
          bad_sender: ['arp.src.proto_ipv4', '224.0.0.18'],
        };
        const pair = expected[d.reason];
        if (pair !== undefined) assert.equal(field(t, pair[0]), pair[1], `${d.reason}: tshark's ${pair[0]}`);
        if (d.reason === 'truncated' || d.reason === 'bad_length') assert.ok(field(t, '_ws.malformed') !== '' || field(t, 'icmpv6.checksum.status') === '0', 'tshark finds it short');
        if (d.reason === 'bad_flags') assert.deepEqual([field(t, 'icmpv6.nd.na.flag.s'), field(t, 'ipv6.dst')], ['1', 'ff02::1']);
        if (d.reason === 'bad_dad') assert.deepEqual([field(t, 'ipv6.src'), field(t, 'icmpv6.opt.type')], ['::', '1']);
        if (d.reason === 'bad_option') assert.equal(field(t, 'icmpv6.opt.linkaddr'), '', 'tshark reads no link-layer address from it');
        if (d.reason === 'bad_hardware_type') assert.equal(field(t, 'arp.src.hw_mac'), '');
        if (d.reason === 'bad_protocol_type') assert.equal(field(t, 'arp.src.proto_ipv4'), '');
        return;
      }
      assert.equal([field(t, 'ieee8021ad.id'), field(t, 'vlan.id')].filter((v) => v !== '').join(','), d.link.vlans.join(','));
      const m = d.message;
      if (m.protocol === 'arp') {
        assert.equal(field(t, 'arp.opcode'), m.op === 'request' ? '1' : '2');
        assert.equal(field(t, 'arp.src.hw_mac'), m.senderMac);
        assert.equal(field(t, 'arp.src.proto_ipv4'), m.senderIp);
        assert.equal(field(t, 'arp.dst.hw_mac'), m.targetMac);
        assert.equal(field(t, 'arp.dst.proto_ipv4'), m.targetIp);
        assert.equal(field(t, 'arp.isgratuitous'), expert(m.gratuitous));
        assert.equal(field(t, 'arp.isprobe'), expert(m.probe));
        return;
      }
      assert.equal(field(t, 'icmpv6.type'), m.type === 'solicitation' ? '135' : '136');
      assert.equal(field(t, 'icmpv6.checksum.status'), '1');
      assert.equal(field(t, 'ipv6.hlim'), '255');
      assert.equal(field(t, 'ipv6.src'), m.src);
      assert.equal(field(t, 'ipv6.dst'), m.dst);
      assert.equal(field(t, m.type === 'solicitation' ? 'icmpv6.nd.ns.target_address' : 'icmpv6.nd.na.target_address'), m.target);
      assert.equal(field(t, 'icmpv6.opt.linkaddr'), m.linkAddress ?? '');
      if (m.type === 'advertisement') {
        assert.deepEqual([field(t, 'icmpv6.nd.na.flag.r'), field(t, 'icmpv6.nd.na.flag.s'), field(t, 'icmpv6.nd.na.flag.o')], [bit(m.router), bit(m.solicited), bit(m.override)]);
      }
    });
  }
});

describe('probe frames as tshark reads them', () => {
  const MAC = '02:00:00:00:0c:01';
  const frames = {
    request: arpRequestFrame(MAC, '192.0.2.13', '192.0.2.100'),
    probe: arpRequestFrame(MAC, '0.0.0.0', '192.0.2.100', [300, 100]),
    ns: neighborSolicitationFrame(MAC, 'fe80::ff:fe00:c01', '2001:db8::1:2345'),
    nsTagged: neighborSolicitationFrame(MAC, 'fe80::ff:fe00:c01', '2001:db8::100', [100]),
  };
  const read = new Map<string, Map<Field, string>>();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-probe-'));
    const entries = Object.entries(frames);
    const bytes = entries.map(([name, f]) => {
      assert.ok(f, `${name} is built`);
      return f;
    });
    tshark(LinkType.ETHERNET, bytes).forEach((t, i) => read.set(entries[i]?.[0] ?? '', t));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function of(name: keyof typeof frames): Map<Field, string> {
    const t = read.get(name);
    assert.ok(t);
    return t;
  }

  it('an ARP request from an address of the interface', () => {
    assert.deepEqual(
      fields(of('request'), 'eth.dst', 'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4', 'arp.isgratuitous', 'arp.isprobe', '_ws.malformed'),
      ['ff:ff:ff:ff:ff:ff', '1', MAC, '192.0.2.13', '00:00:00:00:00:00', '192.0.2.100', '', '', ''],
    );
  });

  it('an RFC 5227 ARP probe, inside two tags', () => {
    assert.deepEqual(fields(of('probe'), 'ieee8021ad.id', 'vlan.id', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'arp.isprobe'), ['', '300,100', '0.0.0.0', '192.0.2.100', '1']);
  });

  it('a Neighbor Solicitation to the solicited-node address, with a good checksum', () => {
    assert.deepEqual(
      fields(of('ns'), 'eth.dst', 'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'icmpv6.type', 'icmpv6.code', 'icmpv6.checksum.status', 'icmpv6.nd.ns.target_address', 'icmpv6.opt.type', 'icmpv6.opt.linkaddr', '_ws.malformed'),
      ['33:33:ff:01:23:45', 'fe80::ff:fe00:c01', 'ff02::1:ff01:2345', '255', '135', '0', '1', '2001:db8::1:2345', '1', MAC, ''],
    );
  });

  it('a Neighbor Solicitation inside an 802.1Q tag', () => {
    assert.deepEqual(fields(of('nsTagged'), 'vlan.id', 'icmpv6.checksum.status', 'icmpv6.nd.ns.target_address'), ['100', '1', '2001:db8::100']);
  });
});
