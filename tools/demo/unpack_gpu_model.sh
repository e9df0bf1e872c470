#!/usr/bin/env bash
# Assembles Assets/demo/model (and Assets/demo/TRAINING.json) from what tools/demo/train_on_gpu.sh wrote.
#   tools/demo/unpack_gpu_model.sh /work/.device/1
set -euo pipefail
SRC=${1:?usage: unpack_gpu_model.sh FOLDER-WITH-rest.tar}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
tar -C "$TMP" -xf "$SRC/rest.tar"
cp "$SRC/unet.safetensors" "$TMP/model/unet/diffusion_pytorch_model.safetensors"
cp "$SRC/vae.safetensors" "$TMP/model/vae/diffusion_pytorch_model.safetensors"
cp "$SRC/text_encoder.safetensors" "$TMP/model/text_encoder/model.safetensors"
rm -rf "$REPO/Assets/demo/model.tmp"
mv "$TMP/model" "$REPO/Assets/demo/model.tmp"
rm -rf "$REPO/Assets/demo/model"
mv "$REPO/Assets/demo/model.tmp" "$REPO/Assets/demo/model"
cp "$TMP/TRAINING.json" "$REPO/Assets/demo/TRAINING.json"
rm -rf "$TMP"
echo "Assets/demo/model updated from $SRC"
