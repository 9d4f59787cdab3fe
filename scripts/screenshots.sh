#!/bin/sh
# Captures every dashboard page (desktop and phone width) into
# docs/screenshots/*.png with headless Chromium (scripts/install-test-deps.sh).
set -eu
cd "$(dirname "$0")/.."
out="$(pwd)/docs/screenshots"
mkdir -p "$out"
WAAUTO_SCREENSHOTS="$out" go test -count=1 -run '^TestScreenshots$' ./internal/app/
ls -l "$out"
