#!/usr/bin/python3
"""Training anchor (docs/benchmarks.md W9): the follow-up's recipe in PyTorch on the CPU.

Recipe of docs/method.md §8b (the follow-up's `train_model` loop and `DNN` module): Fashion-MNIST
5 (sandal, class 0) vs 7 (sneaker, class 1), pixels scaled to [0, 1], the pair's whole training
split (12,000 rows), 784 -> DEPTH x WIDTH ReLU -> 1 logit, PyTorch's default initialisation,
BCEWithLogitsLoss, Adam (lr 1e-3), full batch: every epoch is one forward pass over all rows, the
training accuracy of that pass (round(sigmoid(z)) == y, the loop's stop check), the loss, backward
and one Adam step. The stop rule is not applied here: every run does exactly EPOCHS epochs, so
both sides time the same work.

    apt-get install python3-torch dataset-fashion-mnist
    /usr/bin/python3 torch_fullbatch.py THREADS EPOCHS [WIDTH DEPTH]

Prints one JSON line: {"threads", "epochs", "ms_per_epoch" (mean over all epochs),
"ms_per_epoch_last" (mean over the last half), "cpu_ms_per_epoch" (the process's CPU time, all
threads), "train_accuracy" (of the last check), "rows"}.
"""
import json
import sys
import time

import torch

from torch_common import class_pair


def network(width, depth, inputs=28 * 28):
    layers = [torch.nn.Linear(inputs, width)]
    layers += [torch.nn.Linear(width, width) for _ in range(depth - 1)]
    layers += [torch.nn.Linear(width, 1)]
    return torch.nn.ModuleList(layers)


def forward(layers, x):
    for layer in layers[:-1]:
        x = torch.relu(layer(x))
    return layers[-1](x)


def main(threads, epochs, width, depth):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x, y = class_pair("train", 5, 7, divisor=255.0)
    layers = network(width, depth)
    optimiser = torch.optim.Adam(layers.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    times = []
    accuracy = 0.0
    cpu0 = time.process_time()
    for _ in range(epochs):
        start = time.perf_counter()
        logits = forward(layers, x).squeeze()
        predicted = torch.round(torch.sigmoid(logits))
        loss = loss_fn(logits, y)
        accuracy = torch.eq(y, predicted).sum().item() / len(y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        times.append((time.perf_counter() - start) * 1000.0)
    cpu_ms = (time.process_time() - cpu0) * 1000.0 / epochs
    last = times[len(times) // 2:]
    print(json.dumps({
        "threads": threads, "epochs": epochs, "width": width, "depth": depth,
        "ms_per_epoch": sum(times) / len(times), "ms_per_epoch_last": sum(last) / len(last), "cpu_ms_per_epoch": cpu_ms,
        "train_accuracy": accuracy, "rows": len(y),
    }))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 5):
        raise SystemExit("usage: torch_fullbatch.py THREADS EPOCHS [WIDTH DEPTH]")
    w, d = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) == 5 else (25, 10)
    main(int(sys.argv[1]), int(sys.argv[2]), w, d)
