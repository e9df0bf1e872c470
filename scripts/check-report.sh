#!/usr/bin/env bash
# Renders ldmprobe's HTML reports in headless Chromium (Debian: apt-get install chromium) and saves screenshots,
# so a person can check they display: charts, tables, image grids.
#   scripts/check-report.sh [RUN_OUT=runs/demo]
# Writes RUN_OUT/screenshots/{index,<sampler>-report}.png; exits nonzero if Chromium fails or a page is missing.
set -euo pipefail
out="${1:-runs/demo}"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "check-report: chromium not found (apt-get install chromium)" >&2; exit 1; }
[ -f "$out/index.html" ] || { echo "check-report: $out/index.html missing (run scripts/quickstart.sh first)" >&2; exit 1; }
mkdir -p "$out/screenshots"
shot() { # page, png, height
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --window-size=1280,"$3" \
    --screenshot="$2" "file://$(realpath "$1")" >/dev/null 2>&1
  [ -s "$2" ] || { echo "check-report: no screenshot of $1" >&2; exit 1; }
  echo "check-report: $1 → $2"
}
shot "$out/index.html" "$out/screenshots/index.png" 1200
for report in "$out"/*/study/report.html; do
  [ -f "$report" ] || continue
  sampler=$(basename "$(dirname "$(dirname "$report")")")
  shot "$report" "$out/screenshots/$sampler-report.png" 2400
done
