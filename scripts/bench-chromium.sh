#!/usr/bin/env bash
# Whole process against whole process, side by side in one run:
#
#  1. `reportmailer digest --out DIR` for the example weekly digest against
#     a simulated site of 20, 200 and 2,000 agents (a separate
#     `reportmailer simulate` process), three times each: median wall time
#     and peak RSS (the child's max RSS from /usr/bin/time), PDF and
#     encoded mail (.eml) size.
#  2. The 20-agent digest process and headless Chromium printing the same
#     digest's HTML to PDF, alternated ROUNDS times: both medians and the ratio.
#
# Chromium: Debian's package (apt-get install -y chromium), installed here
# when running as root, otherwise the comparison is skipped with the command
# to run. The tests never need it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-11}
SIZES=${SIZES:-"20 200 2000"}
AT=2026-11-23T08:00:00Z
CONFIG=${CONFIG:-reportmailer.example.yaml}

if [ ! -x /usr/bin/time ]; then
  echo "bench: /usr/bin/time is needed for peak RSS (apt-get install -y time)" >&2
  exit 1
fi

dir=$(mktemp -d)
sim_pid=""
cleanup() {
  if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

go build -o "$dir/reportmailer" ./cmd/reportmailer

# start_sim N: a simulator of N agents on a free port; sets sim_url and sim_pid.
start_sim() {
  local agents=$1 depts=$(( $1 / 50 > 4 ? $1 / 50 : 4 ))
  "$dir/reportmailer" simulate --agents "$agents" --departments "$depts" --addr 127.0.0.1:0 2>"$dir/sim.log" &
  sim_pid=$!
  sim_url=""
  for _ in $(seq 100); do
    sim_url=$(grep -o 'url=http://[0-9.:]*' "$dir/sim.log" | head -1 | cut -d= -f2 || true)
    [ -n "$sim_url" ] && return 0
    sleep 0.05
  done
  echo "bench: the simulator did not start:" >&2; cat "$dir/sim.log" >&2; exit 1
}

stop_sim() {
  kill "$sim_pid" 2>/dev/null || true
  wait "$sim_pid" 2>/dev/null || true
  sim_pid=""
}

# now: the time in nanoseconds. Wall times come from it, not from
# /usr/bin/time, whose 10 ms steps are a tenth of a 20-agent digest.
now() { date +%s%N; }

# run_digest OUT: one whole digest process against the running simulator;
# prints "wall_seconds max_rss_kb cpu_seconds status" (status: ok, or the
# exit code; the outputs are written either way, the error is in $dir/digest.err).
run_digest() {
  local status=ok start
  start=$(now)
  env -u TABLE_NAME -u ARCHIVE_BUCKET -u CONFIG_SSM_PARAMETER -u CONFIG_S3_URI -u COMM100_SECRET_ARN \
    COMM100_BASE_URL="$sim_url" COMM100_SITE_ID=10000 COMM100_EMAIL=demo@example.com COMM100_API_KEY=demo-key \
    /usr/bin/time -f '%e %M %U %S' -o "$dir/time.txt" \
    "$dir/reportmailer" digest --config "$CONFIG" --digest weekly-managers --at "$AT" --out "$1" >/dev/null 2>"$dir/digest.err" ||
    status="exit-$?"
  awk -v s="$status" -v ns=$(( $(now) - start )) '{ print ns / 1e9, $2, $3 + $4, s }' <(tail -1 "$dir/time.txt")
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

echo
echo "Whole 'reportmailer digest --out' process (fetch from a local simulator, render, write PDF/HTML/text/CSV/.eml):"
printf '  %-8s %9s %14s %9s %10s\n' agents wall peak-RSS PDF mail
for n in $SIZES; do
  start_sim "$n"
  # Three runs each (the first warms the simulator's caches and the page
  # cache): the median wall time and peak RSS.
  : >"$dir/runs.txt"
  for _ in 1 2 3; do run_digest "$dir/out$n" >>"$dir/runs.txt"; done
  wall=$(cut -d' ' -f1 "$dir/runs.txt" | median)
  rss=$(cut -d' ' -f2 "$dir/runs.txt" | median)
  status=$(cut -d' ' -f4 "$dir/runs.txt" | grep -v '^ok$' | head -1 || true)
  status=${status:-ok}
  pdf=$(stat -c %s "$dir/out$n"/*.pdf)
  eml=$(stat -c %s "$dir/out$n"/*.eml)
  awk -v n="$n" -v w="$wall" -v r="$rss" -v p="$pdf" -v e="$eml" \
    'BEGIN { printf "  %-8s %7.3f s %11.0f MB %6.0f KB %7.2f MB\n", n, w, r/1024, p/1024, e/1048576 }'
  if [ "$status" != ok ]; then echo "           ^ $status: $(tail -1 "$dir/digest.err")"; fi
  stop_sim
done

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium (Debian package) for the comparison…" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium comparison skipped: chromium is not installed (sudo apt-get update && sudo apt-get install -y chromium)"
    exit 0
  fi
fi

start_sim 20
run_digest "$dir/cmp" >/dev/null
html=$(ls "$dir"/cmp/*.html)
: >"$dir/ours.txt"
: >"$dir/chromium.txt"
: >"$dir/ours-cpu.txt"
: >"$dir/chromium-cpu.txt"
for _ in $(seq "$ROUNDS"); do
  read -r wall _ cpu _ < <(run_digest "$dir/cmp")
  echo "$wall" >>"$dir/ours.txt"
  echo "$cpu" >>"$dir/ours-cpu.txt"
  prof=$(mktemp -d)
  start=$(now)
  /usr/bin/time -f '%e %U %S' -o "$dir/time.txt" chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" --no-pdf-header-footer \
    --print-to-pdf="$dir/chromium.pdf" "file://$html" >/dev/null 2>&1
  echo "$(( $(now) - start ))" | awk '{ print $1 / 1e9 }' >>"$dir/chromium.txt"
  awk '{ print $2 + $3 >> "'"$dir/chromium-cpu.txt"'" }' <(tail -1 "$dir/time.txt")
  rm -rf "$prof"
done
stop_sim
ours=$(median <"$dir/ours.txt")
theirs=$(median <"$dir/chromium.txt")
ours_cpu=$(median <"$dir/ours-cpu.txt")
theirs_cpu=$(median <"$dir/chromium-cpu.txt")
echo
echo "Side by side, alternated $ROUNDS times (medians, whole processes, 20 agents; load average $(cut -d' ' -f1 /proc/loadavg)):"
awk -v o="$ours" -v c="$theirs" -v oc="$ours_cpu" -v cc="$theirs_cpu" 'BEGIN {
  printf "  %-37s %8s %10s\n", "", "wall", "CPU"
  printf "  %-37s %6.3f s %8.2f s\n", "reportmailer digest --out", o, oc
  printf "  %-37s %6.3f s %8.2f s\n", "chromium --print-to-pdf (same HTML)", c, cc
  printf "  %-37s %6.1f×  %8.1f×\n", "ratio", (o > 0 ? c / o : 0), (oc > 0 ? cc / oc : 0) }'
