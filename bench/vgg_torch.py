#!/usr/bin/env python3
"""PyTorch side of the VGG benchmark: torchvision's vgg16 (random weights, built in memory — no download), fp32,
eval, batch 1, 224×224, on the CPU with the given thread count; prints the forward time per image.

    OMP_NUM_THREADS=2 python3 bench/vgg_torch.py [--arch vgg16] [--threads 2] [--runs 10] [--json]

Compare with bench/vgg_bench.sh, which also times `ldmprobe classify --classifier vgg16:weights=random:0`.
"""
import argparse
import json
import statistics
import time

import torch

# The installed torchvision wheel's _C.so cannot load next to the CPU torch; declaring the two ops its meta
# registrations expect lets `import torchvision` succeed (see tools/make_vgg_fixtures.py).
_tv_lib = torch.library.Library("torchvision", "DEF")
_tv_lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
_tv_lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
import torchvision  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="vgg16")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = getattr(torchvision.models, args.arch)(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    times = []
    with torch.inference_mode():
        model(x)  # warm-up (allocations, oneDNN primitive creation)
        for _ in range(args.runs):
            t = time.perf_counter()
            p = torch.softmax(model(x), dim=1)
            times.append(time.perf_counter() - t)
    assert p.shape == (1, 1000)
    result = {"arch": args.arch, "threads": args.threads, "runs": args.runs, "median_s": statistics.median(times),
              "min_s": min(times), "mean_s": statistics.fmean(times), "torch": torch.__version__}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"torch {torch.__version__} {args.arch} 1x3x224x224 fp32, {args.threads} threads: "
              f"median {result['median_s']:.4f} s, min {result['min_s']:.4f} s, mean {result['mean_s']:.4f} s "
              f"over {args.runs} runs")


if __name__ == "__main__":
    main()
