"""Driver of bench/compare.sh (standard library only): times ldmprobe and its peers on the same models, rounds
interleaved across engines, and prints a Markdown table (median seconds, peak RSS, ratio to the fastest engine)
and writes every run to a CSV. See bench/README.md.

Every engine runs as its own process (warm-up call + --repeat timed calls, one JSON line on stdout); this driver
reaps it with wait4, so peak RSS (ru_maxrss) and context switches (ru_nvcsw / ru_nivcsw) are measured the same way
for all of them: the whole process, model build and warm-up included.
"""
import argparse, csv, datetime, json, os, re, shlex, subprocess, sys, tempfile, threading, time

import compare_table

HERE = os.path.dirname(os.path.abspath(__file__))
# ldmprobe-f16: ldmprobe with half weight residency, the UNet loaded from a fp16 .safetensors file (the memory
# target's configuration; UNet rows only).
ENGINES = ("ldmprobe", "ldmprobe-f16", "pytorch", "onnxruntime", "openvino", "sdcpp")
ROWS = ("unet32", "unet64", "text-encoder", "vae-decode", "vgg16")
# A 512-px VAE decode costs 5–15 s per call and engine: one timed call per run keeps the row to a few minutes.
ROW_REPEAT = "vae-decode=1"


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default=",".join(ROWS),
                    help="comma-separated: unetN (UNet at latent N, batch 2), text-encoder (batch 2), "
                         "vae-decode (512 px, batch 1), vgg16 (224², batch 1)")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    ap.add_argument("--rounds", type=int, default=2, help="rounds; each runs every engine once per row")
    ap.add_argument("--repeat", type=int, default=3, help="timed calls per run, after one warm-up call")
    ap.add_argument("--row-repeat", default=ROW_REPEAT,
                    help="comma-separated ROW=N: timed calls per run for these rows instead of --repeat "
                         f"(default {ROW_REPEAT}; \"\" for none)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ldmprobe", default=os.environ.get("LDMPROBE", ".build/release/ldmprobe"))
    ap.add_argument("--ldmprobe-args", default="",
                    help='extra options for every `ldmprobe bench unet` run of the ldmprobe engine, e.g. '
                         '--ldmprobe-args="--opt value" (split like a shell would): a weight-residency option, say')
    ap.add_argument("--python", default=os.environ.get("BENCH_PYTHON", sys.executable),
                    help="the peers' Python, a venv made from bench/requirements.txt (env BENCH_PYTHON)")
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE", os.path.expanduser("~/.cache/ldmprobe-bench")),
                    help="ONNX exports, logs and results (env BENCH_CACHE)")
    ap.add_argument("--csv", default=None, help="default: CACHE/compare-<UTC time>.csv (the table goes beside, .md)")
    ap.add_argument("--op-table", action="store_true",
                    help="after the rounds, one profiled ldmprobe call per UNet row: GFLOP/s per op kind")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds one engine run may take")
    a = ap.parse_args()
    a.ldmprobe_args = shlex.split(a.ldmprobe_args)
    a.rows = [r for r in a.rows.split(",") if r]
    a.engines = [e for e in a.engines.split(",") if e]
    for r in a.rows:
        if r not in ROWS and not re.fullmatch(r"unet\d+", r):
            ap.error(f"--rows: unknown row {r!r} (one of unetN, text-encoder, vae-decode, vgg16)")
    for e in a.engines:
        if e not in ENGINES:
            ap.error(f"--engines: unknown engine {e!r} (one of {', '.join(ENGINES)})")
    if a.rounds < 1 or a.repeat < 1 or a.threads < 1:
        ap.error("--rounds, --repeat and --threads must be at least 1")
    spec, a.row_repeat = a.row_repeat, {}
    for item in [i for i in spec.split(",") if i]:
        row, _, n = item.partition("=")
        if not n.isdigit() or int(n) < 1:
            ap.error(f"--row-repeat: {item!r} is not ROW=N with N ≥ 1")
        a.row_repeat[row] = int(n)
    return a


def repeat(a, row: str) -> int:
    """Timed calls per run for `row`."""
    return a.row_repeat.get(row, a.repeat)


def onnx_args(row: str) -> list:
    """onnx_export.py / onnx_peer.py model options for a row."""
    if row.startswith("unet"):
        return ["--model", "unet", "--latent", row[4:], "--batch", "2"]
    return {"text-encoder": ["--model", "text-encoder", "--batch", "2"],
            "vae-decode": ["--model", "vae-decode", "--size", "512", "--batch", "1"],
            "vgg16": ["--model", "vgg16"]}[row]


