#!/usr/bin/env bash
# clang-format must leave every C++ file unchanged; shellcheck must pass on
# the shell scripts under scripts/, tests/ and bench/.
set -uo pipefail
cd "${1:?source dir}" || exit 2
status=0
mapfile -t cpp < <(git ls-files '*.cpp' '*.h' 2>/dev/null || find lib tools tests bench -name '*.cpp' -o -name '*.h')
if [ ${#cpp[@]} -gt 0 ]; then
  clang-format --dry-run --Werror "${cpp[@]}" || status=1
fi
mapfile -t sh < <(grep -rlE '^#!/usr/bin/env bash|^#!/bin/(ba)?sh' scripts tests bench .ci 2>/dev/null | grep -v '/corpus/')
if [ ${#sh[@]} -gt 0 ]; then
  shellcheck -S warning "${sh[@]}" || status=1
fi
exit $status
