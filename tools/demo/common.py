"""Shared pieces of the demo-model tools: environment fixes, the CLIP tokenizer, the rendered dataset, and the
small label estimators / object classifier whose Swift twins are Plugins/Labelers/World and
Plugins/Classifiers/World (keep the architectures in sync with those files)."""
import csv, gzip, json, os, sys

# The installed torchvision wheel does not load next to the CPU torch, and nothing here needs it: hide it so
# transformers/diffusers fall back to their PIL code paths.
sys.modules.setdefault("torchvision", None)

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLIP_TOKENIZER_FIXTURE = os.path.join(REPO, "Tests", "Fixtures", "clip-tokenizer")
CLASSES = ["sphere", "cube", "cylinder", "cone", "torus"]  # = World.ObjectKind order


def _bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b); cs.append(256 + n); n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def clip_tokenizer_dir(cache=os.path.join(HERE, ".tokenizer-cache")):
    """A folder with the real CLIP vocab.json/merges.txt: the text-weights fixture when present, else built from
    open_clip's bundled BPE merges exactly as OpenAI's CLIP builds its vocabulary (same 49408 ids)."""
    for folder in (CLIP_TOKENIZER_FIXTURE, os.path.join(REPO, "Assets", "demo", "model", "tokenizer")):
        if os.path.isfile(os.path.join(folder, "vocab.json")):
            return folder
    if os.path.isfile(os.path.join(cache, "vocab.json")):
        return cache
    import importlib.util
    spec = importlib.util.find_spec("open_clip")
    bpe = os.path.join(os.path.dirname(spec.origin), "bpe_simple_vocab_16e6.txt.gz")
    merges = gzip.open(bpe).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
    merges = [tuple(m.split()) for m in merges]
    vocab = list(_bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump({t: i for i, t in enumerate(vocab)}, f, ensure_ascii=False)
    with open(os.path.join(cache, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n")
    return cache


def load_tokenizer():
    from transformers import CLIPTokenizer
    return CLIPTokenizer.from_pretrained(clip_tokenizer_dir())


def load_world(folder, cache=True):
    """A folder written by `ldmprobe world render`: images uint8 [N,64,64,3], captions, subjects (class index),
    foreground uint8 [N,H,W], inverse depth / shading float32 [N,H,W]."""
    npz = os.path.join(folder, "packed.npz")
    if cache and os.path.isfile(npz):
        d = np.load(npz, allow_pickle=False)
        return {k: d[k] for k in d.files}
    from PIL import Image
    rows = list(csv.DictReader(open(os.path.join(folder, "prompts.csv"), encoding="utf-8")))
    scenes = {r["id"]: r for r in csv.DictReader(open(os.path.join(folder, "scenes.csv"), encoding="utf-8"))}
    ids = [f"prompt_{r['prompt_inds']}_seed_{r['seeds']}" for r in rows]
    out = {
        "ids": np.array(ids),
        "captions": np.array([r["prompts"] for r in rows]),
        "subjects": np.array([CLASSES.index(scenes[i]["subject"]) for i in ids], dtype=np.int64),
        "images": np.stack([np.array(Image.open(os.path.join(folder, "images", i + ".png")).convert("RGB")) for i in ids]),
        "foreground": np.stack([(np.array(Image.open(os.path.join(folder, "labels/foreground", i + ".png"))) > 0)
                                .astype(np.uint8) for i in ids]),
        "depth": np.stack([np.load(os.path.join(folder, "labels/depth", i + ".npy")) for i in ids]),
        "shading": np.stack([np.load(os.path.join(folder, "labels/shading", i + ".npy")) for i in ids]),
    }
    if cache:
        np.savez(npz, **out)
    return out


def load_packed(path):
    """A file written by tools/demo/pack_world.py: images uint8 [N,64,64,3], captions, ids int32 [N,77] (CLIP
    token ids as diffusers pads them), empty int32 [1,77] (the ids of "")."""
    d = np.load(path, allow_pickle=False)
    return {k: d[k] for k in d.files}


def image_to_input(images_u8):
    """uint8 [N,H,W,3] → float32 [N,3,H,W] in [-1, 1] (the estimators' and classifier's input scaling)."""
    x = torch.from_numpy(np.ascontiguousarray(images_u8)).float().permute(0, 3, 1, 2)
    return x / 127.5 - 1


class EstimatorNet(nn.Module):
    """Per-pixel label estimator (a tiny U-Net with additive skips), input [N,3,64,64] in [-1,1].
    out_channels 2 (foreground logits), 1 (inverse depth) or 1 (shading). Swift twin: WorldEstimatorNet."""

    def __init__(self, out_channels, width=16):
        super().__init__()
        w = width
        self.enc1 = nn.Conv2d(3, w, 3, padding=1)               # 64
        self.enc2 = nn.Conv2d(w, 2 * w, 3, stride=2, padding=1)  # 32
        self.enc3 = nn.Conv2d(2 * w, 2 * w, 3, stride=2, padding=1)  # 16
        self.mid = nn.Conv2d(2 * w, 2 * w, 3, padding=1)         # 16
        self.dec2 = nn.Conv2d(2 * w, 2 * w, 3, padding=1)        # 32
        self.dec1 = nn.Conv2d(2 * w, w, 3, padding=1)            # 64
        self.out = nn.Conv2d(w, out_channels, 1)

    def forward(self, x):                                        # [N,3,H,W]
        e1 = F.relu(self.enc1(x))                                # [N,w,H,W]
        e2 = F.relu(self.enc2(e1))                               # [N,2w,H/2,W/2]
        e3 = F.relu(self.enc3(e2))                               # [N,2w,H/4,W/4]
        m = F.relu(self.mid(e3)) + e3
        d2 = F.relu(self.dec2(F.interpolate(m, scale_factor=2, mode="nearest"))) + e2
        d1 = F.relu(self.dec1(F.interpolate(d2, scale_factor=2, mode="nearest"))) + e1
        return self.out(d1)                                      # [N,out,H,W]


class ObjectClassifierNet(nn.Module):
    """VGG-style classifier of the first-named (leftmost) object's shape, input [N,3,64,64] in [-1,1].
    Swift twin: WorldObjectClassifier."""

    def __init__(self, classes=len(CLASSES), width=16):
        super().__init__()
        w = width
        chans = [(3, w), (w, w), (w, 2 * w), (2 * w, 2 * w), (2 * w, 4 * w), (4 * w, 4 * w), (4 * w, 4 * w)]
        self.features = nn.ModuleList([nn.Conv2d(a, b, 3, padding=1) for a, b in chans])
        self.pool_after = {0, 2, 4, 6}                            # 64→32→16→8→4 (pool early: cheap on CPU)
        self.fc1 = nn.Linear(4 * w * 4 * 4, 64)
        self.fc2 = nn.Linear(64, classes)
        # He init: without normalisation layers PyTorch's default init shrinks the signal through 7 convs and
        # short training then stays at chance.
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, x):                                        # [N,3,64,64]
        for i, conv in enumerate(self.features):
            x = F.relu(conv(x))
            if i in self.pool_after:
                x = F.max_pool2d(x, 2)
        x = torch.flatten(x, 1)                                  # [N,4w·4·4], (C,H,W) order
        return self.fc2(F.relu(self.fc1(x)))                     # [N,classes] logits
