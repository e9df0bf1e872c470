"""Shared by the PyTorch side of `ldmprobe bench` (unet_torch.py, text_encoder_torch.py, vae_decode_torch.py):
the torchvision workaround, the timing loop (warm-up + N timed calls), the JSON line and the optional per-op
profile (torch.profiler, --profile) printed to stderr.
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


def common_args(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up call (ldmprobe bench does one too)")
    ap.add_argument("--profile", action="store_true",
                    help="print torch.profiler's per-op self CPU time of the timed calls to stderr")
    return ap


def run_bench(name: str, a, call, extra: dict) -> None:
    """Warm-up, `a.repeat` timed calls of `call()`, one JSON line on stdout (same fields as ldmprobe bench)."""
    times, cpus = [], []
    with torch.no_grad():
        if not a.no_warmup:
            print(f"{name}: warm-up call", file=sys.stderr)
            call()
        prof = None
        if a.profile:
            from torch.profiler import ProfilerActivity, profile
            prof = profile(activities=[ProfilerActivity.CPU])
            prof.__enter__()
        for i in range(a.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            call()
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            print(f"{name}: call {i + 1}/{a.repeat} {times[-1]:.2f} s", file=sys.stderr)
        if prof is not None:
            prof.__exit__(None, None, None)
            print(f"{name}: torch.profiler self CPU time, total over {a.repeat} call(s)", file=sys.stderr)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    line = {"engine": "pytorch", "model": name, "repeat": a.repeat, "threads": a.threads,
            "median_s": statistics.median(times), "min_s": min(times), "times_s": times, "peak_rss_bytes": rss,
            "cpu_s": statistics.median(cpus),
            "torch": torch.__version__, "load_avg_1m": os.getloadavg()[0]}
    line.update(extra)
    print(json.dumps(line, sort_keys=True))
