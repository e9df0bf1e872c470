"""Evaluates the embedded demo: generates images with diffusers' StableDiffusionPipeline from Assets/demo/model for
held-out world prompts, and reports the world-objects classifier's accuracy on them and on the rendered scenes of
the same prompts. Writes Assets/demo/EVALUATION.json and a grid of samples (Assets/demo/samples.png).

    ldmprobe world render --count 500 --size 64 --seed 2 --out /tmp/world/val
    OMP_NUM_THREADS=1 python3 tools/demo/evaluate_demo.py --val /tmp/world/val --count 64
"""
import argparse, json, os, time

import common
from common import ObjectClassifierNet, load_world, image_to_input, REPO, CLASSES
import numpy as np
import torch
from safetensors.torch import load_file


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--val", required=True)
    ap.add_argument("--model", default=os.path.join(REPO, "Assets", "demo", "model"))
    ap.add_argument("--count", type=int, default=64)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--guidance", type=float, default=7.5)
    ap.add_argument("--scheduler", choices=["ddim", "pndm"], default="ddim")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    from diffusers import StableDiffusionPipeline, DDIMScheduler
    pipe = StableDiffusionPipeline.from_pretrained(a.model, safety_checker=None, requires_safety_checker=False)
    if a.scheduler == "ddim":
        pipe.scheduler = DDIMScheduler.from_config(pipe.scheduler.config)
    pipe.set_progress_bar_config(disable=True)
    va = load_world(a.val)
    n = min(a.count, len(va["images"]))
    seeds = [int(s.split("_seed_")[1]) for s in va["ids"][:n]]
    gen = []
    t0 = time.time()
    for i in range(n):
        g = torch.Generator().manual_seed(seeds[i])
        img = pipe(str(va["captions"][i]), height=64, width=64, num_inference_steps=a.steps,
                   guidance_scale=a.guidance, generator=g, output_type="np").images[0]
        gen.append((img * 255).round().clip(0, 255).astype(np.uint8))
        if (i + 1) % 8 == 0:
            print(f"image {i + 1}/{n}, {(time.time() - t0) / (i + 1):.2f} s/image", flush=True)
    gen = np.stack(gen)
    clf = ObjectClassifierNet()
    clf.load_state_dict(load_file(os.path.join(REPO, "Assets", "demo", "estimators", "world-objects.safetensors")))
    clf.eval()
    with torch.no_grad():
        pg = clf(image_to_input(gen)).argmax(1).numpy()
        pr = clf(image_to_input(va["images"][:n])).argmax(1).numpy()
    subj = va["subjects"][:n]
    res = {"count": n, "scheduler": a.scheduler, "steps": a.steps, "guidance": a.guidance,
           "classifier_accuracy_generated": float((pg == subj).mean()),
           "classifier_accuracy_rendered": float((pr == subj).mean()),
           "chance": 1 / len(CLASSES), "seconds_per_image": (time.time() - t0) / n}
    print(res)
    out = os.path.dirname(a.model)
    with open(os.path.join(out, "EVALUATION.json"), "w") as f:
        json.dump(res, f, indent=2)
    from PIL import Image
    k = min(16, n)
    top = np.concatenate(list(va["images"][:k]), 1)
    bottom = np.concatenate(list(gen[:k]), 1)
    Image.fromarray(np.concatenate([top, bottom], 0)).save(os.path.join(out, "samples.png"))
    with open(os.path.join(out, "samples.txt"), "w") as f:
        f.write("samples.png: top row rendered scenes, bottom row generated from their captions and seeds:\n")
        f.write("\n".join(f"{i}: {c}" for i, c in enumerate(va["captions"][:k])) + "\n")


if __name__ == "__main__":
    main()