def command(a, engine: str, row: str) -> list:
    """The command line that times `row` on `engine`."""
    r, py = str(repeat(a, row)), [a.python, "-u"]
    if engine == "ldmprobe-f16":  # UNet rows only (applies() says so)
        return [a.ldmprobe, "bench", "unet", "--latent", row[4:], "--batch", "2", "--repeat", r,
                "--weights-file", "f16", "--weights-dtype", "f16"]
    if engine == "ldmprobe":
        if row.startswith("unet"):
            return [a.ldmprobe, "bench", "unet", "--latent", row[4:], "--batch", "2", "--repeat", r] + a.ldmprobe_args
        return {"text-encoder": [a.ldmprobe, "bench", "text-encoder", "--batch", "2", "--repeat", r],
                "vae-decode": [a.ldmprobe, "bench", "vae-decode", "--size", "512", "--batch", "1", "--repeat", r],
                "vgg16": [a.ldmprobe, "bench", "vgg16", "--size", "224", "--batch", "1", "--repeat", r]}[row]
    t = ["--threads", str(a.threads), "--repeat", r]
    if engine == "pytorch":
        if row.startswith("unet"):
            return py + [f"{HERE}/unet_torch.py", "--latent", row[4:], "--batch", "2"] + t
        return py + {"text-encoder": [f"{HERE}/text_encoder_torch.py", "--batch", "2"],
                     "vae-decode": [f"{HERE}/vae_decode_torch.py", "--size", "512", "--batch", "1"],
                     "vgg16": [f"{HERE}/vgg_torch.py"]}[row] + t
    return py + [f"{HERE}/onnx_peer.py", "--engine", engine, "--cache", a.cache] + onnx_args(row) + t


def applies(engine: str, row: str) -> bool:
    """Whether `engine` has a run for `row` (half residency is a UNet option)."""
    return engine != "ldmprobe-f16" or row.startswith("unet")


def environment(a) -> dict:
    """The same thread count for every engine's own knob (and its BLAS / OpenMP runtime's)."""
    env = dict(os.environ)
    n = str(a.threads)
    env.update(LDMPROBE_THREADS=n, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n, MKL_NUM_THREADS=n)
    env.pop("LDMPROBE_PROFILE", None)
    return env


