"""Trains the embedded demo model: a tiny latent diffusion model in the Stable Diffusion v1 topology on scenes
rendered by `ldmprobe world render`, and writes it in SD v1.4's diffusers folder layout.

    ldmprobe world render --count 6000 --size 64 --seed 1 --out /tmp/world/train
    OMP_NUM_THREADS=1 nohup python3 tools/demo/train_ldm.py --data /tmp/world/train --out Assets/demo/model \
        --vae-minutes 10 --unet-minutes 42 --vae-batch 8 --unet-batch 16 > /tmp/world/ldm.log 2>&1 &

On a GPU (the committed model was trained this way, on one H200 in ~8 minutes):

    python3 tools/demo/pack_world.py --out /tmp/world/train.npz /tmp/world/train /tmp/world/train2
    python3 tools/demo/train_ldm.py --data /tmp/world/train.npz --device cuda --vae-minutes 2.5 --unet-minutes 4.5 \
        --vae-batch 64 --vae-crop 64 --unet-batch 256

Stages (each seeded; the budget is wall-clock minutes, so a slower machine trains fewer steps — the step counts
reached are printed and stored in Assets/demo/TRAINING.json):
  1. AutoencoderKL 64×64×3 ↔ 4×8×8 (L1 + L2 + 1e-6·KL), trained on random 32×32 crops (4× cheaper). Afterwards the latent scale is folded into quant_conv /
     post_quant_conv so that SD's scaling_factor 0.18215 gives unit-variance latents (an exact reparametrisation).
  2. UNet2DConditionModel (SD v1 block types, layers_per_block 2 → 16 self-attention layers like SD) and a
     2-layer CLIPTextModel (the real 49408-token CLIP vocabulary, width 32), trained together on the
     ε-prediction loss with SD's scaled_linear β schedule; captions dropped to "" 10% of the time (for CFG).
     EMA weights are saved.
"""
import argparse, json, math, os, shutil, time

import common  # noqa: F401  (hides torchvision first)
from common import load_world, load_packed, load_tokenizer, clip_tokenizer_dir, REPO
import numpy as np
import torch
import torch.nn.functional as F

SCHEDULER_CONFIG = {  # SD v1.4's scheduler/scheduler_config.json, verbatim
    "_class_name": "PNDMScheduler", "_diffusers_version": "0.7.0.dev0", "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
    "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None,
    "clip_sample": False,
}
# The UNet has tools/tiny_sd.py's widths (the configuration the Swift UNet is tested on); the VAE is narrower
# (norm_num_groups 8) because its full-resolution convolutions dominate the CPU training cost.
VAE_KW = dict(in_channels=3, out_channels=3, latent_channels=4, sample_size=64,
              block_out_channels=(16, 32, 64, 64), layers_per_block=1, norm_num_groups=8,
              down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
              scaling_factor=0.18215)
