"""Fixtures for Sources/Weights: safetensors (good and corrupt), a sharded index, torch zip checkpoints (.ckpt/.pth,
one with a forbidden global), pickled numpy arrays (.pkl), and a single-file CompVis checkpoint made from the
tiny-sd model (Tests/Fixtures/tiny-sd, unet-vae's tools/tiny_sd.py).

The CompVis file is written with the original LDM key names (model.diffusion_model.*, first_stage_model.*,
cond_stage_model.transformer.text_model.*) by the reverse of diffusers' conversion; the script checks that diffusers'
own single_file_utils.convert_ldm_{unet,vae,clip}_checkpoint turn it back into exactly the tiny-sd state dicts, so
the Swift conversion is tested against diffusers' mapping. Stored as F16 (size); expected = the F16 values.

Run: OMP_NUM_THREADS=1 python3 tools/make_weights_fixtures.py
"""
import collections, json, os, pickle, struct, sys

# torchvision's compiled ops do not load next to this torch build; diffusers only needs it for image processors.
sys.modules["torchvision"] = None
import numpy as np
import torch
import safetensors, diffusers
from safetensors.torch import save_file, load_file
from diffusers.loaders import single_file_utils as sfu

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "Fixtures", "weights")
TINY = os.path.join(HERE, "..", "Tests", "Fixtures", "tiny-sd")
os.makedirs(OUT, exist_ok=True)
g = torch.Generator().manual_seed(0)
expected = {}


def p(name):
    return os.path.join(OUT, name)


def raw_safetensors(path, header, data):
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


# 1. A good file with every dtype, metadata, an empty tensor and a scalar.
tensors = {
    "f32": torch.randn(2, 3, generator=g),
    "f16": torch.randn(4, generator=g).half(),
    "bf16": torch.randn(3, 2, generator=g).bfloat16(),
    "f64": torch.randn(5, generator=g).double(),
    "i64": torch.tensor([-3, 0, 7, 2**40], dtype=torch.int64),
    "empty": torch.zeros(0, 4),
    "scalar": torch.tensor(1.5),
}
save_file(tensors, p("basic.safetensors"), metadata={"format": "pt", "note": "ldmprobe fixture"})
expected["basic.safetensors"] = {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in tensors.items()}

# 2. Corrupt files (each must fail with one line naming file and tensor).
good = open(p("basic.safetensors"), "rb").read()
open(p("truncated.safetensors"), "wb").write(good[:-10])          # data section cut short
open(p("short.safetensors"), "wb").write(good[:5])                # not even the length
n = struct.unpack("<Q", good[:8])[0]
open(p("header_too_long.safetensors"), "wb").write(struct.pack("<Q", n + 10_000) + good[8:])
raw_safetensors(p("outside.safetensors"), {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                                           "b": {"dtype": "F32", "shape": [4], "data_offsets": [16, 32]}}, bytes(24))
raw_safetensors(p("overlap.safetensors"), {"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                                           "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}, bytes(24))
raw_safetensors(p("wrong_size.safetensors"), {"a": {"dtype": "F16", "shape": [4], "data_offsets": [0, 16]}}, bytes(16))
raw_safetensors(p("bad_dtype.safetensors"), {"a": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}}, bytes(4))
with open(p("not_json.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", 6) + b"{nope}" + bytes(8))

# 3. Sharded diffusers-style index.
os.makedirs(p("sharded"), exist_ok=True)
s1 = {"layer.0.weight": torch.randn(3, 3, generator=g)}
s2 = {"layer.1.weight": torch.randn(2, 3, generator=g), "layer.1.bias": torch.randn(2, generator=g)}
save_file(s1, p("sharded/diffusion_pytorch_model-00001-of-00002.safetensors"))
save_file(s2, p("sharded/diffusion_pytorch_model-00002-of-00002.safetensors"))
json.dump({"metadata": {"total_size": 0}, "weight_map": {
    **{k: "diffusion_pytorch_model-00001-of-00002.safetensors" for k in s1},
    **{k: "diffusion_pytorch_model-00002-of-00002.safetensors" for k in s2}}},
    open(p("sharded/diffusion_pytorch_model.safetensors.index.json"), "w"), indent=1)
expected["sharded"] = {k: {"shape": list(v.shape), "values": v.flatten().tolist()} for k, v in {**s1, **s2}.items()}

