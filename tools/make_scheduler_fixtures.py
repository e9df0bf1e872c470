"""Reference runs of diffusers' schedulers for the sampler plugins (Plugins/Samplers: DDIM, PNDM, K-LMS).

For each case (scheduler × scheduler_config.json × parameters × step count) the script builds the scheduler the
way a pipeline does (`Class.from_config(json dict)`), plans the steps and drives it like StableDiffusionPipeline:
    x = sample · init_noise_sigma
    for each timestep t: xin = scale_model_input(x, t); out = step(eps_i, t, x, …); x = out.prev_sample
with a random sample [1,4,8,8] and random per-call model outputs (and, for DDIM η > 0, per-call variance noise).
It records the timesteps, ᾱ, K-LMS sigmas and LMS coefficients, init_noise_sigma, every scaled input, every
prev_sample and every pred_original_sample diffusers returns.

Writes Tests/Fixtures/schedulers/:
  cases.json                     one entry per case: scheduler, config text (null = SD v1.4's built-in file),
                                 params (name → text, as a user would type them), steps, timesteps, call_count,
                                 init_noise_sigma, lms_coefficients (per call), and the .npy file names
  <case>_alphas_cumprod.npy      F32 [num_train_timesteps]
  <case>_sigmas.npy              F32 [steps + 1] (K-LMS)
  <case>_sample.npy              F32 [1,4,8,8]  unit noise (the host multiplies it by init_noise_sigma)
  <case>_model_outputs.npy       F32 [calls,1,4,8,8]
  <case>_noise.npy               F32 [calls,1,4,8,8] (DDIM η > 0)
  <case>_scaled_inputs.npy       F32 [calls,1,4,8,8] (K-LMS; DDIM/PNDM return the input unchanged)
  <case>_prev_samples.npy        F32 [calls,1,4,8,8]
  <case>_pred_original.npy       F32 [calls,1,4,8,8] (DDIM, K-LMS)
  linspace.json                  torch.linspace(float32) outputs for the linspace-rounding unit check

Run from the repository root: OMP_NUM_THREADS=1 python3 tools/make_scheduler_fixtures.py
"""
import json, os, platform, sys
import numpy as np
import torch
import diffusers, scipy
from diffusers import DDIMScheduler, PNDMScheduler, LMSDiscreteScheduler

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "schedulers")
os.makedirs(OUT, exist_ok=True)

# SD v1.4 scheduler/scheduler_config.json, key for key (REFERENCE.md).
SD14 = {
    "_class_name": "PNDMScheduler", "_diffusers_version": "0.7.0.dev0", "beta_end": 0.012,
    "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
    "set_alpha_to_one": False, "skip_prk_steps": True, "steps_offset": 1, "trained_betas": None,
    "clip_sample": False,
}
CLASSES = {"ddim": DDIMScheduler, "pndm": PNDMScheduler, "lms": LMSDiscreteScheduler}


def sd14(**extra):
    d = dict(SD14)
    d.update(extra)
    return d


# (name, scheduler, config dict or None for "SD v1.4 built in", params for the plugin, steps, seed)
# params that change diffusers' behaviour are applied to the config (timestep_spacing, prediction_type) or the
# step call (eta, order), exactly as the plugin applies them.
CASES = [
    ("ddim_sd14_15", "ddim", None, {}, 15, 1),
    ("ddim_sd14_eta05_15", "ddim", None, {"eta": "0.5"}, 15, 2),
    ("ddim_sd14_eta1_7", "ddim", sd14(), {"eta": "1.0"}, 7, 3),
    ("ddim_sd14_vpred_15", "ddim", sd14(prediction_type="v_prediction"), {}, 15, 4),
    ("ddim_sd14_trailing_7", "ddim", sd14(timestep_spacing="trailing"), {}, 7, 5),
    ("ddim_sd14_linspace_50_param", "ddim", sd14(), {"timestep_spacing": "linspace"}, 50, 6),
    ("ddim_defaults_clip_10", "ddim", {}, {}, 10, 7),
    ("ddim_cos_sample_trailing_16", "ddim",
     {"beta_schedule": "squaredcos_cap_v2", "clip_sample_range": 2.0, "prediction_type": "sample",
      "timestep_spacing": "trailing", "set_alpha_to_one": False}, {}, 16, 8),
    ("pndm_sd14_15", "pndm", None, {}, 15, 11),
    ("pndm_sd14_vpred_15", "pndm", sd14(prediction_type="v_prediction"), {}, 15, 12),
    ("pndm_sd14_trailing_7", "pndm", sd14(), {"timestep_spacing": "trailing"}, 7, 13),
    ("pndm_sd14_linspace_50", "pndm", sd14(timestep_spacing="linspace"), {}, 50, 14),
    ("pndm_linear_4", "pndm", {"skip_prk_steps": True, "beta_schedule": "linear"}, {}, 4, 15),
    ("pndm_defaults_prk_10", "pndm", {}, {}, 10, 16),
    ("lms_sd14_15", "lms", None, {}, 15, 21),
    ("lms_sd14_50", "lms", sd14(), {}, 50, 22),
    ("lms_sd14_vpred_15", "lms", sd14(prediction_type="v_prediction"), {}, 15, 23),
    ("lms_sd14_leading_7", "lms", sd14(timestep_spacing="leading"), {}, 7, 24),
    ("lms_sd14_trailing_15_order2", "lms", sd14(), {"timestep_spacing": "trailing", "order": "2"}, 15, 25),
    ("lms_cos_sample_10", "lms", {"beta_schedule": "squaredcos_cap_v2", "prediction_type": "sample"}, {}, 10, 26),
]


