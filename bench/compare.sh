#!/usr/bin/env bash
# Times one SD v1.4 UNet call (fp32, batch 2, random weights) in ldmprobe and in PyTorch/diffusers on the same
# machine, one after the other, and prints both JSON lines and the ratio ldmprobe / PyTorch (< 1: ldmprobe faster).
#
#   bench/compare.sh [LATENT=32] [REPEAT=3]
#   LDMPROBE=.build-x/release/ldmprobe bench/compare.sh 64 2
#
# Both sides use 2 threads here (torch.set_num_threads(2); OpenBLAS/Dispatch use the active cores). The machine
# is shared: compare under similar load (both lines carry load_avg_1m).
set -euo pipefail
cd "$(dirname "$0")/.."
LATENT="${1:-32}"
REPEAT="${2:-3}"
BIN="${LDMPROBE:-.build/release/ldmprobe}"
[ -x "$BIN" ] || { echo "compare.sh: $BIN not found (build with: swift build -c release --product ldmprobe, or set LDMPROBE)" >&2; exit 1; }

ours=$("$BIN" bench unet --latent "$LATENT" --batch 2 --repeat "$REPEAT" | tail -1)
echo "$ours"
theirs=$(OMP_NUM_THREADS=2 python3 bench/unet_torch.py --latent "$LATENT" --batch 2 --repeat "$REPEAT" --threads 2 2>/dev/null | tail -1)
echo "$theirs"
python3 - "$ours" "$theirs" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({"latent": a.get("latent"), "ldmprobe_median_s": a["median_s"], "pytorch_median_s": b["median_s"],
                  "ratio": a["median_s"] / b["median_s"],
                  "ldmprobe_peak_rss_gb": a["peak_rss_bytes"] / 1e9, "pytorch_peak_rss_gb": b["peak_rss_bytes"] / 1e9,
                  "load_avg_1m": [a.get("load_avg_1m"), b.get("load_avg_1m")]}))
PY
