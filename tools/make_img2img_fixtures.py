#!/usr/bin/env python3
"""Fixtures for the img2img parity tests (Tests/PipelineTests/Img2ImgParityTests.swift).

diffusers' StableDiffusionImg2ImgPipeline on the tiny random model (Tests/Fixtures/tiny-sd, tools/tiny_sd.py) with
DDIM, PNDM and K-LMS: a fixed 64x64 init image, torch.Generator().manual_seed(SEED) (consumed by
latent_dist.sample, then by the add_noise noise), 15 steps, guidance 7.5. Per run it stores the scaled encoder
sample, the latent after add_noise and after every call, three self-attention outputs (attn1.to_out.0, the
conditional branch) and the image.

Run from the repository root:
    OMP_NUM_THREADS=1 python3 tools/make_img2img_fixtures.py
"""
import json
import os
import sys

import numpy as np

# tools/ is the script's folder, so on sys.path
from make_pipeline_fixtures import tiny_tokenizer_and_scheduler, versions, write_summary

# The text → image fixtures' model, prompt, seed, steps, guidance and size.
from make_pipeline_fixtures import FIX, GUIDANCE, NEGATIVE, PROMPT, SEED, SIZE, STEPS, TINY

OUT = os.path.join(FIX, "img2img")
# (name, scheduler class, strength). PNDM at 0.3 starts its counter far from the repeated timestep.
RUNS = [("ddim_s60", "DDIMScheduler", 0.6),
        ("pndm_s60", "PNDMScheduler", 0.6),
        ("lms_s60", "LMSDiscreteScheduler", 0.6),
        ("pndm_s30", "PNDMScheduler", 0.3),
        ("lms_s90", "LMSDiscreteScheduler", 0.9)]
# A few layers at each resolution keep the fixture small (the text→image fixtures check all of them).
LAYERS = ["down_blocks.1.attentions.0.transformer_blocks.0.attn1",
          "mid_block.attentions.0.transformer_blocks.0.attn1",
          "up_blocks.2.attentions.2.transformer_blocks.0.attn1"]


def init_image():
    """A deterministic 64x64 RGB scene: a vertical gradient sky, a floor, a red square with a bright edge."""
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    img = np.zeros((SIZE, SIZE, 3), dtype=np.float64)
    img[..., 0] = 90 + 100 * y / SIZE
    img[..., 1] = 120 + 60 * x / SIZE
    img[..., 2] = 200 - 120 * y / SIZE
    floor = y >= 40
    img[floor] = [140, 110, 70]
    box = (x >= 20) & (x < 44) & (y >= 22) & (y < 46)
    img[box] = [210, 30, 40]
    img[box & (x == 20)] = [255, 240, 240]
    return img.round().clip(0, 255).astype(np.uint8)


