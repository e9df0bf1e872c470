"""The Markdown that bench/compare.py prints: one row per model, one column per engine (median seconds, range over
rounds, peak RSS, ratio to the fastest), GFLOP/s of the UNet rows, and optionally ldmprobe's GFLOP/s per op kind.
"""
import os, platform, statistics, subprocess

NAMES = {"ldmprobe": "ldmprobe", "ldmprobe-f16": "ldmprobe fp16 weights", "pytorch": "PyTorch",
         "onnxruntime": "ONNX Runtime", "openvino": "OpenVINO (f32 hint)",
         "sdcpp": "stable-diffusion.cpp"}


def row_label(row: str) -> str:
    if row.startswith("unet"):
        n = int(row[4:])
        return f"UNet call, latent {n} ({8 * n} px), batch 2"
    return {"text-encoder": "CLIP text encoder, batch 2", "vae-decode": "VAE decoder, 512 px, batch 1",
            "vgg16": "VGG-16, 224², batch 1"}[row]


def summary(records: list) -> dict:
    """(row, engine) → (median of the round medians, lowest, highest, peak RSS bytes), successful runs only."""
    out = {}
    for key in {(r["row"], r["engine"]) for r in records}:
        runs = [r for r in records if (r["row"], r["engine"]) == key and "median_s" in r]
        if runs:
            meds = [r["median_s"] for r in runs]
            out[key] = (statistics.median(meds), min(meds), max(meds), max(r["peak_rss_bytes"] for r in runs))
    return out


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def markdown(a, records: list, skipped: dict, failed: dict, gflop: dict) -> str:
    s = summary(records)
    versions = {}
    for r in records:
        if r.get("version"):
            versions.setdefault(r["engine"], r["version"])
    engines = a.engines
    head = [f"{NAMES[e]} {versions.get(e, '') if e != 'ldmprobe' else ''}".strip() for e in engines]
    fewer = "".join(f" ({r}: {n})" for r, n in a.row_repeat.items() if r in a.rows)
    lines = [f"{a.rounds} round(s) interleaved across engines, each run a warm-up call + median of {a.repeat}{fewer}; "
             f"{a.threads} threads each, fp32, random weights; {cpu_name()}, {os.cpu_count()} cores; "
             f"load average now {os.getloadavg()[0]:.2f}. Cell: median of the round medians (lowest–highest), "
             f"peak RSS of the process, ratio to the fastest engine.", "",
             "| model | " + " | ".join(head) + " | fastest | ldmprobe ÷ fastest |",
             "|---|" + "---|" * (len(engines) + 2)]
    for row in a.rows:
        have = {e: s[(row, e)] for e in engines if (row, e) in s}
        best = min(have, key=lambda e: have[e][0]) if have else None
        cells = []
        for e in engines:
            if e in have:
                med, lo, hi, rss = have[e]
                t = f"{med:.3g} s" if a.rounds == 1 else f"{med:.3g} s ({lo:.3g}–{hi:.3g})"
                if e == best:
                    t = f"**{t}**"
                cells.append(f"{t}, {rss / 1e9:.1f} GB, {med / have[best][0]:.2f}×")
            elif e == "ldmprobe-f16" and not row.startswith("unet"):
                cells.append("n/a")
            elif skipped.get(e):
                cells.append("skipped")
            elif (row, e) in failed or (row, "onnx") in failed:
                cells.append("failed")
            else:
                cells.append("—")
        ratio = f"{have['ldmprobe'][0] / have[best][0]:.2f}×" if best and "ldmprobe" in have else "—"
        lines.append(f"| {row_label(row)} | " + " | ".join(cells) + f" | {NAMES[best] if best else '—'} | {ratio} |")
    unet_rows = [r for r in a.rows if r in gflop]
    if unet_rows:
        lines += ["", "GFLOP/s of the UNet call (analytic FLOPs of the SD v1.4 UNet, `ldmprobe bench unet "
                  "--count-flops`, ÷ median seconds):", "",
                  "| model | GFLOP | " + " | ".join(NAMES[e] for e in engines) + " |",
                  "|---|---|" + "---|" * len(engines)]
        for row in unet_rows:
            cells = [f"{gflop[row] / s[(row, e)][0]:.0f}" if (row, e) in s else "—" for e in engines]
            lines.append(f"| {row_label(row)} | {gflop[row]:.0f} | " + " | ".join(cells) + " |")
    lines += memory_lines(a, records, s)
    notes = [f"- {NAMES[e]}: skipped: {why}" for e, why in skipped.items() if why]
    notes += [f"- {row} {NAMES.get(e, e)}: {why}" for (row, e), why in failed.items()]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def memory_lines(a, records: list, s: dict) -> list:
    """Half residency against fp32 per UNet row: peak RSS (wait4) and ldmprobe's own VmHWM (load + calls)."""
    out = []
    for row in [r for r in a.rows if r.startswith("unet")]:
        if (row, "ldmprobe-f16") not in s:
            continue
        def hwm(e):
            v = [r["self_peak_rss_bytes"] for r in records
                 if (r["row"], r["engine"]) == (row, e) and r.get("self_peak_rss_bytes")]
            return f"{max(v) / 1e9:.3f} GB" if v else "—"
        half = s[(row, "ldmprobe-f16")]
        line = (f"- {row_label(row)}: fp16 weights {half[0]:.3g} s, peak RSS {half[3] / 1e9:.3f} GB (VmHWM "
                f"{hwm('ldmprobe-f16')})")
        if (row, "ldmprobe") in s:
            full = s[(row, "ldmprobe")]
            line += (f"; fp32 {full[0]:.3g} s, {full[3] / 1e9:.3f} GB (VmHWM {hwm('ldmprobe')}): "
                     f"{half[3] / full[3]:.0%} of the RSS, {half[0] / full[0]:.2f}× the time")
        out.append(line)
    if out:
        out = ["", "Memory, ldmprobe's UNet with fp16 weights kept half (`bench unet --weights-file f16 "
               "--weights-dtype f16`) against fp32:", ""] + out
    return out


def op_tables(a, rows: list, run_child, env: dict, log) -> str:
    """ldmprobe's GFLOP/s per op kind for each UNet row: one profiled call (LDMPROBE_PROFILE=1) after a warm-up."""
    out = []
    for row in rows:
        cmd = [a.ldmprobe, "bench", "unet", "--latent", row[4:], "--batch", "2", "--repeat", "1"] + a.ldmprobe_args
        rc, _, err, _, _ = run_child(cmd, {**env, "LDMPROBE_PROFILE": "1"}, log, a.timeout)
        lines = err.splitlines()
        start = next((i for i, l in enumerate(lines) if "GFLOP/s per op kind" in l), None)
        if rc != 0 or start is None:
            out.append(f"\n{row_label(row)}: no per-op table (rc {rc}; this ldmprobe may predate it)\n")
            continue
        block = [l for l in lines[start:] if l.startswith("|") or "GFLOP/s per op kind" in l]
        out.append(f"\n{row_label(row)}, ldmprobe, one profiled call, {a.threads} threads:\n\n"
                   + "\n".join(block) + "\n")
    return "".join(out)
