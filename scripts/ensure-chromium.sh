#!/usr/bin/env bash
# Installs Chromium (Debian package "chromium") for the preview's browser
# test (pkg/preview, driven by chromedp). Installs when it can (root and
# apt-get); otherwise, or when the install fails, stops with the exact
# command to run. Never skips silently. scripts/ensure-tools.sh calls it.
set -euo pipefail

find_chromium() {
  command -v chromium || command -v chromium-browser || command -v google-chrome || true
}

if [ -n "$(find_chromium)" ]; then
  exit 0
fi

cmd="sudo apt-get update && sudo apt-get install -y chromium"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing chromium (Debian package)" >&2
  if apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
    hash -r
    if [ -n "$(find_chromium)" ]; then
      exit 0
    fi
  fi
  cmd="apt-get update && apt-get install -y chromium"
fi
echo "ensure-chromium: the preview's browser test needs Chromium and it could not be installed. Run:" >&2
echo "  $cmd" >&2
exit 1
