#!/usr/bin/env bash
# VGG-16 forward time at 224×224, batch 1, fp32: `ldmprobe bench vgg16` against torchvision (PyTorch), both the
# network + softmax on one tensor with random full-size weights built in memory. Run from the repository root after
# a release build (bench/compare.sh --rows vgg16 adds ONNX Runtime and OpenVINO):
#     swift build -c release --product ldmprobe
#     bench/vgg_bench.sh [BUILD_DIR=.build/release] [RUNS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-.build/release}
RUNS=${2:-10}
echo "== ldmprobe bench vgg16 ($RUNS calls after one warm-up)"
"$BUILD/ldmprobe" bench vgg16 --repeat "$RUNS"
echo "== PyTorch (torchvision vgg16)"
OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} python3 bench/vgg_torch.py --repeat "$RUNS" --threads "${THREADS:-2}"
