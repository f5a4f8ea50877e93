#!/usr/bin/env bash
# Times headless Chromium printing the same digest's HTML to PDF, beside the
# native renderer, so the ratio is visible. Installs Debian's chromium if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing chromium (Debian package) for the comparison…" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "bench-chromium: chromium not installed (sudo apt-get install -y chromium); skipping the comparison"; exit 0
  fi
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go run ./cmd/reportmailer demo --at 2026-11-23T08:00:00Z --out "$dir" >/dev/null
html=$(ls "$dir"/*.html)
best=""
for i in 1 2 3; do
  prof=$(mktemp -d)
  start=$(date +%s%N)
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$prof" --no-pdf-header-footer \
    --print-to-pdf="$dir/chromium.pdf" "file://$html" >/dev/null 2>&1
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  rm -rf "$prof"
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "Chromium --print-to-pdf of the same digest's HTML: best of 3 = ${best} ms ($(stat -c %s "$dir/chromium.pdf") bytes)"
echo "Compare with BenchmarkDigest above (ns/op ÷ 1e6 = ms per whole digest: PDF, HTML, text and every PNG)."
