#!/usr/bin/env python3
"""The PyTorch side of the probe-fitting benchmark: the studies' recipe (1×1 conv, no bias, nearest upsampling to
label size, Huber δ=1 / cross-entropy, Adam lr 1e-3, batch 4, shuffled) on the synthetic run of
bench/probe_make_run.py, timing the training epochs only (data loaded to memory first, as the original did).

    OMP_NUM_THREADS=2 python3 bench/probe_fit_torch.py --root /tmp/probe_bench --epochs 3 --threads 2

Compare with:  ldmprobe probe --run /tmp/probe_bench/run --label depth=generic:/tmp/probe_bench/labels/depth \
                 --label fg=tracer:/tmp/probe_bench/labels/fg --probe linear:epochs=3 --split fraction:0.75 \
                 --no-shuffled-control --bootstrap 0 --out /tmp/probe_bench/out     (stderr prints s/cell)
"""
import argparse
import glob
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

LAYER = "up_blocks.3.attentions.0.transformer_blocks.0.attn1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--train-fraction", type=float, default=0.75)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    ids = sorted(os.path.basename(p) for p in glob.glob(os.path.join(a.root, "run", "activations", "*")))
    ids = ids[: int(round(len(ids) * a.train_fraction))]
    acts = torch.stack([torch.from_numpy(np.load(os.path.join(a.root, "run", "activations", i, LAYER + ".npy"))[0].astype(np.float32)) for i in ids])
    depth = torch.stack([torch.from_numpy(np.load(os.path.join(a.root, "labels", "depth", i + ".npy"))) for i in ids])
    fg = torch.stack([torch.from_numpy((np.array(Image.open(os.path.join(a.root, "labels", "fg", i + ".png"))) > 0).astype(np.int64)) for i in ids])
    H, W = depth.shape[1:]
    C = acts.shape[1]
    for name, labels, out, loss_fn in (("depth", depth, 1, lambda o, y: F.huber_loss(o[:, 0], y, delta=1.0)),
                                       ("fg", fg, 2, lambda o, y: F.cross_entropy(o, y))):
        torch.manual_seed(0)
        probe = torch.nn.Conv2d(C, out, 1, bias=False)
        opt = torch.optim.Adam(probe.parameters(), lr=1e-3)
        t0 = time.perf_counter()
        for _ in range(a.epochs):
            perm = torch.randperm(len(ids))
            for s in range(0, len(ids), 4):
                idx = perm[s:s + 4]
                pred = F.interpolate(probe(acts[idx]), size=(H, W), mode="nearest")
                loss = loss_fn(pred, labels[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        dt = time.perf_counter() - t0
        print(f"torch {name}: {len(ids)} images, C={C}, {acts.shape[2]}x{acts.shape[3]} -> {H}x{W}, "
              f"{a.epochs} epochs in {dt:.2f} s ({dt / a.epochs:.2f} s/epoch, {a.threads} threads)")


if __name__ == "__main__":
    main()