UNET_KW = dict(sample_size=8, in_channels=4, out_channels=4, block_out_channels=(32, 64, 64, 64), layers_per_block=2,
               down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"),
               up_block_types=("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
               cross_attention_dim=32, attention_head_dim=8, norm_num_groups=32)
CLIP_KW = dict(vocab_size=49408, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
               max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=32,
               bos_token_id=49406, eos_token_id=49407, pad_token_id=1)


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


STOP_FILE = "/tmp/world/ldm-work/STOP"


def stop_requested():
    """`touch /tmp/world/ldm-work/STOP` ends the current stage early (its weights are kept; the file is removed)."""
    if os.path.exists(STOP_FILE):
        os.remove(STOP_FILE)
        return True
    return False


def cosine_lr(opt, base, frac, warm=0.03):
    lr = base * (frac / warm if frac < warm else 0.5 * (1 + math.cos(math.pi * min(1.0, (frac - warm) / (1 - warm)))))
    for g in opt.param_groups:
        g["lr"] = max(lr, base * 0.02)


def train_vae(images, minutes, batch, seed, crop=32, device="cpu"):
    from diffusers import AutoencoderKL
    torch.manual_seed(seed)
    vae = AutoencoderKL(**VAE_KW).to(device).train()
    # Start with a small posterior std (logvar −12): with the default ≈1 the latent noise swamps the tiny initial
    # means and a short training run collapses to the mean image.
    with torch.no_grad():
        c = vae.quant_conv.out_channels // 2
        vae.quant_conv.weight[c:] = 0
        vae.quant_conv.bias[c:] = -12
    opt = torch.optim.AdamW(vae.parameters(), lr=2e-3, weight_decay=0.0)
    x_all = torch.from_numpy(images).to(device).permute(0, 3, 1, 2).float() / 127.5 - 1  # [N,3,64,64]
    g = torch.Generator().manual_seed(seed)
    t0, step = time.time(), 0
    while (el := time.time() - t0) < minutes * 60 and not stop_requested():
        cosine_lr(opt, 2e-3, el / (minutes * 60))
        idx = torch.randint(0, len(x_all), (batch,), generator=g).to(device)
        # Random crop×crop windows: the VAE is convolutional (its one attention sits at the latent size), so
        # crops teach it the same map at a fraction of the cost; crops are multiples of 8 (the latent stride).
        oy, ox = (int(v) * 8 for v in torch.randint(0, (64 - crop) // 8 + 1, (2,), generator=g))
        x = x_all[idx][:, :, oy:oy + crop, ox:ox + crop]
        post = vae.encode(x).latent_dist
        z = post.mean + post.std * torch.randn(post.mean.shape, generator=g).to(device)
        rec = vae.decode(z).sample
        loss = (rec - x).abs().mean() + ((rec - x) ** 2).mean() + 1e-6 * post.kl().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % (25 if device == "cpu" else 500) == 0:
            log(f"vae step {step}, {el / step:.2f} s/step, L1 {(rec - x).abs().mean().item():.4f}")
    vae.eval()
    return vae, step


@torch.no_grad()
def fold_latent_scale(vae, images, device="cpu"):
    """Rescales the latent space so that std(z)·0.18215 ≈ 1, exactly (quant_conv out ×α, post_quant_conv in ÷α)."""
    x = torch.from_numpy(images[:512]).to(device).permute(0, 3, 1, 2).float() / 127.5 - 1
    s = vae.encode(x).latent_dist.mean.std().item()
    alpha = 1.0 / (0.18215 * s)
    qc, pqc = vae.quant_conv, vae.post_quant_conv
    c = qc.out_channels // 2
    qc.weight[:c] *= alpha; qc.bias[:c] *= alpha
    qc.bias[c:] += 2 * math.log(alpha)
    pqc.weight *= 1 / alpha
    return s, alpha


@torch.no_grad()
def encode_all(vae, images, seed, batch=256, device="cpu"):
    out = []
    for i in range(0, len(images), batch):
        x = torch.from_numpy(images[i:i + batch]).to(device).permute(0, 3, 1, 2).float() / 127.5 - 1
        post = vae.encode(x).latent_dist
        out.append((post.mean, post.std))
    return torch.cat([m for m, _ in out]), torch.cat([s for _, s in out])


def train_unet(means, stds, ids, empty, minutes, batch, seed, device="cpu"):
    """ids: [N,77] token ids of the captions, empty: [1,77] ids of "" (the CFG-dropout caption)."""
    from diffusers import UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(**UNET_KW).to(device).train()
    torch.manual_seed(seed + 1)
    text = CLIPTextModel(CLIPTextConfig(**CLIP_KW)).to(device).train()
    ids, empty = ids.to(device), empty.to(device)
    params = list(unet.parameters()) + list(text.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.0)
    live = [v for m in (unet, text) for v in m.state_dict().values() if v.dtype.is_floating_point]
    ema = [v.detach().clone() for v in live]
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    abar = torch.cumprod(1 - betas, 0).float().to(device)
    g = torch.Generator().manual_seed(seed + 2)
    t0, step, avg = time.time(), 0, None
    while (el := time.time() - t0) < minutes * 60 and not stop_requested():
        frac = el / (minutes * 60)
        cosine_lr(opt, 1e-3, frac)
        idx = torch.randint(0, len(means), (batch,), generator=g).to(device)
        x0 = (means[idx] + stds[idx] * torch.randn(means[idx].shape, generator=g).to(device)) * 0.18215  # [B,4,8,8]
        tok = ids[idx].clone()
        drop = (torch.rand(batch, generator=g) < 0.1).to(device)
        tok[drop] = empty
        t = torch.randint(0, 1000, (batch,), generator=g).to(device)
        eps = torch.randn(x0.shape, generator=g).to(device)
        a = abar[t].view(-1, 1, 1, 1)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        cond = text(tok).last_hidden_state                               # [B,77,32]
        pred = unet(xt, t, encoder_hidden_states=cond).sample
        loss = F.mse_loss(pred, eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            torch._foreach_lerp_(ema, live, 1 - decay)
        if step % 10 == 0 or device == "cpu":  # .item() syncs the GPU: sample the loss
            avg = loss.item() if avg is None else 0.9 * avg + 0.1 * loss.item()
        if step % (50 if device == "cpu" else 1000) == 0:
            log(f"unet step {step}, {el / step:.2f} s/step, loss(avg) {avg:.4f}")
    with torch.no_grad():
        for v, e in zip(live, ema):
            v.copy_(e)
    return unet.cpu().eval(), text.cpu().eval(), step, avg


def save_pipeline(out, vae, unet, text):
    import diffusers, transformers
    tmp = out.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    unet.save_pretrained(os.path.join(tmp, "unet"), safe_serialization=True)
    vae.save_pretrained(os.path.join(tmp, "vae"), safe_serialization=True)
    text.save_pretrained(os.path.join(tmp, "text_encoder"), safe_serialization=True)
    os.makedirs(os.path.join(tmp, "scheduler"))
    with open(os.path.join(tmp, "scheduler", "scheduler_config.json"), "w") as f:
        json.dump(SCHEDULER_CONFIG, f, indent=2)
    os.makedirs(os.path.join(tmp, "tokenizer"))
    src = clip_tokenizer_dir()
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(os.path.join(src, name), os.path.join(tmp, "tokenizer", name))
    tok_cfg = {"tokenizer_class": "CLIPTokenizer", "model_max_length": 77, "do_lower_case": True,
               "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "pad_token": "<|endoftext|>",
               "unk_token": "<|endoftext|>", "errors": "replace", "add_prefix_space": False}
    with open(os.path.join(tmp, "tokenizer", "tokenizer_config.json"), "w") as f:
        json.dump(tok_cfg, f, indent=2)
    with open(os.path.join(tmp, "tokenizer", "special_tokens_map.json"), "w") as f:
        json.dump({k: tok_cfg[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token")}, f, indent=2)
    index = {"_class_name": "StableDiffusionPipeline", "_diffusers_version": diffusers.__version__,
             "feature_extractor": [None, None], "safety_checker": [None, None],
             "requires_safety_checker": False,
             "scheduler": ["diffusers", "PNDMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"]}
    with open(os.path.join(tmp, "model_index.json"), "w") as f:
        json.dump(index, f, indent=2)
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", default=os.path.join(REPO, "Assets", "demo", "model"))
    ap.add_argument("--work", default="/tmp/world/ldm-work")
    ap.add_argument("--vae-minutes", type=float, default=10)
    ap.add_argument("--unet-minutes", type=float, default=42)
    ap.add_argument("--vae-batch", type=int, default=8)
    ap.add_argument("--unet-batch", type=int, default=16)
    ap.add_argument("--vae-crop", type=int, default=32, help="VAE training crop (64 = whole images)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.work, exist_ok=True)
    if a.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    data = load_packed(a.data) if a.data.endswith(".npz") else load_world(a.data)
    if "ids" not in data:
        tok = load_tokenizer()
        data["ids"] = tok(list(data["captions"]), padding="max_length", max_length=77, truncation=True,
                          return_tensors="np").input_ids
        data["empty"] = tok([""], padding="max_length", max_length=77, return_tensors="np").input_ids
    log(f"data: {len(data['images'])} scenes, device {a.device}")
    vae_path = os.path.join(a.work, "vae")
    if os.path.isdir(vae_path):
        from diffusers import AutoencoderKL
        vae = AutoencoderKL.from_pretrained(vae_path).eval(); vae_steps = json.load(open(os.path.join(a.work, "vae_steps.json")))
        log("vae: reused", vae_path)
    else:
        vae, vae_steps = train_vae(data["images"], a.vae_minutes, a.vae_batch, a.seed, a.vae_crop, a.device)
        s, alpha = fold_latent_scale(vae, data["images"], a.device)
        log(f"vae: {vae_steps} steps, latent std {s:.4f} folded by α={alpha:.4f}")
        vae.cpu().save_pretrained(vae_path, safe_serialization=True)
        vae.to(a.device)
        json.dump(vae_steps, open(os.path.join(a.work, "vae_steps.json"), "w"))
    means, stds = encode_all(vae, data["images"], a.seed, device=a.device)
    log(f"latents {tuple(means.shape)}, scaled std {(means * 0.18215).std().item():.3f}")
    ids = torch.from_numpy(np.asarray(data["ids"], dtype=np.int64))
    empty = torch.from_numpy(np.asarray(data["empty"], dtype=np.int64)).reshape(1, -1)
    unet, text, unet_steps, loss = train_unet(means, stds, ids, empty, a.unet_minutes,
                                              a.unet_batch, a.seed + 10, a.device)
    save_pipeline(a.out, vae.cpu(), unet, text)
    info = {"vae_steps": vae_steps, "vae_batch": a.vae_batch, "unet_steps": unet_steps, "unet_batch": a.unet_batch,
            "final_loss_avg": loss, "threads": a.threads, "device": a.device,
            "device_name": torch.cuda.get_device_name() if a.device == "cuda" else "cpu", "vae_crop": a.vae_crop, "seed": a.seed, "scenes": int(len(data["images"])),
            "torch": torch.__version__, "vae": VAE_KW, "unet": UNET_KW, "text_encoder": CLIP_KW}
    with open(os.path.join(os.path.dirname(a.out), "TRAINING.json"), "w") as f:
        json.dump(info, f, indent=2, default=list)
    log("saved", a.out)


if __name__ == "__main__":
    main()
