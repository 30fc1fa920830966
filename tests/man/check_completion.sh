#!/bin/bash
# SPDX-License-Identifier: MIT
# The bash completion offers the CLI's commands and every quick-run flag,
# completes flag values and configs, and hands over after --.
set -u
src=$1
. "$src/completion/cleanroom.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" && touch run.json other.txt && mkdir sub
fails=0
complete_line() { # words... -> COMPREPLY, the last word being completed
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _cleanroom
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
expect() { # what words...
  local want=$1
  shift
  local got
  got=$(complete_line "$@")
  for w in $want; do
    case " $got " in *" $w "*) ;; *) echo "completion: '$*' offered [$got], not $w"; fails=1 ;; esac
  done
}
expect "run check policy" cleanroom ""
# Every flag the CLI parses is offered.
flags=$(grep -o '{"--[a-z-]*", \(true\|false\)}' "$src/cli/flags.c" | sed 's/{"\(--[a-z-]*\)".*/\1/')
[ -n "$flags" ] || { echo "completion: no flags read from cli/flags.c"; fails=1; }
expect "$flags --" cleanroom run -
expect "$flags" cleanroom check --
expect "--explain --json" cleanroom check --
expect "--report --audit" cleanroom run --
expect "none host" cleanroom run --network ""
expect "default strict none" cleanroom run --seccomp ""
expect "run.json sub" cleanroom run ""
got=$(complete_line cleanroom run "")
case " $got " in *" other.txt "*) echo "completion: a non-config offered as CONFIG: $got"; fails=1 ;; esac
expect "check export diff" cleanroom policy ""
expect "--json" cleanroom policy diff default -
# After --, the command is completed (a command name from PATH).
expect "true" cleanroom run -- tru
exit $fails
