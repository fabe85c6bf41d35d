#!/bin/sh
# vrrpwatch: the bundled Node.js runs vrrpwatch's CLI with the project's V8 flags (see vrrpwatch(1)).
exec /usr/lib/vrrpwatch/node @NODE_FLAGS@ /usr/lib/vrrpwatch/dist/src/cli.js "$@"
