#!/usr/bin/env python3
"""Writes test/fixtures/packets/*.hex: one VRRP case per file, as hex with a header saying where it
came from. Lab cases are frames of the real keepalived captures in test/fixtures/captures (recorded by
scripts/record-fixtures.sh); the odd cases are built by hand from them or from the RFCs.
Run once after re-recording; the tests only read the .hex files."""
import os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
caps = os.path.join(here, '..', 'test', 'fixtures', 'captures')
out = os.path.join(here, '..', 'test', 'fixtures', 'packets')

def frames(name):
    data = open(os.path.join(caps, name), 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    assert magic == 0xa1b2c3d4, name
    link = struct.unpack('<I', data[20:24])[0]
    at, res = 24, []
    while at + 16 <= len(data):
        incl = struct.unpack('<I', data[at + 8:at + 12])[0]
        res.append(data[at + 16:at + 16 + incl]); at += 16 + incl
    return link, res

def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def ip4(src, dst, payload, ttl=255, proto=112, options=b''):
    ihl = 5 + len(options) // 4
    h = struct.pack('!BBHHHBBH4s4s', 0x40 | ihl, 0xc0, ihl * 4 + len(payload), 0, 0, ttl, proto, 0,
                    bytes(map(int, src.split('.'))), bytes(map(int, dst.split('.')))) + options
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload

def a6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed

def ip6(src, dst, payload, hlim=255, nh=112, ext=b''):
    return struct.pack('!IHBB16s16s', 0x60000000, len(ext) + len(payload), nh, hlim, a6(src), a6(dst)) + ext + payload

def eth(ip, ethertype=0x0800, tags=()):
    h = bytes.fromhex('01005e000012') + bytes.fromhex('020000000b01')
    for tpid, vid in tags: h += struct.pack('!HH', tpid, vid)
    return h + struct.pack('!H', ethertype) + ip

def v3(vrid, prio, addrs4, cs_src=None, cs_dst=None, interval_cs=100, reserved=0, v6=False, src6=None, dst6=None):
    addrs = b''.join(a6(a) if v6 else bytes(map(int, a.split('.'))) for a in addrs4)
    m = struct.pack('!BBBBHH', 0x31, vrid, prio, len(addrs4), (reserved << 12) | interval_cs, 0) + addrs
    if v6:
        pseudo = a6(src6) + a6(dst6) + struct.pack('!IxxxB', len(m), 112)
        c = csum(pseudo + m)
    elif cs_src is None:
        c = csum(m)
    else:
        pseudo = bytes(map(int, cs_src.split('.'))) + bytes(map(int, cs_dst.split('.'))) + struct.pack('!xBH', 112, len(m))
        c = csum(pseudo + m)
    return m[:6] + struct.pack('!H', c) + m[8:]

def v2(vrid, prio, addrs, auth_type=1, auth=b's3cr3t\0\0', interval=1, count=None, v6=False, src6=None, dst6=None):
    ab = b''.join(a6(a) if v6 else bytes(map(int, a.split('.'))) for a in addrs)
    m = struct.pack('!BBBBBBH', 0x21, vrid, prio, len(addrs) if count is None else count, auth_type, interval, 0) + ab + (b'' if v6 else auth)
    if v6:
        c = csum(a6(src6) + a6(dst6) + struct.pack('!IxxxB', len(m), 112) + m)
    else:
        c = csum(m)
    return m[:6] + struct.pack('!H', c) + m[8:]

def write(name, desc, source, link, frame):
    with open(os.path.join(out, name + '.hex'), 'w') as f:
        f.write('# %s\n# source: %s\nlinktype %d\n' % (desc, source, link))
        h = frame.hex()
        for i in range(0, len(h), 64): f.write(h[i:i + 64] + '\n')

os.makedirs(out, exist_ok=True)
lab = 'lab capture of keepalived 2.2.7 (Debian 12) in a namespace lab, test/fixtures/captures/%s frame %d'

link, fr = frames('keepalived-v2-pass-failover.pcap')
write('v2-ipv4-pass', 'VRRPv2 over IPv4, PASS auth, master priority 150', lab % ('keepalived-v2-pass-failover.pcap', 1), link, fr[0])
write('v2-ipv4-priority0', 'VRRPv2 graceful stop: priority 0 (SIGTERM)', lab % ('keepalived-v2-pass-failover.pcap', 4), link, fr[3])
pass_frame = fr[0]
link, fr = frames('keepalived-v3-linux-sll.pcap')
write('v3-ipv4-sll', 'VRRPv3 over IPv4, Linux cooked capture v1 (the any device)', lab % ('keepalived-v3-linux-sll.pcap', 1), link, fr[0])
write('v3-ipv6-sll', 'VRRPv3 over IPv6 from a link-local source, Linux cooked capture v1', lab % ('keepalived-v3-linux-sll.pcap', 2), link, fr[1])
link, fr = frames('keepalived-v3-linux-sll2.pcap')
write('v3-ipv4-sll2', 'VRRPv3 over IPv4, Linux cooked capture v2', lab % ('keepalived-v3-linux-sll2.pcap', 1), link, fr[0])
link, fr = frames('keepalived-unicast-v3-and-ah.pcap')
write('v2-ipv4-ah', 'VRRPv2 inside IPsec AH (keepalived auth_type AH), HMAC-96 in a 24-byte AH header', lab % ('keepalived-unicast-v3-and-ah.pcap', 1), link, fr[0])
write('v3-ipv4-unicast', 'VRRPv3 unicast to a peer; checksum with the real destination in the pseudo-header (RFC 5798, keepalived, FRR)', lab % ('keepalived-unicast-v3-and-ah.pcap', 2), link, fr[1])
link, fr = frames('keepalived-v3-ipv6.pcap')
write('v3-ipv6-ethernet', 'VRRPv3 over IPv6 on Ethernet', lab % ('keepalived-v3-ipv6.pcap', 1), link, fr[0])

hand = 'built by hand (scripts/make-fixtures.py) '
pass_ip = pass_frame[14:]
write('v2-ipv4-vlan', 'VRRPv2 behind one 802.1Q tag (VLAN 100)', hand + 'from v2-ipv4-pass with a tag inserted', 1, eth(pass_ip, tags=[(0x8100, 100)]))
write('v2-ipv4-qinq', 'VRRPv2 behind two tags, 802.1ad outer 300, 802.1Q inner 100', hand + 'from v2-ipv4-pass with two tags inserted', 1, eth(pass_ip, tags=[(0x88a8, 300), (0x8100, 100)]))
write('v2-ipv4-raw', 'VRRPv2 as raw IP (LINKTYPE_RAW)', hand + 'from v2-ipv4-pass without its Ethernet header', 101, pass_ip)
write('v2-ipv4-options', 'VRRPv2 in an IPv4 header with options (IHL 6, router alert)', hand + 'RFC 3768 message in an IPv4 header carrying RFC 2113 router alert', 1,
      eth(ip4('192.0.2.11', '224.0.0.18', v2(51, 150, ['192.0.2.100']), options=bytes.fromhex('94040000'))))
write('v2-ipv4-ttl64', 'VRRPv2 unicast with TTL 64 (flagged, still decoded)', hand + 'RFC 3768 message sent unicast with a lowered TTL', 1,
      eth(ip4('192.0.2.11', '192.0.2.12', v2(51, 150, ['192.0.2.100']), ttl=64)))
write('v2-ipv4-hmac-trailer', 'VRRPv2 followed by 28 bytes that are no auth_hmac trailer (type 0, reserved bytes set): hmac_malformed', hand + 'RFC 3768 message with 28 bytes appended inside the IP payload', 1,
      eth(ip4('192.0.2.11', '224.0.0.18', v2(51, 150, ['192.0.2.100']) + bytes(range(28)))))

# keepalived 2.4's auth_hmac trailer (draft-cassen-vrrp-auth-hmac-00): type, key id, reserved, UTC
# seconds, 1/65536 fraction, counter, then HMAC-SHA256 cut to 16 bytes over a pseudo-header (4 or 6,
# version, VRID, 0, source zero-padded to 16 bytes), the message with a zero checksum, the trailer's
# first 12 bytes and 16 zero bytes. The key of the upstream test vector is bytes 00..1f.
import hmac as _hmac, hashlib as _hashlib
HMAC_KEY = bytes(range(32))
def hmac_trailer(msg, src, v6=False, key_id=1, seconds=0x68000000, fraction=0x8000, counter=0, key=HMAC_KEY):
    head = struct.pack('!BBHIHH', 1, key_id, 0, seconds, fraction, counter)
    pseudo = bytes([6 if v6 else 4, msg[0] >> 4, msg[1], 0]) + (a6(src) if v6 else bytes(map(int, src.split('.'))) + bytes(12))
    signed = pseudo + msg[:6] + b'\0\0' + msg[8:] + head + bytes(16)
    return head + _hmac.new(key, signed, _hashlib.sha256).digest()[:16]
m = v3(51, 200, ['192.0.2.100'], cs_src='198.51.100.10', cs_dst='224.0.0.18')
write('v3-ipv4-auth-hmac', 'VRRPv3 over IPv4 signed with keepalived 2.4 auth_hmac (key id 1); the checksum covers the message only',
      hand + 'the upstream test vector of draft-cassen-vrrp-auth-hmac-00 (key 00..1f, source 198.51.100.10, HMAC 1b84bc4e8e43892dc6d98448f8ee2265)', 1,
      eth(ip4('198.51.100.10', '224.0.0.18', m + hmac_trailer(m, '198.51.100.10'))))
m6 = struct.pack('!BBBBHH', 0x31, 51, 200, 1, 100, 0) + a6('2001:db8::100')
t6 = hmac_trailer(m6, 'fe80::a', v6=True, key_id=7, counter=3)
c6 = csum(a6('fe80::a') + a6('ff02::12') + struct.pack('!IxxxB', len(m6) + len(t6), 112) + m6 + t6)
m6 = m6[:6] + struct.pack('!H', c6) + m6[8:]
write('v3-ipv6-auth-hmac', 'VRRPv3 over IPv6 signed with keepalived 2.4 auth_hmac (key id 7, counter 3); the checksum covers the trailer too',
      hand + 'draft-cassen-vrrp-auth-hmac-00 over IPv6, HMAC under the test vector key 00..1f', 1,
      eth(ip6('fe80::a', 'ff02::12', m6 + t6), 0x86dd))
write('v2-ipv4-noauth-two-vips', 'VRRPv2 without auth, two virtual addresses, interval 3 s', hand + 'RFC 3768', 1,
      eth(ip4('192.0.2.12', '224.0.0.18', v2(52, 100, ['192.0.2.100', '192.0.2.101'], auth_type=0, auth=b'\0' * 8, interval=3))))
src6, dst6 = 'fe80::1', 'ff02::12'
write('v2-ipv6-keepalived', "keepalived's non-standard VRRPv2 over IPv6: no auth data, pseudo-header checksum", hand + 'keepalived vrrp.c layout for version 2 with an IPv6 instance', 1,
      eth(ip6(src6, dst6, v2(81, 150, ['2001:db8::100'], auth_type=0, v6=True, src6=src6, dst6=dst6)), 0x86dd))
m = v3(61, 150, ['192.0.2.100'])
write('v3-ipv4-message-checksum', 'VRRPv3 over IPv4 with the checksum over the message only (RFC 9568, Cisco, Juniper)', hand + 'RFC 9568 section 5.2.8', 1,
      eth(ip4('192.0.2.11', '224.0.0.18', m)))
m = v3(71, 150, ['192.0.2.101'], '192.0.2.11', '224.0.0.18')
write('v3-ipv4-unicast-multicast-checksum', 'VRRPv3 unicast whose checksum uses 224.0.0.18 in the pseudo-header (old keepalived)', hand + 'pseudo-header with the multicast group, sent to a unicast peer', 1,
      eth(ip4('192.0.2.11', '192.0.2.13', m)))
m = v3(61, 200, ['192.0.2.100'], '192.0.2.11', '224.0.0.18', interval_cs=25, reserved=0xf)
write('v3-ipv4-subsecond-reserved', 'VRRPv3 with a 0.25 s interval and the reserved bits set (ignored)', hand + 'RFC 5798 section 5.2.7', 1,
      eth(ip4('192.0.2.11', '224.0.0.18', m)))
m = v3(62, 150, ['2001:db8::100'], v6=True, src6=src6, dst6=dst6)
hop = bytes([112, 0]) + bytes.fromhex('050200000100')  # hop-by-hop: router alert + PadN
write('v3-ipv6-hop-by-hop', 'VRRPv3 over IPv6 after a hop-by-hop options header', hand + 'RFC 5798 message behind an RFC 8200 extension header', 1,
      eth(ip6(src6, dst6, m, nh=0, ext=hop), 0x86dd))
carp = struct.pack('!BBBBBBH', 0x21, 5, 0, 7, 0, 1, 0) + bytes(8) + bytes(range(20))
carp = carp[:6] + struct.pack('!H', csum(carp)) + carp[8:]
write('carp', 'CARP advertisement (OpenBSD/pfSense/ucarp): protocol 112 to 224.0.0.18, advskew 0', hand + 'OpenBSD ip_carp.h struct carp_header (36 bytes)', 1,
      eth(ip4('192.0.2.21', '224.0.0.18', carp)))
good = v2(51, 150, ['192.0.2.100'])
bad = good[:6] + bytes([good[6] ^ 0xff, good[7]]) + good[8:]
write('bad-checksum', 'VRRPv2 with a corrupted checksum', hand + 'v2-ipv4-pass message with one checksum byte inverted', 1, eth(ip4('192.0.2.11', '224.0.0.18', bad)))
write('bad-version', 'version 4 in the VRRP header', hand, 1, eth(ip4('192.0.2.11', '224.0.0.18', bytes([0x41]) + good[1:])))
write('bad-type', 'VRRPv2 with type 2 (not an advertisement)', hand, 1, eth(ip4('192.0.2.11', '224.0.0.18', bytes([0x22]) + good[1:])))
write('addr-count-mismatch', 'VRRPv2 claiming 3 addresses while carrying 1', hand, 1,
      eth(ip4('192.0.2.11', '224.0.0.18', v2(51, 150, ['192.0.2.100'], count=3))))
whole = eth(ip4('192.0.2.11', '224.0.0.18', good))
write('truncated', 'VRRPv2 frame cut short by the capture (snaplen)', hand + 'v2-ipv4-pass frame cut to 40 bytes', 1, whole[:40])
write('bad-interval', 'VRRPv2 with advert interval 0', hand, 1,
      eth(ip4('192.0.2.11', '224.0.0.18', v2(51, 150, ['192.0.2.100'], interval=0))))
print('wrote', len(os.listdir(out)), 'fixtures')
