"""What the ONNX peers share (standard library + numpy only): the model options, where a model's ONNX export lives
in the bench cache, its input names, and the inputs (the same shapes and token ids as the PyTorch peers).
"""
import argparse, os

MODELS = ("unet", "text-encoder", "vae-decode", "vgg16")


def model_args(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    ap.add_argument("--model", choices=MODELS, required=True)
    ap.add_argument("--latent", type=int, default=32, help="unet: latent height and width")
    ap.add_argument("--size", type=int, default=512, help="vae-decode: image size in pixels (latent = size / 8)")
    ap.add_argument("--batch", type=int, default=None, help="default: 2 for unet and text-encoder, else 1")
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE", os.path.expanduser("~/.cache/ldmprobe-bench")),
                    help="folder of the exported models (env BENCH_CACHE)")
    return ap


def batch(a) -> int:
    return a.batch if a.batch is not None else (2 if a.model in ("unet", "text-encoder") else 1)


def onnx_dir(a) -> str:
    """One folder per model and input size: model.onnx plus its weights as external data files."""
    tag = {"unet": f"unet-sd14-l{a.latent}", "text-encoder": "clip-text-l14", "vae-decode": f"vae-sd14-dec{a.size}",
           "vgg16": "vgg16-224"}[a.model]
    return os.path.join(a.cache, f"{tag}-b{batch(a)}")


def onnx_path(a) -> str:
    return os.path.join(onnx_dir(a), "model.onnx")


def input_names(model: str) -> list:
    return {"unet": ["sample", "timestep", "encoder_hidden_states"], "text-encoder": ["input_ids"],
            "vae-decode": ["latent"], "vgg16": ["image"]}[model]


def inputs(a) -> dict:
    """name → numpy array, the same shapes (and token ids) as the PyTorch peers."""
    import numpy as np
    rng = np.random.default_rng(0)
    b = batch(a)
    if a.model == "unet":
        arrays = [rng.standard_normal((b, 4, a.latent, a.latent), dtype=np.float32), np.full((b,), 501, np.int64),
                  rng.standard_normal((b, 77, 768), dtype=np.float32)]
    elif a.model == "text-encoder":
        arrays = [np.array([[49406] + [(i * 75 + j * 7) % 49406 for j in range(75)] + [49407] for i in range(b)],
                           np.int64)]
    elif a.model == "vae-decode":
        arrays = [rng.standard_normal((b, 4, a.size // 8, a.size // 8), dtype=np.float32)]
    else:
        arrays = [rng.standard_normal((1, 3, 224, 224), dtype=np.float32)]
    return dict(zip(input_names(a.model), arrays))
