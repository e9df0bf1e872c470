"""Reference UNet / VAE outputs on the tiny SD model (Tests/Fixtures/tiny-sd) for Tests/ModelTests.

Run: OMP_NUM_THREADS=1 python3 tools/make_model_fixtures.py
(after `python3 tools/tiny_sd.py`). Writes Tests/Fixtures/models/:
  unet_io.safetensors  case "a": sample [2,4,8,8], timestep 501 (both), encoder_hidden_states [2,77,16]
                         → out; taps "a.tap.<module path>" = outputs of every attn1 (hooked on attn1.to_out.0),
                         one attn2, one Transformer2DModel, one resnet, one block
                       case "b": sample [1,4,10,6] (odd sizes: upsample to the skip's size), timestep 37.5 → out
  vae_io.safetensors   decode: latents [1,4,8,8] → image [1,3,64,64]; encode: image → latent_dist mean, logvar
  FIXTURE.md           versions and this command
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
from safetensors.torch import save_file
from tiny_sd import load_tiny_sd, DEFAULT_OUT, REPO

OUT = os.path.join(REPO, "Tests", "Fixtures", "models")


def main():
    torch.set_num_threads(1)
    unet, vae, _ = load_tiny_sd(DEFAULT_OUT)
    g = torch.Generator().manual_seed(1234)
    t = {}

    # UNet, case a, with hooks on the capture points.
    sample = torch.randn(2, 4, 8, 8, generator=g)
    ehs = torch.randn(2, 77, unet.config.cross_attention_dim, generator=g)
    captured = {}
    hooks = []
    for name, mod in unet.named_modules():
        path = None
        if name.endswith("attn1.to_out.0"):
            path = name[: -len(".to_out.0")]
        elif name in ("down_blocks.1.attentions.1.transformer_blocks.0.attn2", "up_blocks.2.attentions.0",
                      "mid_block.resnets.1", "up_blocks.1", "down_blocks.0"):
            path = name
        if path:
            def hook(m, inp, out, path=path):
                o = out[0] if isinstance(out, tuple) else out
                captured[path] = o.detach().clone()
            hooks.append(mod.register_forward_hook(hook))
    with torch.no_grad():
        out = unet(sample, torch.tensor([501.0, 501.0]), encoder_hidden_states=ehs).sample
    for h in hooks:
        h.remove()
    t["a.sample"], t["a.encoder_hidden_states"], t["a.out"] = sample, ehs, out
    t["a.timesteps"] = torch.tensor([501.0, 501.0])
    for k, v in captured.items():
        # down_blocks.i output is a tuple (hidden, skips): the hook took element 0, the hidden state.
        t["a.tap." + k] = v
    print("unet a: out", tuple(out.shape), "taps", len(captured), "scale", out.abs().max().item())

    # Case b: odd latent size, fractional timestep, batch 1.
    sample = torch.randn(1, 4, 10, 6, generator=g)
    ehs = torch.randn(1, 77, unet.config.cross_attention_dim, generator=g)
    with torch.no_grad():
        out = unet(sample, torch.tensor([37.5]), encoder_hidden_states=ehs).sample
    t["b.sample"], t["b.encoder_hidden_states"], t["b.out"], t["b.timesteps"] = sample, ehs, out, torch.tensor([37.5])
    os.makedirs(OUT, exist_ok=True)
    save_file({k: v.contiguous().float() for k, v in t.items()}, os.path.join(OUT, "unet_io.safetensors.tmp"))
    os.replace(os.path.join(OUT, "unet_io.safetensors.tmp"), os.path.join(OUT, "unet_io.safetensors"))

    # VAE.
    v = {}
    z = torch.randn(1, 4, 8, 8, generator=g)
    img = torch.rand(1, 3, 64, 64, generator=g) * 2 - 1
    with torch.no_grad():
        dec = vae.decode(z).sample
        dist = vae.encode(img).latent_dist
    v["decode.latents"], v["decode.image"] = z, dec
    v["encode.image"], v["encode.mean"], v["encode.logvar"] = img, dist.mean, dist.logvar
    print("vae decode", tuple(dec.shape), "scale", dec.abs().max().item(), "encode", tuple(dist.mean.shape))
    save_file({k: x.contiguous().float() for k, x in v.items()}, os.path.join(OUT, "vae_io.safetensors.tmp"))
    os.replace(os.path.join(OUT, "vae_io.safetensors.tmp"), os.path.join(OUT, "vae_io.safetensors"))

    import diffusers, transformers, safetensors
    with open(os.path.join(OUT, "FIXTURE.md"), "w") as f:
        f.write("# UNet / VAE reference outputs on Tests/Fixtures/tiny-sd\n\n"
                f"torch {torch.__version__}, diffusers {diffusers.__version__}, transformers {transformers.__version__}, "
                f"safetensors {safetensors.__version__}; float32, CPU, 1 thread.\n\n"
                "Command: `OMP_NUM_THREADS=1 python3 tools/tiny_sd.py && OMP_NUM_THREADS=1 python3 tools/make_model_fixtures.py`\n\n"
                "unet_io.safetensors: a.* (batch 2, 8×8, t=501, taps as `a.tap.<module path>`: attn1 = output of "
                "attn1.to_out.0 via a forward hook), b.* (batch 1, 10×6, t=37.5).\n"
                "vae_io.safetensors: decode.latents → decode.image; encode.image → encode.mean, encode.logvar.\n")


if __name__ == "__main__":
    main()
