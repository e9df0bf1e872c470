"""Shared by the PyTorch side of `ldmprobe bench` (unet_torch.py, text_encoder_torch.py, vae_decode_torch.py):
the torchvision guard, the timing loop (warm-up + N timed calls), the JSON line and the optional per-op
profile (torch.profiler, --profile) printed to stderr.
"""
import argparse, glob, importlib.util, os, sys

import torch

import bench_common


def _torchvision_ops() -> None:
    """Makes `import torchvision` (done by transformers, imported by diffusers) work next to this torch.

    A torchvision built for this torch registers its own ops (nms, qnms, …) when its _C extension loads; declaring
    them here as well aborts the process (rc 134: the C++ registration finds them taken). Only a torchvision whose
    _C.so cannot load next to this torch (a mismatched pair, as in tools/requirements.txt) needs the two ops its
    Python meta registrations expect declared by hand. So: load the extension first, declare only if that fails.
    """
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.origin is None:
        return
    libs = glob.glob(os.path.join(os.path.dirname(spec.origin), "_C*.so"))
    try:
        for lib in libs:
            torch.ops.load_library(lib)
        if libs:
            return
    except OSError:
        pass
    try:
        lib = torch.library.Library("torchvision", "DEF")
        lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        _keep.append(lib)  # the declarations live as long as the Library object
    except RuntimeError:
        pass


_keep: list = []
_torchvision_ops()


def common_args(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    bench_common.common_args(ap)
    ap.add_argument("--profile", action="store_true",
                    help="print torch.profiler's per-op self CPU time of the timed calls to stderr")
    return ap


def run_bench(name: str, a, call, extra: dict) -> None:
    """Warm-up, `a.repeat` timed calls of `call()` without autograd, one JSON line on stdout."""
    with torch.no_grad():
        prof = None
        if a.profile:
            from torch.profiler import ProfilerActivity, profile
            prof = profile(activities=[ProfilerActivity.CPU])
            if not a.no_warmup:
                call()  # the warm-up stays out of the profile
                a.no_warmup = True
            prof.__enter__()
        times, cpus = bench_common.timed_calls(name, a, call)
        if prof is not None:
            prof.__exit__(None, None, None)
            print(f"{name}: torch.profiler self CPU time, total over {a.repeat} call(s)", file=sys.stderr)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr)
    bench_common.emit("pytorch", name, a, times, cpus, {"torch": torch.__version__, **extra})
