#!/usr/bin/env bash
# The speed and memory benchmark of bouncescan against the tools people
# already have, on generated logs (../shared/bench/genmaillog.py).
#
#   bench/run.sh              1M and 10M Postfix lines, 1M Exim lines, .gz and .zst
#   bench/run.sh --quick      1M lines only, fewer runs (a few minutes)
#   BENCH_DIR=/data bench/run.sh    where the inputs go (default /tmp/bouncescan-bench, ~2 GB)
#
# It builds the binary, makes the inputs once (same seeds, same bytes),
# then runs hyperfine (Debian package `hyperfine`) on pairs of commands and
# prints their medians and the ratios the speed targets are stated in
# (output goes to a pipe, not /dev/null: GNU grep stops at the first
# match when its output is /dev/null):
# bouncescan scan against `LC_ALL=C grep -c`, `wc -l`, `gzip -dc`,
# `zstd -dc`, and pflogsumm / eximstats when they are installed; then the
# peak RSS of each scan (/usr/bin/time -v). Results go to stdout and to
# $BENCH_DIR/results.md (the table README shows).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
[ "${1:-}" = "--quick" ] && quick=1
dir=${BENCH_DIR:-/tmp/bouncescan-bench}
gen=${GENMAILLOG:-$root/../shared/bench/genmaillog.py}
mkdir -p "$dir"

need() {
  if ! command -v "$1" >/dev/null; then
    echo "bench: $1 is missing: apt-get install $2" >&2
    exit 1
  fi
}
need hyperfine hyperfine
need python3 python3
need gzip gzip
need zstd zstd
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing: apt-get install time" >&2; exit 1; }
[ -f "$gen" ] || { echo "bench: no generator at $gen (set GENMAILLOG)" >&2; exit 1; }

bin=$dir/bouncescan
(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$bin" ./cmd/bouncescan)

make_input() { # name, generator arguments…
  local out=$dir/$1
  shift
  if [ ! -s "$out" ]; then
    echo "bench: making $out" >&2
    python3 "$gen" "$@" > "$out.tmp" && mv "$out.tmp" "$out"
  fi
}
make_input p1m.log --format postfix --lines 1000000 --seed 42
make_input e1m.log --format exim --lines 1000000 --seed 42
[ -s "$dir/p1m.log.gz" ] || gzip -c "$dir/p1m.log" > "$dir/p1m.log.gz"
[ -s "$dir/p1m.log.zst" ] || zstd -q -c "$dir/p1m.log" > "$dir/p1m.log.zst"
if [ "$quick" = 0 ] && [ ! -s "$dir/p10m.log" ]; then
  echo "bench: making $dir/p10m.log (ten seeds of 1M lines)" >&2
  for s in 1 2 3 4 5 6 7 8 9 10; do
    python3 "$gen" --format postfix --lines 1000000 --seed "$s"
  done > "$dir/p10m.log.tmp" && mv "$dir/p10m.log.tmp" "$dir/p10m.log"
fi

runs=10
[ "$quick" = 1 ] && runs=5
results=$dir/results.md
: > "$results"
json=$dir/hf.json

# pair NAME BASELINE_CMD SCAN_CMD: medians and the ratio scan/baseline
# (PREPARE, if set, runs before each timed run: hyperfine --prepare)
pair() {
  local name=$1 base=$2 scan=$3
  hyperfine --style none --output=pipe --warmup 1 --runs "$runs" --export-json "$json" ${PREPARE:+--prepare "$PREPARE"} "$base" "$scan" >/dev/null 2>&1
  python3 - "$json" "$name" "$base" "$scan" >> "$results" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
b, s = res[0]["median"], res[1]["median"]
print(f"| {sys.argv[2]} | `{sys.argv[3]}` | {b:.3f} s | `{sys.argv[4]}` | {s:.3f} s | {s/b:.2f}× | {b/s:.1f}× |")
PY
  tail -1 "$results"
}

echo "| what | baseline | median | bouncescan | median | bouncescan/baseline | baseline/bouncescan |" | tee -a "$results"
echo "|---|---|---|---|---|---|---|" | tee -a "$results"
p=$dir/p1m.log
e=$dir/e1m.log
scan="$bin scan --progress=false -o json"
pair "Postfix 1M vs grep" "env LC_ALL=C grep -c status= $p" "$scan $p"
pair "Postfix 1M vs wc -l" "wc -l $p" "$scan $p"
pair "Exim 1M vs grep" "env LC_ALL=C grep -c '=>\\|\\*\\*\\|==' $e" "$scan $e"
pair "Postfix 1M .gz vs gzip -dc" "gzip -dc $p.gz" "$scan $p.gz"
pair "Postfix 1M .zst vs zstd -dc" "zstd -dc $p.zst" "$scan $p.zst"
# export is idempotent: each run starts from an empty directory
PREPARE="rm -rf $dir/export-out" pair "export Parquet vs scan" "$scan $p" "$bin export --progress=false -o parquet --to $dir/export-out $p"
if command -v pflogsumm >/dev/null; then
  runs_saved=$runs; runs=3
  pair "Postfix 1M: pflogsumm vs bouncescan" "pflogsumm $p" "$scan $p"
  runs=$runs_saved
fi
if command -v eximstats >/dev/null; then
  runs_saved=$runs; runs=3
  pair "Exim 1M: eximstats vs bouncescan" "eximstats $e" "$scan $e"
  runs=$runs_saved
fi
if [ "$quick" = 0 ]; then
  runs_saved=$runs; runs=3
  pair "Postfix 10M vs grep" "env LC_ALL=C grep -c status= $dir/p10m.log" "$scan $dir/p10m.log"
  runs=$runs_saved
fi

echo | tee -a "$results"
echo "| input | peak RSS | wall |" | tee -a "$results"
echo "|---|---|---|" | tee -a "$results"
rss() { # name, file
  /usr/bin/time -f "%M %e" -o "$dir/time.out" $scan "$2" > /dev/null
  read -r kb secs < "$dir/time.out"
  echo "| $1 | $((kb / 1024)) MiB | ${secs} s |" | tee -a "$results"
}
rss "Postfix 1M" "$p"
rss "Exim 1M" "$e"
rss "Postfix 1M .gz" "$p.gz"
[ "$quick" = 0 ] && rss "Postfix 10M" "$dir/p10m.log"
echo
echo "bench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); results in $results" | tee -a "$results"
