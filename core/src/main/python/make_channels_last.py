"""Writes core/src/main/resources/org/pretext/torchscript/channels_last.pt, the TorchScript module
through which Pretext lays convolution weights out channels-last (NHWC strides) in place: oneDNN's
convolutions, and the pooling and element-wise ops between them, then run on NHWC activations
without converting. DJL 0.35 has no memory-format API, but it loads TorchScript and passes lists of
tensors to it.

Run inside the PyTorch 2.6 root, from the project folder:

    scripts/pytorch-root.sh run core/src/main/python/make_channels_last.py

The module holds no tensors; core's TorchScriptModulesTest checks that the committed file's code is
what this script writes.
"""
from typing import List

import torch
from torch import Tensor

from torchscript_module import save


class ChannelsLast(torch.nn.Module):
    """When convert is true, re-strides every 4-D tensor channels-last in place (set_ to a copy made
    by to(memory_format=channels_last), which, unlike contiguous(memory_format=...), also re-strides
    a one-channel weight): the values, the shape and the autograd identity stay. A gradient made
    before keeps its strides, so weights are converted before their first backward pass (autograd
    then gives each gradient its weight's strides). Returns every tensor's strides after the call."""

    def forward(self, tensors: List[Tensor], convert: bool) -> List[List[int]]:
        strides: List[List[int]] = []
        with torch.no_grad():
            for t in tensors:
                if convert and t.dim() == 4:
                    t.set_(t.to(memory_format=torch.channels_last))
                strides.append(t.stride())
        return strides


if __name__ == "__main__":
    save(ChannelsLast(), "channels_last")
