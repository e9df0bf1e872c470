"""Build the CLIP BPE vocabulary (vocab.json, merges.txt) exactly as openai/clip-vit-large-patch14 publishes it.

Source: bpe_simple_vocab_16e6.txt.gz shipped inside the open_clip_torch wheel (the same file OpenAI's CLIP repo
ships). Derivation, as CLIP's SimpleTokenizer and transformers' CLIPTokenizer define it:
  merges = lines 1 … 48894 of the file (line 0 is the "#version" header), i.e. 49152 − 256 − 2 pairs;
  vocab  = the 256 byte symbols of GPT-2's bytes_to_unicode (in its order), the same with "</w>",
           each merged pair concatenated (in merge order), then <|startoftext|> (49406) and <|endoftext|> (49407).
merges.txt = "#version: 0.2" then one "a b" pair per line (transformers skips the first line).
Also writes tokenizer_config.json / special_tokens_map.json as the hub's tokenizer folder has them
(model_max_length 77; pad = <|endoftext|>), so CLIPTokenizer.from_pretrained works on the folder.

Run: python3 tools/make_clip_vocab.py [OUT_DIR]   (default Tests/Fixtures/clip-tokenizer)
The package is located without importing open_clip (its import pulls in torchvision).
"""
import gzip, importlib.util, json, os, sys


def bytes_to_unicode():
    """GPT-2's reversible byte → printable unicode map (printable Latin-1 bytes map to themselves)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "clip-tokenizer")
    os.makedirs(out, exist_ok=True)
    pkg = os.path.dirname(importlib.util.find_spec("open_clip").origin)
    lines = gzip.open(os.path.join(pkg, "bpe_simple_vocab_16e6.txt.gz")).read().decode("utf-8").split("\n")
    merges = [tuple(m.split()) for m in lines[1:49152 - 256 - 2 + 1]]
    assert len(merges) == 48894
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    assert len(vocab) == 49408 and len(set(vocab)) == 49408
    encoder = {tok: i for i, tok in enumerate(vocab)}
    with open(os.path.join(out, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(encoder, f, ensure_ascii=False)
    with open(os.path.join(out, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    special = {"bos_token": {"content": "<|startoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
               "eos_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False},
               "pad_token": "<|endoftext|>",
               "unk_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}}
    json.dump(special, open(os.path.join(out, "special_tokens_map.json"), "w"), indent=2)
    config = dict(special)
    config.update({"add_prefix_space": False, "do_lower_case": True, "errors": "replace", "model_max_length": 77,
                   "tokenizer_class": "CLIPTokenizer"})
    config.pop("pad_token")
    config["pad_token"] = "<|endoftext|>"
    json.dump(config, open(os.path.join(out, "tokenizer_config.json"), "w"), indent=2)
    print(f"wrote {out}: {len(vocab)} tokens, {len(merges)} merges")


if __name__ == "__main__":
    main()
