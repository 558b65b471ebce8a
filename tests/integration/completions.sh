#!/usr/bin/env bash
# The committed bash and zsh completions are what scripts/completions
# generates from the programs' --help (so they are in step with it), and
# they complete: every long option of each program (and subcommand), the
# choices of enumerated options, and subcommand names.
set -uo pipefail
bin=$(cd "${1:?bin dir}" && pwd)
src=${LEPTON_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

"$src/scripts/completions" "$bin" "$work" >/dev/null || exit 1
for f in lepton.bash _lepton; do
  if ! cmp -s "$work/$f" "$src/completions/$f"; then
    echo "completions/$f is out of step with --help; run scripts/completions $bin"
    diff -u "$src/completions/$f" "$work/$f" | head -20
    fail=1
  fi
done

# shellcheck source=/dev/null
source "$src/completions/lepton.bash"
complete_words() {  # words... ; the last one is being completed
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _lepton
  printf '%s\n' "${COMPREPLY[@]}" | sort -u
}
long_options() {
  "$@" --help | awk '/^Options:/ {o = 1; next} /^[A-Za-z]/ {o = 0} o' |
    grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | sed 's/^[ ,]*//' | sort -u
}

for tool in "$bin"/lepton-*; do
  prog=$(basename "$tool")
  subs=$("$tool" --help | awk '/^Subcommands:/ {s = 1; next} s && /^[a-z][a-z0-9-]*$/ {print}')
  want=$(long_options "$tool")
  got=$(complete_words "$prog" --)
  [ "$want" = "$got" ] || { echo "$prog --<TAB>: got [$got] want [$want]"; fail=1; }
  if [ -n "$subs" ]; then
    got=$(complete_words "$prog" "")
    [ "$got" = "$(sort <<<"$subs")" ] || { echo "$prog <TAB>: got [$got] want subcommands [$subs]"; fail=1; }
    for s in $subs; do
      want=$(long_options "$tool" "$s")
      got=$(complete_words "$prog" "$s" --)
      [ "$want" = "$got" ] || { echo "$prog $s --<TAB>: got [$got] want [$want]"; fail=1; }
    done
  fi
done

if [ -x "$bin/lepton-collect" ]; then
  got=$(complete_words lepton-collect --on-error "")
  [ "$got" = "$(printf 'fail\nskip')" ] || { echo "--on-error <TAB>: got [$got]"; fail=1; }
  got=$(complete_words lepton-collect --on-error=s)
  [ "$got" = "skip" ] || { echo "--on-error=s<TAB>: got [$got]"; fail=1; }
  got=$(complete_words lepton-collect --count "")
  [ -z "$got" ] || { echo "--count <TAB> should offer nothing: got [$got]"; fail=1; }
fi

if command -v zsh >/dev/null; then
  zsh -n "$src/completions/_lepton" || { echo "_lepton: zsh syntax error"; fail=1; }
  for tool in "$bin"/lepton-*; do
    prog=$(basename "$tool")
    head -1 "$src/completions/_lepton" | grep -qw "$prog" || { echo "_lepton: #compdef lacks $prog"; fail=1; }
    for opt in $(long_options "$tool"); do
      grep -q -- "$opt\[" "$src/completions/_lepton" || grep -q -- ",$opt}" "$src/completions/_lepton" ||
        { echo "_lepton: $prog lacks $opt"; fail=1; }
    done
  done
fi
[ $fail -eq 0 ] && echo "completions: ok"
exit $fail
