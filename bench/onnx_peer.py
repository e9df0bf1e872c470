"""ONNX Runtime and OpenVINO peers of `ldmprobe bench`: run a model exported by bench/onnx_export.py (random
weights, fp32) with `--threads` threads, one JSON line like the other peers. Imports no torch, so the peak RSS is
the engine's own.

    python3 bench/onnx_peer.py --engine onnxruntime --model unet --latent 32 --batch 2 --repeat 3 --threads 2
    python3 bench/onnx_peer.py --engine openvino --model vae-decode --size 512 ...
"""
import argparse, os, sys

import bench_common
import onnx_models


def onnxruntime_call(path: str, feeds: dict, threads: int):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    return (lambda: session.run(None, feeds)), {"onnxruntime": ort.__version__}


def openvino_call(path: str, feeds: dict, threads: int):
    import openvino as ov
    core = ov.Core()
    # fp32 compute (the CPU plugin would otherwise pick bf16/f16 where the CPU has it), one stream, latency mode.
    config = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1,
              "PERFORMANCE_HINT": "LATENCY"}
    compiled = core.compile_model(core.read_model(path), "CPU", config)
    request = compiled.create_infer_request()
    return (lambda: request.infer(feeds)), {"openvino": ov.get_version().split("-")[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", choices=("onnxruntime", "openvino"), required=True)
    onnx_models.model_args(ap)
    a = bench_common.common_args(ap).parse_args()
    path = onnx_models.onnx_path(a)
    if not os.path.exists(path):
        sys.exit(f"onnx_peer: {path} not found (export it first: python3 bench/onnx_export.py --model {a.model} ...)")
    feeds = onnx_models.inputs(a)
    call, versions = (onnxruntime_call if a.engine == "onnxruntime" else openvino_call)(path, feeds, a.threads)
    times, cpus = bench_common.timed_calls(a.model, a, call)
    extra = {"latent": a.latent, "size": a.size, "batch": onnx_models.batch(a), **versions}
    bench_common.emit(a.engine, a.model, a, times, cpus, extra)


if __name__ == "__main__":
    main()
