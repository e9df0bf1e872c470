"""A tiny random Stable Diffusion v1 model (same topology as SD v1.4, small widths) in the diffusers folder layout.

    from tiny_sd import make_tiny_sd
    pipe_dir = make_tiny_sd("Tests/Fixtures/tiny-sd")      # returns the folder; components as a dict via load_tiny_sd

Run as a script to (re)write Tests/Fixtures/tiny-sd:
    OMP_NUM_THREADS=1 python3 tools/tiny_sd.py [OUT_DIR]

Layout (as published for CompVis/stable-diffusion-v1-4):
    model_index.json
    unet/config.json, unet/diffusion_pytorch_model.safetensors
    vae/config.json,  vae/diffusion_pytorch_model.safetensors  (+ .fp16.safetensors variant)
    text_encoder/config.json, text_encoder/model.safetensors
    tokenizer/ (vocab.json, merges.txt, configs) when Tests/Fixtures/clip-tokenizer/ exists (the real CLIP vocabulary)
    scheduler/scheduler_config.json (SD v1.4's, verbatim)

Weights are diffusers'/transformers' default init (seeded), with every norm's affine weights and every bias
perturbed so tests exercise them. layers_per_block is 2 as in SD v1 (3 attentions per up level).
"""
import json, os, shutil, sys

import torch

# The installed torchvision wheel's _C.so does not load next to the CPU torch, and transformers imports torchvision
# when it is installed: declare the ops its meta registrations expect so that import succeeds (as
# tools/make_vgg_fixtures.py does). Harmless when torchvision is already importable.
try:
    _tv_lib = torch.library.Library("torchvision", "DEF")
    _tv_lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _tv_lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
except Exception:
    pass

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_OUT = os.path.join(REPO, "Tests", "Fixtures", "tiny-sd")
TOKENIZER_SRC = os.path.join(REPO, "Tests", "Fixtures", "clip-tokenizer")

# SD v1.4's scheduler/scheduler_config.json (no timestep_spacing / prediction_type keys, see REFERENCE.md).
SCHEDULER_CONFIG = {
    "_class_name": "PNDMScheduler",
    "_diffusers_version": "0.7.0.dev0",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "num_train_timesteps": 1000,
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "trained_betas": None,
    "clip_sample": False,
}

UNET_KW = dict(
    sample_size=8, in_channels=4, out_channels=4,
    block_out_channels=(32, 32, 32, 32), layers_per_block=2,
    down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
    up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
    cross_attention_dim=16, attention_head_dim=8, norm_num_groups=8,
)

VAE_KW = dict(
    in_channels=3, out_channels=3, latent_channels=4, sample_size=64,
    block_out_channels=(16, 16, 32, 32), layers_per_block=1, norm_num_groups=8,
    down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
    scaling_factor=0.18215,
)

CLIP_KW = dict(
    vocab_size=49408, hidden_size=16, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
    max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=16,
    bos_token_id=49406, eos_token_id=49407, pad_token_id=1,
)


