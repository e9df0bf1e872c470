"""PyTorch side of `ldmprobe bench vae-decode`: diffusers AutoencoderKL (SD v1.4 vae/config.json, random weights),
fp32, `vae.decode(z)` (post_quant_conv + decoder) of one latent [B, 4, size/8, size/8], one JSON line like the
Swift bench.

    python3 bench/vae_decode_torch.py --size 512 --batch 1 --repeat 3 [--threads 2] [--profile]
"""
import argparse

import torch

from torch_common import common_args, run_bench

SD_V14_VAE = dict(  # CompVis/stable-diffusion-v1-4 vae/config.json
    in_channels=3, out_channels=3, latent_channels=4, block_out_channels=[128, 256, 512, 512], layers_per_block=2,
    down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4, act_fn="silu",
    norm_num_groups=32, sample_size=512, scaling_factor=0.18215,
)


class VAEDecode(torch.nn.Module):
    """vae.decode(z).sample as a function of tensors only (ONNX export)."""

    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, z):
        return self.vae.decode(z, return_dict=False)[0]


def build(size: int, batch: int):
    """(module, inputs): one latent [B, 4, size/8, size/8]."""
    from diffusers import AutoencoderKL
    torch.manual_seed(0)
    vae = AutoencoderKL(**SD_V14_VAE).eval()
    return VAEDecode(vae).eval(), (torch.randn(batch, 4, size // 8, size // 8),)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--batch", type=int, default=1)
    a = common_args(ap).parse_args()
    torch.set_num_threads(a.threads)
    model, inputs = build(a.size, a.batch)
    run_bench("vae-decode", a, lambda: model(*inputs), {"size": a.size, "batch": a.batch})


if __name__ == "__main__":
    main()
