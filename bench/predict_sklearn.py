"""The Python peer of `fathom predict` for bench/Fathom.Bench's `predict` command.

Trains scikit-learn's TF-IDF (word uni+bigrams) + LogisticRegression on the reviews of a JSON Lines file, then
scores every *.txt file under a folder with 2 worker processes, as the reference template's batch script does:
each worker reads its files, cleans them with the reference's regex steps, scores them and returns JSON lines
({"time", "filepath", "logit_prob", "sentiment"}) that the parent writes in order. Prints one JSON object of
timings on stdout.

Run with Debian's python3 (apt-get install python3-sklearn python3-joblib):
/usr/bin/python3 bench/predict_sklearn.py --train train.jsonl.gz --input FOLDER --output predictions.jsonl
"""

import argparse
import gzip
import json
import multiprocessing
import os
import re
import string
import sys
import time
from datetime import datetime, timezone

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

TAGS = re.compile(r"<[^>]+>")
PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]")
ISOLATED = re.compile(r"\s+[a-zA-Z]\s+")
SPACES = re.compile(r"\s+")

MODEL = None


def clean(text):
    text = text.lower()
    text = TAGS.sub(" ", text)
    text = PUNCTUATION.sub(" ", text)
    text = ISOLATED.sub(" ", text)
    return SPACES.sub(" ", text)


def init(model):
    global MODEL
    MODEL = model


def score(paths):
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            texts.append(clean(f.read()))
    probabilities = MODEL.predict_proba(texts)[:, 1]
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")
    return "".join(
        json.dumps({"time": now, "filepath": path, "logit_prob": float(p),
                    "sentiment": "positive" if p > 0.5 else "negative"}) + "\n"
        for path, p in zip(paths, probabilities))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=64)
    args = parser.parse_args()

    started = time.perf_counter()
    texts, labels = [], []
    with gzip.open(args.train, "rt", encoding="utf-8") as f:
        for line in f:
            review = json.loads(line)
            texts.append(clean(review["text"]))
            labels.append(1 if review["label"] == "pos" else 0)
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), max_features=300000),
                          LogisticRegression(max_iter=1000))
    model.fit(texts, labels)
    train_seconds = time.perf_counter() - started

    started = time.perf_counter()
    paths = sorted(os.path.join(root, name) for root, _, names in os.walk(args.input)
                   for name in names if name.endswith(".txt"))
    chunks = [paths[i:i + args.chunk] for i in range(0, len(paths), args.chunk)]
    with multiprocessing.Pool(args.processes, initializer=init, initargs=(model,)) as pool, \
            open(args.output, "w", encoding="utf-8") as out:
        for lines in pool.imap(score, chunks):
            out.write(lines)
    predict_seconds = time.perf_counter() - started
    json.dump({"train_seconds": train_seconds, "files": len(paths), "predict_seconds": predict_seconds,
               "files_per_second": len(paths) / predict_seconds, "processes": args.processes}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
