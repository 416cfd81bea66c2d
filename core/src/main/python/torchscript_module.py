"""What the make_*.py generators share: script a module and save it where its Java class loads it
from (core/src/main/resources/org/pretext/torchscript/NAME.pt), or to the path given as the first
argument (TorchScriptModulesTest regenerates into core/target and compares the code)."""
import sys

import torch


def save(module, name):
    out = sys.argv[1] if len(sys.argv) > 1 else f"core/src/main/resources/org/pretext/torchscript/{name}.pt"
    torch.jit.script(module).save(out)
    print("torch", torch.__version__, "wrote", out)
