#!/usr/bin/env bash
# Times ldmprobe against PyTorch eager, ONNX Runtime and OpenVINO (stable-diffusion.cpp: skipped, not installable
# here) on the same models in one interleaved run, and prints a Markdown table (median seconds, peak RSS, ratio to
# the fastest engine) and writes a CSV with every run (+ context switches). bench/README.md has the details.
#
#   bench/compare.sh                                  all rows, all engines, 2 rounds, warm-up + median of 3
#   bench/compare.sh --rows unet32,unet64 --op-table  the UNet rows, plus ldmprobe's GFLOP/s per op kind
#   bench/compare.sh --rows unet16 --rounds 1 --repeat 1 --engines ldmprobe,onnxruntime     a quick sanity run
#
# The peers run in BENCH_PYTHON (default: the python3 on PATH, e.g. an activated venv made from
# bench/requirements.txt); ldmprobe is LDMPROBE (default .build/release/ldmprobe); ONNX exports, logs and results
# go to BENCH_CACHE (default ~/.cache/ldmprobe-bench). THREADS is the old spelling of --threads.
# The older forms still work, now with every engine: `all [REPEAT]`, `unet [LATENT] [REPEAT]`, `LATENT [REPEAT]`,
# `text-encoder [REPEAT]`, `vae-decode [512] [REPEAT]`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${BENCH_PYTHON:-python3}"
export BENCH_PYTHON="$PY"
args=("$@")
case "${1:-}" in
    all) args=(--rows unet32,unet64,text-encoder,vae-decode --repeat "${2:-3}") ;;
    unet) args=(--rows "unet${2:-32}" --repeat "${3:-3}") ;;
    text-encoder) args=(--rows text-encoder --repeat "${2:-3}") ;;
    vae-decode) [ "${2:-512}" = 512 ] || { echo "compare.sh: vae-decode runs at 512 px only (got ${2})" >&2; exit 2; }
                args=(--rows vae-decode --repeat "${3:-3}") ;;
    [0-9]*) args=(--rows "unet$1" --repeat "${2:-3}") ;;
esac
exec "$PY" bench/compare.py --threads "${THREADS:-2}" "${args[@]}"
