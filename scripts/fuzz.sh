#!/usr/bin/env bash
# Runs every fuzz target of the module, one after the other.
#
#   scripts/fuzz.sh            10 minutes per target (the long run)
#   scripts/fuzz.sh 15s        15 seconds per target (what CI runs)
#   FUZZ_BUDGET=180 scripts/fuzz.sh 15s
#                              at most 180 s of fuzzing in all: the time per
#                              target shrinks when there are many targets
#   FUZZ_ONLY=FuzzDetect scripts/fuzz.sh 1m     only the targets matching
#
# Targets are found with `go test -list '^Fuzz'`, so a new FuzzX anywhere
# is run without editing this script. A failing input is written by Go to
# the package's testdata/fuzz/FuzzX/ directory: it is then a regression
# test that `go test ./...` runs; commit it with the fix. The script goes
# on with the other targets and exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

per="${1:-10m}"
targets=()
for pkg in $(go list ./...); do
  for name in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    if [ -n "${FUZZ_ONLY:-}" ] && ! [[ "$name" =~ ${FUZZ_ONLY} ]]; then
      continue
    fi
    targets+=("$pkg $name")
  done
done
n=${#targets[@]}
if [ "$n" -eq 0 ]; then
  echo "fuzz: no targets"; exit 1
fi
if [ -n "${FUZZ_BUDGET:-}" ]; then
  case "$per" in *m) secs=$(( ${per%m} * 60 ));; *s) secs=${per%s};; *) secs=$per;; esac
  if [ $((secs * n)) -gt "$FUZZ_BUDGET" ]; then
    per="$((FUZZ_BUDGET / n))s"
  fi
fi
echo "fuzz: $n targets, $per each"
failed=0
for t in "${targets[@]}"; do
  set -- $t
  pkg=$1 name=$2
  start=$(date +%s)
  if go test -run '^$' -fuzz "^${name}\$" -fuzztime "$per" "$pkg" >/tmp/fuzz-$$.log 2>&1; then
    echo "ok    $name ($pkg) $(( $(date +%s) - start ))s: $(grep -o 'execs: [0-9]*' /tmp/fuzz-$$.log | tail -1)"
  elif grep -q 'context deadline exceeded' /tmp/fuzz-$$.log && ! grep -q 'Failing input written' /tmp/fuzz-$$.log; then
    # the go fuzzer's own time-out while stopping its workers at -fuzztime
    # (seen on a loaded machine): no input failed, so it is not a finding
    echo "ok    $name ($pkg) $(( $(date +%s) - start ))s: stopped by the fuzzer's deadline, no failing input ($(grep -o 'execs: [0-9]*' /tmp/fuzz-$$.log | tail -1))"
  else
    failed=1
    echo "FAIL  $name ($pkg)"
    tail -30 /tmp/fuzz-$$.log
  fi
done
rm -f /tmp/fuzz-$$.log
exit $failed
