"""PyTorch side of `ldmprobe bench text-encoder`: transformers CLIPTextModel with SD v1.4's text config
(openai/clip-vit-large-patch14 text tower: 12 layers, width 768, 12 heads, quick_gelu), random weights, fp32,
77 tokens per prompt, one JSON line like the Swift bench.

    python3 bench/text_encoder_torch.py --batch 2 --repeat 3 [--threads 2] [--profile]
"""
import argparse

import torch

from torch_common import common_args, run_bench


class TextEncoderHidden(torch.nn.Module):
    """CLIPTextModel's last hidden state [B, 77, 768] (what SD conditions on), tensors only for ONNX export."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids):
        return self.model(input_ids=ids, return_dict=False)[0]


def build(batch: int):
    """(module, inputs): the same token ids as ldmprobe bench text-encoder (BOS, 75 tokens, EOS) per prompt."""
    from transformers import CLIPTextConfig, CLIPTextModel
    torch.manual_seed(0)
    cfg = CLIPTextConfig(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                         num_attention_heads=12, max_position_embeddings=77, hidden_act="quick_gelu",
                         layer_norm_eps=1e-5, projection_dim=768)
    cfg._attn_implementation = "sdpa"
    model = CLIPTextModel(cfg).eval()
    ids = torch.tensor([[49406] + [(b * 75 + j * 7) % 49406 for j in range(75)] + [49407] for b in range(batch)])
    return TextEncoderHidden(model).eval(), (ids,)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=2)
    a = common_args(ap).parse_args()
    torch.set_num_threads(a.threads)
    model, inputs = build(a.batch)
    run_bench("text-encoder", a, lambda: model(*inputs), {"batch": a.batch})


if __name__ == "__main__":
    main()
