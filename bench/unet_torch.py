"""PyTorch side of `ldmprobe bench unet`: diffusers UNet2DConditionModel (SD v1.4 config, random weights), fp32,
torch.set_num_threads(2), batch 2 (CFG), one JSON line like the Swift bench.

    python3 bench/unet_torch.py --latent 32 --batch 2 --repeat 3 [--config sd-v1.4|PATH/config.json] [--threads 2]
                                [--profile]
"""
import argparse, os

import torch

from torch_common import common_args, run_bench

SD_V14 = dict(  # CompVis/stable-diffusion-v1-4 unet/config.json
    sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
    block_out_channels=[320, 640, 1280, 1280], attention_head_dim=8, cross_attention_dim=768,
    down_block_types=["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"],
    up_block_types=["UpBlock2D"] + ["CrossAttnUpBlock2D"] * 3,
    norm_num_groups=32, norm_eps=1e-5, flip_sin_to_cos=True, freq_shift=0, act_fn="silu",
    center_input_sample=False, downsample_padding=1, mid_block_scale_factor=1,
)


class UNetEps(torch.nn.Module):
    """The UNet as a function of tensors only (ε̂), so that it exports to ONNX as it is timed."""

    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, x, t, c):
        return self.unet(x, t, encoder_hidden_states=c, return_dict=False)[0]


def build(config: str, latent: int, batch: int):
    """(module, inputs): sample [B, 4, L, L], timesteps [B], encoder_hidden_states [B, 77, 768]."""
    from diffusers import UNet2DConditionModel
    torch.manual_seed(0)
    if config == "sd-v1.4":
        unet = UNet2DConditionModel(**SD_V14)
    else:
        unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(os.path.dirname(config) or "."))
    cfg = unet.config
    x = torch.randn(batch, cfg.in_channels, latent, latent)
    c = torch.randn(batch, 77, cfg.cross_attention_dim)
    t = torch.tensor([501] * batch)
    return UNetEps(unet).eval(), (x, t, c)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="sd-v1.4")
    ap.add_argument("--latent", type=int, default=32)
    ap.add_argument("--batch", type=int, default=2)
    a = common_args(ap).parse_args()
    torch.set_num_threads(a.threads)
    model, inputs = build(a.config, a.latent, a.batch)
    run_bench("unet", a, lambda: model(*inputs), {"config": a.config, "latent": a.latent, "batch": a.batch})


if __name__ == "__main__":
    main()
