#!/usr/bin/env python3
"""Fixtures for the VGG classifier plugin (Tests/Fixtures/vgg): slim VGG models built with torchvision's own VGG
class and make_layers, a few generated PNGs, and the reference probabilities for both preprocessings.

    OMP_NUM_THREADS=1 python3 tools/make_vgg_fixtures.py [--out Tests/Fixtures/vgg]

Models (random weights, seeded; a full VGG-16 is 528 MB, so the widths are divided by 16 and the classifier is
narrow, but the head keeps ImageNet's 1000 classes):
  vgg16_slim  cfg "D" widths/16, classifier 1568→64→64→1000   (.safetensors and torchvision-style .pth)
  vgg11_bn_slim  cfg "A" widths/16 with batch norm (eval mode, random running stats)  (.safetensors)
Preprocessing references:
  torchvision  VGG16_Weights.IMAGENET1K_V1.transforms() on a uint8 [3, H, W] tensor: resize shorter side to 256
               (bilinear, antialias=True, float math then rounded to uint8), centre crop 224, /255, mean/std.
  caffe        Keras' VGG16 path: PIL resize to 224×224 NEAREST (what keras.utils.load_img does), RGB→BGR,
               subtract 103.939/116.779/123.68, no scaling.
Outputs: models, images/*.png, expected/<model>_<preprocess>.npy (F32 [N, 1000] probabilities),
expected/<model>_<preprocess>_logits.npy, crops/<preprocess>_<image>.npy (U8 [224, 224, 3] resized+cropped
pixels before normalisation), manifest.json, FIXTURE.md.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

# The installed torchvision wheel is a CUDA build whose _C.so cannot load next to the CPU torch; declaring the two
# ops its meta registrations expect lets `import torchvision` succeed (models and transforms need no custom ops).
_tv_lib = torch.library.Library("torchvision", "DEF")
_tv_lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
_tv_lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
import torchvision  # noqa: E402
from torchvision.models.vgg import VGG, make_layers, cfgs  # noqa: E402
from PIL import Image  # noqa: E402
import safetensors  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

CAFFE_MEAN_BGR = [103.939, 116.779, 123.68]

IMAGES = [  # name, height, width
    ("landscape_300x400", 300, 400),
    ("square_256", 256, 256),
    ("portrait_513x341", 513, 341),
    ("small_120x90", 120, 90),
    ("exact_224", 224, 224),
]


def make_image(h, w, rng):
    """A smooth, photo-like RGB image: gradients, a few discs and soft noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for c in range(3):
        a, b = rng.uniform(-1, 1, 2)
        img[..., c] = 128 + 60 * (a * xx / w + b * yy / h)
    for _ in range(4):
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        r = rng.uniform(0.1, 0.4) * min(h, w)
        colour = rng.uniform(0, 255, 3)
        mask = ((yy - cy) ** 2 + (xx - cx) ** 2) < r * r
        img[mask] = 0.5 * img[mask] + 0.5 * colour
    # low-frequency noise: coarse grid upsampled by repetition, plus a little pixel noise
    coarse = rng.normal(0, 20, (h // 8 + 1, w // 8 + 1, 3))
    img += np.repeat(np.repeat(coarse, 8, 0), 8, 1)[:h, :w]
    img += rng.normal(0, 6, (h, w, 3))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def slim_vgg(cfg_name, batch_norm, divisor, hidden, seed):
    torch.manual_seed(seed)
    cfg = [v if v == "M" else v // divisor for v in cfgs[cfg_name]]
    model = VGG(make_layers(cfg, batch_norm=batch_norm), num_classes=1000, init_weights=True)
    last = [v for v in cfg if v != "M"][-1]
    model.classifier = torch.nn.Sequential(
        torch.nn.Linear(last * 7 * 7, hidden), torch.nn.ReLU(True), torch.nn.Dropout(),
        torch.nn.Linear(hidden, hidden), torch.nn.ReLU(True), torch.nn.Dropout(),
        torch.nn.Linear(hidden, 1000))
    # torchvision's init leaves biases at 0 and linear weights at N(0, 0.01), which gives near-uniform
    # probabilities; random biases and He-scaled linears make the softmax peaked so that the test means something.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                m.bias.normal_(0, 0.1)
            elif isinstance(m, torch.nn.Linear):
                m.weight.normal_(0, (2.0 / m.in_features) ** 0.5)
                m.bias.normal_(0, 0.1)
            elif isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 2.0)
        model.classifier[6].weight.mul_(4.0)
    return model.eval()


def torchvision_preprocess(img_u8):
    """img_u8: [H, W, 3] uint8 → (F32 [3, 224, 224], U8 [224, 224, 3] crop before /255)."""
    t = torch.from_numpy(img_u8).permute(2, 0, 1).contiguous()
    weights_tf = torchvision.models.VGG16_Weights.IMAGENET1K_V1.transforms()
    assert weights_tf.resize_size == [256] and weights_tf.crop_size == [224] and weights_tf.antialias
    x = weights_tf(t)
    F = torchvision.transforms.functional
    crop = F.center_crop(F.resize(t, 256, antialias=True), 224)
    return x, crop.permute(1, 2, 0).numpy().copy()


def caffe_preprocess(img_u8):
    """Keras: load_img(target_size=(224, 224)) → PIL NEAREST; preprocess_input(mode='caffe')."""
    resized = np.asarray(Image.fromarray(img_u8).resize((224, 224), Image.NEAREST))
    x = resized.astype(np.float32)[..., ::-1] - np.array(CAFFE_MEAN_BGR, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1))), resized.copy()


