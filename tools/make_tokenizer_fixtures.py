"""Token ids from transformers' CLIPTokenizer, called as diffusers' StableDiffusionPipeline calls it
(padding="max_length", max_length=model_max_length=77, truncation=True), for every prompt of the training split
(/work/shared/data/train_split_prompts_seeds.csv, 246 rows, UTF-8 with ISO-8859-1 fallback) plus tricky ones.

ftfy is blocked (sys.modules['ftfy'] = None) before transformers is imported. transformers 5's CLIPTokenizer is the
`tokenizers`-backed one (normalizer NFC → \\s+ → " " → lowercase; Split on CLIP's regex; ByteLevel; BPE with
"</w>") and never calls ftfy; older slow CLIPTokenizers with ftfy installed also ran ftfy.fix_text (mojibake repair)
and html.unescape on the text, so prompts with mojibake or HTML entities ("&amp;") tokenize differently there.

Writes Tests/Fixtures/tokenizer/prompts.json: {"transformers": version, "cases": [{"text", "ids"}]}.
Run: OMP_NUM_THREADS=1 python3 tools/make_tokenizer_fixtures.py
"""
import csv, json, os, sys

sys.modules["ftfy"] = None  # make sure the reference runs without ftfy
import transformers  # noqa: E402
from transformers import CLIPTokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB = os.path.join(HERE, "..", "Tests", "Fixtures", "clip-tokenizer")
OUT = os.path.join(HERE, "..", "Tests", "Fixtures", "tokenizer")


def dataset_prompts():
    raw = open("/work/shared/data/train_split_prompts_seeds.csv", "rb").read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    return [row["prompts"] for row in csv.DictReader(text.splitlines())]


TRICKY = [
    "", " ", "a photo of a cat", "A Photo Of A CAT", "cat,dog", "cat, dog.", "1920s", "the 1920s fashion", "3.14159",
    "don't", "it's", "we're", "they've", "I'm", "you'll", "he'd", "DON'T", "'s", "'sam", "rock'n'roll", "o''clock",
    "café", "cafe\u0301", "naïve façade", "Ångström", "straße", "İstanbul", "ΣΊΣΥΦΟΣ", "Ⅻ", "①②③", "½",
    "emoji 😀🐱‍👤 🇫🇷", "👍🏽", "東京タワー", "北京 天安门", "한국어", "Привет, мир!", "مرحبا", "हिन्दी",
    "multiple    spaces", "tabs\tand\nnewlines\r\n", "  leading and trailing  ", "\u00a0nbsp\u3000ideographic",
    "a <|endoftext|> b", "a<|endoftext|>b", "<|startoftext|>hello", "<|ENDOFTEXT|>", "<|endoftext", "|>",
    "!!!???...", "hello!!! world???", "#hashtag @user http://example.com/path?x=1&y=2", "C++ & C#", "50% off $9.99",
    "snake_case_word", "e-mail", "x²+y²", "—em dash–en dash", "“quotes” ‘single’", "&amp; &lt;tag&gt;",
    "zero\u200bwidth", "soft\u00adhyphen", "control\u0007char", "ｆｕｌｌｗｉｄｔｈ", "ﬁ ligature",
    " ".join(["word"] * 100), " ".join(f"w{i}" for i in range(60)), "a " * 80,
    "oranges and lemons", "two lemons on a table", "a bowl of oranges",
]


def main():
    os.makedirs(OUT, exist_ok=True)
    tok = CLIPTokenizer.from_pretrained(VOCAB)
    assert tok.model_max_length == 77
    prompts = dataset_prompts()
    assert len(prompts) == 246, len(prompts)
    cases = []
    for source, texts in (("dataset", prompts), ("tricky", TRICKY)):
        for text in texts:
            ids = tok(text, padding="max_length", max_length=tok.model_max_length, truncation=True).input_ids
            assert len(ids) == 77
            cases.append({"source": source, "text": text, "ids": ids})
    json.dump({"transformers": transformers.__version__, "tokenizer": type(tok).__name__, "ftfy": "blocked",
               "command": "OMP_NUM_THREADS=1 python3 tools/make_tokenizer_fixtures.py", "cases": cases},
              open(os.path.join(OUT, "prompts.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=0)
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
