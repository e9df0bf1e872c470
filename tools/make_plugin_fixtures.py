"""Reference values for the C example plugin (Examples/CPlugin/example_euler.c): diffusers EulerDiscreteScheduler.

Writes Tests/Fixtures/PluginHost/euler.json: for each case, the timesteps, sigmas and init_noise_sigma after
set_timesteps, and for a few calls the scaled model input, prev_sample and pred_original_sample of one step on
fixed inputs (sample and model output are given in the file, so the Swift test needs no RNG).

    OMP_NUM_THREADS=1 python3 tools/make_plugin_fixtures.py
"""
import json
import os
import sys

import diffusers
import numpy as np
import torch
from diffusers import EulerDiscreteScheduler

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "PluginHost")
SHAPE = [1, 4, 3, 3]  # [B, C, h, w]


def case(name, steps, calls, **config):
    s = EulerDiscreteScheduler(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012,
                               beta_schedule="scaled_linear", **config)
    s.set_timesteps(steps)
    rng = np.random.default_rng(len(name) * 1000 + steps)
    results = []
    for call in calls:
        sample = rng.standard_normal(SHAPE).astype(np.float32)
        eps = rng.standard_normal(SHAPE).astype(np.float32)
        s._step_index = call  # what step() would reach after `call` calls
        t = s.timesteps[call]
        scaled = s.scale_model_input(torch.from_numpy(sample.copy()), t)
        s._step_index = call
        out = s.step(torch.from_numpy(eps), t, torch.from_numpy(sample))
        results.append({
            "call": call,
            "sample": sample.ravel().tolist(),
            "model_output": eps.ravel().tolist(),
            "scaled": scaled.numpy().ravel().tolist(),
            "prev_sample": out.prev_sample.numpy().ravel().tolist(),
            "pred_original": out.pred_original_sample.numpy().ravel().tolist(),
        })
    return {
        "name": name,
        "steps": steps,
        "params": {k: v for k, v in config.items()},
        "timesteps": s.timesteps.numpy().astype(np.float64).tolist(),
        "sigmas": s.sigmas.numpy().astype(np.float64).tolist(),
        "init_noise_sigma": float(s.init_noise_sigma),
        "shape": SHAPE,
        "steps_checked": results,
    }


def main():
    cases = [
        case("linspace", 10, [0, 4, 9], timestep_spacing="linspace"),
        case("leading", 25, [0, 12, 24], timestep_spacing="leading", steps_offset=1),
        case("trailing", 7, [0, 6], timestep_spacing="trailing"),
        case("v_prediction", 10, [0, 5], timestep_spacing="linspace", prediction_type="v_prediction"),
    ]
    doc = {
        "reference": f"diffusers {diffusers.__version__} EulerDiscreteScheduler, torch {torch.__version__}, "
                     f"numpy {np.__version__}",
        "command": "OMP_NUM_THREADS=1 python3 tools/make_plugin_fixtures.py",
        "cases": cases,
    }
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "euler.json")
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f)
    os.replace(path + ".tmp", path)
    with open(os.path.join(OUT, "FIXTURE.md"), "w") as f:
        f.write("# PluginHost fixtures\n\n`euler.json`: reference values for the C example plugin "
                "(Examples/CPlugin/example_euler.c).\n\n"
                f"- Reference: {doc['reference']}\n- Command: `{doc['command']}`\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
