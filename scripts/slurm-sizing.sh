#!/usr/bin/env bash
# Turns `ldmprobe bench study` (its JSON line) into the cluster's bill: core-hours and wall time of the study's
# map stages for 617 and 1000 images on N nodes, as a Markdown table (docs/slurm/README.md, README's sizing).
#
#     ldmprobe bench study --config sd-v1.4 --images 2 > bench-study.txt
#     scripts/slurm-sizing.sh bench-study.txt [CORES_PER_NODE [MEM_PER_NODE_GB [NODES...]]]
#
# Model: the bench ran one image at a time on `threads` cores; a node runs as many such tasks side by side as its
# cores and memory allow (cores / threads, and memory / peak RSS), and every task's images cost what the bench
# measured (no speed-up from more threads is assumed: conservative). Core-hours = images × seconds per image ×
# threads / 3600. Wall time: train-map (60% of the images, the split's default) then test-map (40%), each the
# images of its busiest task × seconds per image (+ solve and report, which are minutes). Defaults: 32 cores and 128 GB per node, N = 1 4 8 16 32.
set -euo pipefail
[[ $# -ge 1 && -f "$1" ]] || { echo "usage: $0 BENCH.json [CORES_PER_NODE [MEM_PER_NODE_GB [NODES...]]]" >&2; exit 2; }
json=$(grep -m1 '"benchmark":"study"' "$1") || { echo "slurm-sizing: $1 holds no 'bench study' JSON line" >&2; exit 2; }
field() { echo "$json" | grep -o "\"$1\":[0-9.eE+-]*" | head -n 1 | cut -d: -f2; }
spi=$(field seconds_per_image); threads=$(field threads); rss=$(field peak_rss_bytes); bytes=$(field bytes_written_per_image)
[[ -n "$spi" && -n "$threads" && -n "$rss" ]] || { echo "slurm-sizing: $1: missing seconds_per_image, threads or peak_rss_bytes" >&2; exit 2; }
cores=${2:-32}; mem=${3:-128}; shift $(($# < 3 ? $# : 3)); nodes=("$@"); [[ ${#nodes[@]} -gt 0 ]] || nodes=(1 4 8 16 32)
awk -v spi="$spi" -v t="$threads" -v rss="$rss" -v bytes="${bytes:-0}" -v cores="$cores" -v mem="$mem" -v nodes="${nodes[*]}" '
function ceil(x) { return x == int(x) ? x : int(x) + 1 }
function hms(s) { return sprintf("%d:%02d", int(s / 3600), int((s % 3600) / 60 + 0.5)) }
BEGIN {
    bycores = int(cores / t); bymem = int(mem * 1e9 / (rss * 1.25))   # 25% memory headroom per task
    slots = bycores < bymem ? bycores : bymem
    if (slots < 1) { print "slurm-sizing: a task needs more memory than a node has" > "/dev/stderr"; exit 1 }
    printf "Measured: %.1f s per image on %d cores, peak RSS %.2f GB, %.2f MB written per image.\n", spi, t, rss / 1e9, bytes / 1e6
    printf "Node: %d cores, %d GB -> %d tasks of %d cores side by side (cores allow %d, memory %d).\n\n", cores, mem, slots, t, bycores, bymem
    print "| images | core-hours | nodes | tasks per stage (N) | images per task (train + test) | wall time (h:mm) | written |"
    print "|---:|---:|---:|---:|---:|---:|---:|"
    n = split(nodes, ns, " ")
    for (k = 1; k <= 2; k++) {
        images = k == 1 ? 617 : 1000
        for (i = 1; i <= n; i++) {
            tasks = ns[i] * slots; test = int(images * 0.4 + 0.5); tr = ceil((images - test) / tasks); te = ceil(test / tasks)
            printf "| %d | %.0f | %d | %d | %d + %d | %s | %.1f GB |\n", images, images * spi * t / 3600, ns[i], tasks, tr, te, hms((tr + te) * spi), images * bytes / 1e9
        }
    }
}'
