#!/usr/bin/env bash
# scripts/package builds a Debian package whose metadata and contents are
# what an operator needs: the five programs, their man pages, completions,
# examples, and dependencies found by dpkg-shlibdeps.
set -euo pipefail
bin=${1:?bin dir}
src=${LEPTON_SOURCE_DIR:?}
command -v dpkg-deb >/dev/null || exit 77
command -v cpack >/dev/null || exit 77
command -v dpkg-shlibdeps >/dev/null || { echo "dpkg-dev missing"; exit 77; }
build=$(cd "$bin/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

deb=$("$src/scripts/package" "$build" "$work")
[ -f "$deb" ] || { echo "no package produced"; exit 1; }
info=$(dpkg-deb --info "$deb")
contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
fail=0
want_field() {
  grep -qE "^ $1: $2" <<<"$info" || { echo "control field $1 does not match '$2'"; fail=1; }
}
want_field Package lepton
want_field Version "$(sed -n 's/^project(lepton VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")"
want_field Architecture "$(dpkg --print-architecture)"
want_field Section admin
want_field Depends ".*libsodium23"
want_field Depends ".*libzstd1"
want_field Description "composable filters"

for tool in "$bin"/lepton-*; do
  name=$(basename "$tool")
  grep -qx "./usr/bin/$name" <<<"$contents" || { echo "missing /usr/bin/$name"; fail=1; }
  grep -qx "./usr/share/man/man1/$name.1" <<<"$contents" || { echo "missing man page of $name"; fail=1; }
done
grep -qx "./usr/share/man/man7/lepton.7" <<<"$contents" || { echo "missing lepton.7"; fail=1; }
grep -qx "./usr/share/doc/lepton/README.md" <<<"$contents" || { echo "missing README"; fail=1; }
if [ -f "$src/completions/lepton.bash" ]; then
  grep -qx "./usr/share/bash-completion/completions/lepton" <<<"$contents" || { echo "missing bash completion"; fail=1; }
  grep -qx "./usr/share/zsh/vendor-completions/_lepton" <<<"$contents" || { echo "missing zsh completion"; fail=1; }
fi
if [ -d "$src/scripts/examples" ]; then
  grep -q "^./usr/share/doc/lepton/examples/" <<<"$contents" || { echo "missing examples"; fail=1; }
fi

# The packaged binaries run.
dpkg-deb -x "$deb" "$work/root"
for tool in "$work"/root/usr/bin/lepton-*; do
  "$tool" --version >/dev/null || { echo "$tool --version failed"; fail=1; }
done
[ $fail -eq 0 ] && echo "package: ok ($(basename "$deb"))"
exit $fail