def run_child(cmd: list, env: dict, log, timeout: float):
    """Runs cmd; returns (exit code, stdout, stderr, rusage of the child, wall seconds)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        _, status, usage = os.wait4(p.pid, 0)
        killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    log.write(f"$ {' '.join(cmd)}\n{stderr}\n")
    log.flush()
    return p.returncode, stdout, stderr, usage, wall


def availability(a, env: dict) -> dict:
    """engine → None when it can run, else why it is skipped. Looks the packages up without importing them
    (importing torch takes a minute on a loaded machine); a package that is there but fails shows as a failed run."""
    need = {"pytorch": ["torch", "torchvision", "diffusers", "transformers"],
            "onnxruntime": ["onnxruntime", "onnx", "torch", "diffusers", "transformers"],
            "openvino": ["openvino", "onnx", "torch", "diffusers", "transformers"]}
    mods = sorted({m for ms in need.values() for m in ms})
    probe = "import importlib.util, json, sys; print(json.dumps([m for m in sys.argv[1:] " \
            "if importlib.util.find_spec(m) is None]))"
    try:
        r = subprocess.run([a.python, "-c", probe, *mods], env=env, capture_output=True, text=True, timeout=120)
        missing = set(json.loads(r.stdout)) if r.returncode == 0 else set(mods)
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        missing = set(mods)
    why = {}
    for e in a.engines:
        if e in ("ldmprobe", "ldmprobe-f16"):
            why[e] = None if os.access(a.ldmprobe, os.X_OK) else \
                f"{a.ldmprobe} not found (swift build -c release --product ldmprobe, or --ldmprobe PATH)"
        elif e in need:
            lack = [m for m in need[e] if m in missing]
            why[e] = f"{a.python} lacks {', '.join(lack)} (pip install -r bench/requirements.txt)" if lack else None
        else:
            why[e] = ("not installable here: no Debian package or wheel (PyPI has only the source of "
                      "stable-diffusion-cpp-python), and no runner for a single UNet call is wired")
    return why


def parse_result(engine: str, row: str, stdout: str, stderr: str) -> dict:
    """The run's JSON line."""
    lines = [l for l in stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise ValueError("no JSON line on stdout")
    j = json.loads(lines[-1])
    j["version"] = j.get("torch") or j.get("onnxruntime") or j.get("openvino") or ""
    return j


def unet_gflop(a, env: dict, rows: list) -> dict:
    """row → analytic GFLOP of one UNet call (ldmprobe bench unet --count-flops), where this ldmprobe has it."""
    out = {}
    for row in rows:
        if not row.startswith("unet") or not os.access(a.ldmprobe, os.X_OK):
            continue
        r = subprocess.run([a.ldmprobe, "bench", "unet", "--latent", row[4:], "--batch", "2", "--count-flops"],
                           env=env, capture_output=True, text=True)
        if r.returncode == 0:
            out[row] = json.loads(r.stdout.splitlines()[-1])["gflop"]
    return out


def main():
    a = parse_args()
    os.makedirs(a.cache, exist_ok=True)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
    csv_path = a.csv or os.path.join(a.cache, f"compare-{stamp}.csv")
    log_path = os.path.splitext(csv_path)[0] + ".log"
    env = environment(a)
    skipped = availability(a, env)
    for e, why in skipped.items():
        if why:
            print(f"compare: {e}: skipped: {why}", file=sys.stderr)
    live = [e for e in a.engines if not skipped[e]]
    records, failed = [], {}
    gflop = unet_gflop(a, env, a.rows)
    # self_peak_rss_bytes: ldmprobe's own report (VmHWM; the load and the calls, after `bench unet
    # --weights-file`'s shapes pass), beside peak_rss_bytes from wait4.
    fields = ["row", "engine", "round", "rc", "median_s", "min_s", "times_s", "cpu_s", "peak_rss_bytes",
              "self_peak_rss_bytes", "nvcsw", "nivcsw", "user_s", "sys_s", "proc_wall_s", "load_avg_1m", "version",
              "gflop"]
    with open(log_path, "w") as log, open(csv_path, "w", newline="") as csv_file:
        rows_out = csv.DictWriter(csv_file, fieldnames=fields, extrasaction="ignore")
        rows_out.writeheader()
        for row in a.rows:  # exports happen once, before any timing
            for e in ("onnxruntime", "openvino"):
                if e in live and (row, "onnx") not in failed:
                    rc, _, err, _, _ = run_child([a.python, f"{HERE}/onnx_export.py", "--cache", a.cache]
                                                 + onnx_args(row), env, log, a.timeout)
                    if rc != 0:
                        last = (err.strip().splitlines() or ["?"])[-1]
                        failed[(row, "onnx")] = f"ONNX export failed (rc {rc}): {last}"
                        print(f"compare: {row}: {failed[(row, 'onnx')]}", file=sys.stderr)
                    break
        for rnd in range(a.rounds):
            for row in a.rows:
                order = live[rnd % max(len(live), 1):] + live[:rnd % max(len(live), 1)]  # rotate the start per round
                for e in order:
                    if not applies(e, row) or e in ("onnxruntime", "openvino") and (row, "onnx") in failed:
                        continue
                    print(f"compare: round {rnd + 1}/{a.rounds} {row} {e} (load {os.getloadavg()[0]:.2f})",
                          file=sys.stderr)
                    rc, out, err, ru, wall = run_child(command(a, e, row), env, log, a.timeout)
                    rec = {"row": row, "engine": e, "round": rnd + 1, "rc": rc, "proc_wall_s": round(wall, 3),
                           "peak_rss_bytes": ru.ru_maxrss * 1024, "nvcsw": ru.ru_nvcsw, "nivcsw": ru.ru_nivcsw,
                           "user_s": round(ru.ru_utime, 3), "sys_s": round(ru.ru_stime, 3)}
                    try:
                        if rc != 0:
                            raise ValueError(f"exit code {rc}: " + (err.strip().splitlines() or ["?"])[-1])
                        j = parse_result(e, row, out, err)
                        rec.update(median_s=j["median_s"], min_s=j["min_s"], times_s=j.get("times_s", ""),
                                   cpu_s=j.get("cpu_s", ""), load_avg_1m=j.get("load_avg_1m", ""),
                                   version=j["version"], self_peak_rss_bytes=j.get("vm_hwm_bytes", ""))
                    except (ValueError, KeyError, json.JSONDecodeError) as x:
                        failed[(row, e)] = str(x)
                        print(f"compare: {row} {e}: failed: {x} (log: {log_path})", file=sys.stderr)
                    records.append(rec)
                    rows_out.writerow({**rec, "gflop": gflop.get(row, "")})  # as it comes: a cut run keeps its rows
                    csv_file.flush()
        text = compare_table.markdown(a, records, skipped, failed, gflop)
        if a.op_table:
            text += compare_table.op_tables(a, [r for r in a.rows if r.startswith("unet")], run_child, env, log)
    with open(os.path.splitext(csv_path)[0] + ".md", "w") as f:
        f.write(text)
    print(text)
    print(f"compare: CSV {csv_path}, log {log_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