def _perturb(model, seed):
    """Norm weights 1 + 0.1·N(0,1), biases 0.05·N(0,1): default init leaves them 1 and 0."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".bias"):
                p.add_(0.05 * torch.randn(p.shape, generator=g))
            elif "norm" in name and name.endswith(".weight") and p.dim() == 1:
                p.add_(0.1 * torch.randn(p.shape, generator=g))
    return model


def build_components(seed=0):
    """The tiny UNet, VAE and CLIP text model (eval mode, float32)."""
    from diffusers import UNet2DConditionModel, AutoencoderKL
    from transformers import CLIPTextConfig, CLIPTextModel
    torch.manual_seed(seed)
    unet = _perturb(UNet2DConditionModel(**UNET_KW), seed + 1).eval()
    torch.manual_seed(seed + 2)
    vae = _perturb(AutoencoderKL(**VAE_KW), seed + 3).eval()
    torch.manual_seed(seed + 4)
    text = _perturb(CLIPTextModel(CLIPTextConfig(**CLIP_KW)), seed + 5).eval()
    return unet, vae, text


def make_tiny_sd(out_dir=DEFAULT_OUT, seed=0, fp16=True):
    """Writes the tiny model to out_dir (diffusers layout, safetensors fp32, plus the VAE as an fp16 variant) and returns out_dir."""
    from diffusers import PNDMScheduler
    unet, vae, text = build_components(seed)
    tmp = out_dir.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    unet.save_pretrained(os.path.join(tmp, "unet"), safe_serialization=True)
    vae.save_pretrained(os.path.join(tmp, "vae"), safe_serialization=True)
    text.save_pretrained(os.path.join(tmp, "text_encoder"), safe_serialization=True)
    if fp16:
        # Only the VAE gets an fp16 variant: the size budget (~10 MB per fixture area) rules out the others.
        vae.half().save_pretrained(os.path.join(tmp, "vae"), safe_serialization=True, variant="fp16")
    sched = PNDMScheduler.from_config(SCHEDULER_CONFIG)
    os.makedirs(os.path.join(tmp, "scheduler"))
    with open(os.path.join(tmp, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SCHEDULER_CONFIG, f, indent=2)  # verbatim SD v1.4 keys, not sched.config (that adds defaults)
    del sched
    has_tok = os.path.isfile(os.path.join(TOKENIZER_SRC, "vocab.json"))
    if has_tok:  # hook: the text-weights engineer's real CLIP tokenizer files
        os.makedirs(os.path.join(tmp, "tokenizer"))
        for name in os.listdir(TOKENIZER_SRC):
            if name.endswith((".json", ".txt")) and name != "FIXTURE.md":
                shutil.copy(os.path.join(TOKENIZER_SRC, name), os.path.join(tmp, "tokenizer", name))
    import diffusers, transformers
    index = {
        "_class_name": "StableDiffusionPipeline",
        "_diffusers_version": diffusers.__version__,
        "feature_extractor": [None, None],
        "requires_safety_checker": False,
        "safety_checker": [None, None],
        "scheduler": ["diffusers", "PNDMScheduler"],
        "text_encoder": ["transformers", "CLIPTextModel"],
        "tokenizer": ["transformers", "CLIPTokenizer"] if has_tok else [None, None],
        "unet": ["diffusers", "UNet2DConditionModel"],
        "vae": ["diffusers", "AutoencoderKL"],
    }
    with open(os.path.join(tmp, "model_index.json"), "w") as f:
        json.dump(index, f, indent=2)
    with open(os.path.join(tmp, "FIXTURE.md"), "w") as f:
        f.write(
            "# tiny-sd: a tiny random SD v1-topology model (diffusers layout)\n\n"
            f"Made by `OMP_NUM_THREADS=1 python3 tools/tiny_sd.py` (seed {seed}) with torch {torch.__version__}, "
            f"diffusers {diffusers.__version__}, transformers {transformers.__version__}.\n\n"
            f"- unet: {json.dumps({k: v for k, v in UNET_KW.items()})}\n"
            f"- vae: {json.dumps(VAE_KW)}\n"
            f"- text_encoder: {json.dumps(CLIP_KW)}\n"
            "- fp32 safetensors (vae also as a `.fp16.safetensors` variant); scheduler_config.json is SD v1.4's verbatim.\n"
            f"- tokenizer/: {'copied from Tests/Fixtures/clip-tokenizer' if has_tok else 'absent (no Tests/Fixtures/clip-tokenizer yet)'}\n")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    return out_dir


def load_tiny_sd(out_dir=DEFAULT_OUT):
    """The saved components back as (unet, vae, text_encoder), float32, eval mode."""
    from diffusers import UNet2DConditionModel, AutoencoderKL
    from transformers import CLIPTextModel
    unet = UNet2DConditionModel.from_pretrained(os.path.join(out_dir, "unet")).eval()
    vae = AutoencoderKL.from_pretrained(os.path.join(out_dir, "vae")).eval()
    text = CLIPTextModel.from_pretrained(os.path.join(out_dir, "text_encoder")).eval()
    return unet, vae, text


if __name__ == "__main__":
    torch.set_num_threads(1)
    out = make_tiny_sd(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT)
    total = 0
    for root, _, files in os.walk(out):
        for n in files:
            total += os.path.getsize(os.path.join(root, n))
    print(f"wrote {out} ({total / 1e6:.1f} MB)")
