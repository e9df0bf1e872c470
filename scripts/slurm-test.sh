#!/usr/bin/env bash
# A real Slurm cluster in the tests: installs Slurm and MUNGE from Debian when missing, starts a one-node cluster
# on localhost (its own temp folder, ports and munge socket; no systemd, no cgroups, no accounting), submits
# docs/slurm/submit.sh for the demo model with N=3 (after a pre-empted first attempt of the train tasks), waits
# (bounded) and checks that a resumed shard (pre-empted by Slurm, and SIGKILLed mid-shard) equals an uninterrupted
# one byte for byte and the merged metrics.csv equals a single-process `ldmprobe pipeline` run on the same
# prompts (every value, maxdiff printed). The daemons are stopped and the temp folder removed on exit, whatever
# happened. Needs root (or passwordless sudo) for the packages and the daemons. LDMPROBE_SLURM_TEST=0 skips it
# (scripts/test.sh runs it after the XCTests); LDMPROBE_SLURM_TIMEOUT bounds the wait for the jobs (seconds, default 300).
#
#     scripts/slurm-test.sh            # after `swift build -c release`
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$root/.build/release/ldmprobe
[[ -x "$bin" ]] || { echo "slurm-test: $bin not built (hint: swift build -c release)" >&2; exit 1; }
sudo=""; [[ "$(id -u)" -ne 0 ]] && sudo="sudo"

