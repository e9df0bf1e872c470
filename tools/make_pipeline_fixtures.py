#!/usr/bin/env python3
"""Fixtures for Tests/PipelineTests.

  formats  -> Tests/Fixtures/formats/   .npy files written by numpy (every dtype, header versions 1/2/3), PNG files
              written by Pillow (8-bit RGB/gray, 16-bit gray) with their pixels as .npy, a few rows of the real
              dataset CSV and a Latin-1 edge-case CSV with the rows Python's csv module reads from them.
  pipeline -> Tests/Fixtures/pipeline/  diffusers' StableDiffusionPipeline on the tiny random model
              (Tests/Fixtures/tiny-sd, made by tools/tiny_sd.py) with DDIM, PNDM and K-LMS: the initial noise, the
              latents after every sampler call, every self-attention output (attn1.to_out.0, both CFG branches)
              and the decoded image.

Run from the repository root:
    OMP_NUM_THREADS=1 python3 tools/make_pipeline_fixtures.py formats
    OMP_NUM_THREADS=1 python3 tools/make_pipeline_fixtures.py pipeline
"""
import csv
import io
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures")


def versions():
    import importlib
    out = {"numpy": np.__version__, "python": sys.version.split()[0]}
    for name in ("torch", "diffusers", "transformers", "PIL"):
        try:
            out[name] = importlib.import_module(name).__version__
        except Exception:
            pass
    return out


# ---------------------------------------------------------------------------------------------------------------
# formats

DATASET_CSV = os.path.join(ROOT, "..", "shared", "data", "train_split_prompts_seeds.csv")
# Rows of the real training split (1-based data rows) chosen for their quoting: commas, runs of doubled quotes,
# non-ASCII (®, –, —, ™, …), a plain apostrophe.
DATASET_ROWS = [1, 2, 3, 4, 10, 11, 17, 24, 28, 119, 125, 162, 190]


