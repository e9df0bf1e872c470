"""Trains the demo world's label estimators (foreground, inverse depth, shading: tiny U-Nets predicting per-pixel
labels from RGB) and its object classifier (VGG-style, the first-named object's shape), on rendered scenes, and
writes them as safetensors under Assets/demo/ (keys = the PyTorch module names of common.py's nets).

    OMP_NUM_THREADS=1 python3 tools/demo/train_estimators.py --train /tmp/world/train --val /tmp/world/val

Each net is trained for a wall-clock budget (minutes, printed with the steps reached), seeded. Depth is trained on
10·inverse depth and the factor 0.1 folded into the last conv, so the net outputs inverse depth 1/z directly.
Validation metrics (on the held-out render) go to Assets/demo/ESTIMATORS.json.

On a GPU (how the committed weights were made: one H200, ~4 minutes), from a packed file (pack_world.py --labels):

    python3 tools/demo/train_estimators.py --packed .gpu/est.npz --device cuda --minutes 0.7 --crop 0 --batch 128

Generated images are blurrier than renders (they pass through the VAE), and estimators trained on renders alone
mislabel them. --recon-vae adds each training scene's VAE reconstruction (encode → mean → decode, same labels) to
the training set, and --init fine-tunes from existing weights; the committed estimators were made on a GPU and
then fine-tuned on CPU with:

    OMP_NUM_THREADS=2 python3 tools/demo/train_estimators.py --packed .gpu/est.npz --recon-vae Assets/demo/model/vae \
        --init Assets/demo/estimators --minutes 3 --objects-minutes 4 --crop 0 --batch 32 --lr 5e-4 --threads 2

Generated images also differ from reconstructions (the model's own textures and shapes). --img2img adds the demo
model's img2img images of the training scenes (tools/demo/img2img_scenes.py) with the scenes' exact labels, and
--img2img-val scores the result per strength (tools/demo/evaluate_estimators.py); Assets/demo/README.md has the
commands that made the committed foreground/depth/shading weights.
"""
import argparse, json, os, time

import common
from common import EstimatorNet, ObjectClassifierNet, load_world, image_to_input, REPO, CLASSES
import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def spearman(a, b):
    from scipy.stats import spearmanr
    r = spearmanr(a.ravel(), b.ravel()).correlation
    return None if np.isnan(r) else float(r)


