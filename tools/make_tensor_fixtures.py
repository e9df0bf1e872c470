"""Reference outputs of torch kernels for Tests/TensorTests (small random cases, JSON).

Run: OMP_NUM_THREADS=1 python3 tools/make_tensor_fixtures.py
Writes Tests/Fixtures/tensor/kernels.json: {case: {"tensors": {name: {"shape", "data"}}, "params": {...}}}.
"""
import json, os, sys
import torch
import torch.nn.functional as F

torch.manual_seed(0)
out_dir = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "tensor")


def t(x):
    return {"shape": list(x.shape), "data": [float(v) for v in x.detach().reshape(-1).tolist()]}


cases = {}
def case(name, params=None, **tensors):
    cases[name] = {"params": params or {}, "tensors": {k: t(v) for k, v in tensors.items()}}

x = torch.randn(3, 5, 7); w = torch.randn(6, 7); b = torch.randn(6)
case("linear", x=x, weight=w, bias=b, out=F.linear(x, w, b))

for name, (B, I, H, W, O, k, s, p) in {
        "conv3x3": (2, 4, 9, 7, 5, 3, 1, 1), "conv3x3s2": (2, 4, 9, 8, 6, 3, 2, 1),
        "conv1x1": (2, 6, 5, 5, 3, 1, 1, 0), "conv3x3p0": (1, 3, 6, 6, 2, 3, 1, 0)}.items():
    x = torch.randn(B, I, H, W); w = torch.randn(O, I, k, k); b = torch.randn(O)
    case(name, {"stride": s, "padding": p}, x=x, weight=w, bias=b, out=F.conv2d(x, w, b, stride=s, padding=p))
# diffusers' VAE Downsample2D: pad (0, 1, 0, 1) then a stride-2 conv without padding.
x = torch.randn(2, 3, 8, 8); w = torch.randn(4, 3, 3, 3); b = torch.randn(4)
case("conv_vae_down", x=x, weight=w, bias=b, out=F.conv2d(F.pad(x, (0, 1, 0, 1)), w, b, stride=2))

x = torch.randn(2, 8, 5, 3) * 3 + 1; g = torch.randn(8); bb = torch.randn(8)
case("groupnorm", {"groups": 4, "eps": 1e-6}, x=x, weight=g, bias=bb, out=F.group_norm(x, 4, g, bb, 1e-6))
case("groupnorm_silu", {"groups": 2, "eps": 1e-5}, x=x, weight=g, bias=bb, out=F.silu(F.group_norm(x, 2, g, bb, 1e-5)))

x = torch.randn(2, 3, 10) * 2 + 0.5; g = torch.randn(10); bb = torch.randn(10)
case("layernorm", {"eps": 1e-5}, x=x, weight=g, bias=bb, out=F.layer_norm(x, (10,), g, bb, 1e-5))

x = torch.randn(4, 9) * 4
case("softmax", x=x, out=torch.softmax(x, -1))
x = torch.randn(3, 11) * 3
case("silu", x=x, out=F.silu(x))
case("gelu", x=x, out=F.gelu(x))
case("quick_gelu", x=x, out=x * torch.sigmoid(1.702 * x))
x = torch.randn(2, 3, 12)
h, gate = x.chunk(2, dim=-1)
case("geglu", x=x, out=h * F.gelu(gate))

def mha(q, k, v, heads, causal=False):
    B, T, C = q.shape
    d = C // heads
    sh = lambda z: z.reshape(B, z.shape[1], heads, d).transpose(1, 2)
    o = F.scaled_dot_product_attention(sh(q), sh(k), sh(v), is_causal=causal)
    return o.transpose(1, 2).reshape(B, T, C)

q = torch.randn(2, 6, 16); k = torch.randn(2, 4, 16); v = torch.randn(2, 4, 16)
case("attention", {"heads": 4}, q=q, k=k, v=v, out=mha(q, k, v, 4))
q = torch.randn(2, 5, 8); k = torch.randn(2, 5, 8); v = torch.randn(2, 5, 8)
case("attention_causal", {"heads": 2}, q=q, k=k, v=v, out=mha(q, k, v, 2, causal=True))

x = torch.randn(2, 3, 3, 4)
case("upsample2x", x=x, out=F.interpolate(x, scale_factor=2.0, mode="nearest"))
case("upsample_to", {"height": 5, "width": 7}, x=x, out=F.interpolate(x, size=(5, 7), mode="nearest"))
x = torch.randn(1, 2, 7, 6)
case("maxpool", {"kernel": 2, "stride": 2}, x=x, out=F.max_pool2d(x, 2, 2))

os.makedirs(out_dir, exist_ok=True)
tmp = os.path.join(out_dir, "kernels.json.tmp")
with open(tmp, "w") as f:
    json.dump(cases, f)
os.replace(tmp, os.path.join(out_dir, "kernels.json"))
with open(os.path.join(out_dir, "FIXTURE.md"), "w") as f:
    f.write(f"# Tensor kernel fixtures\n\nReference: torch {torch.__version__} (CPU, float32).\n\n"
            "Command: `OMP_NUM_THREADS=1 python3 tools/make_tensor_fixtures.py`\n\n"
            "kernels.json: one entry per kernel case with its inputs, parameters and torch's output.\n")
print("wrote", len(cases), "cases")
