#!/usr/bin/env python3
"""Split AG News (its CSV: class, title, description; no header) into a Pretext 'sentences' folder:
train.tsv (the mining and pretraining part) and dev.tsv (the test part, never mined), each with the
header 'sentence<TAB>label', the text being title and description. A seeded shuffle, stratified:
the same number of test rows of every class.

    python3 scripts/agnews-split.py ../shared/data/ag_news/test.csv runs/agnews --test-per-class 500
"""
import argparse
import csv
import os
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("out")
    ap.add_argument("--test-per-class", type=int, default=500)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rows = []
    with open(a.csv, newline="", encoding="utf-8") as f:
        for i, r in enumerate(csv.reader(f), 1):
            if len(r) != 3:
                raise SystemExit(f"{a.csv}:{i}: expected 3 fields (class, title, description), found {len(r)}")
            text = " ".join((r[1] + " " + r[2]).replace("\\", " ").split())
            rows.append((text, r[0]))
    rng = random.Random(a.seed)
    rng.shuffle(rows)
    taken = {}
    train, test = [], []
    for text, label in rows:
        if taken.get(label, 0) < a.test_per_class:
            taken[label] = taken.get(label, 0) + 1
            test.append((text, label))
        else:
            train.append((text, label))
    os.makedirs(a.out, exist_ok=True)
    for name, part in (("train.tsv", train), ("dev.tsv", test)):
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            f.write("sentence\tlabel\n")
            for text, label in part:
                f.write(text.replace("\t", " ") + "\t" + label + "\n")
    print(f"wrote {len(train)} rows to {a.out}/train.tsv and {len(test)} to {a.out}/dev.tsv")


if __name__ == "__main__":
    main()