def make_formats():
    out = os.path.join(FIX, "formats")
    os.makedirs(out, exist_ok=True)

    # .npy: one file per dtype, values that test rounding and sign; header versions 1, 2, 3.
    base = (np.arange(24, dtype=np.float64).reshape(2, 3, 4) - 11.5) / 3.0
    np.save(os.path.join(out, "f32_v1.npy"), base.astype(np.float32))
    np.save(os.path.join(out, "f16_v1.npy"), base.astype(np.float16))
    np.save(os.path.join(out, "u8_v1.npy"), np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10)
    np.save(os.path.join(out, "i64_v1.npy"), (np.arange(24, dtype=np.int64).reshape(2, 3, 4) - 12) * 10**12)
    np.save(os.path.join(out, "f32_1d.npy"), np.array([1.5, -2.25, 3e-8], dtype=np.float32))
    np.save(os.path.join(out, "f32_0d.npy"), np.array(7.0, dtype=np.float32))
    for version in ((2, 0), (3, 0)):
        with open(os.path.join(out, f"f32_v{version[0]}.npy"), "wb") as f:
            np.lib.format.write_array(f, base.astype(np.float32), version=version)
    np.save(os.path.join(out, "f32_fortran.npy"), np.asfortranarray(base.astype(np.float32)))
    np.save(os.path.join(out, "f64.npy"), base)
    # float16 rounding reference: values near half-way points, tiny (subnormal) and huge (overflow) numbers.
    rng = np.random.default_rng(0)
    f16_src = np.concatenate([rng.standard_normal(200).astype(np.float32) * 100,
                              np.array([65504, 65520, 70000, -1e-7, 6e-8, 2.98e-8, 1.0009765625, 1.00048828125,
                                        1.000732421875, 0.0, -0.0], dtype=np.float32)])
    np.save(os.path.join(out, "f16_src_f32.npy"), f16_src)
    np.save(os.path.join(out, "f16_ref.npy"), f16_src.astype(np.float16))
    with open(os.path.join(out, "f32_v1.npy"), "rb") as f:
        whole = f.read()
    with open(os.path.join(out, "truncated.npy"), "wb") as f:
        f.write(whole[:-10])

    # PNG (Pillow, no gAMA chunk) and the pixels as .npy.
    from PIL import Image
    rgb = (np.arange(5 * 7 * 3).reshape(5, 7, 3) * 5 % 256).astype(np.uint8)
    gray = (np.arange(6 * 4).reshape(6, 4) * 11 % 256).astype(np.uint8)
    gray16 = (np.arange(3 * 5).reshape(3, 5) * 4369 + 17).astype(np.uint16)
    Image.fromarray(rgb, "RGB").save(os.path.join(out, "rgb8.png"))
    Image.fromarray(gray, "L").save(os.path.join(out, "gray8.png"))
    Image.fromarray(gray16).save(os.path.join(out, "gray16.png"))  # mode I;16 → 16-bit grayscale PNG
    np.save(os.path.join(out, "rgb8.npy"), rgb)
    np.save(os.path.join(out, "gray8.npy"), gray)
    np.save(os.path.join(out, "gray16.npy"), gray16.astype(np.int64))
    with open(os.path.join(out, "rgb8.png"), "rb") as f:
        png = f.read()
    with open(os.path.join(out, "truncated.png"), "wb") as f:
        f.write(png[: len(png) // 2])
    with open(os.path.join(out, "not_a.png"), "wb") as f:
        f.write(b"GIF89a this is not a png file at all")

    # CSV: rows of the real dataset (bytes copied verbatim) and an edge-case file in ISO-8859-1.
    with open(DATASET_CSV, "rb") as f:
        lines = f.read().split(b"\n")
    sample = [lines[0]] + [lines[i] for i in DATASET_ROWS]
    with open(os.path.join(out, "dataset_sample.csv"), "wb") as f:
        f.write(b"\n".join(sample) + b"\n")
    edge_text = ('prompts,seeds,prompt_inds\r\n'
                 '"caf\u00e9 cr\u00e8me, \u00bd price",1,10\r\n'
                 '"a ""quoted"" word\r\nand a second line",18446744073709551615,11\r\n'
                 '\r\n'
                 'plain text with \u00a9 sign,0,12\r\n'
                 '"",42,13')
    with open(os.path.join(out, "edge_latin1.csv"), "wb") as f:
        f.write(edge_text.encode("latin-1"))
    expected = {}
    for name, enc in (("dataset_sample.csv", "utf-8"), ("edge_latin1.csv", "latin-1")):
        with open(os.path.join(out, name), encoding=enc, newline="") as f:
            rows = [r for r in csv.reader(f) if r]
        header = rows[0]
        ip, iseed, iind = header.index("prompts"), header.index("seeds"), header.index("prompt_inds")
        expected[name] = [{"prompt": r[ip], "seed": r[iseed], "prompt_ind": int(r[iind])} for r in rows[1:]]
    with open(os.path.join(out, "csv_expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)

    with open(os.path.join(out, "FIXTURE.md"), "w") as f:
        f.write("# formats fixtures\n\nMade by `OMP_NUM_THREADS=1 python3 tools/make_pipeline_fixtures.py formats` "
                "(from the repository root, with ../shared/data beside it).\n\n"
                f"Versions: {json.dumps(versions())}\n\n"
                "- `*.npy`: written by numpy (`np.save`, `np.lib.format.write_array(version=…)`); `f16_ref.npy` is "
                "`f16_src_f32.npy.astype(float16)`; `truncated.npy` is `f32_v1.npy` less its last 10 bytes.\n"
                "- `*.png`: written by Pillow; their pixels in the `.npy` of the same name (gray16 as int64).\n"
                f"- `dataset_sample.csv`: data rows {DATASET_ROWS} of train_split_prompts_seeds.csv, bytes verbatim; "
                "`edge_latin1.csv`: ISO-8859-1, CRLF, embedded newline, doubled quotes, blank line, max UInt64 seed.\n"
                "- `csv_expected.json`: the rows Python's csv module reads (utf-8 / latin-1 respectively).\n")


# ---------------------------------------------------------------------------------------------------------------
# pipeline

TINY = os.path.join(FIX, "tiny-sd")
PROMPT = "a red cube on a wooden table, photo"
NEGATIVE = ""
SEED = 42
STEPS = 15
GUIDANCE = 7.5
SIZE = 64  # pixels; the tiny VAE has 3 upsamplers, so the latent is 8x8 (the tiny UNet's sample_size)
# (name, scheduler class, weights variant, store both CFG branches of the activations)
RUNS = [("lms", "LMSDiscreteScheduler", None, True),
        ("ddim", "DDIMScheduler", None, False),
        ("pndm", "PNDMScheduler", None, False),
        ("lms_fp16w", "LMSDiscreteScheduler", "fp16", None)]


def tiny_tokenizer_and_scheduler():
    """The tiny model's CLIP tokenizer (its own folder, else the tokenizer fixture) and its scheduler config."""
    from transformers import CLIPTokenizer
    tok_dir = os.path.join(TINY, "tokenizer")
    if not os.path.isfile(os.path.join(tok_dir, "vocab.json")):
        tok_dir = os.path.join(FIX, "clip-tokenizer")
    with open(os.path.join(TINY, "scheduler", "scheduler_config.json")) as f:
        return CLIPTokenizer.from_pretrained(tok_dir), json.load(f)


def write_summary(out, json_name, summary, fixture_md):
    """The fixture folder's summary JSON and its FIXTURE.md."""
    with open(os.path.join(out, json_name), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(out, "FIXTURE.md"), "w") as f:
        f.write(fixture_md)


def make_pipeline():
    # StableDiffusionPipeline never uses torchvision, but transformers imports it for CLIPImageProcessor when it is
    # installed, and a torchvision whose compiled ops do not match torch fails there ("torchvision::nms does not
    # exist"). Hiding it makes transformers take its PIL-only path.
    sys.modules.setdefault("torchvision", None)
    import torch
    import diffusers
    from diffusers import StableDiffusionPipeline

    torch.set_num_threads(1)
    out = os.path.join(FIX, "pipeline")
    os.makedirs(out, exist_ok=True)
    tokenizer, sched_config = tiny_tokenizer_and_scheduler()

    g = torch.manual_seed(SEED)
    noise = torch.randn((1, 4, SIZE // 8, SIZE // 8), generator=g, dtype=torch.float32)  # = torch.manual_seed; randn
    np.save(os.path.join(out, "noise.npy"), noise.numpy())
    summary = {"prompt": PROMPT, "negative_prompt": NEGATIVE, "seed": SEED, "steps": STEPS, "guidance": GUIDANCE,
               "height": SIZE, "width": SIZE, "runs": {}}

    for name, cls, variant, both in RUNS:
        pipe = StableDiffusionPipeline.from_pretrained(TINY, tokenizer=tokenizer, safety_checker=None,
                                                       feature_extractor=None, requires_safety_checker=False,
                                                       torch_dtype=torch.float32)
        fp16_parts = []
        if variant == "fp16":
            # Components that have .fp16 files load them (upcast to float32); the rest stay fp32, as
            # `StableDiffusionModel(variant: .fp16)` does on the Swift side.
            from diffusers import AutoencoderKL, UNet2DConditionModel
            from transformers import CLIPTextModel
            for part, loader, stem in (("unet", UNet2DConditionModel, "diffusion_pytorch_model"),
                                       ("vae", AutoencoderKL, "diffusion_pytorch_model"),
                                       ("text_encoder", CLIPTextModel, "model")):
                if os.path.isfile(os.path.join(TINY, part, stem + ".fp16.safetensors")):
                    m = loader.from_pretrained(os.path.join(TINY, part), variant="fp16", torch_dtype=torch.float32)
                    setattr(pipe, part, m.eval())
                    fp16_parts.append(part)
        pipe.scheduler = getattr(diffusers, cls).from_config(sched_config)
        pipe.set_progress_bar_config(disable=True)

        # Token ids and text states exactly as encode_prompt computes them.
        ids = [tokenizer(p, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                         return_tensors="pt").input_ids for p in (NEGATIVE, PROMPT)]
        ids = torch.cat(ids)
        with torch.no_grad():
            states = pipe.text_encoder(ids)[0]

        # Capture attn1.to_out.0 outputs (the self-attention outputs), [2, h*w, C] per call.
        paths = [n[: -len(".to_out.0")] for n, _ in pipe.unet.named_modules() if n.endswith("attn1.to_out.0")]
        acts = {p: [] for p in paths}
        hooks = []
        for p in paths:
            mod = pipe.unet.get_submodule(p + ".to_out.0")
            hooks.append(mod.register_forward_hook(lambda m, i, o, p=p: acts[p].append(o.detach().clone())))
        # Record the sampler's predicted x0 where its step returns one (DDIM, K-LMS).
        x0s = []
        orig_step = pipe.scheduler.step

        def step(*a, **k):
            wants_tuple = k.get("return_dict", True) is False
            k["return_dict"] = True
            r = orig_step(*a, **k)
            x0 = getattr(r, "pred_original_sample", None)
            x0s.append(None if x0 is None else x0.detach().clone())
            return (r.prev_sample,) if wants_tuple else r
        pipe.scheduler.step = step
        latents = [None]  # the initial latent, filled in below
        steps_seen = []

        def on_step(pipeline, i, t, kwargs):
            latents.append(kwargs["latents"].detach().clone())
            steps_seen.append(float(t))
            return kwargs

        with torch.no_grad():
            res = pipe(PROMPT, negative_prompt=NEGATIVE, num_inference_steps=STEPS, guidance_scale=GUIDANCE,
                       height=SIZE, width=SIZE, latents=noise.clone(), output_type="np",
                       callback_on_step_end=on_step, callback_on_step_end_tensor_inputs=["latents"])
        for h in hooks:
            h.remove()
        sigma = pipe.scheduler.init_noise_sigma
        latents[0] = noise * sigma
        lat = torch.cat(latents).numpy().astype(np.float32)                   # [U+1, 4, h, w]
        image = res.images[0]                                                  # [H, W, 3] float in [0, 1]
        image_u8 = (image * 255).round().astype(np.uint8)                      # numpy_to_pil
        prefix = os.path.join(out, name)
        np.save(prefix + "_latents.npy", lat)
        np.save(prefix + "_image.npy", image_u8)
        np.save(prefix + "_image_float.npy", image.astype(np.float32))
        run = {"scheduler": cls, "weights_variant": variant or "fp32", "fp16_components": fp16_parts,
               "calls": len(steps_seen),
               "timesteps": steps_seen, "init_noise_sigma": float(sigma), "files": {}}
        if both is not None:
            np.save(os.path.join(out, "text_ids.npy"), ids.numpy().astype(np.int64))
            np.save(prefix + "_text_states.npy", states.numpy().astype(np.float32))   # [2, 77, D] uncond, cond
            layer_meta = []
            for p in paths:
                a = torch.stack(acts[p])                                       # [U, 2, h*w, C]
                u, b, n, c = a.shape
                hw = int(round(n ** 0.5))
                a = a.permute(0, 1, 3, 2).reshape(u, b, c, hw, hw).numpy()     # [U, 2, C, h, w]
                if not both:
                    a = a[:, 1]                                                # [U, C, h, w] conditional branch
                np.save(os.path.join(out, f"{name}_act_{p}.npy"), a.astype(np.float32))
                layer_meta.append({"path": p, "shape": list(a.shape)})
            run["layers"] = layer_meta
            run["activation_branches"] = "both" if both else "cond"
            if x0s and all(x is not None for x in x0s):
                np.save(prefix + "_x0.npy", torch.cat(x0s).numpy().astype(np.float32))     # [U, 4, h, w]
        summary["runs"][name] = run
        print(name, "calls", len(steps_seen), "sigma", float(sigma), "image mean", float(image.mean()))

    write_summary(out, "pipeline.json", summary,
                "# pipeline fixtures\n\n"
                "Made by `OMP_NUM_THREADS=1 python3 tools/make_pipeline_fixtures.py pipeline` from the tiny random model "
                "in Tests/Fixtures/tiny-sd (tools/tiny_sd.py).\n\n"
                f"Versions: {json.dumps(versions())}\n\n"
                f"diffusers StableDiffusionPipeline, prompt {PROMPT!r}, negative {NEGATIVE!r}, {STEPS} steps, guidance "
                f"{GUIDANCE}, {SIZE}x{SIZE}, latents=noise.npy (torch.manual_seed({SEED}); torch.randn([1,4,8,8])), "
                "schedulers built with from_config(tiny-sd/scheduler/scheduler_config.json) (SD v1.4's).\n\n"
                "- `<run>_latents.npy` float32 [U+1, 4, 8, 8]: noise·init_noise_sigma, then latents after each call "
                "(callback_on_step_end).\n"
                "- `<run>_act_<path>.npy`: attn1.to_out.0 outputs per call, transposed to [U, 2, C, h, w] (uncond, "
                "cond) for lms, [U, C, h, w] (cond) for ddim and pndm.\n"
                "- `<run>_x0.npy` [U, 4, 8, 8]: the scheduler's pred_original_sample (DDIM, K-LMS).\n"
                "- `<run>_image.npy` uint8 [64, 64, 3] (numpy_to_pil rounding) and `_image_float.npy` (output_type np).\n"
                "- `text_ids.npy` [2, 77] and `<run>_text_states.npy` [2, 77, D]: [negative, prompt].\n"
                "- `lms_fp16w`: K-LMS with the .fp16 weight files upcast to float32 (latents and image only).\n"
                "- `pipeline.json`: settings, per-run timesteps, call counts, init_noise_sigma.\n")


if __name__ == "__main__":
    what = sys.argv[1:] or ["formats", "pipeline"]
    for w in what:
        {"formats": make_formats, "pipeline": lambda: make_pipeline()}[w]()
