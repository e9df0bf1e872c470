#!/bin/bash
# Generate the probing dataset with a Slurm job array: each array task runs one shard of the prompts file into
# its own run folder; a final job merges them. Submit with:
#
#     sbatch docs/slurm-array.sh                      # the 8 generate tasks
#     sbatch --dependency=afterok:<JOBID> --wrap \
#         "ldmprobe merge runs/train runs/train-shard-{1..8}"
#
# Re-submitting the same array after a time-out or pre-emption continues where each task stopped (--resume skips
# the images marked done in each shard's manifest and redoes any image that was interrupted).
#
#SBATCH --job-name=ldmprobe-generate
#SBATCH --array=1-8                # task K of N=8; SLURM_ARRAY_TASK_ID is K (1-based, as --shard expects)
#SBATCH --cpus-per-task=16         # the UNet's matrix products use every core (OpenBLAS threads)
#SBATCH --mem=16G                  # SD v1.4 in float32 (~4 GB of weights) plus activations
#SBATCH --time=24:00:00            # ~4–5 min per 512×512 image on 2 cores; 617/8 ≈ 78 images per task
#SBATCH --output=logs/generate-%A_%a.log   # progress lines: image i/N, step j/U, s/step, ETA

set -euo pipefail

N=8                                # keep equal to the --array range
K=${SLURM_ARRAY_TASK_ID}
MODEL=models/stable-diffusion-v1-4 # a diffusers folder (unet/, vae/, text_encoder/, tokenizer/, scheduler/)
PROMPTS=data/train_split_prompts_seeds.csv
OUT=runs/train-shard-${K}

export OPENBLAS_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}

# The studies' settings are the defaults: K-LMS, 15 steps, guidance 7.5, 512×512, every self-attention layer,
# conditional branch, float16 activations. Spelled out here so the script documents the run.
ldmprobe generate \
    --model "$MODEL" \
    --prompts "$PROMPTS" \
    --sampler lms --steps 15 --guidance 7.5 --height 512 --width 512 \
    --capture '*attn1' --capture-branch cond --activation-dtype f16 \
    --save-latents --save-intermediates xt \
    --shard "${K}/${N}" \
    --resume \
    --out "$OUT"
