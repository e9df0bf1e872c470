"""Reference FLOP counts per op kind of one SD v1.4 UNet call (diffusers UNet2DConditionModel), for the test of
`ldmprobe bench unet --count-flops` (Tests/CLITests/BenchFLOPsCLITests.swift). Writes
Tests/Fixtures/bench/unet_flops.json.

    python3 tools/make_bench_flops_fixtures.py        (tools/requirements.txt; runs on the meta device, seconds)

Counted from the modules that run (forward hooks), with the same conventions as Sources/Host/UNetFLOPs.swift:
a multiply-add is 2 FLOPs; 1×1 convs proj_in/proj_out of the transformers count as "linear" (ldmprobe runs them
as matmuls on tokens); GroupNorm/LayerNorm 7 FLOPs per element; attention = Q·Kᵀ + P·V (torch's FlopCounterMode
count of scaled_dot_product_attention or bmm/baddbmm) + 5 FLOPs per softmax score. FlopCounterMode's totals for
convolution and matmul are checked against the hook sums, so the hooks miss no conv or matmul.
"""
import json, os, sys

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
from unet_torch import SD_V14  # noqa: E402  (bench/torch_common makes importing diffusers safe)

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "bench", "unet_flops.json")
CASES = [(32, 2), (64, 2), (20, 1)]  # latent, batch; 20 has odd sizes (5 → 3) on the way down


def count(unet, latent: int, batch: int) -> dict:
    from diffusers.models.attention_processor import Attention
    kinds = {k: 0 for k in ("conv3x3", "conv1x1", "linear", "attention", "groupnorm", "layernorm")}
    proj = [0]  # the proj_in/proj_out 1×1 convs, counted as "linear"
    handles = []
    for name, m in unet.named_modules():
        def hook(mod, args, out, name=name):
            x = args[0] if args else None
            if isinstance(mod, torch.nn.Conv2d):
                k = mod.kernel_size[0] * mod.kernel_size[1]
                f = 2 * out.numel() * mod.in_channels * k
                if name.endswith(("proj_in", "proj_out")):
                    kinds["linear"] += f
                    proj[0] += f
                else:
                    kinds["conv1x1" if k == 1 else "conv3x3"] += f
            elif isinstance(mod, torch.nn.Linear):
                kinds["linear"] += 2 * out.numel() * mod.in_features
            elif isinstance(mod, torch.nn.GroupNorm):
                kinds["groupnorm"] += 7 * x.numel()
            elif isinstance(mod, torch.nn.LayerNorm):
                kinds["layernorm"] += 7 * x.numel()
        handles.append(m.register_forward_hook(hook))
        if isinstance(m, Attention):
            def scores(mod, args, kwargs):
                q = args[0] if args else kwargs["hidden_states"]
                ctx = kwargs.get("encoder_hidden_states")
                ctx = q if ctx is None else ctx
                kinds["attention"] += 5 * q.shape[0] * mod.heads * q.shape[1] * ctx.shape[1]
            handles.append(m.register_forward_pre_hook(scores, with_kwargs=True))
    x = torch.randn(batch, 4, latent, latent, device="meta")
    c = torch.randn(batch, 77, 768, device="meta")
    t = torch.tensor([501] * batch, device="meta")
    with torch.no_grad(), FlopCounterMode(display=False) as fc:
        unet(x, t, encoder_hidden_states=c)
    for h in handles:
        h.remove()
    ops = {str(k): v for k, v in fc.get_flop_counts()["Global"].items()}
    conv = sum(v for k, v in ops.items() if "convolution" in k)
    mm = sum(v for k, v in ops.items() if k.split(".")[-1] in ("mm", "addmm"))
    # Q·Kᵀ and P·V: scaled_dot_product_attention, or (diffusers' processor on some devices) bmm / baddbmm.
    sdpa = sum(v for k, v in ops.items() if "scaled_dot_product" in k or k.split(".")[-1] in ("bmm", "baddbmm"))
    assert conv == kinds["conv3x3"] + kinds["conv1x1"] + proj[0], f"conv: counter {conv}, hooks {kinds}"
    assert mm == kinds["linear"] - proj[0], f"matmul: counter {mm}, hooks {kinds}, proj {proj[0]}"
    kinds["attention"] += sdpa
    return {"latent": latent, "batch": batch, **kinds, "flop_counter_ops": ops}


def main():
    from diffusers import UNet2DConditionModel
    with torch.device("meta"):
        unet = UNet2DConditionModel(**SD_V14).eval()
    cases = []
    for latent, batch in CASES:
        cases.append(count(unet, latent, batch))
        print(f"latent {latent} batch {batch}: " + ", ".join(f"{k} {cases[-1][k] / 1e9:.3f}"
              for k in ("conv3x3", "conv1x1", "linear", "attention", "groupnorm", "layernorm")) + " GFLOP")
    import diffusers
    meta = {"diffusers": diffusers.__version__, "torch": torch.__version__, "config": "SD v1.4 unet/config.json",
            "command": "python3 tools/make_bench_flops_fixtures.py", "cases": cases}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    print(OUT)


if __name__ == "__main__":
    main()
