#!/usr/bin/env python3
"""Fixtures for Tests/StudyTests (the probing study: metrics, linear probes, label importers).

    OMP_NUM_THREADS=1 python3 tools/make_study_fixtures.py

Writes Tests/Fixtures/study/:
  metrics/      per-image Spearman/Pearson/RMSE/Dice from scipy/numpy, and a bootstrap interval replayed with
                the same SplitMix64 draws the Swift side uses
  adam_*/       one Adam-fitted probe per case trained in PyTorch from given initial weights and the SplitMix64
                shuffle order (so Swift can replay it), plus predictions and a loss gradient (autograd)
  lstsq/        least squares at label resolution from numpy.linalg.lstsq (and ridge / ±1 binary targets)
  labels/       label files in every importer format (npy, pfm, 8/16-bit png, pkl protocols 2/4/5, a numpy-1.x
                named pickle, a malicious pickle) with the values each importer should produce
  FIXTURE.json  versions and the command
"""
import json
import os
import pickle
import sys

import numpy as np
import scipy
import scipy.stats
import torch
import torch.nn.functional as F
from PIL import Image

torch.set_num_threads(1)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "study")
M64 = (1 << 64) - 1


class SplitMix64:
    """The generator of Plugins/Probes/Linear/SplitMix64.swift and Sources/Study/StudyRandom.swift."""

    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.next() % (i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def save(path, arr):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, arr)


