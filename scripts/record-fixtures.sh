#!/usr/bin/env bash
# Records the real-keepalived captures in test/fixtures/captures/ from a throwaway namespace lab
# (the .pcapng copy of the split-brain capture is made with: editcap -F pcapng X.pcap X.pcapng).
# Run as root on Debian with keepalived and tcpdump installed. Documentation addresses only;
# everything it creates is removed on exit. Usage: record-fixtures.sh [OUT_DIR [SECTION...]] (default:
# every numbered section below).
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/captures}
shift || true
sections=" ${*:-1 2 3 4 5 6} "
want() { [[ "$sections" == *" $1 "* ]]; }
run=$(mktemp -d /tmp/vrrpwatch-fixtures.XXXXXX)
P=vwfx
NODES="a b w"
cleanup() {
  for pidf in "$run"/*.kpid "$run"/*.tpid; do [ -f "$pidf" ] && kill "$(cat "$pidf")" 2>/dev/null || true; done
  sleep 0.5
  for n in $NODES; do ip netns del $P-$n 2>/dev/null || true; done
  ip netns del $P-sw 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM

ip netns add $P-sw
ip -n $P-sw link add br0 type bridge mcast_snooping 0
ip -n $P-sw link set br0 up
i=1
for n in $NODES; do
  ip netns add $P-$n
  ip link add eth0 netns $P-$n type veth peer name p-$n netns $P-sw
  ip -n $P-sw link set p-$n master br0 up
  ip -n $P-$n link set lo up
  ip -n $P-$n link set eth0 up
  ip -n $P-$n addr add 192.0.2.1$i/24 dev eth0
  ip -n $P-$n addr add 2001:db8::1$i/64 dev eth0 nodad
  ip netns exec $P-$n sysctl -qw net.ipv6.conf.eth0.accept_dad=0
  i=$((i+1))
done

start_ka() { # node conf-body
  local n=$1
  printf 'global_defs {\n router_id %s\n}\n%s\n' "$n" "$2" > "$run/$n.conf"
  ip netns exec $P-$n keepalived -P -f "$run/$n.conf" -p "$run/$n.pid" -r "$run/$n.vpid" -i "$n" \
    --dont-fork --log-console >"$run/$n.log" 2>&1 &
  echo $! > "$run/$n.kpid"
}
stop_ka() { local sig=${2:-TERM}; kill -$sig "$(cat "$run/$1.kpid")" 2>/dev/null || true; rm -f "$run/$1.kpid"; sleep 0.3; }
capture() { # name ns-iface-args...
  local name=$1; shift
  ip netns exec $P-w tcpdump -U -s 256 "$@" -w "$out/$name" 'ip proto 112 or ip proto 51 or ip6 proto 112 or ip6 proto 51' >/dev/null 2>&1 &
  echo $! > "$run/tcpdump.tpid"; sleep 1
}
end_capture() { sleep 0.5; kill "$(cat "$run/tcpdump.tpid")"; rm -f "$run/tcpdump.tpid"; sleep 0.5; }

inst() { # name vrid prio extra
  printf 'vrrp_instance %s {\n interface eth0\n state BACKUP\n virtual_router_id %s\n priority %s\n advert_int 1\n%s\n}\n' "$@"
}
pass='authentication {
  auth_type PASS
  auth_pass s3cr3t
 }
 virtual_ipaddress {
  192.0.2.100/24
 }'
v4vip=' virtual_ipaddress {
  192.0.2.100/24
 }'
v6vip=' virtual_ipaddress {
  2001:db8::100/64
 }'

# 1. VRRPv2 with PASS auth, master a (150) and backup b (100); a stops gracefully (priority 0), b takes
#    over, a comes back and preempts.
if want 1; then
capture keepalived-v2-pass-failover.pcap -i eth0
start_ka a "$(inst VI_1 51 150 "$pass")"; start_ka b "$(inst VI_1 51 100 "$pass")"
sleep 6; stop_ka a; sleep 4
start_ka a "$(inst VI_1 51 150 "$pass")"; sleep 6
end_capture; stop_ka a; stop_ka b
fi

# 2. VRRPv2 split-brain: b drops protocol 112, both advertise; then the rule is removed and it heals.
if want 2; then
capture keepalived-v2-split-brain.pcap -i eth0
start_ka a "$(inst VI_1 51 150 "$pass")"; start_ka b "$(inst VI_1 51 100 "$pass")"
sleep 5; ip netns exec $P-b iptables -A INPUT -p 112 -j DROP; sleep 8
ip netns exec $P-b iptables -D INPUT -p 112 -j DROP; sleep 6
end_capture; stop_ka a; stop_ka b
fi

# 3. VRRPv3 over IPv4 and IPv6, on the "any" device (Linux cooked capture v1 and v2).
if want 3; then
v3='global_defs {
 vrrp_version 3
}'
for sll in LINUX_SLL LINUX_SLL2; do
  capture keepalived-v3-$(echo $sll | tr A-Z a-z | tr _ -).pcap -i any -y $sll
  start_ka a "$(printf '%s\n%s\n%s' "$(inst VI_4 61 150 "$v4vip")" "$(inst VI_6 62 150 "$v6vip")" "")"
  sed -i '1i global_defs {\n vrrp_version 3\n}' "$run/a.conf"; stop_ka a
  ip netns exec $P-a keepalived -P -f "$run/a.conf" -p "$run/a.pid" -r "$run/a.vpid" -i a --dont-fork --log-console >"$run/a.log" 2>&1 &
  echo $! > "$run/a.kpid"
  sleep 5; end_capture; stop_ka a
done
fi

# 4. Unicast VRRPv3 (keepalived checksums with the real destination) and v2 with AH authentication.
if want 4; then
capture keepalived-unicast-v3-and-ah.pcap -i eth0
cat > "$run/a.conf" <<CONF
global_defs {
 vrrp_version 3
}
vrrp_instance VI_U {
 interface eth0
 state MASTER
 virtual_router_id 71
 priority 150
 advert_int 1
 unicast_src_ip 192.0.2.11
 unicast_peer {
  192.0.2.13
 }
 virtual_ipaddress {
  192.0.2.101/24
 }
}
CONF
ip netns exec $P-a keepalived -P -f "$run/a.conf" -p "$run/a.pid" -r "$run/a.vpid" -i a --dont-fork --log-console >"$run/a.log" 2>&1 &
echo $! > "$run/a.kpid"
start_ka b "$(inst VI_AH 72 150 ' authentication {
  auth_type AH
  auth_pass s3cr3t
 }
 virtual_ipaddress {
  192.0.2.102/24
 }')"
sleep 5; end_capture; stop_ka a; stop_ka b
fi

# 5. An IPv6 instance without vrrp_version: keepalived 2.2.7 sends VRRPv3.
if want 5; then
capture keepalived-v3-ipv6.pcap -i eth0
start_ka a "$(inst VI_6 81 150 "$v6vip")"
sleep 5; end_capture; stop_ka a
fi

# 6. A wrong virtual_router_id: b is configured with VRID 52 for a's VIP. Each VRID has one master and
#    both hold 192.0.2.100; then b gets VRID 51 back and stays backup.
if want 6; then
capture keepalived-v2-wrong-vrid.pcap -i eth0
start_ka a "$(inst VI_1 51 150 "$pass")"; start_ka b "$(inst VI_1 52 100 "$pass")"
sleep 8; stop_ka b; start_ka b "$(inst VI_1 51 100 "$pass")"; sleep 6
end_capture; stop_ka a; stop_ka b
fi

ls -l "$out"
