#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) to build, run and test vrrpwatch: the apt packages the
# native capture build and the tests need, then the npm dependencies and the build. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

need_node=20
if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$need_node" ]; then
  echo "setup: vrrpwatch needs Node.js >= $need_node with npm (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

packages=(
  libpcap-dev       # native build of npm "pcap"; libpcap at run time
  g++ make python3  # node-gyp
  tshark            # tests cross-check the decoder; bench compares replay throughput
  util-linux        # setpriv, for tests that run as an unprivileged user
  keepalived        # the namespace lab (end-to-end tests and the demo)
  frr               # FRR's vrrpd, the second VRRP implementation the lab runs (zebra and vrrpd per namespace)
  ucarp             # CARP on protocol 112 beside keepalived: foreign traffic on a VRID in the lab
  arping tcpreplay  # the lab: which MACs answer for a VIP; replaying a capture into a namespace at a set rate
  iproute2 iptables iputils-ping curl  # lab namespaces, cutting VRRP, pings, reading /metrics inside a namespace
  prometheus prometheus-alertmanager   # promtool rule tests and the real Prometheus -> Alertmanager path
  jsonnet           # the monitoring mixin (mixin/) renders alerts/ and dashboards/ (scripts/mixin.sh)
  systemd           # systemd-analyze verifies packaging/vrrpwatch.service (minimal images lack it)
  dpkg-dev binutils # the Debian package (npm run package): dpkg-shlibdeps, dpkg-buildflags, strip
  debootstrap lintian  # the package test: a fresh Debian 12 root to install it into, and its lint
  tcpdump           # the recording recipe of docs and vrrpwatch(1)
  chromium          # headless browser: tests render the replay HTML and the status page, and make the README's screenshots
  tmux              # a real terminal: tests show that hostile names in a capture change nothing on it (title, screen, colours)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: run as root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Packages with services (keepalived, frr, prometheus, alertmanager) must not start them here: the
  # lab starts its own instances inside namespaces (frr's service would run zebra and friends on the host).
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build
