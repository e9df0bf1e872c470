#!/usr/bin/env python3
"""A synthetic run folder for the probe-fitting benchmark (bench/probe_fit_torch.py vs `ldmprobe probe`).

    OMP_NUM_THREADS=1 python3 bench/probe_make_run.py --out /tmp/probe_bench --images 32 --channels 320 --grid 64 --size 512

Writes <out>/run/activations/<id>/<layer>.npy (float16 [1, C, g, g]: one step) and <out>/labels/{depth,fg}/<id>.npy,
.png: a planted linear depth map plus noise, and its sign as a foreground mask (8-bit PNG, 0/255).
"""
import argparse
import os

import numpy as np
from PIL import Image

LAYER = "up_blocks.3.attentions.0.transformer_blocks.0.attn1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=32)
    ap.add_argument("--channels", type=int, default=320)
    ap.add_argument("--grid", type=int, default=64)
    ap.add_argument("--size", type=int, default=512)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    w = rng.normal(size=a.channels).astype(np.float32) / np.sqrt(a.channels)
    f = a.size // a.grid
    for i in range(a.images):
        iid = f"img_{i:04d}"
        act = rng.normal(size=(1, a.channels, a.grid, a.grid)).astype(np.float16)
        d = os.path.join(a.out, "run", "activations", iid)
        os.makedirs(d, exist_ok=True)
        np.save(os.path.join(d, LAYER + ".npy"), act)
        tok = np.einsum("c,chw->hw", w, act[0].astype(np.float32))
        depth = np.kron(tok, np.ones((f, f), np.float32)) + rng.normal(scale=0.3, size=(a.size, a.size)).astype(np.float32)
        for sub in ("depth", "fg"):
            os.makedirs(os.path.join(a.out, "labels", sub), exist_ok=True)
        np.save(os.path.join(a.out, "labels", "depth", iid + ".npy"), depth.astype(np.float32))
        Image.fromarray(((depth > 0) * 255).astype(np.uint8)).save(os.path.join(a.out, "labels", "fg", iid + ".png"))
    print(f"wrote {a.images} images, C={a.channels}, grid {a.grid}, labels {a.size} under {a.out}")


if __name__ == "__main__":
    main()
