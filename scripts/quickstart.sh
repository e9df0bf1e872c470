#!/usr/bin/env bash
# Quick start: install the build dependencies, build ldmprobe (release) and run the embedded demo study
# (generate → label → probe → classify, samplers ddim and pndm) into runs/demo.
#   scripts/quickstart.sh                       # build in .build, output runs/demo
#   SCRATCH=.build-x OUT=/tmp/demo scripts/quickstart.sh
# Extra arguments go to `ldmprobe pipeline` (e.g. --count 8 --steps 5 for a smoke run).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build}"
OUT="${OUT:-runs/demo}"
scripts/install-deps.sh
echo "quickstart: swift build -c release --scratch-path $SCRATCH" >&2
swift build -c release --scratch-path "$SCRATCH"
start=$(date +%s)
"$SCRATCH/release/ldmprobe" pipeline --demo --overwrite --out "$OUT" "$@"
echo "quickstart: demo took $(( $(date +%s) - start )) s"
echo "quickstart: open $OUT/index.html (per-sampler reports: $OUT/<sampler>/study/report.html)"