# 4. torch zip checkpoints: Lightning-style .ckpt (state_dict + plain data), torchvision-style .pth.
base = torch.randn(4, 6, generator=g)
sd = collections.OrderedDict()
sd["model.w"] = base
sd["model.view"] = base[1:3, 2:5]          # strided view sharing base's storage, offset 8
sd["model.t"] = base.t()                   # transposed (non-contiguous)
sd["model.h"] = torch.randn(5, generator=g).half()
sd["model.b"] = torch.randn(2, 2, generator=g).bfloat16()
sd["model.l"] = torch.arange(3)
sd._metadata = collections.OrderedDict(model={"version": 1})
torch.save({"state_dict": sd, "global_step": 7, "epoch": 1, "lr": 0.5, "name": "x"}, p("small.ckpt"))
expected["small.ckpt"] = {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in sd.items()}
net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.Linear(4, 2))
torch.save(net.state_dict(), p("torchvision_like.pth"))
expected["torchvision_like.pth"] = {k: {"shape": list(v.shape), "values": v.flatten().tolist()}
                                    for k, v in net.state_dict().items()}
torch.save({"model": net}, p("module.pth"))                    # a whole nn.Module: must be refused


class Evil:
    def __reduce__(self):
        return (os.system, ("echo should-never-run",))


torch.save({"state_dict": {"w": torch.zeros(2)}, "payload": Evil()}, p("evil.ckpt"))

# 5. Pickled numpy arrays (.pkl), protocols 2, 4 and 5 (numpy's _frombuffer), C and Fortran order.
arrays = {"depth": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
          "d64": np.linspace(0, 1, 5),
          "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
          "u8": np.array([[0, 255], [7, 9]], dtype=np.uint8),
          "list": [np.ones(2, dtype=np.float16), np.float32(3.25)]}
for proto in (2, 4, 5):
    pickle.dump(arrays, open(p(f"arrays_p{proto}.pkl"), "wb"), protocol=proto)
pickle.dump(np.arange(4, dtype=np.float32), open(p("bare_array.pkl"), "wb"), protocol=4)
pickle.dump({"x": Evil()}, open(p("evil.pkl"), "wb"), protocol=4)
expected["arrays.pkl"] = {"depth": {"shape": [3, 4], "values": arrays["depth"].flatten().tolist()},
                          "d64": {"shape": [5], "values": arrays["d64"].astype(np.float32).flatten().tolist()},
                          "fortran": {"shape": [2, 3], "values": arrays["fortran"].flatten().tolist()},
                          "u8": {"shape": [2, 2], "values": arrays["u8"].astype(np.float32).flatten().tolist()},
                          "list.0": {"shape": [2], "values": [1.0, 1.0]}}

