#!/usr/bin/env bash
# `make docs-check`: the documentation keeps up with the repository.
#
#   scripts/check-docs.sh
#
# Fails, naming each offender as file:line, when
#   - an intra-repository Markdown link of README.md, docs/*.md or a
#     README.md / docs/*.md reference in a conf.d/*.conf comment does not
#     resolve: the file is missing, or its #anchor is not a heading (GitHub
#     slugs: lower case, spaces to '-', punctuation but '-' and '_' dropped,
#     "-1", "-2" ... for repeated headings) nor an <a id|name="..."> of it;
#   - a directive of the module (a ngx_string("ticketing_...") inside an
#     ngx_command_t array of ngx_ticketing_module/*.c; the names of the
#     ngx_http_variable_t arrays are variables, not directives) has no
#     heading of its own in docs/directives.md;
#   - a heading of docs/directives.md names a ticketing_* directive the
#     code does not define.
# Links to other sites (http:, https:, mailto:) are not followed.
set -euo pipefail
cd "$(dirname "$0")/.."

exec python3 - "$@" <<'PY'
import glob
import os
import re
import sys

errors = []


def fail(where, msg):
    errors.append("%s: %s" % (where, msg))


# ------------------------------------------------------------- anchors
def slug(text):
    # the heading as GitHub renders it: inline code and emphasis markers
    # and link targets gone, then the slug rules
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    text = re.sub(r'<[^>]+>', '', text)
    text = text.strip().lower()
    text = re.sub(r'[^\w\- ]', '', text)
    return text.replace(' ', '-')


def markdown_lines(path):
    """(line number, text, in_code) for each line of a Markdown file"""
    fence = None
    out = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            s = line.rstrip('\n')
            m = re.match(r'^\s{0,3}(`{3,}|~{3,})', s)
            if m:
                mark = m.group(1)
                if fence is None:
                    fence = mark
                    out.append((n, s, True))
                    continue
                if mark[0] == fence[0] and len(mark) >= len(fence):
                    fence = None
                    out.append((n, s, True))
                    continue
            out.append((n, s, fence is not None))
    return out


anchor_cache = {}


def anchors(path):
    if path in anchor_cache:
        return anchor_cache[path]
    seen = {}
    result = set()
    for n, s, code in markdown_lines(path):
        if code:
            continue
        for m in re.finditer(r'<a\s+(?:id|name)="([^"]+)"', s):
            result.add(m.group(1))
        m = re.match(r'^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$', s)
        if not m:
            continue
        base = slug(m.group(1))
        k = seen.get(base, 0)
        seen[base] = k + 1
        result.add(base if k == 0 else '%s-%d' % (base, k))
    anchor_cache[path] = result
    return result


def check_target(where, src_dir, target):
    if re.match(r'^[a-z][a-z0-9+.-]*:', target, re.I):
        return                          # another site, mailto:
    path, _, frag = target.partition('#')
    path = path.split('?')[0]
    if path == '':
        dest = where.rsplit(':', 1)[0]
    else:
        dest = os.path.normpath(os.path.join(src_dir, path))
    if not os.path.exists(dest):
        fail(where, 'link to "%s": %s does not exist' % (target, dest))
        return
    if frag == '':
        return
    if os.path.isdir(dest) or not dest.endswith('.md'):
        fail(where, 'link to "%s": %s is not a Markdown file, it has no '
                    'anchors' % (target, dest))
        return
    if frag not in anchors(dest):
        fail(where, 'link to "%s": no heading "#%s" in %s'
                    % (target, frag, dest))


LINK = re.compile(r'!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?'
                  r'(?:\s+"[^"]*")?\s*\)')

md_files = ['README.md'] + sorted(glob.glob('docs/*.md'))
for md in md_files:
    d = os.path.dirname(md) or '.'
    for n, s, code in markdown_lines(md):
        if code:
            continue
        s = re.sub(r'(`+).*?\1', '', s)          # inline code is no link
        for m in LINK.finditer(s):
            check_target('%s:%d' % (md, n), d, m.group(1))
        for m in re.finditer(r'^\s*\[[^\]]+\]:\s*(\S+)', s):
            check_target('%s:%d' % (md, n), d, m.group(1))

# conf.d comments name pages as README.md#anchor or docs/page.md#anchor
for conf in sorted(glob.glob('conf.d/*.conf') + glob.glob('conf.d/*.in')):
    with open(conf, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if '#' not in line:
                continue
            comment = line[line.index('#'):]
            for m in re.finditer(r'((?:\.\./)?(?:README\.md|docs/[\w.-]+\.md)'
                                 r'(?:#[\w-]+)?)', comment):
                t = m.group(1)
                if t.startswith('../'):
                    t = t[3:]
                check_target('%s:%d' % (conf, n), '.', t)

# ---------------------------------------------------------- directives
code = set()
for c in sorted(glob.glob('ngx_ticketing_module/*.c')):
    with open(c, encoding='utf-8') as f:
        text = f.read()
    for m in re.finditer(r'ngx_command_t\s+\w+\s*\[\s*\]\s*=\s*\{', text):
        end = text.find('\n};', m.end())
        body = text[m.end():end if end >= 0 else len(text)]
        for d in re.findall(r'ngx_string\("(ticketing_\w+)"\)', body):
            code.add(d)
if not code:
    fail('ngx_ticketing_module/*.c', 'no ngx_command_t array with '
         'ticketing_* directives found: has the code moved?')

ref = 'docs/directives.md'
documented = {}
if not os.path.exists(ref):
    fail(ref, 'missing')
else:
    for n, s, incode in markdown_lines(ref):
        if incode:
            continue
        m = re.match(r'^#{2,6}\s+`?(ticketing_\w+)`?\s*$', s)
        if m:
            if m.group(1) in documented:
                fail('%s:%d' % (ref, n), 'directive %s has a second heading '
                     '(first at line %d)' % (m.group(1),
                                             documented[m.group(1)]))
            documented.setdefault(m.group(1), n)

for d in sorted(code - set(documented)):
    fail(ref, 'directive %s is defined in ngx_ticketing_module/ but has no '
              '"## %s" heading' % (d, d))
for d in sorted(set(documented) - code):
    fail('%s:%d' % (ref, documented[d]), 'heading "%s" names no directive '
         'of ngx_ticketing_module/ (an ngx_command_t array)' % d)

if errors:
    for e in errors:
        print('docs-check: ' + e, file=sys.stderr)
    print('docs-check: %d problem(s)' % len(errors), file=sys.stderr)
    sys.exit(1)
print('docs-check: ok (%d Markdown files, %d directives documented)'
      % (len(md_files), len(code)))
PY
