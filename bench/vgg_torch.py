#!/usr/bin/env python3
"""PyTorch side of the VGG benchmark: torchvision's vgg16 (random weights, built in memory — no download), fp32,
eval, batch 1, 224×224, on the CPU with the given thread count; one JSON line like the other peers (forward +
softmax per call).

    OMP_NUM_THREADS=2 python3 bench/vgg_torch.py [--arch vgg16] [--threads 2] [--repeat 10]

Compare with bench/vgg_bench.sh, which also times `ldmprobe bench vgg16` (the same network, input and softmax).
"""
import argparse

import torch

from torch_common import common_args, run_bench  # noqa: F401 (also makes `import torchvision` safe)


def build(arch: str = "vgg16"):
    """(module, inputs): torchvision's model with random weights and one image [1, 3, 224, 224]."""
    import torchvision
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)(weights=None).eval()
    return torch.nn.Sequential(model, torch.nn.Softmax(dim=1)).eval(), (torch.randn(1, 3, 224, 224),)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="vgg16")
    a = common_args(ap).parse_args()
    torch.set_num_threads(a.threads)
    model, inputs = build(a.arch)
    run_bench(a.arch, a, lambda: model(*inputs), {"arch": a.arch, "size": 224, "batch": 1})


if __name__ == "__main__":
    main()
