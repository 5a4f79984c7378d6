#!/usr/bin/env bash
# Soak benchmark for `bouncescan tail`: LINES generated Postfix lines are
# appended at full speed to a live log, rotated (rename + new file) every
# ROTATE lines, while tail follows it with checkpointing on. Reports lines/s
# (from the first line written to the last line read, as tail's
# bouncescan_lines_total metric says) and tail's peak RSS.
# Checkpoints every 500 ms (the metric moves with them).
#
#   scripts/soak-tail.sh [LINES] [ROTATE]      (defaults 1000000, 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
rotate=${2:-100000}
gen=../shared/bench/genmaillog.py
[ -f "$gen" ] || { echo "needs $gen"; exit 1; }
work=$(mktemp -d)
trap 'kill $tailpid 2>/dev/null || true; [ -n "${SOAK_DEBUG:-}" ] && cat "$work/tail.err" >&2; rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/bouncescan" ./cmd/bouncescan
python3 "$gen" --format postfix --lines "$lines" --seed 42 > "$work/all.log"
port=$((20000 + RANDOM % 20000))
"$work/bouncescan" tail --from start --state "$work/state.json" --events /dev/null \
  --listen "127.0.0.1:$port" --checkpoint-every 500ms --year 2026 --tz UTC --poll 50ms "$work/mail.log" 2>"$work/tail.err" &
tailpid=$!
sleep 1
start=$(date +%s.%N)
python3 - "$work/all.log" "$work/mail.log" "$rotate" <<'PY'
import os, sys
src, live, rotate = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = open(live, "ab"); n = 0; gen = 0
with open(src, "rb") as f:
    buf = []
    for line in f:
        buf.append(line); n += 1
        if len(buf) == 1000:
            out.write(b"".join(buf)); out.flush(); buf = []
        if n % rotate == 0:
            out.write(b"".join(buf)); buf = []; out.close(); gen += 1
            for i in range(min(gen, 20) - 1, 0, -1):  # logrotate numbering: .1 is the newest
                if os.path.exists("%s.%d" % (live, i)):
                    os.rename("%s.%d" % (live, i), "%s.%d" % (live, i + 1))
            os.rename(live, live + ".1"); out = open(live, "ab")
    out.write(b"".join(buf)); out.close()
PY
wrote=$(date +%s.%N)
# wait until tail has read every line (the lines metric sums over files)
while :; do
  got=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^bouncescan_lines_total/ {s+=$2} END {printf "%d", s}' || true)
  if [ -n "${SOAK_DEBUG:-}" ]; then echo "read ${got:-0}" >&2; fi
  [ "${got:-0}" -ge "$lines" ] && break
  sleep 0.2
done
done_at=$(date +%s.%N)
rss=$(awk '/VmHWM/ {print $2}' /proc/$tailpid/status)
state=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^bouncescan_parser_state_messages/ {printf "%s ", $0}' || true)
kill -TERM $tailpid; wait $tailpid || true
python3 - "$start" "$wrote" "$done_at" "$lines" "$rss" <<'PY'
import sys
s, w, d, n, rss = map(float, sys.argv[1:])
print(f"lines {int(n)}, written in {w-s:.2f} s, all read after {d-s:.2f} s: {n/(d-s):,.0f} lines/s; tail peak RSS {rss/1024:.1f} MiB")
PY
echo "open messages held: $state"
