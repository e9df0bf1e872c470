"""PyTorch side of `ldmprobe bench unet`: diffusers UNet2DConditionModel (SD v1.4 config, random weights), fp32,
torch.set_num_threads(2), batch 2 (CFG), one JSON line like the Swift bench.

    python3 bench/unet_torch.py --latent 32 --batch 2 --repeat 3 [--config sd-v1.4|PATH/config.json] [--threads 2]
"""
import argparse, json, os, resource, statistics, sys, time

import torch

# transformers (imported by diffusers) imports the installed torchvision, whose _C.so does not load next to this
# CPU torch: declare the ops its registrations expect (as tools/tiny_sd.py does).
try:
    _tv_lib = torch.library.Library("torchvision", "DEF")
    _tv_lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _tv_lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
except Exception:
    pass

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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up call (ldmprobe bench does one too)")
    a = ap.parse_args()
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
    times = []
    with torch.no_grad():
        if not a.no_warmup:
            unet(x, t, encoder_hidden_states=c)
        for i in range(a.repeat):
            t0 = time.perf_counter()
            unet(x, t, encoder_hidden_states=c)
            times.append(time.perf_counter() - t0)
            print(f"call {i + 1}/{a.repeat}: {times[-1]:.2f} s", file=sys.stderr)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"engine": "pytorch", "model": "unet", "config": a.config, "latent": a.latent, "batch": a.batch,
                      "repeat": a.repeat, "threads": a.threads, "median_s": statistics.median(times),
                      "min_s": min(times), "times_s": times, "peak_rss_bytes": rss,
                      "torch": torch.__version__, "load_avg_1m": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