# --- numpy re-statements of the two resizes, the algorithm the Swift port follows (asserted equal below) ---

def aa_weights_f32(in_size, out_size):
    """torch's antialiased bilinear weights for float input (UpSampleKernel.cpp, float32 arithmetic). Matches
    torch's resized values to ~3e-5 (torch sums with vectorised FMA), so a rare value at .5 rounds the other way."""
    scale = np.float32(in_size) / np.float32(out_size)
    support = scale if scale >= 1 else np.float32(1.0)
    invscale = np.float32(1.0) / scale if scale >= 1 else np.float32(1.0)
    rows = []
    for i in range(out_size):
        center = np.float32(np.float64(scale) * (i + 0.5))
        xmin = max(int(np.float64(center) - np.float64(support) + 0.5), 0)
        xmax = min(int(np.float64(center) + np.float64(support) + 0.5), in_size)
        ws = []
        for j in range(xmax - xmin):
            # (int - float) is float32 in C++; + 0.5 and * invscale in double; the filter takes float32
            d = np.float32(np.float32(j + xmin) - center)
            x = np.float32((np.float64(d) + 0.5) * np.float64(invscale))
            x = abs(x)
            ws.append(np.float32(1.0 - np.float64(x)) if x < 1 else np.float32(0))
        total = np.float32(0)
        for w in ws:
            total = np.float32(total + w)
        ws = [np.float32(w / total) for w in ws] if total != 0 else ws
        rows.append((xmin, ws))
    return rows


def aa_resize_np(img_u8, out_h, out_w):
    src = img_u8.astype(np.float32)  # [H, W, 3]
    h, w, _ = src.shape
    tmp = src
    if out_w != w:
        tmp = np.zeros((h, out_w, 3), np.float32)
        for i, (xmin, ws) in enumerate(aa_weights_f32(w, out_w)):
            acc = src[:, xmin] * ws[0]
            for j in range(1, len(ws)):
                acc = acc + src[:, xmin + j] * ws[j]
            tmp[:, i] = acc
    out = tmp
    if out_h != h:
        out = np.zeros((out_h, out_w, 3), np.float32)
        for i, (ymin, ws) in enumerate(aa_weights_f32(h, out_h)):
            acc = tmp[ymin] * ws[0]
            for j in range(1, len(ws)):
                acc = acc + tmp[ymin + j] * ws[j]
            out[i] = acc
    return np.round(out).astype(np.uint8)  # torch.round: half to even


def pil_nearest_np(img_u8, out_h, out_w):
    h, w, _ = img_u8.shape

    def table(in_size, out_size):
        a = in_size / out_size
        x, idx = a * 0.5, []
        for _ in range(out_size):
            idx.append(min(int(x), in_size - 1))
            x += a  # PIL steps the coordinate by repeated addition
        return idx
    return img_u8[np.array(table(h, out_h))][:, np.array(table(w, out_w))]


