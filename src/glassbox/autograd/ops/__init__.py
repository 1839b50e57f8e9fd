"""The operations of :mod:`glassbox.autograd`, one module per family.

Each operation computes its forward result and, beside it, the vector-Jacobian product of
every input (``∂L/∂input`` from ``ḡ = ∂L/∂output``), with the derivative in its docstring.
"""
