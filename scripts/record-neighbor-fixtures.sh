#!/usr/bin/env bash
# Records the ARP and Neighbor Discovery captures the test/fixtures/neighbor/*.hex fixtures are cut
# from: two namespaces on a veth pair, the kernel resolving addresses (ARP request/reply, NS/NA,
# DAD), keepalived 2.2.7 taking a VIP (gratuitous ARP, unsolicited NA), captured on eth0 (Ethernet)
# and on `any` (Linux cooked). Run as root with keepalived and dumpcap (wireshark-common) installed.
# Documentation addresses only; everything it creates is removed on exit.
# Usage: record-neighbor-fixtures.sh [OUT_DIR]  (writes neighbor-eth.pcap and neighbor-any.pcap)
set -euo pipefail
out=${1:-/tmp/vrrpwatch-neighbor}
mkdir -p "$out"
run=$(mktemp -d /tmp/vrrpwatch-neighbor.XXXXXX)
P=vwnd
cleanup() {
  for pidf in "$run"/*.pid; do [ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null || true; done
  sleep 0.5
  ip netns del $P-a 2>/dev/null || true
  ip netns del $P-b 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM

ip netns add $P-a
ip netns add $P-b
ip link add eth0 netns $P-a address 02:00:00:00:0a:01 type veth peer name eth0 netns $P-b address 02:00:00:00:0b:01
for n in a b; do
  ip -n $P-$n link set lo up
  ip -n $P-$n link set eth0 up
done
ip -n $P-a addr add 192.0.2.11/24 dev eth0
ip -n $P-b addr add 192.0.2.12/24 dev eth0
ip -n $P-a addr add 2001:db8::11/64 dev eth0 nodad
ip -n $P-b addr add 2001:db8::12/64 dev eth0 nodad
sleep 2

ip netns exec $P-b dumpcap -q -i eth0 -f 'arp or icmp6' -w "$out/neighbor-eth.pcap" >/dev/null 2>&1 &
echo $! > "$run/eth.pid"
ip netns exec $P-b dumpcap -q -i any -f 'arp or icmp6' -w "$out/neighbor-any.pcap" >/dev/null 2>&1 &
echo $! > "$run/any.pid"
sleep 2

# ARP request (broadcast) and reply; NS to the solicited-node address and a solicited NA.
ip netns exec $P-b ping -c 1 -W 1 192.0.2.11 >/dev/null
ip netns exec $P-b ping -c 1 -W 1 2001:db8::11 >/dev/null
# DAD: an address added without nodad sends an NS from the unspecified address.
ip -n $P-a addr add 2001:db8::21/64 dev eth0
sleep 2
# keepalived taking a VIP: gratuitous ARP and unsolicited NA (override) for it.
cat > "$run/ka.conf" <<CONF
global_defs {
 router_id a
}
vrrp_instance v4 {
 interface eth0
 state MASTER
 virtual_router_id 51
 priority 150
 advert_int 1
 virtual_ipaddress {
  192.0.2.100/24
 }
}
vrrp_instance v6 {
 interface eth0
 state MASTER
 virtual_router_id 52
 priority 150
 advert_int 1
 virtual_ipaddress {
  2001:db8::100/64
 }
}
CONF
ip netns exec $P-a keepalived -P -f "$run/ka.conf" -p "$run/ka.kpid" -r "$run/ka.vpid" -i a \
  --dont-fork --log-console >"$run/ka.log" 2>&1 &
echo $! > "$run/ka.pid"
sleep 6
kill "$(cat "$run/ka.pid")"; rm -f "$run/ka.pid"
sleep 1
kill "$(cat "$run/eth.pid")" "$(cat "$run/any.pid")"; rm -f "$run/eth.pid" "$run/any.pid"
sleep 1
echo "wrote $out/neighbor-eth.pcap $out/neighbor-any.pcap"