def resized_size(h, w, short=256):
    if h <= w:
        return short, int(short * w / h)
    return int(short * h / w), short


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "vgg"))
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    for sub in ("images", "expected", "crops"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    torch.set_num_threads(1)

    rng = np.random.default_rng(20240601)
    images = {}
    for name, h, w in IMAGES:
        img = make_image(h, w, rng)
        Image.fromarray(img).save(os.path.join(out, "images", name + ".png"))
        images[name] = np.asarray(Image.open(os.path.join(out, "images", name + ".png")).convert("RGB"))

    models = {
        "vgg16_slim": slim_vgg("D", False, 16, 64, seed=16),
        "vgg11_bn_slim": slim_vgg("A", True, 16, 64, seed=11),
    }
    sd16 = {k: v.contiguous() for k, v in models["vgg16_slim"].state_dict().items()}
    save_file(sd16, os.path.join(out, "vgg16_slim.safetensors"))
    torch.save(sd16, os.path.join(out, "vgg16_slim.pth"))
    sdbn = {k: v.contiguous() for k, v in models["vgg11_bn_slim"].state_dict().items()}
    save_file(sdbn, os.path.join(out, "vgg11_bn_slim.safetensors"))
    # A corrupt file for the error tests: a valid header length pointing past the end.
    with open(os.path.join(out, "truncated.safetensors"), "wb") as f:
        f.write(open(os.path.join(out, "vgg16_slim.safetensors"), "rb").read()[:200])

    manifest = {"images": [n for n, _, _ in IMAGES], "models": {}, "preprocess": ["torchvision", "caffe"]}
    for pre, fn in (("torchvision", torchvision_preprocess), ("caffe", caffe_preprocess)):
        xs = []
        for name, h, w in IMAGES:
            x, crop = fn(images[name])
            # the numpy re-statement must equal the reference exactly, or the Swift port follows a wrong recipe
            if pre == "torchvision":
                rh, rw = resized_size(h, w)
                full = aa_resize_np(images[name], rh, rw)
                top, left = int(round((rh - 224) / 2.0)), int(round((rw - 224) / 2.0))
                mine = full[top:top + 224, left:left + 224]
            else:
                mine = pil_nearest_np(images[name], 224, 224)
            d = np.abs(mine.astype(int) - crop.astype(int))
            # torch's float kernels round differently in the last bit (vectorised FMA sums), which moves a few
            # values that sit at .5 by one level; anything more means a wrong recipe.
            assert d.max() <= 1 and (d > 0).mean() < 1e-4, f"{pre} {name}: restatement differs {d.max()}"
            print(f"{pre:11s} {name:18s} restatement: {(d > 0).sum()} of {d.size} values differ by 1")
            np.save(os.path.join(out, "crops", f"{pre}_{name}.npy"), crop)
            xs.append(x)
        batch = torch.stack(xs)
        for mname, model in models.items():
            with torch.no_grad():
                logits = model(batch)
                probs = torch.softmax(logits, dim=1)
            np.save(os.path.join(out, "expected", f"{mname}_{pre}.npy"), probs.numpy().astype(np.float32))
            np.save(os.path.join(out, "expected", f"{mname}_{pre}_logits.npy"), logits.numpy().astype(np.float32))
            manifest["models"].setdefault(mname, {})[pre] = {
                "top1": probs.argmax(1).tolist(), "top1_prob": probs.max(1).values.tolist()}
    manifest["versions"] = {"torch": torch.__version__, "torchvision": torchvision.__version__,
                            "pillow": Image.__version__, "safetensors": safetensors.__version__,
                            "numpy": np.__version__}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    with open(os.path.join(out, "FIXTURE.md"), "w") as f:
        f.write(f"""# VGG classifier fixtures

Made by `OMP_NUM_THREADS=1 python3 tools/make_vgg_fixtures.py` with torch {torch.__version__}, torchvision
{torchvision.__version__}, Pillow {Image.__version__}, safetensors {safetensors.__version__}, numpy {np.__version__}.

- `vgg16_slim.safetensors` / `.pth`: torchvision `VGG(make_layers(cfg D with widths/16))`, classifier
  1568→64→64→1000 (torchvision state-dict names); random weights, seed 16, peaked head (see the script).
- `vgg11_bn_slim.safetensors`: cfg A widths/16 with BatchNorm2d (eval; random running stats), seed 11.
- `truncated.safetensors`: the first 200 bytes of vgg16_slim.safetensors (error test).
- `images/*.png`: generated RGB images of several sizes (landscape, square 256, portrait with odd sizes,
  smaller than 224, exactly 224).
- `expected/<model>_<preprocess>.npy`: F32 [5, 1000] softmax probabilities, rows in manifest.json's image order;
  `_logits.npy` the logits.
- `crops/<preprocess>_<image>.npy`: U8 [224, 224, 3], the resized and cropped pixels before normalisation.
- torchvision preprocessing = `VGG16_Weights.IMAGENET1K_V1.transforms()` applied to a uint8 [3, H, W] tensor
  (resize shorter side to 256, bilinear, antialias=True: torch computes in float32 and rounds half-to-even to
  uint8; centre crop 224 with Python's round; /255; ImageNet mean/std).
- caffe preprocessing = Keras VGG16: PIL `resize((224, 224), NEAREST)`, RGB→BGR, minus 103.939/116.779/123.68.
""")
    print("wrote", out)


if __name__ == "__main__":
    sys.exit(main())
