#!/bin/sh
# Captures every dashboard page (desktop and phone width) into
# docs/screenshots/*.png with headless Chromium (scripts/install-test-deps.sh).
set -eu
cd "$(dirname "$0")/.."
out="$(pwd)/docs/screenshots"
mkdir -p "$out"
WAAUTO_SCREENSHOTS="$out" go test -count=1 -run '^TestScreenshots$' ./internal/app/
# Smaller files when pngquant is installed (apt-get install pngquant).
if command -v pngquant >/dev/null 2>&1; then
	pngquant --force --skip-if-larger --ext .png --quality 70-95 "$out"/*.png || true
fi
ls -l "$out"
