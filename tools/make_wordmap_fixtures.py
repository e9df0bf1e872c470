#!/usr/bin/env python3
"""Fixtures for the cross-attention probability capture and the DAAM word maps (Tests/StudiesTests/WordMap*).

diffusers' StableDiffusionPipeline on the tiny random model (Tests/Fixtures/tiny-sd, tools/tiny_sd.py) with DDIM,
with an attention processor on every cross-attention module (`…attn2`) that stores softmax(Q·Kᵀ·scale) — diffusers'
own `Attention.get_attention_scores` — of the conditional branch, [heads, h·w, 77], at every step. From those
probabilities the DAAM aggregation (Tang et al. 2022, castorini/daam, re-implemented here in torch/numpy):

  per (layer, head): sum over the chosen steps of the token maps [77, h, w];
  each bicubically upsampled (torch F.interpolate, align_corners=False) to the latent size, clamped at 0;
  mean over the chosen (layer, head) pairs -> [77, H/8, W/8]; optionally divided by the sum over the prompt's
  word tokens (DAAM's `normalize`);
  a word's map = mean over its sub-token maps (token index + 1 for the start token);
  expanded to the image: bicubic to H×W, then min-max normalised (DAAM's expand_as with absolute=False).

Run from the repository root:
    OMP_NUM_THREADS=1 python3 tools/make_wordmap_fixtures.py
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
TINY = os.path.join(FIX, "tiny-sd")
OUT = os.path.join(FIX, "wordmaps")
PROMPT = "an axolotl on a wooden table, photorealistic"
WORDS = ["axolotl", "table", "photorealistic"]
SEED = 42
STEPS = 4
GUIDANCE = 7.5
SIZE = 64
# Steps whose raw probabilities are stored (all are aggregated).
STORED_STEPS = [0, STEPS - 1]
# The second aggregation: a layer subset, one head, some steps, normalised over the words.
ALT = {"layers": ["up_blocks.2.attentions.1.transformer_blocks.0.attn2.probs",
                  "down_blocks.0.attentions.1.transformer_blocks.0.attn2.probs"],
       "heads": [3], "steps": [1, 2], "normalize": True}


def versions():
    import importlib
    out = {"numpy": np.__version__, "python": sys.version.split()[0]}
    for name in ("torch", "diffusers", "transformers"):
        try:
            out[name] = importlib.import_module(name).__version__
        except Exception:
            pass
    return out


def aggregate(torch, probs, layers, heads, steps, n_tokens, latent, normalize):
    """DAAM's global map [n_tokens + 2, latent, latent] from probs[layer] = [U, heads, h·w, 77]."""
    F = torch.nn.functional
    merged = []
    for layer in layers:
        p = torch.from_numpy(probs[layer])                              # [U, heads, hw, 77]
        hw = p.shape[2]
        side = int(round(hw ** 0.5))
        summed = p[steps].sum(0)                                        # [heads, hw, 77]
        for h in heads:
            m = summed[h].permute(1, 0).reshape(1, 77, side, side)     # [1, 77, h, w]
            m = F.interpolate(m, size=(latent, latent), mode="bicubic", align_corners=False).clamp(min=0)
            merged.append(m[0])
    maps = torch.stack(merged).mean(0)[: n_tokens + 2]                  # [n+2, L, L]
    if normalize:
        maps = maps / (maps[1:-1].sum(0, keepdim=True) + 1e-6)
    return maps


def word_tokens(tokenizer, word):
    """Positions (1-based, after the start token) of the word's sub-tokens in the prompt."""
    toks = tokenizer.tokenize(PROMPT)
    target = tokenizer.tokenize(word)
    for i in range(len(toks) - len(target) + 1):
        if toks[i:i + len(target)] == target:
            return [i + 1 + k for k in range(len(target))]
    raise ValueError(word)


