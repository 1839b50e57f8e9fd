"""The reverse-mode engine: a :class:`Tensor` that remembers how it was made.

Every operation returns a new ``Tensor`` holding its forward result and, for each input that
needs a gradient, the input's *vector-Jacobian product*: given ḡ = ∂L/∂out, the function
``vjp(ḡ)`` returns ∂L/∂input = ḡ · ∂out/∂input (the local chain rule). ``backward()`` visits
the graph in reverse topological order, so each node's ḡ is complete (summed over every use
of the node) before it is passed on:

    ∂L/∂x = Σ_{uses u of x} vjp_u(∂L/∂u).                                      (1)

Gradients are summed back to an input's shape when NumPy broadcasting stretched it
(:func:`unbroadcast`), accumulated in place in arrays the engine owns, and the graph is freed
after ``backward()`` unless ``retain_graph=True``. Inside :func:`no_grad` nothing is recorded.

Higher-order gradients are not supported: a vjp works on plain arrays, so the gradient of a
gradient cannot be taken (use :func:`~glassbox.autograd.check_gradients` or finite differences).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["Tensor", "as_tensor", "is_grad_enabled", "no_grad", "unbroadcast"]

Vjp = Callable[[np.ndarray], np.ndarray]
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

_GRAD_ENABLED = [True]


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block, operations record no graph (evaluation, optimizer updates)."""
    previous = _GRAD_ENABLED[0]
    _GRAD_ENABLED[0] = False
    try:
        yield
    finally:
        _GRAD_ENABLED[0] = previous


def is_grad_enabled() -> bool:
    """Whether operations currently record the graph (False inside :func:`no_grad`)."""
    return _GRAD_ENABLED[0]


