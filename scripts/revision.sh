#!/bin/sh
# Writes the git revision being built into dist/src/revision.txt, which vrrpwatch_build_info reads
# (src/version.ts). Run by `npm run build` (and so by `npm pack`, whose prepack builds). Outside a git
# checkout (an unpacked tarball), a revision file already there is kept, else "unknown" is written.
set -eu
cd "$(dirname "$0")/.."
mkdir -p dist/src
if rev=$(git rev-parse --short=12 HEAD 2>/dev/null); then
  echo "$rev" > dist/src/revision.txt
elif [ ! -s dist/src/revision.txt ]; then
  echo unknown > dist/src/revision.txt
fi