def no_nan(obj):
    """NaN → null (JSON has no NaN; Foundation's parser refuses it)."""
    if isinstance(obj, float) and obj != obj:
        return None
    if isinstance(obj, dict):
        return {k: no_nan(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [no_nan(v) for v in obj]
    return obj


def dump_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(no_nan(obj), f, indent=1, allow_nan=False)


# ---------------------------------------------------------------------------------------------- metrics
def make_metrics(rng):
    d = os.path.join(ROOT, "metrics")
    K, N = 6, 300
    pred = rng.normal(size=(K, N)).astype(np.float32)
    label = (pred + rng.normal(scale=1.0, size=(K, N))).astype(np.float32)
    label[1] = np.round(label[1])            # many ties
    pred[2] = np.round(pred[2] * 2) / 2      # ties on the prediction side too
    label[3] = 0.5                           # constant: correlation undefined (scipy → nan)
    spearman = [float(scipy.stats.spearmanr(pred[k], label[k]).statistic) for k in range(K)]
    pearson = [float(scipy.stats.pearsonr(pred[k], label[k]).statistic) if k != 3 else float("nan") for k in range(K)]
    rmse = [float(np.sqrt(np.mean((pred[k].astype(np.float64) - label[k]) ** 2))) for k in range(K)]
    logits = rng.normal(size=(K, 2, N)).astype(np.float32)
    mask = (rng.random(size=(K, N)) > 0.6).astype(np.float32)
    logits[4, 1] = logits[4, 0] - 1          # empty prediction …
    mask[4] = 0                              # … and empty label: Dice = 1
    dice = []
    for k in range(K):
        p = np.argmax(logits[k], axis=0) == 1
        t = mask[k] > 0
        dice.append(float((2 * np.sum(p & t) + 1e-8) / (np.sum(p) + np.sum(t) + 1e-8)))
    save(os.path.join(d, "pred.npy"), pred)
    save(os.path.join(d, "label.npy"), label)
    save(os.path.join(d, "logits.npy"), logits)
    save(os.path.join(d, "mask.npy"), mask)
    # Bootstrap of the defined Spearman values, replayed with SplitMix64 indices (next() % n).
    vals = np.array([s for s in spearman if not np.isnan(s)])
    B, seed = 1000, 7
    g = SplitMix64(seed)
    means = []
    for _ in range(B):
        means.append(np.mean([vals[g.next() % len(vals)] for _ in range(len(vals))]))
    lo, hi = np.percentile(np.array(means), [2.5, 97.5])
    dump_json(os.path.join(d, "expected.json"), {
        "spearman": spearman, "pearson": pearson, "rmse": rmse, "dice": dice,
        "bootstrap": {"values": vals.tolist(), "resamples": B, "seed": seed, "mean": float(vals.mean()),
                      "low": float(lo), "high": float(hi)},
        "ranks_example": {"input": [3.0, 1.0, 3.0, 2.0, 3.0], "ranks": scipy.stats.rankdata([3, 1, 3, 2, 3]).tolist()},
    })


# ---------------------------------------------------------------------------------------------- adam
def make_adam(rng, name, binary, C, h, w, H, W, n, lr, epochs, batch, seed, bias, loss_name="huber"):
    d = os.path.join(ROOT, name)
    O = 2 if binary else 1
    acts = rng.normal(size=(n, C, h, w)).astype(np.float32)
    w_true = rng.normal(size=(C,)).astype(np.float32)
    tokens = np.einsum("c,nchw->nhw", w_true, acts)
    up = F.interpolate(torch.from_numpy(tokens)[:, None], size=(H, W), mode="nearest")[:, 0].numpy()
    noisy = up + rng.normal(scale=0.5, size=up.shape).astype(np.float32)
    labels = (noisy > 0).astype(np.float32) if binary else (noisy * 1.5).astype(np.float32)
    w0 = (rng.uniform(-1, 1, size=(O, C)) / np.sqrt(C)).astype(np.float32)
    b0 = (rng.uniform(-1, 1, size=(O,)) / np.sqrt(C)).astype(np.float32) if bias else None

    conv = torch.nn.Conv2d(C, O, 1, bias=bias)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(w0).reshape(O, C, 1, 1))
        if bias:
            conv.bias.copy_(torch.from_numpy(b0))
    opt = torch.optim.Adam(conv.parameters(), lr=lr)
    X, Y = torch.from_numpy(acts), torch.from_numpy(labels)
    g = SplitMix64(seed)
    orders = []
    losses = []
    for _ in range(epochs):
        order = g.permutation(n)
        orders.append(order)
        total, pixels = 0.0, 0
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            out = F.interpolate(conv(X[idx]), size=(H, W), mode="nearest")
            if binary:
                loss = F.cross_entropy(out, Y[idx].long())
            elif loss_name == "huber":
                loss = F.huber_loss(out[:, 0], Y[idx], delta=1.0)
            else:
                loss = F.mse_loss(out[:, 0], Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss) * len(idx) * H * W
            pixels += len(idx) * H * W
        losses.append(total / pixels)
    test = rng.normal(size=(C, h, w)).astype(np.float32)
    target = labels[0]
    with torch.no_grad():
        pred = F.interpolate(conv(torch.from_numpy(test)[None]), size=(H, W), mode="nearest")[0].numpy()
    a = torch.from_numpy(test)[None].clone().requires_grad_(True)
    out = F.interpolate(conv(a), size=(H, W), mode="nearest")
    if binary:
        gl = F.cross_entropy(out, torch.from_numpy(target)[None].long())
    elif loss_name == "huber":
        gl = F.huber_loss(out[:, 0], torch.from_numpy(target)[None], delta=1.0)
    else:
        gl = F.mse_loss(out[:, 0], torch.from_numpy(target)[None])
    gl.backward()
    save(os.path.join(d, "acts.npy"), acts)
    save(os.path.join(d, "labels.npy"), labels)
    save(os.path.join(d, "w0.npy"), w0)
    if bias:
        save(os.path.join(d, "b0.npy"), b0)
    save(os.path.join(d, "weight.npy"), conv.weight.detach().numpy().reshape(O, C))
    if bias:
        save(os.path.join(d, "bias.npy"), conv.bias.detach().numpy())
    save(os.path.join(d, "test_act.npy"), test)
    save(os.path.join(d, "test_pred.npy"), pred)
    save(os.path.join(d, "grad.npy"), a.grad[0].numpy())
    dump_json(os.path.join(d, "config.json"), {
        "binary": binary, "lr": lr, "epochs": epochs, "batch": batch, "seed": seed, "bias": bias, "loss": loss_name,
        "grad_loss": float(gl), "epoch_losses": losses, "first_epoch_order": orders[0],
    })


# ---------------------------------------------------------------------------------------------- lstsq
def pixel_design(acts, H, W):
    """[n·H·W, C] rows = the activation of each pixel's token under nearest upsampling."""
    up = F.interpolate(torch.from_numpy(acts), size=(H, W), mode="nearest").numpy()  # [n, C, H, W]
    return up.transpose(0, 2, 3, 1).reshape(-1, acts.shape[1]).astype(np.float64)


def make_lstsq(rng):
    d = os.path.join(ROOT, "lstsq")
    n, C, h, w, H, W = 7, 10, 4, 4, 12, 10   # H/h = 3, W/w = 2.5 (uneven token coverage)
    acts = rng.normal(size=(n, C, h, w)).astype(np.float32)
    cont = rng.normal(size=(n, H, W)).astype(np.float32) + 2
    binary = (rng.random(size=(n, H, W)) > 0.5).astype(np.float32)
    X = pixel_design(acts, H, W)
    N = X.shape[0]
    y = cont.reshape(-1).astype(np.float64)
    w_plain = np.linalg.lstsq(X, y, rcond=None)[0]
    Xb = np.concatenate([X, np.ones((N, 1))], axis=1)
    wb = np.linalg.lstsq(Xb, y, rcond=None)[0]
    lam = 0.3
    w_ridge = np.linalg.solve(X.T @ X / N + lam * np.eye(C), X.T @ y / N)
    yb = 2 * binary.reshape(-1).astype(np.float64) - 1
    w_bin = np.linalg.lstsq(X, yb, rcond=None)[0]
    save(os.path.join(d, "acts.npy"), acts)
    save(os.path.join(d, "continuous.npy"), cont)
    save(os.path.join(d, "binary.npy"), binary)
    dump_json(os.path.join(d, "expected.json"), {
        "plain": w_plain.tolist(), "bias_weight": wb[:C].tolist(), "bias": float(wb[C]), "lambda": lam,
        "ridge": w_ridge.tolist(), "binary_pm1": w_bin.tolist(),
        "plain_mse": float(np.mean((X @ w_plain - y) ** 2)),
    })


# ---------------------------------------------------------------------------------------------- labels
def write_pfm(path, image, scale=1):
    """MiDaS utils.write_pfm (float32, gray, little-endian, rows bottom-to-top)."""
    image = np.flipud(image.astype(np.float32))
    with open(path, "wb") as f:
        f.write(b"Pf\n")
        f.write(b"%d %d\n" % (image.shape[1], image.shape[0]))
        f.write(b"%f\n" % -scale)
        image.tofile(f)


def make_labels(rng):
    d = os.path.join(ROOT, "labels")
    H, W = 24, 20
    depth = (rng.random(size=(H, W)) * 30).astype(np.float32)
    inv = rng.random(size=(H, W)).astype(np.float32)
    inv[0, 0] = 0.0          # clipped to 0.001
    inv[0, 1] = 1.0
    mask = (rng.random(size=(H, W)) * 255).astype(np.uint8)
    mask[0, :4] = [0, 1, 128, 255]
    for sub in ("npy", "pfm", "png16", "pkl", "tracer", "intrinsic", "bad"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    np.save(os.path.join(d, "npy", "img_a.npy"), depth)
    np.save(os.path.join(d, "npy", "img_b.npy"), depth[None])  # [1, H, W]
    write_pfm(os.path.join(d, "pfm", "img_a.pfm"), depth)
    # MiDaS write_depth(bits=2): out = 65535·(d − min)/(max − min), stored as uint16 PNG.
    d16 = np.round(65535 * (depth - depth.min()) / (depth.max() - depth.min())).astype(np.uint16)
    Image.fromarray(d16).save(os.path.join(d, "png16", "img_a.png"))
    for proto in (2, 4, 5):
        with open(os.path.join(d, "pkl", f"img_p{proto}.pkl"), "wb") as f:
            pickle.dump(depth, f, protocol=proto)
    # numpy 1.x module names (protocol 2 GLOBAL lines are plain text, so the rename is a byte replacement).
    raw = pickle.dumps(depth, protocol=2).replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    with open(os.path.join(d, "pkl", "img_np1.pkl"), "wb") as f:
        f.write(raw)
    # Fortran-ordered array.
    with open(os.path.join(d, "pkl", "img_fortran.pkl"), "wb") as f:
        pickle.dump(np.asfortranarray(depth), f, protocol=4)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > /tmp/ldmprobe_pwned",))
    with open(os.path.join(d, "bad", "img_evil.pkl"), "wb") as f:
        pickle.dump(Evil(), f, protocol=4)
    with open(os.path.join(d, "bad", "img_list.pkl"), "wb") as f:
        pickle.dump([1.0, 2.0], f, protocol=4)
    with open(os.path.join(d, "bad", "img_int.pkl"), "wb") as f:
        pickle.dump(np.arange(6, dtype=np.int64).reshape(2, 3), f, protocol=4)
    with open(os.path.join(d, "bad", "img_trunc.npy"), "wb") as f:
        f.write(open(os.path.join(d, "npy", "img_a.npy"), "rb").read()[:200])
    Image.fromarray(mask).save(os.path.join(d, "tracer", "img_a.png"))
    np.save(os.path.join(d, "intrinsic", "img_a.npy"), inv)

    # What each importer yields at 32×32 (torch F.interpolate for the resizes).
    def resize(a, mode, size=(32, 32)):
        t = torch.from_numpy(a.astype(np.float32))[None, None]
        kw = {"align_corners": False} if mode == "bilinear" else {}
        return F.interpolate(t, size=size, mode=mode, **kw)[0, 0].numpy()
    z = (depth - 15.740597) / 9.281932
    np.save(os.path.join(d, "expect_midas_zscore_bilinear.npy"), resize(z, "bilinear"))
    np.save(os.path.join(d, "expect_midas_zscore_native.npy"), z)
    np.save(os.path.join(d, "expect_png16_raw.npy"), d16.astype(np.float32))
    mm = (depth - depth.min()) / (depth.max() - depth.min())
    np.save(os.path.join(d, "expect_minmax_nearest.npy"), resize(mm, "nearest"))
    np.save(os.path.join(d, "expect_tracer_nearest.npy"), resize((mask > 0).astype(np.float32), "nearest"))
    np.save(os.path.join(d, "expect_tracer_t128_native.npy"), (mask > 128).astype(np.float32))
    shading = 1.0 / np.clip(inv, 0.001, 1) - 1
    np.save(os.path.join(d, "expect_intrinsic_shading_native.npy"), shading.astype(np.float32))


def main():
    rng = np.random.default_rng(20231)
    make_metrics(rng)
    make_adam(rng, "adam_huber", binary=False, C=8, h=4, w=4, H=16, W=16, n=6, lr=1e-2, epochs=30, batch=4,
              seed=11, bias=False)
    make_adam(rng, "adam_ce", binary=True, C=6, h=4, w=3, H=10, W=9, n=7, lr=1e-2, epochs=30, batch=4,
              seed=5, bias=True)
    make_adam(rng, "adam_mse", binary=False, C=5, h=3, w=3, H=6, W=6, n=5, lr=1e-3, epochs=30, batch=4,
              seed=3, bias=False, loss_name="mse")
    make_lstsq(rng)
    make_labels(rng)
    dump_json(os.path.join(ROOT, "FIXTURE.json"), {
        "command": "OMP_NUM_THREADS=1 python3 tools/make_study_fixtures.py",
        "torch": torch.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
        "python": sys.version.split()[0],
    })


if __name__ == "__main__":
    main()
