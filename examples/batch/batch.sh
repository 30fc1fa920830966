#!/bin/sh
# SPDX-License-Identifier: MIT
# Run several cleanroom configs in a row and collect their run reports into
# one JSON array:
#
#     batch.sh CLEANROOM OUT.json CONFIG...
#
# OUT.json gets one entry per config, in order:
#     [{"config": "1-hello.json", "report": {"exit_code": 0, ...}}, ...]
# A failing run does not stop the batch: its report says how it failed.
# Exits 0 when every run left a report, 1 otherwise.
set -u
cleanroom=$1 out=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0 n=0
{
  printf '['
  for config in "$@"; do
    n=$((n + 1))
    name=$(basename "$config")   # assumed free of quotes and backslashes
    echo "== $name" >&2
    # The job's own output goes to our stderr, so stdout stays the JSON.
    "$cleanroom" run "$config" --report "$tmp/$n.json" </dev/null >&2
    [ "$n" = 1 ] || printf ','
    printf '\n {"config": "%s", "report": ' "$name"
    # cleanroom writes a report for every run, failed setups included;
    # null marks a run that left none (cleanroom itself crashed). Raw tabs
    # and newlines in a report are only layout (strings escape theirs), so
    # dropping them puts each entry on one line.
    if [ -s "$tmp/$n.json" ]; then tr -d '\n\t' <"$tmp/$n.json"; else printf 'null'; status=1; fi
    printf '}'
  done
  printf '\n]\n'
} >"$tmp/all.json"
mv "$tmp/all.json" "$out"
exit "$status"
