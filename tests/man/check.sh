#!/usr/bin/env bash
# Man pages: every page renders with man -l without warnings, the roff is
# up to date with its Markdown source, and each program's page documents
# exactly the long options its --help lists.
set -euo pipefail
bin=$1
src=${LEPTON_SOURCE_DIR:?}
man_dir="$src/man"
status=0

"$src/scripts/man" --check || status=1

for page in "$man_dir"/*.[0-9]; do
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
  if [ -n "$warnings" ]; then
    echo "man: $page renders with warnings:" >&2
    echo "$warnings" >&2
    status=1
  fi
done

for tool in "$bin"/lepton-*; do
  name=$(basename "$tool")
  page="$man_dir/$name.1"
  if [ ! -f "$page" ]; then
    echo "man: $name has no man page $page" >&2
    status=1
    continue
  fi
  help_opts=$("$tool" --help | grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | sed 's/^[ ,]*//' | sort -u)
  man_opts=$(MANWIDTH=200 man -l "$page" 2>/dev/null | grep -oE '(^|[ ,[])--[a-z][a-z0-9-]*' | sed 's/^[ ,[]*//' | sort -u)
  missing=$(comm -23 <(echo "$help_opts") <(echo "$man_opts"))
  extra=$(comm -13 <(echo "$help_opts") <(echo "$man_opts"))
  if [ -n "$missing" ]; then
    echo "man: $name.1 does not document: $(echo "$missing" | tr '\n' ' ')" >&2
    status=1
  fi
  if [ -n "$extra" ]; then
    echo "man: $name.1 mentions options that --help does not list: $(echo "$extra" | tr '\n' ' ')" >&2
    status=1
  fi
done
exit $status
