#!/usr/bin/env python3
"""Builds the hand-made ARP/NDP fixtures in test/fixtures/neighbor/ from the recorded ones (see
record-neighbor-fixtures.sh): other link types and tags, RFC 826/5227/4861 cases the lab did not send,
and one fixture per rejection. ICMPv6 checksums are recomputed unless the case is a bad checksum."""
import os
import sys

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'neighbor')


def read(name):
    lines = open(os.path.join(DIR, name + '.hex')).read().split('\n')
    return int(lines[2].split()[1]), bytearray.fromhex(''.join(lines[3:]))


def write(name, description, source, linktype, data):
    hexs = data.hex()
    body = '\n'.join(hexs[i:i + 64] for i in range(0, len(hexs), 64))
    with open(os.path.join(DIR, name + '.hex'), 'w') as f:
        f.write(f'# {description}\n# source: built by hand (scripts/make-neighbor-fixtures.py) {source}\nlinktype {linktype}\n{body}\n')


def icmpv6_fix(b, ip, start=None):
    """Recomputes the checksum of the ICMPv6 message at `start` (after the IPv6 header at `ip` by default)."""
    start = ip + 40 if start is None else start
    length = ip + 40 + ((b[ip + 4] << 8) | b[ip + 5]) - start
    b[start + 2:start + 4] = b'\0\0'
    data = bytes(b[ip + 8:ip + 40]) + length.to_bytes(4, 'big') + bytes([0, 0, 0, 58]) + bytes(b[start:start + length])
    if len(data) % 2:
        data += b'\0'
    s = sum((data[i] << 8) | data[i + 1] for i in range(0, len(data), 2))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    b[start + 2:start + 4] = (~s & 0xffff).to_bytes(2, 'big')
    return b


