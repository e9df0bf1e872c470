"""Generates demo-model images that keep a rendered scene's layout: diffusers' StableDiffusionImg2ImgPipeline from
Assets/demo/model, started from each render with its own caption, at img2img strengths 0.3…0.9. The renderer's
labels of the scene stay exact for these images up to what the model changes, which is what the estimators must
learn to see through (blur, the model's floor textures). Writes an .npz: images uint8 [N,64,64,3], scene int [N]
(row of the render folder), strength float [N].

    ldmprobe world render --count 1000 --size 64 --seed 11 --out /tmp/world/ft
    OMP_NUM_THREADS=1 python3 tools/demo/img2img_scenes.py --scenes /tmp/world/ft --out /tmp/world/ft/img2img.npz \
        --strengths 0.3,0.5,0.7,0.9 --per-scene 1          # training: one strength per scene, cycling
    OMP_NUM_THREADS=1 python3 tools/demo/img2img_scenes.py --scenes /tmp/world/val --count 200 \
        --out /tmp/world/val/img2img.npz --per-scene 4     # evaluation: every strength for every scene
"""
import argparse, time

import common
from common import load_world, REPO
import numpy as np
import os
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenes", required=True, help="folder written by `ldmprobe world render`")
    ap.add_argument("--out", required=True)
    ap.add_argument("--model", default=os.path.join(REPO, "Assets", "demo", "model"))
    ap.add_argument("--count", type=int, default=None, help="first N scenes (default all)")
    ap.add_argument("--strengths", default="0.3,0.5,0.7,0.9")
    ap.add_argument("--per-scene", type=int, default=1, help="strengths per scene (cycling through --strengths)")
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--guidance", type=float, default=7.5)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from diffusers import StableDiffusionImg2ImgPipeline, DDIMScheduler
    from PIL import Image
    pipe = StableDiffusionImg2ImgPipeline.from_pretrained(a.model, safety_checker=None, feature_extractor=None,
                                                          requires_safety_checker=False)
    pipe.scheduler = DDIMScheduler.from_config(pipe.scheduler.config)  # the quick start's sampler
    pipe.set_progress_bar_config(disable=True)
    w = load_world(a.scenes)
    n = min(a.count or len(w["images"]), len(w["images"]))
    strengths = [float(s) for s in a.strengths.split(",")]
    jobs = [(i, strengths[(i + k) % len(strengths)]) for i in range(n) for k in range(a.per_scene)]
    images, scene, strength = [], [], []
    t0 = time.time()
    for s in strengths:
        idx = [i for i, js in jobs if js == s]
        for b in range(0, len(idx), a.batch):
            part = idx[b:b + a.batch]
            g = torch.Generator().manual_seed(a.seed + int(s * 100) * 10007 + b)
            with torch.no_grad():
                out = pipe([str(w["captions"][i]) for i in part], image=[Image.fromarray(w["images"][i]) for i in part],
                           strength=s, num_inference_steps=a.steps, guidance_scale=a.guidance, generator=g,
                           output_type="np").images
            images.append((out * 255).round().clip(0, 255).astype(np.uint8))
            scene += part
            strength += [s] * len(part)
            print(f"strength {s}: {b + len(part)}/{len(idx)}, {time.time() - t0:.0f} s", flush=True)
    np.savez(a.out, images=np.concatenate(images), scene=np.array(scene, dtype=np.int64),
             strength=np.array(strength, dtype=np.float32))


if __name__ == "__main__":
    main()
