"""Exports a bench model (random weights, the same builders as the PyTorch peers) to ONNX once, into the bench
cache, for the ONNX Runtime and OpenVINO peers. Static shapes: one file per model and input size.

    python3 bench/onnx_export.py --model unet --latent 32 --batch 2 [--cache DIR]
    python3 bench/onnx_export.py --model text-encoder|vae-decode|vgg16 [...]

Prints the .onnx path (CACHE/<model>-<size>-b<batch>/model.onnx, weights beside it as external data); an existing
export is kept (delete its folder to export again).
"""
import argparse, os, shutil, sys

import torch

import onnx_models


def main():
    ap = argparse.ArgumentParser()
    onnx_models.model_args(ap)
    a = ap.parse_args()
    path, folder = onnx_models.onnx_path(a), onnx_models.onnx_dir(a)
    if os.path.exists(path):
        print(path)
        return
    print(f"onnx_export: exporting {a.model} to {folder} (once; minutes for the UNet)", file=sys.stderr)
    b = onnx_models.batch(a)
    if a.model == "unet":
        import unet_torch
        model, inputs = unet_torch.build("sd-v1.4", a.latent, b)
    elif a.model == "text-encoder":
        import text_encoder_torch
        model, inputs = text_encoder_torch.build(b)
    elif a.model == "vae-decode":
        import vae_decode_torch
        model, inputs = vae_decode_torch.build(a.size, b)
    else:
        import vgg_torch
        model, inputs = vgg_torch.build(a.model)
    # Into a scratch folder first, renamed when complete: an interrupted export leaves no half model behind.
    tmp = folder + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    names = onnx_models.input_names(a.model)
    with torch.no_grad():
        try:
            # TorchScript exporter: a model over 2 GB gets its weights as external files beside model.onnx.
            torch.onnx.export(model, inputs, os.path.join(tmp, "model.onnx"), input_names=names,
                              output_names=["out"], opset_version=17, dynamo=False)
        except (TypeError, RuntimeError) as e:
            print(f"onnx_export: TorchScript exporter failed ({str(e)[:200]}); trying the dynamo exporter",
                  file=sys.stderr)
            torch.onnx.export(model, inputs, os.path.join(tmp, "model.onnx"), input_names=names,
                              output_names=["out"], dynamo=True, external_data=True)
    shutil.rmtree(folder, ignore_errors=True)
    os.rename(tmp, folder)
    print(path)


if __name__ == "__main__":
    main()
