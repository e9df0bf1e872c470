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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="sd-v1.4")
    ap.add_argument("--latent", type=int, default=32)
    ap.add_argument("--batch", type=int, default=2)
    a = common_args(ap).parse_args()
    torch.set_num_threads(a.threads)
    from diffusers import UNet2DConditionModel
    if a.config == "sd-v1.4":
        unet = UNet2DConditionModel(**SD_V14)
    else:
        unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(os.path.dirname(a.config) or "."))
    unet.eval()
    cfg = unet.config
    x = torch.randn(a.batch, cfg.in_channels, a.latent, a.latent)
    c = torch.randn(a.batch, 77, cfg.cross_attention_dim)
    t = torch.tensor([501] * a.batch)
    run_bench("unet", a, lambda: unet(x, t, encoder_hidden_states=c),
              {"config": a.config, "latent": a.latent, "batch": a.batch})


if __name__ == "__main__":
    main()
