"""PyTorch-style modules: parameters found by attribute, composed by nesting.

A :class:`Module` is a function with state. Assigning a :class:`Parameter` or another Module
to an attribute registers it, so ``parameters()`` walks the tree of attributes (in assignment
order, each shared parameter once: tied weights are one parameter) and ``state_dict()`` names
every array by its dotted path, ``"blocks.0.attention.query.weight"``, exactly as torch does,
which is what lets tests copy weights between the two libraries.

``train()`` / ``eval()`` set ``training`` on the whole tree (dropout and batch norm read it).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from glassbox.autograd.tensor import Tensor

__all__ = ["Module", "ModuleList", "Parameter", "Sequential"]


class Parameter(Tensor):
    """A Tensor that a Module trains: always ``requires_grad``, always floating point."""

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None) -> None:
        array = np.array(data.data if isinstance(data, Tensor) else data, dtype=dtype)
        if array.dtype.kind != "f":
            array = array.astype(np.float64)
        super().__init__(array, requires_grad=True)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


class Module:
    """The base class of every layer and network.

    Subclasses assign their parameters and sub-modules as attributes in ``__init__`` (after
    calling ``super().__init__()``) and define ``forward``; calling the module calls it.
    """

    training: bool
    _parameters: OrderedDict[str, Parameter]
    _modules: OrderedDict[str, Module]

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise TypeError(
                f"{type(self).__name__}.__init__ must call super().__init__() before "
                f"assigning attributes (while setting {name!r})."
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward().")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- the tree of modules ----------------------------------------------------------------

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every module below it, each once."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop(0)
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            stack[0:0] = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module._modules.items()
            ]

    def modules(self) -> Iterator[Module]:
        """This module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def children(self) -> Iterator[Module]:
        """The modules assigned directly to this one."""
        yield from self._modules.values()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) in registration order; a shared parameter appears once,
        under the first name that reaches it."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, parameter in module._parameters.items():
                if id(parameter) in seen:
                    continue
                seen.add(id(parameter))
                yield (f"{module_name}.{name}" if module_name else name), parameter

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter, each once."""
        return [p for _, p in self.named_parameters()]

    def n_parameters(self) -> int:
        """The number of trainable numbers."""
        return sum(p.size for p in self.parameters())

    def zero_grad(self) -> None:
        """Forget every parameter's accumulated gradient."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch statistics) for the whole tree."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    # --- state ------------------------------------------------------------------------------

    def _buffers(self) -> dict[str, np.ndarray]:
        """Non-trained arrays that belong in the state (running statistics); overridden."""
        return {}

    def _set_buffer(self, name: str, value: np.ndarray) -> None:
        setattr(self, name, value)

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of every parameter and buffer, by dotted name (torch's keys)."""
        state: OrderedDict[str, np.ndarray] = OrderedDict()
        for module_name, module in self.named_modules():
            dot = f"{module_name}." if module_name else ""
            for name, parameter in module._parameters.items():
                state[dot + name] = parameter.data.copy()
            for name, buffer in module._buffers().items():
                state[dot + name] = np.array(buffer, copy=True)
        return state

    def load_state_dict(self, state: Mapping[str, Any], strict: bool = True) -> None:
        """Copy values from ``state`` into this module's parameters and buffers.

        Shapes must match; with ``strict``, the names must match exactly (a clear error lists
        the missing and the unexpected ones).
        """
        targets: dict[str, tuple[Module, str, bool]] = {}
        for module_name, module in self.named_modules():
            dot = f"{module_name}." if module_name else ""
            for name in module._parameters:
                targets[dot + name] = (module, name, True)
            for name in module._buffers():
                targets[dot + name] = (module, name, False)
        missing = sorted(set(targets) - set(state))
        unexpected = sorted(set(state) - set(targets))
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: the state does not fit {type(self).__name__}: missing "
                f"{missing or 'none'}, unexpected {unexpected or 'none'}."
            )
        for key, (module, name, is_parameter) in targets.items():
            if key not in state:
                continue
            value = np.asarray(state[key])
            current = module._parameters[name].data if is_parameter else module._buffers()[name]
            if value.shape != np.shape(current):
                raise ValueError(
                    f"load_state_dict: {key!r} has shape {value.shape} in the state but "
                    f"{np.shape(current)} in the module."
                )
            if is_parameter:
                module._parameters[name].data = value.astype(current.dtype, copy=True)
            else:
                module._set_buffer(name, value.astype(np.asarray(current).dtype, copy=True))

    def astype(self, dtype: Any) -> Module:
        """Convert every parameter (and buffer) to ``dtype`` in place; returns ``self``."""
        for parameter in self.parameters():
            parameter.data = parameter.data.astype(dtype)
        for module in self.modules():
            for name, buffer in module._buffers().items():
                module._set_buffer(name, np.asarray(buffer).astype(dtype))
        return self

    def extra_repr(self) -> str:
        """What ``repr`` shows inside the parentheses (a layer's sizes)."""
        return ""

    def __repr__(self) -> str:
        lines = [
            f"({name}): {child!r}".replace("\n", "\n  ") for name, child in self._modules.items()
        ]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class ModuleList(Module):
    """A list of modules whose parameters are registered (``blocks.0.…``, ``blocks.1.…``)."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add a module at the end; it is named by its position, ``"0"``, ``"1"``, …"""
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__} holds Modules; got {type(module).__name__}.")
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class Sequential(ModuleList):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) = c(b(a(x)))``."""

    def __init__(self, *modules: Module) -> None:
        super().__init__(modules)

    def forward(self, x: Any) -> Any:
        """Apply every module in order."""
        for module in self._modules.values():
            x = module(x)
        return x
