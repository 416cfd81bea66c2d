#!/usr/bin/env python3
"""Writes the MNIST subset bundled with Pretext's default run (plain Python, no dependencies).

Keeps the first N training images and labels (IDX format, gzip) and the full 10,000-image test
set, read from the authentic copies in ../shared/data/mnist:

    python3 datasets/tools/make_mnist_subset.py ../shared/data/mnist datasets/src/main/resources/org/pretext/datasets/mnist 10000
"""
import gzip
import struct
import sys


def subset(src, dst, n, item_bytes):
    with gzip.open(src, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = (magic & 0xFF) - 1
    header = 8 + 4 * dims
    keep = min(n, count)
    out = data[:4] + struct.pack(">I", keep) + data[8:header] + data[header:header + keep * item_bytes]
    # mtime=0 makes the file byte-for-byte reproducible
    with open(dst, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as g:
        g.write(out)


def main():
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    subset(f"{src}/train-images-idx3-ubyte.gz", f"{dst}/train-images-idx3-ubyte.gz", n, 784)
    subset(f"{src}/train-labels-idx1-ubyte.gz", f"{dst}/train-labels-idx1-ubyte.gz", n, 1)
    subset(f"{src}/t10k-images-idx3-ubyte.gz", f"{dst}/t10k-images-idx3-ubyte.gz", 10000, 784)
    subset(f"{src}/t10k-labels-idx1-ubyte.gz", f"{dst}/t10k-labels-idx1-ubyte.gz", 10000, 1)


if __name__ == "__main__":
    main()
