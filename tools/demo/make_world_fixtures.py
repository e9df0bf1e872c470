"""Fixture for Tests/WorldTests: the demo estimators' and classifier's PyTorch outputs on a few rendered scenes,
to match the Swift twins (World.WorldEstimatorNet / WorldObjectClassifier) against.

    ldmprobe world render --count 4 --size 64 --seed 2 --out /tmp/world/fixture-scenes
    OMP_NUM_THREADS=1 python3 tools/demo/make_world_fixtures.py /tmp/world/fixture-scenes

Writes Tests/Fixtures/world/nets.safetensors: images F32 [4,64,64,3] (byte values 0…255), foreground_logits
[4,2,64,64], depth [4,1,64,64], shading [4,1,64,64], objects_logits [4,5]; weights are Assets/demo/estimators/.
"""
import json, os, sys

import common
from common import EstimatorNet, ObjectClassifierNet, load_world, image_to_input, REPO
import torch
from safetensors.torch import load_file, save_file

torch.set_num_threads(1)
src = sys.argv[1] if len(sys.argv) > 1 else "/tmp/world/fixture-scenes"
est = os.path.join(REPO, "Assets", "demo", "estimators")
out_dir = os.path.join(REPO, "Tests", "Fixtures", "world")
os.makedirs(out_dir, exist_ok=True)
data = load_world(src, cache=False)
images = data["images"][:4]
x = image_to_input(images)
out = {"images": torch.from_numpy(images).float().contiguous()}
with torch.no_grad():
    for name, key, ch in (("world-foreground", "foreground_logits", 2), ("world-depth", "depth", 1),
                          ("world-shading", "shading", 1)):
        net = EstimatorNet(ch); net.load_state_dict(load_file(os.path.join(est, name + ".safetensors"))); net.eval()
        out[key] = net(x).contiguous()
    net = ObjectClassifierNet(); net.load_state_dict(load_file(os.path.join(est, "world-objects.safetensors"))); net.eval()
    out["objects_logits"] = net(x).contiguous()
save_file(out, os.path.join(out_dir, "nets.safetensors"))
with open(os.path.join(out_dir, "FIXTURE.md"), "w") as f:
    f.write("# Tests/Fixtures/world\n\n`nets.safetensors`: the demo estimators' and object classifier's PyTorch outputs "
            "on 4 rendered scenes (ids " + ", ".join(data["ids"][:4]) + ").\n\n"
            f"Made with torch {torch.__version__} by:\n\n"
            "    ldmprobe world render --count 4 --size 64 --seed 2 --out /tmp/world/fixture-scenes\n"
            "    OMP_NUM_THREADS=1 python3 tools/demo/make_world_fixtures.py /tmp/world/fixture-scenes\n\n"
            "Weights: Assets/demo/estimators/*.safetensors (re-make this fixture whenever they are retrained).\n")
print("wrote", out_dir, {k: tuple(v.shape) for k, v in out.items()})