def train(net, x_all, target, loss_fn, minutes, batch, seed, name, crop=None, lr=2e-3, device="cpu"):
    """Adam for `minutes` of wall time; crop: train on random crop×crop windows (the estimators are fully
    convolutional, so crops teach the same map at a fraction of the cost)."""
    g = torch.Generator().manual_seed(seed)
    net = net.to(device)
    x_all, target = x_all.to(device), target.to(device)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    t0, step = time.time(), 0
    while (el := time.time() - t0) < minutes * 60:
        frac = el / (minutes * 60)
        for grp in opt.param_groups:
            grp["lr"] = lr * (1 - 0.9 * frac)
        idx = torch.randint(0, len(x_all), (batch,), generator=g).to(device)
        x, t = x_all[idx], target[idx]
        if crop:
            oy, ox = (int(v) * 4 for v in torch.randint(0, (x.shape[-1] - crop) // 4 + 1, (2,), generator=g))
            x, t = x[..., oy:oy + crop, ox:ox + crop], t[..., oy:oy + crop, ox:ox + crop]
        loss = loss_fn(net(x), t)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        step += 1
        if step % (100 if device == "cpu" else 2000) == 0:
            log(f"{name} step {step}, {el / step:.3f} s/step, loss {loss.item():.4f}")
    return net.cpu().eval(), step


@torch.no_grad()
def predict(net, x, batch=100):
    return torch.cat([net(x[i:i + batch]) for i in range(0, len(x), batch)])


def start(net, init, name, scale=1.0):
    """The net, with weights from init/<name>.safetensors when fine-tuning (depth: the 0.1 output factor that
    training folds into the last conv is unfolded again, ×scale)."""
    if init:
        from safetensors.torch import load_file
        net.load_state_dict(load_file(os.path.join(init, name + ".safetensors")))
        if scale != 1.0:
            with torch.no_grad():
                net.out.weight.mul_(scale); net.out.bias.mul_(scale)
    return net


@torch.no_grad()
def reconstruct(vae_dir, x, batch=200):
    """x: [N,3,64,64] in [-1,1] → its AutoencoderKL reconstruction (posterior mean), same shape and range."""
    from diffusers import AutoencoderKL
    vae = AutoencoderKL.from_pretrained(vae_dir).eval()
    out = [vae.decode(vae.encode(x[i:i + batch]).latent_dist.mean).sample.clamp(-1, 1) for i in range(0, len(x), batch)]
    return torch.cat(out)


def load_packed_labels(path):
    """tools/demo/pack_world.py --labels output → (train, val) dicts shaped like load_world's."""
    d = np.load(path, allow_pickle=False)
    tr = {k: d[k] for k in ("images", "foreground", "depth", "shading", "subjects")}
    va = {k: d["val_" + k] for k in ("images", "foreground", "depth", "shading", "subjects")}
    for part in (tr, va):
        part["depth"] = part["depth"].astype(np.float32); part["shading"] = part["shading"].astype(np.float32)
    return tr, va


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", help="folder written by `ldmprobe world render`")
    ap.add_argument("--val")
    ap.add_argument("--packed", help="instead of --train/--val: pack_world.py --labels output")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--crop", type=int, default=32, help="training crop of the estimators (0 = whole images)")
    ap.add_argument("--objects-minutes", type=float, default=None, help="default 1.5 × --minutes")
    ap.add_argument("--recon-vae", help="AutoencoderKL folder: also train on VAE reconstructions of the scenes")
    ap.add_argument("--init", help="folder of estimator weights to start from (fine-tuning)")
    ap.add_argument("--img2img", help="img2img_scenes.py output for --train: also train on the demo model's img2img "
                                      "images of the training scenes, with the scenes' exact labels")
    ap.add_argument("--img2img-val", help="img2img_scenes.py output for --val (scores per strength, after training)")
    ap.add_argument("--lr", type=float, default=None, help="learning rate (default 2e-3 estimators, 5e-4 objects)")
    ap.add_argument("--out", default=os.path.join(REPO, "Assets", "demo", "estimators"))
    ap.add_argument("--minutes", type=float, default=3.0, help="per net")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="foreground,depth,shading,objects")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    tr, va = load_packed_labels(a.packed) if a.packed else (load_world(a.train), load_world(a.val))
    dev, crop = a.device, (a.crop or None)
    xt, xv = image_to_input(tr["images"]), image_to_input(va["images"])
    xv_rec = None
    if a.recon_vae:
        xt_rec, xv_rec = reconstruct(a.recon_vae, xt), reconstruct(a.recon_vae, xv)
        xt = torch.cat([xt, xt_rec])
        tr = {k: (np.concatenate([v, v]) if k != "images" else v) for k, v in tr.items()}
        log(f"training on {len(xt)} images (renders + VAE reconstructions)")
    if a.img2img:
        gen = np.load(a.img2img)
        rows = gen["scene"]
        base = {k: v for k, v in tr.items() if k != "images"}
        n_base = len(tr["subjects"]) // (2 if a.recon_vae else 1)
        xt = torch.cat([xt, image_to_input(gen["images"])])
        tr = {k: np.concatenate([v, v[:n_base][rows]]) for k, v in base.items()} | {"images": tr["images"]}
        log(f"training on {len(xt)} images (+ {len(rows)} img2img images, strengths "
            f"{sorted(set(gen['strength'].tolist()))})")
    os.makedirs(a.out, exist_ok=True)
    metrics_path = os.path.join(os.path.dirname(a.out), "ESTIMATORS.json")
    metrics = json.load(open(metrics_path)) if os.path.isfile(metrics_path) else {}
    only = a.only.split(",")

    vals = [("", xv)] + ([("_recon", xv_rec)] if xv_rec is not None else [])

    def finish(name, net, steps, score):
        m = {"steps": steps, "init": a.init or None}
        for suffix, x in vals:
            m.update({k + suffix: v for k, v in score(predict(net, x)).items()})
        metrics[name] = m
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, os.path.join(a.out, name + ".safetensors"))
        log(name, m)

    def fg_score(out):
        pred, gt = out.argmax(1).numpy() > 0, va["foreground"] > 0
        dice = [(2 * (p & t).sum() + 1e-8) / (p.sum() + t.sum() + 1e-8) for p, t in zip(pred, gt)]
        return {"val_dice": float(np.mean(dice)), "val_pixel_accuracy": float((pred == gt).mean())}

    def scalar_score(key, mae_name):
        def score(out):
            pred = out[:, 0].numpy()
            rs = [r for r in (spearman(p, t) for p, t in zip(pred, va[key])) if r is not None]
            return {"val_spearman": float(np.mean(rs)), mae_name: float(np.abs(pred - va[key]).mean())}
        return score

    if "foreground" in only:
        torch.manual_seed(a.seed)
        net, steps = train(start(EstimatorNet(2), a.init, "world-foreground"), xt,
                           torch.from_numpy(tr["foreground"]).long(), lambda p, t: F.cross_entropy(p, t), a.minutes,
                           a.batch, a.seed, "foreground", crop=crop, device=dev, lr=a.lr or 2e-3)
        finish("world-foreground", net, steps, fg_score)

    if "depth" in only:
        torch.manual_seed(a.seed + 1)
        net, steps = train(start(EstimatorNet(1), a.init, "world-depth", scale=10), xt,
                           torch.from_numpy(tr["depth"] * 10).unsqueeze(1), lambda p, t: (p - t).abs().mean(),
                           a.minutes, a.batch, a.seed + 1, "depth", crop=crop, device=dev, lr=a.lr or 2e-3)
        with torch.no_grad():
            net.out.weight.mul_(0.1); net.out.bias.mul_(0.1)
        finish("world-depth", net, steps, scalar_score("depth", "val_mae_inverse_depth"))

    if "shading" in only:
        torch.manual_seed(a.seed + 2)
        net, steps = train(start(EstimatorNet(1), a.init, "world-shading"), xt,
                           torch.from_numpy(tr["shading"]).unsqueeze(1), lambda p, t: (p - t).abs().mean(),
                           a.minutes, a.batch, a.seed + 2, "shading", crop=crop, device=dev, lr=a.lr or 2e-3)
        finish("world-shading", net, steps, scalar_score("shading", "val_mae"))

    if "objects" in only:
        torch.manual_seed(a.seed + 3)
        net, steps = train(start(ObjectClassifierNet(), a.init, "world-objects"), xt,
                           torch.from_numpy(tr["subjects"]), lambda p, t: F.cross_entropy(p, t),
                           a.objects_minutes or a.minutes * 1.5, a.batch, a.seed + 3, "objects", lr=a.lr or 5e-4,
                           device=dev)
        finish("world-objects", net, steps,
               lambda out: {"val_accuracy_rendered": float((out.argmax(1).numpy() == va["subjects"]).mean())})
        metrics["world-objects"]["classes"] = CLASSES

    if a.img2img_val:
        import evaluate_estimators
        nets = evaluate_estimators.load_nets(a.out)
        vsub = {k: va[k] for k in ("images", "foreground", "depth", "shading", "subjects")}
        metrics["_per_strength"] = evaluate_estimators.evaluate(nets, vsub, dict(np.load(a.img2img_val)))
        log("per strength", metrics["_per_strength"])
    metrics["_recipe"] = {"train": a.train or a.packed, "val": a.val or a.packed, "minutes_per_net": a.minutes,
                          "objects_minutes": a.objects_minutes or a.minutes * 1.5, "batch": a.batch,
                          "crop": a.crop, "seed": a.seed, "threads": a.threads, "torch": torch.__version__,
                          "device": torch.cuda.get_device_name() if dev == "cuda" else "cpu",
                          "scenes": int(len(tr["images"])), "recon_vae": a.recon_vae,
                          "lr": a.lr, "init": a.init, "img2img": a.img2img}
    with open(metrics_path, "w") as f:
        json.dump(metrics, f, indent=2)


if __name__ == "__main__":
    main()