def unbroadcast(gradient: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``gradient`` down to ``shape``, undoing NumPy broadcasting.

    Broadcasting copies an input along new leading axes and along axes of length 1; the
    gradient of a copy is the sum over the copies, so those axes are summed (keeping the
    length-1 ones).
    """
    if gradient.shape == shape:
        return gradient
    extra = gradient.ndim - len(shape)
    if extra > 0:
        gradient = gradient.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and gradient.shape[i] != 1)
    if stretched:
        gradient = gradient.sum(axis=stretched, keepdims=True)
    return gradient.reshape(shape)


def _float_array(data: Any, dtype: Any, requires_grad: bool) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    array = np.asarray(data, dtype=dtype)
    if array.dtype == object:
        raise TypeError(
            f"A Tensor holds numbers; got an array of Python objects ({type(data).__name__})."
        )
    if requires_grad and array.dtype not in FLOAT_DTYPES:
        raise TypeError(
            f"Only float32 and float64 tensors can require gradients; got dtype {array.dtype}. "
            "Convert first, e.g. Tensor(x.astype(np.float64), requires_grad=True)."
        )
    return array


class Tensor:
    """An ndarray with an optional gradient and the record of the operation that made it.

    Parameters
    ----------
    data : array_like
        The values (float32 or float64 to take gradients; integer tensors, such as labels or
        indices, are allowed without ``requires_grad``).
    requires_grad : bool
        Whether ``backward()`` computes ∂L/∂self into ``.grad``.
    dtype : dtype, optional
        Convert ``data`` to this dtype first.
    """

    __slots__ = ("_edges", "_freed", "_op", "_retain", "data", "grad", "requires_grad")
    __array_priority__ = 1000  # ndarray + Tensor defers to Tensor.__radd__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data: np.ndarray = _float_array(data, dtype, requires_grad)
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self._edges: tuple[tuple[Tensor, Vjp], ...] = ()
        self._op = ""
        self._retain = False
        self._freed = False

    # --- construction of graph nodes ---------------------------------------------------------

    @classmethod
    def _from_op(cls, data: np.ndarray, op: str, *edges: tuple[Tensor, Vjp]) -> Tensor:
        """The result of operation ``op``: a graph node when grad mode is on and some input
        requires a gradient, else a plain constant tensor."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out._op = op
        out._retain = False
        out._freed = False
        if _GRAD_ENABLED[0]:
            kept = tuple(edge for edge in edges if edge[0].requires_grad)
            out._edges = kept
            out.requires_grad = bool(kept)
        else:
            out._edges = ()
            out.requires_grad = False
        return out

    # --- array facts ------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The array's shape."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The array's dtype."""
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user (not by an operation that records a gradient)."""
        return not self._edges

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        op = f", op={self._op!r}" if self._op and self._edges else ""
        return f"Tensor({np.array2string(self.data, threshold=20)}{grad}{op})"

    def numpy(self) -> np.ndarray:
        """The values as an ndarray (not a copy)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element; this one has shape {self.shape}."
            )
        return self.data.item()

    def detach(self) -> Tensor:
        """The same values, cut from the graph (no gradient flows through)."""
        return Tensor._from_op(self.data, "detach")

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor after ``backward()`` (as torch does)."""
        self._retain = True
        return self

    def zero_grad(self) -> None:
        """Forget the accumulated gradient."""
        self.grad = None

    # --- backward ---------------------------------------------------------------------------

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Compute ∂self/∂x for every tensor x in the graph that requires a gradient.

        Parameters
        ----------
        gradient : array_like, optional
            The seed ∂L/∂self; required unless ``self`` has one element (then 1).
        retain_graph : bool
            Keep the graph so ``backward()`` can be called on it again.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward() was called on a tensor that does not require grad: nothing it "
                "depends on has requires_grad=True (or it was computed under no_grad())."
            )
        if self._freed:
            raise ValueError(
                "backward() was called a second time on a graph that was already freed. "
                "Pass backward(retain_graph=True) the first time to keep the graph."
            )
        if gradient is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() on a non-scalar tensor of shape {self.shape} needs a seed "
                    "gradient of the same shape: call backward(gradient), or reduce the "
                    "tensor first (e.g. .sum() or .mean())."
                )
            seed = np.ones_like(self.data)
        else:
            seed = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient)
            if seed.shape != self.shape:
                raise ValueError(
                    f"The seed gradient has shape {seed.shape}, but the tensor has shape "
                    f"{self.shape}; they must match."
                )
            seed = np.array(seed, dtype=self.dtype)  # a copy: .grad must not alias the input
        _run_backward(self, seed, retain_graph)

    # --- operators (the operations themselves live in glassbox.autograd.ops) ---------------

    def __add__(self, other: Any) -> Tensor:
        return _arithmetic.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _arithmetic.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _arithmetic.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _arithmetic.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _arithmetic.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _arithmetic.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _arithmetic.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _arithmetic.div(other, self)

    def __neg__(self) -> Tensor:
        return _arithmetic.neg(self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _arithmetic.power(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _arithmetic.power(base, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _linalg.matmul(other, self)

    def __getitem__(self, index: Any) -> Tensor:
        return _shape.getitem(self, index)

    # Comparisons give plain boolean arrays (masks), never graph nodes.
    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _raw(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _raw(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _raw(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _raw(other)

    __hash__ = object.__hash__

    # --- methods mirroring the functions in glassbox.autograd.ops ----------------------------

    @property
    def T(self) -> Tensor:
        """The transpose (all axes reversed)."""
        return _shape.transpose(self)

    def reshape(self, *shape: Any) -> Tensor:
        """The same values in a new shape (``-1`` infers one length)."""
        return _shape.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (reverse them when none are given)."""
        return _shape.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes."""
        return _shape.swapaxes(self, axis1, axis2)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Σ over ``axis`` (all axes by default)."""
        return _reduce.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The average over ``axis``."""
        return _reduce.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The maximum over ``axis`` (ties share the gradient equally)."""
        return _reduce.max(self, axis, keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The minimum over ``axis`` (ties share the gradient equally)."""
        return _reduce.min(self, axis, keepdims)

    def exp(self) -> Tensor:
        """eˣ elementwise."""
        return _elementwise.exp(self)

    def log(self) -> Tensor:
        """The natural logarithm elementwise."""
        return _elementwise.log(self)

    def sqrt(self) -> Tensor:
        """√x elementwise."""
        return _elementwise.sqrt(self)

    def abs(self) -> Tensor:
        """|x| elementwise."""
        return _elementwise.abs(self)

    def tanh(self) -> Tensor:
        """tanh x elementwise."""
        return _elementwise.tanh(self)

    def sigmoid(self) -> Tensor:
        """σ(x) = 1 / (1 + e⁻ˣ) elementwise."""
        return _elementwise.sigmoid(self)

    def relu(self) -> Tensor:
        """max(x, 0) elementwise."""
        return _elementwise.relu(self)

    def astype(self, dtype: Any) -> Tensor:
        """The values converted to ``dtype`` (the gradient is converted back)."""
        return _arithmetic.astype(self, dtype)


def _raw(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def as_tensor(value: Any, dtype: Any = None) -> Tensor:
    """``value`` itself when it is a Tensor, else a constant Tensor (no gradient) of it."""
    if isinstance(value, Tensor):
        return value
    return Tensor(value, dtype=dtype)


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes reachable from ``root``, each after every node it was computed from.

    An iterative depth-first search, so a graph thousands of steps deep (an RNN unrolled
    through time) does not hit Python's recursion limit.
    """
    order: list[Tensor] = []
    visited: set[Tensor] = set()  # tensors hash by identity
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    push, pop, append, visit = stack.append, stack.pop, order.append, visited.add
    while stack:
        node, finished = pop()
        if finished:
            append(node)
        elif node not in visited:
            visit(node)
            push((node, True))
            for parent, _ in node._edges:
                if parent not in visited:
                    push((parent, False))
    return order


def _run_backward(root: Tensor, seed: np.ndarray, retain_graph: bool) -> None:
    """Eq. (1): push ∂L/∂node from ``root`` to the leaves in reverse topological order."""
    pending: dict[Tensor, np.ndarray] = {root: seed}
    owned: set[int] = set()  # ids of arrays this pass created, safe to add into in place
    given_to_leaves: set[int] = set()
    for node in reversed(_topological_order(root)):
        gradient = pending.pop(node, None)
        if gradient is None:
            continue
        # Once passed on, an array may be shared (a vjp may return it as it is, to several
        # inputs), so it is no longer safe to add into.
        is_owned = id(gradient) in owned
        if is_owned:
            owned.discard(id(gradient))
        edges = node._edges
        if not edges or node._retain:
            _accumulate_leaf(node, gradient, is_owned, given_to_leaves)
        for parent, vjp in edges:
            contribution = vjp(gradient)
            shape = parent.data.shape
            if contribution.shape != shape:
                contribution = unbroadcast(contribution, shape)
            earlier = pending.get(parent)
            if earlier is None:
                pending[parent] = contribution
            elif id(earlier) in owned and earlier.dtype == contribution.dtype:
                earlier += contribution
            else:
                total = earlier + contribution
                owned.add(id(total))
                pending[parent] = total
        if edges and not retain_graph:
            node._edges = ()
            node._freed = True


def _accumulate_leaf(node: Tensor, gradient: np.ndarray, is_owned: bool, given: set[int]) -> None:
    """``node.grad += gradient`` (torch semantics), never aliasing another leaf's array."""
    if gradient.dtype != node.data.dtype:
        gradient = gradient.astype(node.data.dtype)
        is_owned = True
    if node.grad is not None:
        node.grad = node.grad + gradient
        return
    base = gradient if gradient.base is None else gradient.base
    if not is_owned and (
        id(base) in given or not gradient.flags.writeable or not gradient.flags.c_contiguous
    ):
        gradient = np.array(gradient)
    given.add(id(gradient if gradient.base is None else gradient.base))
    node.grad = gradient


from glassbox.autograd.ops import arithmetic as _arithmetic  # noqa: E402
from glassbox.autograd.ops import elementwise as _elementwise  # noqa: E402
from glassbox.autograd.ops import linalg as _linalg  # noqa: E402
from glassbox.autograd.ops import reduce as _reduce  # noqa: E402
from glassbox.autograd.ops import shape as _shape  # noqa: E402
