"""Regenerates this sample from the full data set: python3 make_sample.py <folder with train.jsonl.gz and test.jsonl.gz>.

Draws, with a fixed seed, 500 reviews per label from the train split and 200 per label from the test split,
and writes them in the original aclImdb layout: <split>/<label>/<id>_<rating>.txt (raw text, no trailing newline).
"""
import gzip
import json
import os
import random
import sys

COUNTS = {"train": 500, "test": 200}


def main(source: str) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(20261122)
    for split, per_label in COUNTS.items():
        with gzip.open(os.path.join(source, f"{split}.jsonl.gz"), "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        for label in ("neg", "pos"):
            chosen = rng.sample([r for r in rows if r["label"] == label], per_label)
            folder = os.path.join(here, split, label)
            os.makedirs(folder, exist_ok=True)
            for r in chosen:
                with open(os.path.join(folder, f"{r['id']}_{r['rating']}.txt"), "w", encoding="utf-8", newline="") as out:
                    out.write(r["text"])


if __name__ == "__main__":
    main(sys.argv[1])
