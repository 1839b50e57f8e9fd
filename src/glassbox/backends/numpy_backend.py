"""The NumPy backend: glassbox's own code, registered so the matrix of methods is complete."""

from __future__ import annotations

from glassbox.registry import Implementation, register_implementation

_LINEAR = {
    "auto": (True, "Cholesky or QR or SVD, chosen by shape and conditioning"),
    "beta": (True, "slope = cov(x, y) / var(x), one feature"),
    "normal": (True, "Cholesky on the centred, equilibrated Gram matrix"),
    "qr": (True, "Householder QR, redundant columns set aside as R does"),
    "svd": (True, "minimum-norm least squares"),
    "bgd": (False, "batch gradient descent"),
    "sgd": (False, "per-sample stochastic gradient descent"),
    "minibatch": (False, "mini-batch gradient descent"),
}
for method, (exact, note) in _LINEAR.items():
    register_implementation(
        Implementation(
            "LinearRegression",
            method,
            "numpy",
            task="regression",
            exact=exact,
            partial_fit=not exact,
            note=note,
        )
    )

_RIDGE = {
    "auto": "Cholesky (SVD when samples < features)",
    "cholesky": "Cholesky on the penalized normal equations",
    "qr": "Householder QR of [A; √α D⁻¹]",
    "svd": "SVD filter factors s / (s² + α)",
    "bgd": "batch gradient descent on the same objective",
    "sgd": "per-sample stochastic gradient descent on the same objective",
    "minibatch": "mini-batch gradient descent on the same objective",
}
for method, note in _RIDGE.items():
    register_implementation(
        Implementation(
            "Ridge",
            method,
            "numpy",
            task="regression",
            exact=method not in ("bgd", "sgd", "minibatch"),
            note=note,
        )
    )

for model in ("Lasso", "ElasticNet"):
    for method, note in [
        ("cd", "coordinate descent stopped on the duality gap"),
        ("fista", "accelerated proximal gradient (FISTA)"),
    ]:
        register_implementation(
            Implementation(model, method, "numpy", task="regression", exact=False, note=note)
        )

_LOGISTIC = {
    "newton": "Newton-Cholesky (IRLS)",
    "lbfgs": "L-BFGS with a strong-Wolfe line search",
    "fista": "FISTA, for L1 and elastic-net penalties",
    "bgd": "batch gradient descent",
    "minibatch": "mini-batch gradient descent",
    "sgd": "per-sample stochastic gradient descent",
}
for method, note in _LOGISTIC.items():
    register_implementation(
        Implementation(
            "LogisticRegression", method, "numpy", task="classification", exact=False, note=note
        )
    )
