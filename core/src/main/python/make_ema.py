"""Writes core/src/main/resources/org/pretext/torchscript/ema.pt, the TorchScript module through
which EmaTarget moves a momentum target towards its online weights in three foreach passes (libtorch's
_foreach_ ops: one call each over every tensor) instead of three engine ops per tensor. DJL 0.35's JNI
exposes no _foreach_ op, but it loads TorchScript and passes lists of tensors to it.

Run inside the PyTorch 2.6 root, from the project folder:

    scripts/pytorch-root.sh run core/src/main/python/make_ema.py

The module holds no tensors; core's TorchScriptModulesTest checks that the committed file's code is
what this script writes.
"""
from typing import List

import torch
from torch import Tensor

from torchscript_module import save


class Ema(torch.nn.Module):
    """xi <- m * xi + (1 - m) * theta for every target xi and online theta, in place, computed as
    EmaTarget's engine ops do: xi - theta, times m, plus theta."""

    def forward(self, targets: List[Tensor], onlines: List[Tensor], momentum: List[float]) -> int:
        with torch.no_grad():
            torch._foreach_sub_(targets, onlines)
            torch._foreach_mul_(targets, momentum[0])
            torch._foreach_add_(targets, onlines)
        return len(targets)


if __name__ == "__main__":
    save(Ema(), "ema")