def save(name, array):
    np.save(os.path.join(OUT, name), np.ascontiguousarray(array, dtype=np.float32))
    return name


def run_case(name, kind, config, params, steps, seed):
    cfg = dict(SD14) if config is None else dict(config)
    for key in ("timestep_spacing", "prediction_type"):
        if key in params:
            cfg[key] = params[key]
    sched = CLASSES[kind].from_config(cfg)
    sched.set_timesteps(steps)
    timesteps = sched.timesteps
    calls = len(timesteps)

    g = torch.Generator().manual_seed(seed)
    sample = torch.randn((1, 4, 8, 8), generator=g)
    model_outputs = torch.randn((calls, 1, 4, 8, 8), generator=g)
    noise = torch.randn((calls, 1, 4, 8, 8), generator=g)
    eta = float(params.get("eta", "0"))
    order = int(params.get("order", "4"))

    coeffs = []
    if kind == "lms":  # record the integrated coefficients exactly as step() computes them
        original = sched.get_lms_coefficient
        def logged(o, t, c):
            v = original(o, t, c)
            coeffs[-1].append(float(v))
            return v
        sched.get_lms_coefficient = logged

    init_sigma = sched.init_noise_sigma
    x = sample * init_sigma
    scaled, prevs, x0s = [], [], []
    for i, t in enumerate(timesteps):
        xin = sched.scale_model_input(x, t)
        scaled.append(xin.clone())
        if kind == "ddim":
            out = sched.step(model_outputs[i], t, x, eta=eta, variance_noise=noise[i] if eta > 0 else None)
        elif kind == "lms":
            coeffs.append([])
            out = sched.step(model_outputs[i], t, x, order=order)
        else:
            out = sched.step(model_outputs[i], t, x)
        prevs.append(out.prev_sample.clone())
        if getattr(out, "pred_original_sample", None) is not None:
            x0s.append(out.pred_original_sample.clone())
        x = out.prev_sample

    entry = {
        "name": name, "scheduler": kind,
        "config": None if config is None else json.dumps(config),
        "params": params, "steps": steps, "call_count": calls,
        "timesteps": [float(t) for t in timesteps.tolist()],
        "init_noise_sigma": float(init_sigma),
        "alphas_cumprod": save(f"{name}_alphas_cumprod.npy", sched.alphas_cumprod.numpy()),
        "sample": save(f"{name}_sample.npy", sample.numpy()),
        "model_outputs": save(f"{name}_model_outputs.npy", model_outputs.numpy()),
        "prev_samples": save(f"{name}_prev_samples.npy", torch.stack(prevs).numpy()),
    }
    if eta > 0:
        entry["noise"] = save(f"{name}_noise.npy", noise.numpy())
    if x0s:
        entry["pred_original"] = save(f"{name}_pred_original.npy", torch.stack(x0s).numpy())
    if kind == "lms":
        entry["sigmas"] = save(f"{name}_sigmas.npy", sched.sigmas.numpy())
        entry["scaled_inputs"] = save(f"{name}_scaled_inputs.npy", torch.stack(scaled).numpy())
        entry["lms_coefficients"] = coeffs
    else:
        assert all(torch.equal(a, b) for a, b in zip(scaled, [sample * init_sigma] + prevs[:-1]))
    return entry


def main():
    cases = [run_case(*c) for c in CASES]
    lin = []
    for start, end, n in [(0.00085 ** 0.5, 0.012 ** 0.5, 1000), (0.0001, 0.02, 1000), (0.3, 7.1, 37), (1.0, -2.5, 100),
                          (0.0, 1.0, 2), (0.0, 1.0, 1), (0.1, 0.2, 5)]:
        v = torch.linspace(start, end, n, dtype=torch.float32).numpy()
        lin.append({"start": start, "end": end, "count": n, "bits": [int(b) for b in v.view(np.uint32)]})
    versions = {"python": platform.python_version(), "torch": torch.__version__, "diffusers": diffusers.__version__,
                "numpy": np.__version__, "scipy": scipy.__version__,
                "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"versions": versions, "sd14_config": json.dumps(SD14), "cases": cases}, f, indent=1)
    with open(os.path.join(OUT, "linspace.json"), "w") as f:
        json.dump(lin, f)
    with open(os.path.join(OUT, "FIXTURE.md"), "w") as f:
        f.write("# Scheduler fixtures (DDIM, PNDM, K-LMS)\n\n"
                "Made by `OMP_NUM_THREADS=1 python3 tools/make_scheduler_fixtures.py` (repository root).\n\n"
                f"Versions: {json.dumps(versions)}\n\n"
                "Each case builds `DDIMScheduler` / `PNDMScheduler` / `LMSDiscreteScheduler` with `from_config`\n"
                "(config null = SD v1.4's scheduler_config.json, as in REFERENCE.md), plans `steps` and drives it as\n"
                "StableDiffusionPipeline does, on a random [1,4,8,8] sample and random per-call model outputs\n"
                "(seeded torch.Generator). See the script's docstring for every file; `cases.json` lists them.\n"
                "`linspace.json`: torch.linspace float32 bit patterns (the FMA rounding of torch's AVX2 kernel).\n")
    total = sum(os.path.getsize(os.path.join(OUT, p)) for p in os.listdir(OUT))
    print(f"{len(cases)} cases, {total / 1e6:.2f} MB in {OUT}")


if __name__ == "__main__":
    main()