def main():
    sys.modules.setdefault("torchvision", None)
    import torch
    import diffusers
    from diffusers import StableDiffusionPipeline, DDIMScheduler
    from transformers import CLIPTokenizer

    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    tokenizer = CLIPTokenizer.from_pretrained(os.path.join(TINY, "tokenizer"))
    with open(os.path.join(TINY, "scheduler", "scheduler_config.json")) as f:
        sched_config = json.load(f)
    pipe = StableDiffusionPipeline.from_pretrained(TINY, tokenizer=tokenizer, safety_checker=None,
                                                   feature_extractor=None, requires_safety_checker=False,
                                                   torch_dtype=torch.float32)
    pipe.scheduler = DDIMScheduler.from_config(sched_config)
    pipe.set_progress_bar_config(disable=True)

    probs = {}

    class ProbsProcessor:
        """AttnProcessor's computation, keeping the conditional half of the attention probabilities."""

        def __init__(self, name):
            self.name = name

        def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, **kw):
            q = attn.head_to_batch_dim(attn.to_q(hidden_states))
            k = attn.head_to_batch_dim(attn.to_k(encoder_hidden_states))
            v = attn.head_to_batch_dim(attn.to_v(encoder_hidden_states))
            p = attn.get_attention_scores(q, k, None)                  # [B·heads, hw, 77]
            heads = attn.heads
            cond = p[p.shape[0] - heads:]                               # batch is [uncond, cond]
            probs.setdefault(self.name, []).append(cond.detach().clone().numpy())
            out = attn.batch_to_head_dim(torch.bmm(p, v))
            return attn.to_out[1](attn.to_out[0](out))

    names = [n for n, _ in pipe.unet.named_modules() if n.endswith("attn2")]
    for n in names:
        pipe.unet.get_submodule(n).set_processor(ProbsProcessor(n + ".probs"))

    g = torch.manual_seed(SEED)
    noise = torch.randn((1, 4, SIZE // 8, SIZE // 8), generator=g, dtype=torch.float32)
    with torch.no_grad():
        res = pipe(PROMPT, negative_prompt="", num_inference_steps=STEPS, guidance_scale=GUIDANCE, height=SIZE,
                   width=SIZE, latents=noise.clone(), output_type="np")
    np.save(os.path.join(OUT, "noise.npy"), noise.numpy())
    np.save(os.path.join(OUT, "image.npy"), (res.images[0] * 255).round().astype(np.uint8))

    layers = sorted(probs)
    stacked = {l: np.stack(probs[l]).astype(np.float32) for l in layers}        # [U, heads, hw, 77]
    for l in layers:
        np.save(os.path.join(OUT, f"probs_{l}.npy"), stacked[l][STORED_STEPS])
    n_tokens = len(tokenizer.tokenize(PROMPT))
    latent = SIZE // 8
    F = torch.nn.functional
    heads = stacked[layers[0]].shape[1]
    default_layers = [l for l in layers if not l.startswith("mid_block")]
    configs = {"default": dict(layers=default_layers, heads=list(range(heads)), steps=list(range(STEPS)),
                               normalize=False),
               "alt": ALT}
    summary = {"prompt": PROMPT, "seed": SEED, "steps": STEPS, "guidance": GUIDANCE, "size": SIZE,
               "stored_steps": STORED_STEPS, "layers": layers, "n_tokens": n_tokens,
               "tokens": tokenizer.tokenize(PROMPT), "words": {}, "configs": configs}
    for cname, c in configs.items():
        maps = aggregate(torch, stacked, c["layers"], c["heads"], c["steps"], n_tokens, latent, c["normalize"])
        np.save(os.path.join(OUT, f"{cname}_global.npy"), maps.numpy().astype(np.float32))       # [n+2, L, L]
        for w in WORDS:
            idx = word_tokens(tokenizer, w)
            summary["words"][w] = idx
            wm = maps[idx].mean(0)                                                               # [L, L]
            big = F.interpolate(wm[None, None], size=(SIZE, SIZE), mode="bicubic", align_corners=False)[0, 0]
            big = (big - big.min()) / (big.max() - big.min() + 1e-8)                           # [H, W]
            np.save(os.path.join(OUT, f"{cname}_word_{w}.npy"), big.numpy().astype(np.float32))
            np.save(os.path.join(OUT, f"{cname}_latent_{w}.npy"), wm.numpy().astype(np.float32))
    with open(os.path.join(OUT, "wordmaps.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(OUT, "FIXTURE.md"), "w") as f:
        f.write("# wordmaps fixtures\n\n"
                "Made by `OMP_NUM_THREADS=1 python3 tools/make_wordmap_fixtures.py` from the tiny random model in "
                "Tests/Fixtures/tiny-sd (tools/tiny_sd.py).\n\n"
                f"Versions: {json.dumps(versions())}\n\n"
                f"diffusers StableDiffusionPipeline + DDIMScheduler (from tiny-sd's scheduler config), prompt "
                f"{PROMPT!r}, negative '', {STEPS} steps, guidance {GUIDANCE}, {SIZE}x{SIZE}, latents=noise.npy "
                f"(torch.manual_seed({SEED}); torch.randn([1,4,8,8])).\n\n"
                "- `probs_<layer>.attn2.probs.npy` float32 [len(stored_steps), heads, h·w, 77]: softmax(Q·Kᵀ·scale) "
                "of the conditional branch (Attention.get_attention_scores in a custom processor) at the steps "
                "`stored_steps` of wordmaps.json.\n"
                "- `<config>_global.npy` [n_tokens+2, 8, 8]: DAAM's global map (see the script's docstring); "
                "`<config>_latent_<word>.npy` [8, 8] a word's map (mean over its sub-tokens); "
                "`<config>_word_<word>.npy` [64, 64] expanded to the image (bicubic, min-max normalised).\n"
                "- configs: `default` = DAAM's defaults (every attn2 but the mid block, all heads, all steps, no "
                "normalisation); `alt` = the layers/heads/steps/normalisation in wordmaps.json.\n"
                "- `image.npy` uint8 [64, 64, 3]: the generated image.\n")
    print("layers", len(layers), "tokens", n_tokens, summary["words"])


if __name__ == "__main__":
    main()
