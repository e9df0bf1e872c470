#!/usr/bin/env python3
"""Make a --target-depth file for `ldmprobe intervene` from a depth map (.npy [H, W] or [1, H, W]).

    python3 tools/intervention/depth_target.py labels/depth/prompt_0_seed_1.npy --flip-vertical --out flipped.npy
    python3 tools/intervention/depth_target.py labels/depth/prompt_0_seed_1.npy --shift 16,0 --out moved.npy

--flip-vertical turns the scene upside down (near at the top): a target no image of the world looks like, so a
depth edit that works moves the labeler's Spearman with it from negative toward positive. --shift DX,DY moves the
map (the vacated band keeps the original values, as `intervene --property depth --shift-foreground` does).
Writes float32 [H, W] (numpy.save).
"""
import argparse

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("depth", help="source depth map .npy")
    ap.add_argument("--flip-vertical", action="store_true")
    ap.add_argument("--shift", default=None, help="DX,DY pixels (+x right, +y down)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    d = np.load(a.depth).astype(np.float32)
    d = d.reshape(d.shape[-2], d.shape[-1])
    if a.flip_vertical:
        d = d[::-1, :].copy()
    if a.shift:
        dx, dy = (int(v) for v in a.shift.split(","))
        h, w = d.shape
        out = d.copy()
        ys, xs = slice(max(dy, 0), h + min(dy, 0)), slice(max(dx, 0), w + min(dx, 0))
        yt, xt = slice(max(-dy, 0), h + min(-dy, 0)), slice(max(-dx, 0), w + min(-dx, 0))
        out[ys, xs] = d[yt, xt]
        d = out
    np.save(a.out, np.ascontiguousarray(d, dtype=np.float32))
    print(f"{a.out}: float32 {list(d.shape)}, range [{d.min():.4g}, {d.max():.4g}]")


if __name__ == "__main__":
    main()
