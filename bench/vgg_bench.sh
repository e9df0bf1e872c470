#!/usr/bin/env bash
# VGG-16 forward time at 224×224, batch 1, fp32: ldmprobe's vgg16 plugin (OpenBLAS) against torchvision (PyTorch),
# both with random full-size weights built in memory. Run from the repository root after a release build:
#     swift build -c release --product ldmprobe && swift build -c release --product VGGClassifier
#     bench/vgg_bench.sh [BUILD_DIR=.build/release] [RUNS=10]
# ldmprobe's time per call includes preprocessing (resize/crop/normalise of a 224×224 PNG, ~1–2 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-.build/release}
RUNS=${2:-10}
IMG=Tests/Fixtures/vgg/images/exact_224.png
echo "== ldmprobe classify (vgg16, weights=random:0, $RUNS calls after one warm-up image)"
"$BUILD/ldmprobe" classify --plugin-path "$BUILD" --classifier vgg16:weights=random:0 "$IMG" "$IMG" \
    --repeat "$RUNS" --top 1 2>&1 >/dev/null | tail -1
echo "== PyTorch (torchvision vgg16)"
OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} python3 bench/vgg_torch.py --repeat "$RUNS" --threads "${THREADS:-2}"
