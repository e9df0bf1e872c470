"""Seed corpora for the libFuzzer targets (fuzz/corpus/<target>/): a few small valid files of each format, made by
the reference writers (numpy, safetensors, torch.save, pickle; PNGs assembled chunk by chunk with zlib), so that the fuzzer
starts from inputs that get deep into each parser. Versions: tools/requirements.txt.

    /work/venv/bin/python tools/make_fuzz_seeds.py          # rewrites fuzz/corpus/
"""
import io
import json
import os
import pickle
import struct
import zlib

import numpy as np
import safetensors.numpy
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")


def put(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def npy(a):
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def png(width, height, channels, depth, rows):
    """A minimal PNG (one IDAT, filter 0) — libpng reads it like any other."""
    color = {1: 0, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + r for r in rows)
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    # npy: every dtype the reader knows, 0-d to 4-d, versions 1 and 2.
    for i, a in enumerate([np.zeros((2, 3), np.float32), np.arange(5, dtype=np.float16), np.array(3.0),
                           np.ones((1, 4, 2, 2), np.uint8), np.arange(4, dtype=np.int64)]):
        put("npy", f"seed{i}.npy", npy(a))
    # pfm: gray and RGB, both byte orders.
    put("pfm", "gray_le.pfm", b"Pf\n2 2\n-1.000000\n" + np.arange(4, dtype="<f4").tobytes())
    put("pfm", "rgb_be.pfm", b"PF\n1 2\n1.000000\n" + np.arange(6, dtype=">f4").tobytes())
    # png: gray 8, RGB 8, gray 16, RGBA 8.
    put("png", "gray8.png", png(2, 2, 1, 8, [b"\x00\x80", b"\xff\x10"]))
    put("png", "rgb8.png", png(2, 1, 3, 8, [bytes(range(6))]))
    put("png", "gray16.png", png(1, 2, 1, 16, [b"\x12\x34", b"\xff\xff"]))
    put("png", "rgba8.png", png(1, 1, 4, 8, [b"\x01\x02\x03\x80"]))
    # safetensors: f32 and f16 tensors with metadata.
    put("safetensors", "two.safetensors", safetensors.numpy.save(
        {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(4, np.float16)}, metadata={"k": "v"}))
    # pickle: numpy arrays under protocols 2 and 4, nested containers, a torch state dict's data.pkl.
    put("pickle", "array_p2.pkl", pickle.dumps(np.arange(3, dtype=np.float32), protocol=2))
    put("pickle", "dict_p4.pkl", pickle.dumps({"x": [np.zeros((2, 2), np.float32), (1, 2.5, "s")], "n": None}, protocol=4))
    buf = io.BytesIO()
    torch.save({"state_dict": {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3)}}, buf)
    import zipfile
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        name = next(n for n in z.namelist() if n.endswith("data.pkl"))
        put("pickle", "torch_data.pkl", z.read(name))
    # torchzip: whole torch.save files (a state dict; a strided view; half precision).
    put("torchzip", "state.ckpt", buf.getvalue())
    buf = io.BytesIO()
    base = torch.arange(12, dtype=torch.float16).reshape(3, 4)
    torch.save({"t": base.t(), "s": base[1:, ::2]}, buf)
    put("torchzip", "views.pth", buf.getvalue())
    # csv: the dataset's header and quoting.
    put("csv", "rows.csv", 'prompts,seeds,prompt_inds\n"a red, cube",1,0\nplain,2,1\n')
    put("csv", "crlf.csv", "prompts,seeds,prompt_inds\r\nx,3,2\r\n")
    # configs: the tiny model's three configs.
    for part in ["unet", "vae", "text_encoder"]:
        with open(os.path.join(FIX, "tiny-sd", part, "config.json"), "rb") as f:
            put("configs", f"{part}.json", f.read())
    # scheduler: SD v1.4's config and the tiny model's.
    put("scheduler", "sd14.json", json.dumps({"beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                                             "num_train_timesteps": 1000, "set_alpha_to_one": False,
                                             "skip_prk_steps": True, "steps_offset": 1, "clip_sample": False}))
    put("scheduler", "cosine.json", json.dumps({"beta_schedule": "squaredcos_cap_v2", "prediction_type": "v_prediction"}))
    # tokenizer: a small vocabulary (256 byte symbols and their </w> forms, specials, a few merges) and a prompt.
    symbols = [chr(c) for c in range(33, 127)] + [chr(c) for c in range(161, 173)] + [chr(c) for c in range(174, 256)]
    symbols += [chr(256 + i) for i in range(256 - len(symbols))]
    vocab = {s: i for i, s in enumerate(symbols)}
    vocab.update({s + "</w>": 256 + i for i, s in enumerate(symbols)})
    merges = ["h e", "he l", "hel l", "hell o</w>", "c a", "ca t</w>"]
    for m in merges:
        vocab.setdefault(m.replace(" ", ""), len(vocab))
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    sep = b"\xff\x00"
    put("tokenizer", "small", json.dumps(vocab).encode() + sep + ("#version: 0.2\n" + "\n".join(merges) + "\n").encode()
        + sep + b"hello cat, HELLO <|endoftext|> 42")
    # descriptor: a sampler with one float parameter in 0..1, and a probe with an action.
    put("descriptor", "sampler", bytes([1, 3]) + b"eta" + bytes([2, 1]) + b"0" + struct.pack("<dd", 0.0, 1.0)
        + bytes([1, 0, 4]) + b"help" + bytes([0]) + bytes([0] * 127) + bytes([20, 0, 4]) + b"ddim")
    put("descriptor", "probe", bytes([0, 1, 3]) + b"fit" + bytes([2]) + b"hi" + bytes([1, 0, 1]) + b"x" + bytes([1])
        + bytes([0] * 127) + bytes([12, 1, 6]) + b"linear")


if __name__ == "__main__":
    main()
