#!/usr/bin/env bash
# Trains Assets/demo/model on one CUDA GPU (how the committed weights were made: one H200, ~8 minutes).
# Input: .gpu/train.npz from tools/demo/pack_world.py; optional wheels in .whl/ (diffusers where it is missing).
# Output in ${OUT:-/tmp/gpu-out}: the three safetensors files, rest.tar (configs, tokenizer, TRAINING.json), train.log.
# Then, on the build machine: tools/demo/unpack_gpu_model.sh ${OUT}  (assembles Assets/demo/model).
set -euo pipefail
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
nvidia-smi -L
python3 -c "import torch, diffusers, transformers; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__, torch.cuda.is_available())"
rm -rf /tmp/m
PYTHONUNBUFFERED=1 python3 tools/demo/train_ldm.py --data .gpu/train.npz --device cuda --out /tmp/m/model \
  --work /tmp/m/work --vae-minutes "${VAE_MIN:-2}" --unet-minutes "${UNET_MIN:-5}" --vae-batch 64 --vae-crop 64 \
  --unet-batch 256 2>&1 | grep -v Warning | tee "$OUT/train.log"
cp /tmp/m/model/unet/diffusion_pytorch_model.safetensors "$OUT/unet.safetensors"
cp /tmp/m/model/vae/diffusion_pytorch_model.safetensors "$OUT/vae.safetensors"
cp /tmp/m/model/text_encoder/model.safetensors "$OUT/text_encoder.safetensors"
tar -C /tmp/m -cf "$OUT/rest.tar" --exclude '*.safetensors' model TRAINING.json
ls -la "$OUT"
