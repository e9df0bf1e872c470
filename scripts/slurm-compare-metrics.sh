#!/usr/bin/env bash
# Compares two metrics.csv files (layer,step,property,metric,value,ci_low,ci_high,n) row by row, keyed on
# (layer, step, property, metric): the same rows, the same n, and value/ci_low/ci_high within TOL (absolute,
# default 1e-6). The sharded study's float64 sums differ from pipeline's only in summation order, but the fitted
# weights are float32 (what both predict with), so metrics agree to about float32 rounding (measured 4e-8 on the
# demo). Rows of property *:wordmap in the reference (pipeline-only) are skipped. Prints the maxdiff; a NaN or an empty cell on one side only is a mismatch. Exit 0 when equal, else 1.
#
#     scripts/slurm-compare-metrics.sh REFERENCE.csv CANDIDATE.csv [TOL]
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 REFERENCE.csv CANDIDATE.csv [TOL]" >&2; exit 2; }
for f in "$1" "$2"; do [[ -f "$f" ]] || { echo "slurm-compare-metrics: $f: no such file" >&2; exit 2; }; done
awk -F, -v tol="${3:-1e-6}" -v ref="$1" -v cand="$2" '
function isnan(s) { s = tolower(s); return s ~ /nan/ }
function diff(a, b,   d) {
    if (a == b) return 0                       # same text (including both empty)
    if (a == "" || b == "" || isnan(a) || isnan(b)) return "mismatch"
    d = a - b; return d < 0 ? -d : d
}
FNR == 1 { if ($0 != "layer,step,property,metric,value,ci_low,ci_high,n") { print FILENAME ": unexpected header " $0 > "/dev/stderr"; bad = 1 }; next }
NR == FNR && $3 ~ /:wordmap$/ { wordmap++; next }   # pipeline-only rows: the map stages capture no word maps
NR == FNR { key = $1 FS $2 FS $3 FS $4; if (key in r) { print ref ": duplicate row " key > "/dev/stderr"; bad = 1 }
            r[key] = $0; rows++; next }
{
    key = $1 FS $2 FS $3 FS $4
    if (!(key in r)) { print cand ": extra row " key > "/dev/stderr"; bad = 1; next }
    if (key in seen) { print cand ": duplicate row " key > "/dev/stderr"; bad = 1; next }
    seen[key] = 1; n++
    split(r[key], x, FS)
    if (x[8] != $8) { print key ": n " x[8] " vs " $8 > "/dev/stderr"; bad = 1 }
    for (i = 5; i <= 7; i++) {
        d = diff(x[i], $i)
        if (d == "mismatch") { print key ": column " i " " x[i] " vs " $i > "/dev/stderr"; bad = 1; continue }
        if (d > max) { max = d; where = key " column " i }
        if (d > tol) { bad = 1 }
    }
}
END {
    if (n != rows) { print cand ": " n " of " rows " reference rows" > "/dev/stderr"; bad = 1 }
    printf "slurm-compare-metrics: %d rows, maxdiff %.3g (tolerance %g)%s; %d word-map rows of the reference not compared\n", n, max, tol, (max > 0 ? " at " where : ""), wordmap
    exit bad
}' "$1" "$2"
