#!/usr/bin/python3
"""Training anchor (docs/benchmarks.md W6): the seed paper's network trained in PyTorch on the CPU.

Recipe of docs/method.md §8a: Fashion-MNIST 5 (sandal, class 0) vs 9 (ankle boot, class 1), raw
pixels 0-255, 784 -> 5 x 50 ReLU -> 1 sigmoid, binary cross-entropy, RMSprop (lr 1e-3, decay 0.9,
eps 1e-7), batch 32 reshuffled every epoch, the last 20 % of the training rows held out for
validation (as Keras does), Glorot-uniform weights and zero biases.

    apt-get install python3-torch dataset-fashion-mnist
    /usr/bin/python3 torch_mlp.py THREADS EPOCHS

Prints one line: torch threads=T ms_per_epoch=M last10_ms_per_epoch=L cpu_ms_per_epoch=C test_accuracy=A
train_points=N (M: wall, mean over all epochs; L: mean over the last 10, or all when fewer; C: the
process's CPU time per epoch, all threads, which a busy machine inflates less than wall time).
"""
import sys
import time

import torch

from torch_common import class_pair


def seed_network(width=50, hidden=5, inputs=28 * 28):
    layers = []
    for _ in range(hidden):
        linear = torch.nn.Linear(inputs, width)
        layers += [linear, torch.nn.ReLU()]
        inputs = width
    layers += [torch.nn.Linear(inputs, 1), torch.nn.Sigmoid()]
    for m in layers:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    return torch.nn.Sequential(*layers)


def main(threads, epochs):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x_train, y_train = class_pair("train", 5, 9)
    x_test, y_test = class_pair("t10k", 5, 9)
    kept = int(len(x_train) * (1.0 - 0.2))  # Keras' validation_split takes the last rows
    x_train, y_train = x_train[:kept], y_train[:kept]

    model = seed_network()
    optimiser = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    bce = torch.nn.BCELoss()
    start = time.perf_counter()
    cpu0 = time.process_time()
    stamps = []
    for _ in range(epochs):
        stamps.append(time.perf_counter())
        order = torch.randperm(kept)
        for first in range(0, kept, 32):
            batch = order[first:first + 32]
            optimiser.zero_grad()
            bce(model(x_train[batch]).squeeze(1), y_train[batch]).backward()
            optimiser.step()
    end = time.perf_counter()
    cpu_ms = (time.process_time() - cpu0) * 1000.0 / epochs
    per_epoch_ms = (end - start) * 1000.0 / epochs
    tail = stamps[-10:]
    last10_ms = (end - tail[0]) * 1000.0 / len(tail)
    with torch.no_grad():
        predicted = (model(x_test).squeeze(1) > 0.5).float()
        accuracy = (predicted == y_test).float().mean().item()
    print(f"torch threads={threads} ms_per_epoch={per_epoch_ms:.0f} last10_ms_per_epoch={last10_ms:.0f} cpu_ms_per_epoch={cpu_ms:.0f} test_accuracy={accuracy:.4f} train_points={kept}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: torch_mlp.py THREADS EPOCHS")
    main(int(sys.argv[1]), int(sys.argv[2]))
