"""Reference outputs of transformers' CLIPTextModel (last_hidden_state) for Tests/ModelTests/CLIP*.

1. tiny-sd's text encoder (Tests/Fixtures/tiny-sd/text_encoder: hidden 16, 2 layers, 4 heads, quick_gelu,
   vocab 49408) on real token ids from CLIPTokenizer (Tests/Fixtures/clip-tokenizer): "", "a photo of a cat",
   the first training-split prompt, "two lemons on a table" → ids.json + tiny_sd_last_hidden_state.npy [4, 77, 16].
2. A random CLIPTextModel with hidden_act "gelu" (vocab 1000, hidden 32, 2 layers, 4 heads, intermediate 64)
   stored as F16 safetensors (the reference runs the F16-rounded weights in float32) → gelu/ folder, gelu_ids.json,
   gelu_last_hidden_state.npy [2, 77, 32].
Run: OMP_NUM_THREADS=1 python3 tools/make_clip_fixtures.py
"""
import csv, json, os, sys

sys.modules["ftfy"] = None
sys.modules["torchvision"] = None  # its compiled ops do not load next to this torch build
import numpy as np
import torch
import transformers
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "Tests", "Fixtures")
OUT = os.path.join(FIX, "clip")
os.makedirs(os.path.join(OUT, "gelu"), exist_ok=True)
torch.set_num_threads(1)

raw = open("/work/shared/data/train_split_prompts_seeds.csv", "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError:
    text = raw.decode("iso-8859-1")
first_prompt = next(csv.DictReader(text.splitlines()))["prompts"]
prompts = ["", "a photo of a cat", first_prompt, "two lemons on a table"]

tok = CLIPTokenizer.from_pretrained(os.path.join(FIX, "clip-tokenizer"))
ids = tok(prompts, padding="max_length", max_length=77, truncation=True, return_tensors="pt").input_ids
model = CLIPTextModel.from_pretrained(os.path.join(FIX, "tiny-sd", "text_encoder")).eval()
with torch.no_grad():
    out = model(ids).last_hidden_state
json.dump({"prompts": prompts, "ids": ids.tolist()}, open(os.path.join(OUT, "ids.json"), "w"), ensure_ascii=False)
np.save(os.path.join(OUT, "tiny_sd_last_hidden_state.npy"), out.numpy().astype(np.float32))

torch.manual_seed(0)
cfg = CLIPTextConfig(vocab_size=1000, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                     max_position_embeddings=77, hidden_act="gelu", layer_norm_eps=1e-5)
gelu = CLIPTextModel(cfg).eval()
with torch.no_grad():
    for p in gelu.parameters():
        p.copy_((p + 0.02 * torch.randn_like(p)).half().float())   # non-trivial LayerNorm/bias values, F16-exact
state = {k: v.half().contiguous() for k, v in gelu.state_dict().items() if not k.endswith("position_ids")}
save_file(state, os.path.join(OUT, "gelu", "model.safetensors"))
cfg.save_pretrained(os.path.join(OUT, "gelu"))
gids = torch.randint(0, 1000, (2, 77), generator=torch.Generator().manual_seed(1))
with torch.no_grad():
    gout = gelu(gids).last_hidden_state
json.dump({"ids": gids.tolist()}, open(os.path.join(OUT, "gelu_ids.json"), "w"))
np.save(os.path.join(OUT, "gelu_last_hidden_state.npy"), gout.numpy().astype(np.float32))
open(os.path.join(OUT, "FIXTURE.md"), "w").write(
    f"# clip fixtures\n\nMade by `OMP_NUM_THREADS=1 python3 tools/make_clip_fixtures.py` with torch {torch.__version__}, "
    f"transformers {transformers.__version__} (CLIPTextModel, attn implementation "
    f"{model.config._attn_implementation}).\n\n- ids.json + tiny_sd_last_hidden_state.npy: tiny-sd text encoder on "
    f"{len(prompts)} tokenized prompts, [4, 77, 16].\n- gelu/ (config.json, F16 model.safetensors) + gelu_ids.json + "
    f"gelu_last_hidden_state.npy: random hidden_act=gelu model, [2, 77, 32].\n")
print("ok", out.shape, gout.shape)
