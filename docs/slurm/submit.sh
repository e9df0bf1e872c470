#!/usr/bin/env bash
# The probing study on a Slurm cluster, with no activation storage: four chained stages.
#
#   1. train-map  job array, task K of N: generate shard K/N of the training images, label them and add their
#                 activations to the probes' sufficient statistics in-process; writes one statistics file.
#   2. solve      one job, after every train task succeeded: sums the N statistics files, fits the probes.
#   3. test-map   job array, task K of N: generate shard K/N of the test images with the fitted probes applied
#                 in-process; writes per-image metrics and per-step classification.
#   4. report     one job: merges the per-image results, bootstrap intervals, controls, metrics.csv, report.html.
#
# Each stage starts only when the previous one succeeded (--dependency=afterok); a failed stage cancels the
# rest (--kill-on-invalid-dep). Submit from the folder the paths are relative to:
#
#     bash docs/slurm/submit.sh                       # edit the variables below, or set them in the environment:
#     N=32 OUT=runs/study-lms bash docs/slurm/submit.sh
#
# A task killed by its time limit or pre-empted continues where it stopped when re-run with the same arguments:
# re-submit (the finished shards are kept), or `scontrol requeue JOBID_K`. `solve` and `report` name any shard
# that is missing. Logs: $LOGS/<stage>-<jobid>[_<task>].log (progress: image i/n, step j/U, ETA).
set -euo pipefail

# ---- the study ------------------------------------------------------------------------------------------
MODEL=${MODEL:-models/stable-diffusion-v1-4}      # a diffusers folder (unet/, vae/, text_encoder/, tokenizer/)
PROMPTS=${PROMPTS:-data/train_split_prompts_seeds.csv}
N=${N:-16}                                        # tasks per map stage (shards)
OUT=${OUT:-runs/study}                            # the study folder every stage reads and writes
# Everything else `ldmprobe pipeline` takes (one sampler). The studies' settings, spelled out:
ARGS=${ARGS:-"--sampler lms --steps 15 --guidance 7.5 --height 512 --width 512 --capture '*attn1' \
--label fg=tracer:labels/tracer --label depth=midas:labels/midas --label shading=intrinsic:labels/intrinsic \
--probe linear:fit=lstsq --split fraction:0.4:0"}
LDMPROBE=${LDMPROBE:-ldmprobe}                    # the executable (its plugins beside it or in LDMPROBE_PLUGIN_PATH)
LOGS=${LOGS:-$OUT.logs}

# ---- resources per stage (from `ldmprobe bench study`; see docs/slurm/README.md) ---------------------------
# A map task holds one model (SD v1.4 in float32: 4.3 GB), two images' activations and the probes' statistics
# (4.2 GiB at 15 steps), and writes them as its checkpoint after each image: bench study measured a 9.3 GB peak
# at SD v1.4's shapes (15 steps, 64×64; 512×512 adds the decoder's buffers). Time: images per task × bench
# study's seconds per image at this many cores, plus margin.
MAP_CPUS=${MAP_CPUS:-16}                          # the UNet's matrix products use every core
MAP_MEM=${MAP_MEM:-24G}
TRAIN_TIME=${TRAIN_TIME:-12:00:00}                # 617 × 0.6 / 16 ≈ 23 training images per task
TEST_TIME=${TEST_TIME:-12:00:00}                  # ≈ 16 test images per task
SOLVE_CPUS=${SOLVE_CPUS:-4}                       # sums N statistics files (4.2 GiB each), fits 1440 probes
SOLVE_MEM=${SOLVE_MEM:-16G}
SOLVE_TIME=${SOLVE_TIME:-1:00:00}
REPORT_CPUS=${REPORT_CPUS:-4}                     # bootstrap over per-image metrics, charts
REPORT_MEM=${REPORT_MEM:-8G}
REPORT_TIME=${REPORT_TIME:-1:00:00}
SBATCH_ARGS=${SBATCH_ARGS:-}                      # site options for every job, e.g. "--partition=cpu --account=lab"

mkdir -p "$LOGS"
# One job (array) after `after` (a job id, or empty); prints its id.
submit() {
    local name=$1 array=$2 cpus=$3 mem=$4 time=$5 after=$6 command=$7 deps=() tasks=() log=$LOGS/$1-%j.log
    [[ -n "$after" ]] && deps=(--dependency="afterok:$after" --kill-on-invalid-dep=yes)
    [[ -n "$array" ]] && tasks=(--array="$array" --requeue) log=$LOGS/$name-%A_%a.log
    # shellcheck disable=SC2086  # SBATCH_ARGS is a list of options
    sbatch --parsable --job-name="ldmprobe-$name" "${tasks[@]}" "${deps[@]}" \
        --cpus-per-task="$cpus" --mem="$mem" --time="$time" \
        --output="$log" $SBATCH_ARGS \
        --wrap="export LDMPROBE_THREADS=\${SLURM_CPUS_PER_TASK:-1} OPENBLAS_NUM_THREADS=\${SLURM_CPUS_PER_TASK:-1}; $command"
}

common="--model '$MODEL' --prompts '$PROMPTS' --out '$OUT' $ARGS"
train=$(submit train-map "1-$N" "$MAP_CPUS" "$MAP_MEM" "$TRAIN_TIME" "" \
    "'$LDMPROBE' study train-map --shard \${SLURM_ARRAY_TASK_ID}/$N $common")
solve=$(submit solve "" "$SOLVE_CPUS" "$SOLVE_MEM" "$SOLVE_TIME" "$train" "'$LDMPROBE' study solve --out '$OUT'")
test=$(submit test-map "1-$N" "$MAP_CPUS" "$MAP_MEM" "$TEST_TIME" "$solve" \
    "'$LDMPROBE' study test-map --shard \${SLURM_ARRAY_TASK_ID}/$N $common")
report=$(submit report "" "$REPORT_CPUS" "$REPORT_MEM" "$REPORT_TIME" "$test" "'$LDMPROBE' study report --out '$OUT'")
echo "train-map $train  solve $solve  test-map $test  report $report  (logs in $LOGS/)"
echo "$report" > "$LOGS/report.jobid"   # what a script waits for
