"""Reference dumps for the torch-compatible CPU RNG (Sources/Pipeline/Random).

torch.manual_seed(s); torch.randn(shape) (and torch.rand) on the CPU, float32, for many seeds and shapes.
Writes Tests/Fixtures/rng/cases.json (seed, shape, op, the first/last 8 float32 bit patterns and an FNV-1a
hash of all bits) and the full [1,4,64,64] tensors of a few seeds as .npy.

Run: OMP_NUM_THREADS=1 python3 tools/make_rng_fixtures.py
"""
import csv, json, os, sys
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "rng")
os.makedirs(OUT, exist_ok=True)


def dataset_seeds():
    path = "/work/shared/data/train_split_prompts_seeds.csv"
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    rows = list(csv.DictReader(text.splitlines()))
    return [int(r["seeds"]) for r in rows]


def fnv1a64(words):
    """FNV-1a over the little-endian bytes of the float32 bits (Foundation on Linux has no SHA-256)."""
    h = 0xcbf29ce484222325
    for byte in words.astype("<u4").tobytes():
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def bits(t):
    return t.contiguous().numpy().astype(np.float32).view(np.uint32)


cases = []
seeds = [0, 1, 2, 42, 1234, 2**31 - 1, 2**32 - 1, 2**32, 2**32 + 5, 2**40 + 123, 2**63 - 1] + dataset_seeds()[:40]
shapes = [[1, 4, 64, 64], [1, 4, 8, 8], [3], [17], [1, 4, 7, 9], [16], [15], [1], [2, 4, 8, 8], [33]]
for i, seed in enumerate(seeds):
    # every seed on the small shapes; the big shape for a subset to keep the fixture small
    for shape in shapes:
        if shape == [1, 4, 64, 64] and i % 4 != 0:
            continue
        for op in ("randn", "rand"):
            if op == "rand" and shape not in ([1, 4, 8, 8], [3], [17]):
                continue
            torch.manual_seed(seed)
            t = torch.randn(shape) if op == "randn" else torch.rand(shape)
            b = bits(t).ravel()
            cases.append({"seed": seed, "shape": shape, "op": op,
                          "fnv1a64": fnv1a64(b),
                          "head": [int(x) for x in b[:8]], "tail": [int(x) for x in b[-8:]]})
# two draws in a row on one generator (the scalar path caches a normal sample between calls)
torch.manual_seed(7)
a = torch.randn([3]); b2 = torch.randn([5]); c = torch.randn([20])
cases.append({"seed": 7, "sequence": [[3], [5], [20]], "op": "randn",
              "values": [int(x) for x in np.concatenate([bits(a).ravel(), bits(b2).ravel(), bits(c).ravel()])]})
for seed in [0, 5107435]:
    torch.manual_seed(seed)
    np.save(os.path.join(OUT, f"randn_1x4x64x64_seed{seed}.npy"), torch.randn([1, 4, 64, 64]).numpy())

json.dump({"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
           "command": "OMP_NUM_THREADS=1 python3 tools/make_rng_fixtures.py", "cases": cases},
          open(os.path.join(OUT, "cases.json"), "w"), indent=0)
print(len(cases), "cases")