# 6. Single-file CompVis checkpoint from tiny-sd, via the reverse of diffusers' conversion.
unet = load_file(os.path.join(TINY, "unet/diffusion_pytorch_model.safetensors"))
vae = load_file(os.path.join(TINY, "vae/diffusion_pytorch_model.safetensors"))
te = load_file(os.path.join(TINY, "text_encoder/model.safetensors"))
unet_cfg = json.load(open(os.path.join(TINY, "unet/config.json")))
vae_cfg = json.load(open(os.path.join(TINY, "vae/config.json")))
L = unet_cfg["layers_per_block"]
resnet_rev = [("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("norm2", "out_layers.0"),
              ("conv2", "out_layers.3"), ("time_emb_proj", "emb_layers.1"), ("conv_shortcut", "skip_connection")]


def unet_to_ldm(k):
    fixed = {v: kk for v, kk in [("time_embedding.linear_1", "time_embed.0"), ("time_embedding.linear_2", "time_embed.2"),
                                  ("conv_in", "input_blocks.0.0"), ("conv_norm_out", "out.0"), ("conv_out", "out.2")]}
    parts = k.split(".")
    head = ".".join(parts[:-1])
    if head in fixed:
        return fixed[head] + "." + parts[-1]
    def res(rest):
        for a, b in resnet_rev:
            if rest.startswith(a + "."):
                return b + rest[len(a):]
        raise KeyError(k)
    if parts[0] == "down_blocks":
        b = int(parts[1])
        if parts[2] == "downsamplers":
            return f"input_blocks.{3 * (b + 1)}.0.op." + parts[-1]
        i = int(parts[3]); n = 1 + b * (L + 1) + i
        rest = ".".join(parts[4:])
        return f"input_blocks.{n}.0." + res(rest) if parts[2] == "resnets" else f"input_blocks.{n}.1." + rest
    if parts[0] == "mid_block":
        i = int(parts[2]); rest = ".".join(parts[3:])
        return f"middle_block.{2 * i}." + res(rest) if parts[1] == "resnets" else f"middle_block.1." + rest
    if parts[0] == "up_blocks":
        b = int(parts[1])
        if parts[2] == "upsamplers":
            n = b * (L + 1) + L
            has_attn = any(x.startswith(f"up_blocks.{b}.attentions.") for x in unet)
            return f"output_blocks.{n}.{2 if has_attn else 1}.conv." + parts[-1]
        i = int(parts[3]); n = b * (L + 1) + i; rest = ".".join(parts[4:])
        return f"output_blocks.{n}.0." + res(rest) if parts[2] == "resnets" else f"output_blocks.{n}.1." + rest
    raise KeyError(k)


nup = len(vae_cfg["up_block_types"])


def vae_to_ldm(k):
    k2 = k.replace("conv_norm_out", "norm_out").replace("conv_shortcut", "nin_shortcut")
    parts = k2.split(".")
    if len(parts) > 2 and parts[1] == "down_blocks":
        k2 = k2.replace(f"down_blocks.{parts[2]}.resnets.", f"down.{parts[2]}.block.")
        k2 = k2.replace(f"down_blocks.{parts[2]}.downsamplers.0.", f"down.{parts[2]}.downsample.")
    if len(parts) > 2 and parts[1] == "up_blocks":
        j = nup - 1 - int(parts[2])
        k2 = k2.replace(f"up_blocks.{parts[2]}.resnets.", f"up.{j}.block.")
        k2 = k2.replace(f"up_blocks.{parts[2]}.upsamplers.0.", f"up.{j}.upsample.")
    k2 = k2.replace("mid_block.resnets.0.", "mid.block_1.").replace("mid_block.resnets.1.", "mid.block_2.")
    k2 = (k2.replace("mid_block.attentions.0.", "mid.attn_1.").replace("group_norm.", "norm.")
          .replace("to_q.", "q.").replace("to_k.", "k.").replace("to_v.", "v.").replace("to_out.0.", "proj_out."))
    return k2


ldm = {}
for k, v in unet.items():
    ldm["model.diffusion_model." + unet_to_ldm(k)] = v
for k, v in vae.items():
    nk = vae_to_ldm(k)
    if ".mid.attn_1." in nk and nk.endswith("weight") and v.ndim == 2:
        v = v[:, :, None, None]   # original LDM stores these as 1×1 convs
    ldm["first_stage_model." + nk] = v
for k, v in te.items():
    ldm["cond_stage_model.transformer." + k] = v
ldm["betas"] = torch.linspace(0.1, 0.2, 4)                  # non-model buffers a real checkpoint also has
ldm = {k: v.half().contiguous() for k, v in ldm.items()}

# The fixture is only valid if diffusers' own conversion maps it back to tiny-sd exactly.
back_unet = sfu.convert_ldm_unet_checkpoint(ldm, unet_cfg)
back_vae = sfu.convert_ldm_vae_checkpoint(ldm, vae_cfg)
back_te = sfu.convert_ldm_clip_checkpoint(ldm)
for name, ref, back in (("unet", unet, back_unet), ("vae", vae, back_vae), ("text_encoder", te, back_te)):
    assert set(ref) == set(back), (name, sorted(set(ref) ^ set(back))[:5])
    for k in ref:
        assert back[k].shape == ref[k].shape and torch.equal(back[k].float(), ref[k].half().float()), (name, k)
save_file(ldm, p("compvis_tiny.safetensors"))
vae_only = collections.OrderedDict((k, v) for k, v in ldm.items() if k.startswith("first_stage_model."))
torch.save({"state_dict": vae_only, "global_step": 1}, p("compvis_tiny_vae.ckpt"))

json.dump({"torch": torch.__version__, "safetensors": safetensors.__version__, "diffusers": diffusers.__version__,
           "numpy": np.__version__, "command": "OMP_NUM_THREADS=1 python3 tools/make_weights_fixtures.py",
           "expected": expected}, open(p("expected.json"), "w"), indent=0)
print("ok:", sorted(os.listdir(OUT)))
