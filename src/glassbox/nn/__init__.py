"""Neural networks on :mod:`glassbox.autograd`: modules, layers, losses and training."""

from glassbox.nn.module import Module, ModuleList, Parameter, Sequential

__all__ = ["Module", "ModuleList", "Parameter", "Sequential"]