def main():
    _, garp = read('arp-garp-keepalived')
    _, request = read('arp-request')
    _, reply = read('arp-reply')
    _, na = read('na-unsolicited-keepalived')
    _, ns = read('ns-multicast')
    _, na_sll = read('na-unsolicited-sll')

    write('arp-garp-vlan', 'Gratuitous ARP request for 192.0.2.100 inside an 802.1Q tag (VLAN 100)', 'from arp-garp-keepalived with a tag inserted', 1,
          garp[:12] + bytes.fromhex('81000064') + garp[12:])
    write('arp-garp-qinq', 'Gratuitous ARP request for 192.0.2.100 behind two tags, 802.1ad outer 300, 802.1Q inner 100', 'from arp-garp-keepalived with two tags inserted', 1,
          garp[:12] + bytes.fromhex('88a8012c81000064') + garp[12:])
    b = bytearray(reply)
    b[21] = 2
    b[22 + 6 + 4:22 + 6 + 4 + 6] = bytes.fromhex('ffffffffffff')
    b[38:42] = b[28:32]
    write('arp-garp-reply', 'Gratuitous ARP reply for 192.0.2.11 (sender IP = target IP, opcode 2, as some routers announce), broadcast target MAC', 'from arp-reply (RFC 5227 section 3 allows either opcode)', 1,
          bytes.fromhex('ffffffffffff') + b[6:])
    b = bytearray(request)
    b[28:32] = bytes(4)
    write('arp-probe', 'ARP probe (RFC 5227): who has 192.0.2.11, from 0.0.0.0', 'from arp-request with the sender IP zeroed', 1, b)
    b = bytearray(request) + bytes(18)
    write('arp-request-padded', 'ARP request padded to the 60-byte Ethernet minimum, as a switch delivers it', 'from arp-request with 18 zero bytes of padding', 1, b)
    # Linux cooked capture v2 from the v1 frame: protocol, reserved, ifindex 2, ARPHRD_ETHER, multicast, 6, address.
    sll2 = bytes.fromhex('86dd00000000000200010206') + na_sll[6:14] + na_sll[16:]
    write('na-unsolicited-sll2', "keepalived's unsolicited Neighbor Advertisement on Linux cooked capture v2", 'from na-unsolicited-sll with its header rewritten as SLL2', 276, sll2)
    write('na-unsolicited-raw', "keepalived's unsolicited Neighbor Advertisement as raw IPv6 (LINKTYPE_RAW)", 'from na-unsolicited-keepalived without its Ethernet header', 101, na[14:])
    # A hop-by-hop options header (8 bytes of PadN) before the ICMPv6 message.
    b = bytearray(na[:14] + na[14:54] + bytes.fromhex('3a00010400000000') + na[54:])
    b[14 + 6] = 0
    b[14 + 5] += 8
    write('na-hop-by-hop', 'Unsolicited Neighbor Advertisement behind a hop-by-hop options header', 'from na-unsolicited-keepalived with an empty hop-by-hop header inserted (checksum recomputed)', 1, icmpv6_fix(b, 14, 62))

    # Rejections, one per reason.
    write('arp-truncated', 'ARP reply cut after the sender MAC', 'from arp-reply, last 14 bytes removed', 1, reply[:-14])
    b = bytearray(reply)
    b[14:16] = bytes.fromhex('0020')
    write('arp-bad-hardware', 'ARP over InfiniBand (hardware type 32), not Ethernet', 'from arp-reply with the hardware type changed', 1, b)
    b = bytearray(reply)
    b[16:18] = bytes.fromhex('86dd')
    write('arp-bad-protocol', 'ARP for protocol type 0x86dd, not IPv4', 'from arp-reply with the protocol type changed', 1, b)
    b = bytearray(reply)
    b[20:22] = bytes.fromhex('0003')
    write('arp-bad-opcode', 'ARP with opcode 3 (a RARP request) on EtherType 0x0806', 'from arp-reply with the opcode changed', 1, b)
    b = bytearray(garp)
    b[28:32] = b[38:42] = bytes([224, 0, 0, 18])
    write('arp-bad-sender', 'Gratuitous ARP claiming the multicast address 224.0.0.18', 'from arp-garp-keepalived with both IPs set to 224.0.0.18', 1, b)
    b = bytearray(na)
    b[14 + 7] = 64
    write('na-bad-hop-limit', 'Unsolicited Neighbor Advertisement with hop limit 64 (routed from off-link: receivers drop it)', 'from na-unsolicited-keepalived with the hop limit changed', 1, b)
    b = bytearray(na)
    b[57] ^= 0xff
    write('na-bad-checksum', 'Unsolicited Neighbor Advertisement with a corrupted ICMPv6 checksum', 'from na-unsolicited-keepalived with a checksum byte inverted', 1, b)
    b = bytearray(na)
    b[55] = 1
    write('na-bad-code', 'Neighbor Advertisement with ICMPv6 code 1', 'from na-unsolicited-keepalived with the code changed (checksum recomputed)', 1, icmpv6_fix(b, 14))
    b = bytearray(na)
    b[54 + 25] = 0
    write('na-bad-option', 'Neighbor Advertisement whose target link-layer option has length 0', 'from na-unsolicited-keepalived with the option length zeroed (checksum recomputed)', 1, icmpv6_fix(b, 14))
    b = bytearray(na)
    b[14 + 5] = 16
    b = b[:14 + 40 + 16]
    write('na-bad-length', 'Neighbor Advertisement of 16 bytes, shorter than the 24 RFC 4861 requires', 'from na-unsolicited-keepalived cut to 16 ICMPv6 bytes (checksum recomputed)', 1, icmpv6_fix(b, 14))
    b = bytearray(na)
    b[54 + 4] = 0x60
    write('na-bad-flags', 'Neighbor Advertisement to ff02::1 with the Solicited flag set', 'from na-unsolicited-keepalived with S set (checksum recomputed)', 1, icmpv6_fix(b, 14))
    b = bytearray(na)
    b[54 + 8:54 + 24] = bytes.fromhex('ff020000000000000000000000000001')
    write('na-multicast-target', 'Neighbor Advertisement whose target is ff02::1', 'from na-unsolicited-keepalived with the target changed (checksum recomputed)', 1, icmpv6_fix(b, 14))
    write('na-truncated', 'Neighbor Advertisement cut 8 bytes short of its IPv6 payload length', 'from na-unsolicited-keepalived, last 8 bytes removed', 1, na[:-8])
    # An IPv6 fragment header (first fragment, more to come) before the ICMPv6 message.
    b = bytearray(na[:14] + na[14:54] + bytes.fromhex('3a00000100000001') + na[54:])
    b[14 + 6] = 44
    b[14 + 5] += 8
    write('na-fragmented', 'Neighbor Advertisement in an IPv6 fragment (receivers drop fragmented NDP)', 'from na-unsolicited-keepalived with a fragment header inserted', 1, b)
    b = bytearray(ns)
    b[22:38] = bytes(16)
    write('ns-bad-dad', 'DAD Neighbor Solicitation (unspecified source) that carries a source link-layer option', 'from ns-multicast with the source zeroed (checksum recomputed)', 1, icmpv6_fix(b, 14))


if __name__ == '__main__':
    sys.exit(main())
