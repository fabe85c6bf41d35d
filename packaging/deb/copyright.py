#!/usr/bin/env python3
"""Writes the package's debian/copyright (DEP-5) to stdout: vrrpwatch itself, the bundled Node.js
runtime with its own LICENSE (which lists the licenses of what Node bundles), and every production
npm module in the package with the license its package.json names and the copyright lines of its
license file. Usage: copyright.py REPO_ROOT NODE_LICENSE_FILE NODE_MODULES_DIR
"""
import json
import os
import re
import sys

# Debian's short names for the SPDX names found in the modules, with their texts (Apache-2.0 is in
# /usr/share/common-licenses).
EXPAT = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""
ISC = """Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE."""
BSD3 = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice,
   this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
3. Neither the name of the copyright holder nor the names of its contributors
   may be used to endorse or promote products derived from this software
   without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE
LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF
SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS
INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
POSSIBILITY OF SUCH DAMAGE."""
APACHE = """On Debian systems, the full text of the Apache License, Version 2.0 can be
found in the file /usr/share/common-licenses/Apache-2.0."""
LICENSES = {'MIT': ('Expat', EXPAT), 'ISC': ('ISC', ISC), 'BSD-3-Clause': ('BSD-3-clause', BSD3), 'Apache-2.0': ('Apache-2.0', APACHE)}


def block(text):
    """A DEP-5 multi-line value: each line indented, empty lines as ' .'."""
    return '\n'.join(' ' + line if line.strip() else ' .' for line in text.rstrip('\n').split('\n'))


def copyright_lines(directory, fallback):
    for name in sorted(os.listdir(directory)):
        if re.match(r'(?i)^(licen[cs]e|copying)', name):
            with open(os.path.join(directory, name), encoding='utf-8', errors='replace') as f:
                found = [l.strip() for l in f if re.match(r'(?i)^\s*copyright\s*(\(c\)|©|\d)', l)]
            if found:
                return found
    return [fallback]


def modules(root):
    """Every package directory under node_modules, scoped (@scope/name) and nested ones too."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        parent = os.path.dirname(dirpath)
        scoped = os.path.basename(parent).startswith('@') and os.path.basename(os.path.dirname(parent)) == 'node_modules'
        if 'package.json' in filenames and (os.path.basename(parent) == 'node_modules' or scoped):
            yield dirpath


def main():
    repo, node_license, node_modules = sys.argv[1:4]
    with open(os.path.join(repo, 'LICENSE'), encoding='utf-8') as f:
        own = f.read()
    own_copyright = next(l.strip() for l in own.split('\n') if l.startswith('Copyright'))
    out = ['Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
           'Upstream-Name: vrrpwatch',
           'Comment: The package bundles the Node.js runtime (usr/lib/vrrpwatch/node) and the npm modules',
           ' vrrpwatch needs at run time (usr/lib/vrrpwatch/node_modules), each listed below.',
           '',
           'Files: *',
           f'Copyright: {own_copyright.removeprefix("Copyright").strip()}',
           'License: Expat',
           '',
           'Files: usr/lib/vrrpwatch/node',
           'Copyright: Node.js contributors, Joyent, Inc. and other Node contributors',
           'License: Expat and Node.js-bundled',
           'Comment: Node.js itself is under the Expat license; the license text below, Node.js\'s',
           ' LICENSE file, also gives the licenses of the libraries Node.js is built with.',
           '']
    used = {'Expat'}
    for d in sorted(modules(node_modules)):
        with open(os.path.join(d, 'package.json'), encoding='utf-8') as f:
            pkg = json.load(f)
        rel = os.path.relpath(d, os.path.dirname(node_modules))
        spdx = pkg.get('license')
        if spdx not in LICENSES:
            sys.exit(f'copyright.py: {rel}: license {spdx!r} has no text here; add it to LICENSES')
        short, _ = LICENSES[spdx]
        used.add(short)
        holders = copyright_lines(d, f'the authors of {pkg["name"]}')
        out += [f'Files: usr/lib/vrrpwatch/{rel}/*',
                'Copyright: ' + '\n '.join(h.removeprefix('Copyright').strip(' :') for h in holders),
                f'License: {short}',
                f'Comment: {pkg["name"]} {pkg.get("version", "")}'.rstrip(),
                '']
    for spdx, (short, text) in LICENSES.items():
        if short in used:
            out += [f'License: {short}', block(text), '']
    with open(node_license, encoding='utf-8') as f:
        out += ['License: Node.js-bundled', block(f.read())]
    sys.stdout.write('\n'.join(out) + '\n')


main()
