"""Packs rendered world folders into one compressed .npz with just what train_ldm.py needs (images, captions and
their CLIP token ids), small enough to carry to a GPU machine:

    python3 tools/demo/pack_world.py --out /tmp/world/train.npz /tmp/world/train /tmp/world/train2

With --labels it packs instead what train_estimators.py needs (images, foreground, depth and shading as float16,
subjects; the validation render under val_*), for tools/demo/train_estimators_on_gpu.sh:

    python3 tools/demo/pack_world.py --labels --val /tmp/world/val --count 4000 --out .gpu/est.npz /tmp/world/train
"""
import argparse

import common  # noqa: F401  (hides torchvision first)
from common import load_world, load_tokenizer
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("folders", nargs="+", help="folders written by `ldmprobe world render`")
    ap.add_argument("--labels", action="store_true", help="pack labels for the estimators instead of token ids")
    ap.add_argument("--val", help="with --labels: the validation render")
    ap.add_argument("--count", type=int, default=0, help="with --labels: keep the first COUNT training scenes")
    a = ap.parse_args()
    if a.labels:
        return pack_labels(a)
    parts = [load_world(f) for f in a.folders]
    images = np.concatenate([p["images"] for p in parts])                  # [N,64,64,3] uint8
    captions = np.concatenate([p["captions"] for p in parts])
    tok = load_tokenizer()
    ids = tok(list(captions), padding="max_length", max_length=77, truncation=True,
              return_tensors="np").input_ids.astype(np.int32)              # [N,77]
    empty = tok([""], padding="max_length", max_length=77, return_tensors="np").input_ids.astype(np.int32)  # [1,77]
    np.savez_compressed(a.out, images=images, captions=captions, ids=ids, empty=empty)
    print(f"{a.out}: {len(images)} scenes")


def pack_labels(a):
    keys = ("images", "foreground", "depth", "shading", "subjects")
    parts = [load_world(f) for f in a.folders]
    tr = {k: np.concatenate([p[k] for p in parts]) for k in keys}
    if a.count:
        tr = {k: v[:a.count] for k, v in tr.items()}
    va = load_world(a.val)
    out = {k: (v.astype(np.float16) if k in ("depth", "shading") else v) for k, v in tr.items()}
    out.update({"val_" + k: va[k] for k in keys})
    np.savez_compressed(a.out, **out)
    print(f"{a.out}: {len(tr['images'])} training scenes, {len(va['images'])} validation scenes")


if __name__ == "__main__":
    main()