need=()
for pkg in slurmctld slurmd slurm-client munge; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if [[ ${#need[@]} -gt 0 ]]; then
    echo "slurm-test: installing ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

tmp=$(mktemp -d /tmp/ldmprobe-slurm.XXXXXX)
pids=()
cleanup() {
    local rc=$?
    # Jobs first (their processes belong to slurmd), then the daemons, newest first; then the folder.
    [[ -f "$tmp/slurm.conf" ]] && SLURM_CONF=$tmp/slurm.conf timeout 10 scancel --user="$(id -un)" 2>/dev/null || true
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do $sudo kill "${pids[i]}" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do $sudo kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        $sudo kill -9 "$p" 2>/dev/null || true
    done
    if [[ $rc -ne 0 ]]; then
        for f in "$tmp"/*.log "$tmp"/study.logs/*.log; do
            [[ -f "$f" ]] && { echo "---- $f (last lines)" >&2; tail -n 25 "$f" >&2; }
        done
    fi
    $sudo rm -rf "$tmp"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free TCP ports for slurmctld and slurmd (several test runs may share a machine).
port() { local p; while :; do p=$((20000 + RANDOM % 20000)); (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }; done; }
ctld_port=$(port); slurmd_port=$(port)
while [[ "$slurmd_port" == "$ctld_port" ]]; do slurmd_port=$(port); done

# MUNGE: a fresh key and a private socket (slurm.conf's AuthInfo points the daemons and clients at it).
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool"
chmod 700 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
$sudo munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$socket" \
    --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munge/seed" 2>>"$tmp/munged.log" &
pids+=($!)

host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
cat >"$tmp/slurm.conf" <<CONF
ClusterName=ldmprobe-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=$(id -un)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
for _ in $(seq 50); do [[ -S "$socket" ]] && break; sleep 0.1; done
[[ -S "$socket" ]] || { echo "slurm-test: munged did not start ($tmp/munged.log)" >&2; exit 1; }
$sudo slurmctld -D -i -f "$SLURM_CONF" 2>>"$tmp/slurmctld.log" &
pids+=($!)
$sudo slurmd -D -f "$SLURM_CONF" -N "$host" 2>>"$tmp/slurmd.log" &
pids+=($!)
for i in $(seq 60); do
    state=$(timeout 10 sinfo --noheader --node="$host" --format=%t 2>/dev/null || true)
    [[ "$state" == idle* ]] && break
    [[ $i == 60 ]] && { echo "slurm-test: node $host not idle after 30 s (state '$state')" >&2; exit 1; }
    sleep 0.5
done
echo "slurm-test: cluster up (Slurm $(sinfo --version | awk '{print $2}'), node $host, $cpus CPUs)" >&2

# The tiny study: 9 captions of rendered scenes (as `pipeline --demo` draws them), the demo model, 3 steps.
model=$root/Assets/demo/model
prompts=$tmp/prompts.csv
{ echo "prompts,seeds,prompt_inds"
  "$bin" world caption --count 9 --seed 2 | awk -F'\t' '{ split($1, p, "_"); printf "\"%s\",%s,%s\n", $2, p[4], p[2] }'
} >"$prompts"
args="--sampler ddim --steps 3 --height 64 --width 64 --label foreground=world-foreground --label depth=world-depth \
--label shading=world-shading --probe linear:fit=lstsq --bootstrap 50 --split fraction:0.4:0"

chmod 755 "$tmp"   # the jobs run as this user; keep the folder readable for them
common="--model '$model' --prompts '$prompts' $args --quiet"
limit=${LDMPROBE_SLURM_TIMEOUT:-300}
start=$SECONDS
# Waits (bounded by $limit in all) until the queue is empty.
drain() {
    local queue
    while :; do
        queue=$(timeout 30 squeue --noheader --format=%i) \
            || { echo "slurm-test: squeue failed (is slurmctld up? its log follows)" >&2; exit 1; }
        [[ -z "$queue" ]] && return
        if ((SECONDS - start > limit)); then
            echo "slurm-test: jobs still queued or running after ${limit} s:" >&2; timeout 10 squeue >&2; exit 1
        fi
        sleep 1
    done
}

# A pre-empted first attempt: each train-map task stops after one new image (LDMPROBE_STOP_AFTER_IMAGES, the study's
# test hook, exits nonzero as a killed task would), leaving its checkpoint; submit.sh's tasks must continue them.
mkdir -p "$tmp/study.logs"
sbatch --parsable --job-name=ldmprobe-preempted --array=1-3 --cpus-per-task=1 --mem=1G --time=10:00 \
    --output="$tmp/study.logs/preempted-%A_%a.log" \
    --wrap="LDMPROBE_STOP_AFTER_IMAGES=1 '$bin' study train-map --shard \${SLURM_ARRAY_TASK_ID}/3 --out '$tmp/study' $common" \
    >/dev/null
drain
grep -q "stopped after 1 image" "$tmp"/study.logs/preempted-*_1.log \
    || { echo "slurm-test: the pre-empted train-map task 1/3 did not stop after one image" >&2; exit 1; }

MODEL=$model PROMPTS=$prompts N=3 OUT=$tmp/study ARGS="$args" LDMPROBE=$bin LOGS=$tmp/study.logs \
    MAP_CPUS=1 MAP_MEM=1G SOLVE_CPUS=1 SOLVE_MEM=1G REPORT_CPUS=1 REPORT_MEM=1G \
    TRAIN_TIME=10:00 TEST_TIME=10:00 SOLVE_TIME=10:00 REPORT_TIME=10:00 \
    bash docs/slurm/submit.sh
# While the cluster works: the single-process reference, and shard 1/3 trained without interruption.
eval "'$bin' pipeline $common --classifier none --control none --out '$tmp/single'"
eval "'$bin' study train-map --shard 1/3 --out '$tmp/uninterrupted' $common"
drain

# Every job (array tasks one by one) must have completed, but the pre-empted ones, which must have failed;
# scontrol keeps finished jobs for MinJobAge (set to an hour above).
states=$(timeout 30 scontrol --oneliner show job | awk '{ id = ""; task = ""; name = ""; state = ""
    for (i = 1; i <= NF; i++) { split($i, kv, "=")
        if (kv[1] == "ArrayJobId") id = kv[2]; else if (kv[1] == "JobId" && id == "") id = kv[2]
        if (kv[1] == "ArrayTaskId") task = "_" kv[2]; if (kv[1] == "JobName") name = kv[2]; if (kv[1] == "JobState") state = kv[2] }
    print id task, name, state }' | sort -n)
echo "slurm-test: the queue emptied after $((SECONDS - start)) s:" >&2
echo "$states" | sed 's/^/  /' >&2
completed=$(echo "$states" | grep -v ldmprobe-preempted | grep -c ' COMPLETED$' || true)
[[ "$completed" -eq 8 ]] || { echo "slurm-test: expected 8 completed jobs of submit.sh (3 + 1 + 3 + 1), saw $completed" >&2; exit 1; }
[[ $(echo "$states" | wc -l) -eq 11 ]] || { echo "slurm-test: expected 11 jobs in all" >&2; exit 1; }

# The resumed shard's statistics file is the uninterrupted one, byte for byte.
resumed=$tmp/study/train/shard-1-of-3.safetensors fresh=$tmp/uninterrupted/train/shard-1-of-3.safetensors
cmp "$resumed" "$fresh" || { echo "slurm-test: the resumed train shard 1/3 differs from an uninterrupted one" >&2; exit 1; }
echo "slurm-test: resumed train shard 1/3 = uninterrupted ($(stat -c %s "$fresh") bytes, identical)" >&2

# A real kill, no hook: SIGKILL a train-map task once its first checkpoint exists (mid-shard; no handler runs, no
# file is finished), run it again with the same arguments: the same statistics file, byte for byte.
killed=$tmp/killed
bash -c "exec '$bin' study train-map --shard 1/3 --out '$killed' $common" & kpid=$!
for i in $(seq 600); do
    [[ -f "$killed/train/shard-1-of-3.partial.safetensors" ]] && break
    kill -0 "$kpid" 2>/dev/null || break
    sleep 0.05
done
kill -KILL "$kpid" 2>/dev/null || true
wait "$kpid" 2>/dev/null || true
[[ -f "$killed/train/shard-1-of-3.safetensors" ]] && when="after it finished" || when="mid-shard"
[[ -f "$killed/train/shard-1-of-3.partial.safetensors" ]] && when="$when, checkpoint present"
eval "'$bin' study train-map --shard 1/3 --out '$killed' $common"
cmp "$killed/train/shard-1-of-3.safetensors" "$fresh" \
    || { echo "slurm-test: train shard 1/3 killed ($when) and re-run differs from an uninterrupted one" >&2; exit 1; }
echo "slurm-test: train shard 1/3 SIGKILLed ($when) and re-run = uninterrupted (identical)" >&2

single=$tmp/single/ddim/study/metrics.csv merged=$tmp/study/study/metrics.csv
[[ -f "$merged" ]] || { echo "slurm-test: the cluster run wrote no $merged" >&2; exit 1; }
scripts/slurm-compare-metrics.sh "$single" "$merged"
