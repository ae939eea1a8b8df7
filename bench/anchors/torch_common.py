"""Shared by the PyTorch training anchors (torch_mlp.py, torch_fullbatch.py): the Fashion-MNIST IDX
reader and the two-class selection of docs/method.md §7. Not a script; the anchors import it from
their own folder (Python puts a script's folder first on sys.path).
"""
import gzip
import os

import numpy as np
import torch

DATA = os.environ.get("RICCIFLOW_DATA_DIR", "/usr/share/datasets/fashion-mnist")


def read_idx(name, header):
    path = os.path.join(DATA, name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def class_pair(split, negative, positive, divisor=None):
    """The rows of classes `negative` (label 0) and `positive` (label 1) of `split` ("train" or
    "t10k"), in file order, as float32 tensors; pixels are divided by `divisor` when one is given
    (None keeps the raw 0-255 values of the seed recipe, 255.0 gives the follow-up's [0, 1])."""
    images = read_idx(f"{split}-images-idx3-ubyte.gz", 16).reshape(-1, 28 * 28)
    labels = read_idx(f"{split}-labels-idx1-ubyte.gz", 8)
    keep = (labels == negative) | (labels == positive)
    pixels = images[keep].astype(np.float32)
    x = torch.from_numpy(pixels if divisor is None else pixels / divisor)
    y = torch.from_numpy((labels[keep] == positive).astype(np.float32))
    return x, y