def main():
    sys.modules.setdefault("torchvision", None)  # see make_pipeline_fixtures.py: keeps transformers off torchvision
    import torch
    import diffusers
    from diffusers import StableDiffusionImg2ImgPipeline
    from PIL import Image

    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    Image.fromarray(init_image(), "RGB").save(os.path.join(OUT, "init.png"))
    pil = Image.open(os.path.join(OUT, "init.png")).convert("RGB")
    tokenizer, sched_config = tiny_tokenizer_and_scheduler()
    # The encoder's sample from a contiguous NCHW image. The pipeline's preprocess hands the VAE a channels-last
    # strided tensor, and torch's convolutions round differently for it (up to 6e-6 here), so this is the
    # reference for the encoder itself; the runs' own <run>_encoded.npy is what the pipeline computed.
    from diffusers.image_processor import VaeImageProcessor
    x = VaeImageProcessor(vae_scale_factor=8).preprocess(pil).contiguous()
    vae = StableDiffusionImg2ImgPipeline.from_pretrained(TINY, tokenizer=tokenizer, safety_checker=None,
                                                         feature_extractor=None, requires_safety_checker=False,
                                                         torch_dtype=torch.float32).vae
    with torch.no_grad():
        z = vae.config.scaling_factor * vae.encode(x).latent_dist.sample(torch.Generator().manual_seed(SEED))
    np.save(os.path.join(OUT, "encoded_contiguous.npy"), z.numpy().astype(np.float32))
    summary = {"prompt": PROMPT, "negative_prompt": NEGATIVE, "seed": SEED, "steps": STEPS, "guidance": GUIDANCE,
               "height": SIZE, "width": SIZE, "layers": LAYERS, "runs": {}}

    for name, cls, strength in RUNS:
        pipe = StableDiffusionImg2ImgPipeline.from_pretrained(TINY, tokenizer=tokenizer, safety_checker=None,
                                                              feature_extractor=None, requires_safety_checker=False,
                                                              torch_dtype=torch.float32)
        pipe.scheduler = getattr(diffusers, cls).from_config(sched_config)
        pipe.set_progress_bar_config(disable=True)
        acts = {p: [] for p in LAYERS}
        hooks = [pipe.unet.get_submodule(p + ".to_out.0").register_forward_hook(
            lambda m, i, o, p=p: acts[p].append(o.detach().clone())) for p in LAYERS]
        noised = {}
        orig_add_noise = pipe.scheduler.add_noise

        def add_noise(original, noise, t):
            noised["clean"] = original.detach().clone()
            r = orig_add_noise(original, noise, t)
            noised["noisy"] = r.detach().clone()
            return r
        pipe.scheduler.add_noise = add_noise
        latents, seen = [], []

        def on_step(pipeline, i, t, kwargs):
            latents.append(kwargs["latents"].detach().clone())
            seen.append(float(t))
            return kwargs

        with torch.no_grad():
            res = pipe(PROMPT, image=pil, strength=strength, negative_prompt=NEGATIVE, num_inference_steps=STEPS,
                       guidance_scale=GUIDANCE, generator=torch.Generator().manual_seed(SEED), output_type="np",
                       callback_on_step_end=on_step, callback_on_step_end_tensor_inputs=["latents"])
        for h in hooks:
            h.remove()
        prefix = os.path.join(OUT, name)
        lat = torch.cat([noised["noisy"]] + latents).numpy().astype(np.float32)    # [U+1, 4, 8, 8]
        np.save(prefix + "_latents.npy", lat)
        np.save(prefix + "_encoded.npy", noised["clean"].numpy().astype(np.float32))  # [1, 4, 8, 8] scaled sample
        image = res.images[0]                                                        # [64, 64, 3] in [0, 1]
        np.save(prefix + "_image.npy", (image * 255).round().astype(np.uint8))      # numpy_to_pil
        for p in LAYERS:
            a = torch.stack(acts[p])                                                 # [U, 2, h*w, C]
            u, b, n, c = a.shape
            hw = int(round(n ** 0.5))
            a = a.permute(0, 1, 3, 2).reshape(u, b, c, hw, hw)[:, 1].numpy()         # [U, C, h, w] cond branch
            np.save(f"{prefix}_act_{p}.npy", a.astype(np.float32))
        summary["runs"][name] = {"scheduler": cls, "strength": strength, "calls": len(seen), "timesteps": seen,
                                 "begin_index": getattr(pipe.scheduler, "begin_index", None)}
        print(name, "calls", len(seen), "timesteps", seen)

    write_summary(OUT, "img2img.json", summary,
                "# img2img fixtures\n\n"
                "Made by `OMP_NUM_THREADS=1 python3 tools/make_img2img_fixtures.py` (from the repository root) from "
                "the tiny random model in Tests/Fixtures/tiny-sd.\n\n"
                f"Versions: {json.dumps(versions())}\n\n"
                f"diffusers StableDiffusionImg2ImgPipeline, image init.png, prompt {PROMPT!r}, negative {NEGATIVE!r}, "
                f"{STEPS} steps, guidance {GUIDANCE}, generator torch.Generator().manual_seed({SEED}), schedulers "
                "from_config(tiny-sd/scheduler/scheduler_config.json); runs " +
                ", ".join(f"{n} ({c}, strength {s})" for n, c, s in RUNS) + ".\n\n"
                "- `init.png`: the 64x64 init image (drawn by init_image() in the script).\n"
                "- `<run>_encoded.npy` [1, 4, 8, 8]: scaling_factor · latent_dist.sample(generator).\n"
                "- `encoded_contiguous.npy` [1, 4, 8, 8]: the same from a contiguous NCHW image (the pipeline's "
                "preprocess gives the VAE a channels-last strided tensor, for which torch's convolutions round "
                "differently, by up to 6e-6 here).\n"
                "- `<run>_latents.npy` [U+1, 4, 8, 8]: add_noise's output, then the latents after each call.\n"
                "- `<run>_act_<path>.npy` [U, C, h, w]: attn1.to_out.0 outputs of the conditional branch.\n"
                "- `<run>_image.npy` uint8 [64, 64, 3] (numpy_to_pil rounding).\n"
                "- `img2img.json`: settings, per-run strength, call count and timesteps.\n")


if __name__ == "__main__":
    main()
