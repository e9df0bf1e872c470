"""Scores the world estimators against the renderer's exact labels on held-out scenes: on the renders and on
demo-model img2img images of the same scenes per strength (tools/demo/img2img_scenes.py). Foreground: mean
per-image Dice; depth and shading: mean per-image Spearman; objects: top-1 accuracy.

    OMP_NUM_THREADS=1 python3 tools/demo/evaluate_estimators.py --val /tmp/world/val --img2img /tmp/world/val/img2img.npz \
        --weights Assets/demo/estimators --out /tmp/est-before.json
"""
import argparse, json, os

import common
from common import EstimatorNet, ObjectClassifierNet, load_world, image_to_input, REPO
import numpy as np
import torch
from safetensors.torch import load_file


def spearman(a, b):
    from scipy.stats import spearmanr
    r = spearmanr(a.ravel(), b.ravel()).correlation
    return None if np.isnan(r) else float(r)


@torch.no_grad()
def predict(net, x, batch=100):
    return torch.cat([net(x[i:i + batch]) for i in range(0, len(x), batch)])


def scores(nets, images, labels):
    """nets: name → module; images uint8 [N,64,64,3]; labels: dict of per-image arrays (rows match images)."""
    x = image_to_input(images)
    out = {}
    fg = predict(nets["world-foreground"], x).argmax(1).numpy() > 0
    gt = labels["foreground"] > 0
    out["foreground_dice"] = float(np.mean([(2 * (p & t).sum() + 1e-8) / (p.sum() + t.sum() + 1e-8)
                                            for p, t in zip(fg, gt)]))
    for key in ("depth", "shading"):
        pred = predict(nets["world-" + key], x)[:, 0].numpy()
        rs = [r for r in (spearman(p, t) for p, t in zip(pred, labels[key])) if r is not None]
        out[key + "_spearman"] = float(np.mean(rs))
    if "world-objects" in nets:
        out["objects_accuracy"] = float((predict(nets["world-objects"], x).argmax(1).numpy()
                                         == labels["subjects"]).mean())
    out["count"] = int(len(images))
    return out


def load_nets(folder):
    nets = {}
    for name, net in (("world-foreground", EstimatorNet(2)), ("world-depth", EstimatorNet(1)),
                      ("world-shading", EstimatorNet(1)), ("world-objects", ObjectClassifierNet())):
        path = os.path.join(folder, name + ".safetensors")
        if os.path.isfile(path):
            net.load_state_dict(load_file(path))
            nets[name] = net.eval()
    return nets


def evaluate(nets, va, gen):
    """Per source: 'render' and 'img2img_<strength>'."""
    n = int(gen["scene"].max()) + 1 if gen is not None else len(va["images"])
    res = {"render": scores(nets, va["images"][:n], {k: va[k][:n] for k in va})}
    if gen is not None:
        for s in sorted(set(gen["strength"].tolist())):
            m = gen["strength"] == s
            rows = gen["scene"][m]
            res[f"img2img_{s:.1f}"] = scores(nets, gen["images"][m], {k: va[k][rows] for k in va})
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--val", required=True)
    ap.add_argument("--img2img", help="img2img_scenes.py output for --val")
    ap.add_argument("--weights", default=os.path.join(REPO, "Assets", "demo", "estimators"))
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.set_num_threads(1)
    va = load_world(a.val)
    va = {k: va[k] for k in ("images", "foreground", "depth", "shading", "subjects")}
    gen = dict(np.load(a.img2img)) if a.img2img else None
    res = evaluate(load_nets(a.weights), va, gen)
    for k, v in res.items():
        print(k, {m: round(x, 3) if isinstance(x, float) else x for m, x in v.items()})
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
