"""Shared by every peer script in bench/ (PyTorch, ONNX Runtime, OpenVINO), standard library only so that a peer's
peak RSS holds no library it does not use: the common options, the timing loop (warm-up + N timed calls) and the
one JSON line with the same fields as `ldmprobe bench` prints.
"""
import argparse, json, os, resource, statistics, sys, time


def common_args(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-warmup", action="store_true",
                    help="skip the untimed warm-up call (ldmprobe bench does one too)")
    return ap


def timed_calls(name: str, a, call) -> tuple[list, list]:
    """Warm-up (unless --no-warmup), then `a.repeat` timed calls: (wall seconds, process CPU seconds) per call."""
    if not a.no_warmup:
        print(f"{name}: warm-up call", file=sys.stderr)
        call()
    times, cpus = [], []
    for i in range(a.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        print(f"{name}: call {i + 1}/{a.repeat} {times[-1]:.2f} s", file=sys.stderr)
    return times, cpus


def emit(engine: str, name: str, a, times: list, cpus: list, extra: dict) -> None:
    """Prints the JSON line: median/min wall, median CPU, peak RSS and context switches of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    line = {"engine": engine, "model": name, "repeat": a.repeat, "threads": a.threads,
            "median_s": statistics.median(times), "min_s": min(times), "times_s": times,
            "cpu_s": statistics.median(cpus), "peak_rss_bytes": usage.ru_maxrss * 1024,
            "nvcsw": usage.ru_nvcsw, "nivcsw": usage.ru_nivcsw, "load_avg_1m": os.getloadavg()[0]}
    line.update(extra)
    print(json.dumps(line, sort_keys=True), flush=True)
