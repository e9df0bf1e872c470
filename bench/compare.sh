#!/usr/bin/env bash
# Times ldmprobe and PyTorch on the same model, one right after the other, and prints both JSON lines and the ratio
# ldmprobe / PyTorch (< 1: ldmprobe faster) of the median wall time, plus CPU time and peak RSS of both.
#
#   bench/compare.sh [LATENT=32] [REPEAT=3]      one UNet pair (SD v1.4, batch 2, fp32, random weights)
#   bench/compare.sh all [REPEAT=3]              unet 32, unet 64, text-encoder (batch 2), vae-decode (512×512)
#   bench/compare.sh unet|text-encoder|vae-decode [ARG] [REPEAT]    one pair (ARG: latent for unet, size for VAE)
#   LDMPROBE=.build-x/release/ldmprobe bench/compare.sh all 3
#
# Both sides use THREADS threads (default 2): torch.set_num_threads + OMP_NUM_THREADS on the PyTorch side,
# LDMPROBE_THREADS + OPENBLAS_NUM_THREADS on ours. Each side makes one untimed warm-up call. The machine may be
# shared: every line carries load_avg_1m, and `uptime` is printed before each pair.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${LDMPROBE:-.build/release/ldmprobe}"
THREADS="${THREADS:-2}"
[ -x "$BIN" ] || { echo "compare.sh: $BIN not found (build with: swift build -c release --product ldmprobe, or set LDMPROBE)" >&2; exit 1; }

# pair NAME OURS_ARGS... -- TORCH_SCRIPT TORCH_ARGS...
pair() {
    local name="$1"; shift
    local ours_args=() torch_args=()
    while [ "$1" != "--" ]; do ours_args+=("$1"); shift; done
    shift
    torch_args=("$@")
    echo "== $name  ($(uptime | sed 's/.*load average/load average/'))" >&2
    local ours theirs
    ours=$(LDMPROBE_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" "$BIN" bench "${ours_args[@]}" | tail -1)
    echo "$ours"
    theirs=$(OMP_NUM_THREADS="$THREADS" python3 "${torch_args[@]}" --threads "$THREADS" 2>/dev/null | tail -1)
    echo "$theirs"
    python3 - "$name" "$ours" "$theirs" <<'PY'
import json, sys
name, a, b = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps({"bench": name, "ldmprobe_median_s": round(a["median_s"], 3), "pytorch_median_s": round(b["median_s"], 3),
                  "ratio": round(a["median_s"] / b["median_s"], 3),
                  "cpu_s": [round(a.get("cpu_s", float("nan")), 2), round(b.get("cpu_s", float("nan")), 2)],
                  "peak_rss_gb": [round(a["peak_rss_bytes"] / 1e9, 2), round(b["peak_rss_bytes"] / 1e9, 2)],
                  "load_avg_1m": [round(a.get("load_avg_1m", 0), 2), round(b.get("load_avg_1m", 0), 2)]}))
PY
}

unet() { pair "unet latent $1" unet --latent "$1" --batch 2 --repeat "$2" -- bench/unet_torch.py --latent "$1" --batch 2 --repeat "$2"; }
text() { pair "text-encoder" text-encoder --batch 2 --repeat "$1" -- bench/text_encoder_torch.py --batch 2 --repeat "$1"; }
vae() { pair "vae-decode $1" vae-decode --size "$1" --batch 1 --repeat "$2" -- bench/vae_decode_torch.py --size "$1" --batch 1 --repeat "$2"; }

case "${1:-32}" in
    all)
        R="${2:-3}"
        unet 32 "$R"; unet 64 "$R"; text "$R"; vae 512 "$R" ;;
    unet) unet "${2:-32}" "${3:-3}" ;;
    text-encoder) text "${2:-3}" ;;
    vae-decode) vae "${2:-512}" "${3:-3}" ;;
    *) unet "$1" "${2:-3}" ;;
esac
