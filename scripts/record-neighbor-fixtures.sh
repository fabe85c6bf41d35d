#!/usr/bin/env bash
# Records the ARP and Neighbor Discovery captures the test/fixtures/neighbor/*.hex fixtures are cut
# from: two namespaces on a veth pair, the kernel resolving addresses (ARP request/reply, NS/NA,
# DAD), keepalived 2.2.7 taking a VIP (gratuitous ARP, unsolicited NA), captured on eth0 (Ethernet)
# and on `any` (Linux cooked). Run as root with keepalived and dumpcap (wireshark-common) installed.
# Documentation addresses only; everything it creates is removed on exit.
# Usage: record-neighbor-fixtures.sh [OUT_DIR]  (writes neighbor-eth.pcap and neighbor-any.pcap, and
# keepalived-v2-arp-split.pcap: see split_capture below)
set -euo pipefail
out=${1:-/tmp/vrrpwatch-neighbor}
mkdir -p "$out"
run=$(mktemp -d /tmp/vrrpwatch-neighbor.XXXXXX)
P=vwnd
cleanup() {
  for pidf in "$run"/*.pid; do [ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null || true; done
  sleep 0.5
  for n in a b c sw; do ip netns del $P-$n 2>/dev/null || true; done
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
ip netns del $P-a
ip netns del $P-b

# A keepalived pair (a priority 150, b 100) and a client c that resolves the VIP every second (its
# neighbour cache flushed first, so every ping sends a broadcast ARP request), captured at c: a
# master, a split made by dropping VRRP at b (both answer for the VIP), the split healed, then a
# graceful failover to b (its gratuitous ARP, a's answers stop).
split_capture() {
  ip netns add $P-sw
  ip -n $P-sw link add br0 type bridge mcast_snooping 0
  ip -n $P-sw link set br0 up
  local i=1
  for n in a b c; do
    ip netns add $P-$n
    ip link add eth0 netns $P-$n address 02:00:00:00:0$i:01 type veth peer name p-$n netns $P-sw
    ip -n $P-sw link set p-$n master br0 up
    ip -n $P-$n link set lo up
    ip -n $P-$n link set eth0 up
    i=$((i+1))
  done
  ip -n $P-a addr add 192.0.2.11/24 dev eth0
  ip -n $P-b addr add 192.0.2.12/24 dev eth0
  ip -n $P-c addr add 192.0.2.50/24 dev eth0
  for n in a b; do
    local prio=150; [ $n = b ] && prio=100
    printf 'global_defs {\n router_id %s\n}\nvrrp_instance v4 {\n interface eth0\n state BACKUP\n virtual_router_id 51\n priority %s\n advert_int 1\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n' $n $prio > "$run/$n.conf"
  done
  ip netns exec $P-c dumpcap -q -i eth0 -f 'arp or ip proto 112' -w "$run/split.pcapng" >/dev/null 2>&1 &
  echo $! > "$run/split.pid"
  sleep 1
  ( for _ in $(seq 1 40); do ip -n $P-c neigh flush dev eth0; ip netns exec $P-c ping -c 1 -W 0.5 192.0.2.100 >/dev/null 2>&1 || true; sleep 0.5; done ) &
  echo $! > "$run/client.pid"
  for n in a b; do
    ip netns exec $P-$n keepalived -P -f "$run/$n.conf" -p "$run/$n.kpid" -r "$run/$n.vpid" -i $n --dont-fork --log-console >"$run/$n.log" 2>&1 &
    echo $! > "$run/$n.pid"
  done
  sleep 8
  ip netns exec $P-b iptables -A INPUT -p 112 -j DROP
  sleep 12
  ip netns exec $P-b iptables -D INPUT -p 112 -j DROP
  sleep 6
  kill "$(cat "$run/a.pid")"; rm -f "$run/a.pid"
  sleep 8
  kill "$(cat "$run/client.pid")" 2>/dev/null || true; rm -f "$run/client.pid"
  kill "$(cat "$run/b.pid")"; rm -f "$run/b.pid"
  sleep 1
  kill "$(cat "$run/split.pid")"; rm -f "$run/split.pid"
  sleep 1
  editcap -F pcap "$run/split.pcapng" "$out/keepalived-v2-arp-split.pcap"
}
split_capture
echo "wrote $out/neighbor-eth.pcap $out/neighbor-any.pcap $out/keepalived-v2-arp-split.pcap"
