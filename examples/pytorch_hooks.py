"""Your own PyTorch model, analysed by ricciflow.

1. `npx ricciflow data syn1 --out DIR` writes the follow-up's Syn-I points as .npy
   (the same points a ricciflow sweep uses).
2. This script trains a small MLP on them, records the output of every layer on the test points
   with forward hooks, and saves them with np.savez as DIR/acts.npz (keys layer0 … layerN:
   the input, each hidden layer after its activation, the output).
3. `npx ricciflow analyze DIR/acts.npz --k 30 --curvature augmented --out result.json`

Usage: python3 examples/pytorch_hooks.py DIR [--epochs N]
Conv layers work too: a (n, c, h, w) output is read as n points of c*h*w values.
"""
import sys

import numpy as np
import torch
from torch import nn

d = sys.argv[1]
epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 2000

x_train = torch.from_numpy(np.load(f"{d}/x_train.npy"))
y_train = torch.from_numpy(np.load(f"{d}/y_train.npy")).float()
x_test = torch.from_numpy(np.load(f"{d}/x_test.npy"))
y_test = torch.from_numpy(np.load(f"{d}/y_test.npy")).float()

torch.manual_seed(0)
width, depth = 25, 5
layers = []
fan_in = x_train.shape[1]
for _ in range(depth):
    layers += [nn.Linear(fan_in, width), nn.ReLU()]
    fan_in = width
layers += [nn.Linear(fan_in, 1), nn.Sigmoid()]
model = nn.Sequential(*layers)

# The follow-up's recipe: full-batch Adam 1e-3, until 99 % training accuracy (or the epoch cap).
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.BCELoss()
for epoch in range(epochs):
    with torch.no_grad():
        acc = ((model(x_train).squeeze(1) > 0.5).float() == y_train).float().mean().item()
    if acc >= 0.99:
        break
    opt.zero_grad()
    loss = loss_fn(model(x_train).squeeze(1), y_train)
    loss.backward()
    opt.step()

# Forward hooks: the output of every activation (ReLU, and the final Sigmoid) on the test points.
acts = {"layer0": x_test.numpy()}
hooks = []
for module in model:
    if isinstance(module, (nn.ReLU, nn.Sigmoid)):
        hooks.append(module.register_forward_hook(
            lambda m, inp, out: acts.__setitem__(f"layer{len(acts)}", out.detach().numpy())))
with torch.no_grad():
    test_acc = ((model(x_test).squeeze(1) > 0.5).float() == y_test).float().mean().item()
for h in hooks:
    h.remove()

np.savez(f"{d}/acts.npz", **acts)
print(f"stopped at epoch {epoch}, train accuracy {acc:.3f}, test accuracy {test_acc:.3f}; "
      f"{len(acts)} layers -> {d}/acts.npz")
