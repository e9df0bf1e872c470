#!/usr/bin/env bash
# Trains Assets/demo/estimators on one CUDA GPU (how the committed weights were made: one H200, ~4 minutes).
# Input: .gpu/est.npz from `tools/demo/pack_world.py --labels --val /tmp/world/val --count 4000 --out .gpu/est.npz
# /tmp/world/train`. Output in ${OUT:-/tmp/gpu-out}: the four safetensors, ESTIMATORS.json, train.log; copy them to
# Assets/demo/estimators/ and Assets/demo/ESTIMATORS.json, then re-make Tests/Fixtures/world (make_world_fixtures.py).
set -euo pipefail
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
nvidia-smi -L
rm -rf /tmp/e
PYTHONUNBUFFERED=1 python3 tools/demo/train_estimators.py --packed .gpu/est.npz --device cuda --out /tmp/e/estimators \
  --minutes "${EST_MIN:-0.7}" --objects-minutes "${OBJ_MIN:-1.2}" --crop 0 --batch 128 2>&1 | tee "$OUT/train.log"
cp /tmp/e/estimators/*.safetensors /tmp/e/ESTIMATORS.json "$OUT/"
ls -la "$OUT"
