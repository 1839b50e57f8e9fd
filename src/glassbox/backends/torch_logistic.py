"""LogisticRegression on PyTorch: Newton–Cholesky in ``torch.linalg``, ``torch.optim.LBFGS``,
and descent with ``nn.Linear`` and ``torch.optim``.

Every method minimizes glassbox's objective, eq. (3) of :mod:`glassbox.linear.logistic_loss`
(scikit-learn's ``C Σ sᵢ ℓᵢ + ½‖W‖²`` divided by ``C Σ s``), with the design X̃ = [X, 1]:

    f(W) = Σᵢ sᵢ ℓᵢ(W) + ½ l2 ‖W_pen‖²,    Σᵢ sᵢ = 1                                   (1)

    binary:  ℓᵢ = log(1 + e^{zᵢ}) − yᵢ zᵢ,       zᵢ = x̃ᵢᵀw    (``binary_cross_entropy_with_logits``)
    softmax: ℓᵢ = log Σ_k e^{Z_ik} − Z_{i,yᵢ},  Z = X̃Wᵀ       (``cross_entropy``)

* ``"newton"``: the Newton step ``(∇²f) d = −∇f`` by ``torch.linalg.cholesky_ex`` and
  ``torch.cholesky_solve``, with the Hessian ``X̃ᵀ diag(s σ(1 − σ)) X̃`` (softmax: blocks
  ``X̃ᵀ diag(s P_k (δ_kl − P_l)) X̃``) built from torch products; Armijo backtracking and the
  stopping rule of glassbox's :func:`~glassbox.linear.logistic_solvers.newton_cholesky`
  (``max|∇f| ≤ tol`` and Newton decrement ``½ dᵀ(∇²f)d ≤ tol``), plus one stop that float64
  never reaches first: a decrement below f's rounding error ends the run (float32, whose
  gradient stalls near 1e-7, would otherwise spend ``max_iter`` steps on rounding noise).
* ``"lbfgs"``: ``torch.optim.LBFGS(line_search_fn="strong_wolfe")`` on eq. (1) computed by
  ``nn.Linear`` and differentiated by autograd, as a PyTorch user writes it; ``tol`` is its
  ``tolerance_grad`` (the same ``max|∇f| ≤ tol``), ``history_size`` glassbox's 10 pairs.
* ``"bgd"``, ``"minibatch"``, ``"sgd"``: :func:`~glassbox.backends.torch_descent.torch_descend`
  on the standardized features zᵢ = (xᵢ − μ)/σ (``nn.Linear`` on Z) and the batch loss
  ``min(1, m/b) [(1/m) Σ_{i∈B} n sᵢ ℓᵢ + ½ Σ_kj λⱼ W̃_kj²]``, λⱼ = l2/σⱼ² (eqs. (2)–(4) of
  :mod:`glassbox.linear.logistic_descent`), with glassbox's standardization, start (zeros),
  step size or schedule, batch size, plateau patience and random generator, so the loss
  history is the NumPy backend's epoch for epoch (``history_``); the coefficients are mapped
  back to the original features at the end.

PyTorch is imported inside the functions: this module loads without it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from glassbox.exceptions import ConvergenceWarning
from glassbox.registry import BackendFit

if TYPE_CHECKING:
    import torch

    from glassbox.linear.logistic_loss import LogisticProblem

#: method -> what runs it, for the registry
METHODS: dict[str, str] = {
    "newton": "torch.linalg.cholesky_ex + cholesky_solve on the Hessian X̃ᵀ diag(h) X̃",
    "lbfgs": "torch.optim.LBFGS(line_search_fn='strong_wolfe') with autograd",
    "bgd": "nn.Linear + torch.optim.SGD, one full-batch step per epoch",
    "minibatch": "nn.Linear + torch.optim.SGD + LambdaLR, one step per batch",
    "sgd": "nn.Linear + torch.optim.SGD + LambdaLR, one step per row",
}
# L-BFGS pairs kept, as glassbox's :func:`glassbox.linear.lbfgs.lbfgs` (``memory``).
_HISTORY_SIZE = 10
# Function evaluations allowed per L-BFGS iteration: enough that ``max_iter`` is the binding
# limit, as it is for glassbox's L-BFGS (torch's default, 1.25 per iteration, is not).
_EVALS_PER_ITERATION = 25


@dataclass
class TorchResult:
    """Coefficients W of shape (K, d) (float64 NumPy), iterations, and fitted attributes."""

    W: np.ndarray
    n_iter: int
    converged: bool
    attributes: dict[str, Any]


# --- the objective --------------------------------------------------------------------------


def logistic_loss(l2: float, multiclass: bool) -> Any:
    """``loss_fn(model, X, Y, w)``: mean of ``wᵢ ℓᵢ`` over the rows plus ½ l2 ‖weight‖².

    With ``w = n s`` over all n rows this is eq. (1); over a batch it is the unbiased batch
    loss of :mod:`glassbox.linear.logistic_descent`. The bias (the intercept) is never
    penalized. ``Y`` holds 0/1 floats (binary, one logit) or class indices (softmax).
    """

    def loss_fn(
        model: torch.nn.Module, X: torch.Tensor, Y: torch.Tensor, w: torch.Tensor | None
    ) -> torch.Tensor:
        import torch.nn.functional as F

        logits = model(X)  # (m, K)
        if multiclass:
            per_row = F.cross_entropy(logits, Y, reduction="none")
        else:
            per_row = F.binary_cross_entropy_with_logits(logits[:, 0], Y, reduction="none")
        if w is not None:
            per_row = per_row * w
        weight: torch.Tensor = model.weight  # type: ignore[assignment]
        return per_row.mean() + 0.5 * l2 * (weight * weight).sum()

    return loss_fn


@dataclass
class _Tensors:
    """The problem on the device: X (n, p), targets, per-row weights n sᵢ, and the model."""

    X: torch.Tensor
    Y: torch.Tensor
    w: torch.Tensor
    model: torch.nn.Module
    loss_fn: Any


def _tensors(problem: LogisticProblem, device: Any, dtype: Any) -> _Tensors:
    import torch

    n, p = problem.X.shape
    multiclass = problem.Y.ndim == 2
    K = problem.n_outputs
    X = torch.as_tensor(problem.X, dtype=dtype, device=device)
    if multiclass:
        Y = torch.as_tensor(np.argmax(problem.Y, axis=1), dtype=torch.long, device=device)
    else:
        Y = torch.as_tensor(problem.Y, dtype=dtype, device=device)
    w = torch.as_tensor(n * problem.weights, dtype=dtype, device=device)
    model = torch.nn.Linear(p, K, bias=problem.fit_intercept, device=device, dtype=dtype)
    with torch.no_grad():  # glassbox's start, W = 0, not torch's random initialization
        for parameter in model.parameters():
            parameter.zero_()
    return _Tensors(X, Y, w, model, logistic_loss(problem.l2, multiclass))


def _coefficients(model: torch.nn.Module, fit_intercept: bool) -> np.ndarray:
    """[weight, bias] as the (K, d) float64 NumPy matrix of glassbox's solvers."""
    import torch

    blocks = [p.detach().to(device="cpu", dtype=torch.float64).numpy() for p in model.parameters()]
    return np.column_stack([blocks[0], blocks[1]]) if fit_intercept else blocks[0]


# --- Newton–Cholesky ------------------------------------------------------------------------


class TorchNewtonProblem:
    """f, ∇f and ∇²f of eq. (1) on tensors, for the flattened (K, d) coefficients w."""

    def __init__(self, problem: LogisticProblem, device: Any, dtype: Any) -> None:
        import torch

        def tensor(a: np.ndarray) -> torch.Tensor:
            return torch.as_tensor(a, dtype=dtype, device=device)

        self.X = tensor(problem.augmented())  # X̃ = [X, 1], (n, d)
        self.Y = tensor(problem.Y)  # (n,) binary, (n, K) one-hot
        self.s = tensor(problem.weights)
        self.penalized = tensor(problem.penalized.astype(np.float64))
        self.l2 = problem.l2
        self.K, self.d = problem.n_outputs, problem.n_columns

    def value_grad(self, w: torch.Tensor) -> tuple[float, torch.Tensor]:
        """f and ∇f = (s ⊙ (P − Y))ᵀ X̃ + l2 W_pen."""
        import torch
        import torch.nn.functional as F

        Z = self.X @ w.view(self.K, self.d).T  # (n, K)
        if self.K == 1:
            z = Z[:, 0]
            loss = F.binary_cross_entropy_with_logits(z, self.Y, weight=self.s, reduction="sum")
            residual = (self.s * (torch.sigmoid(z) - self.Y))[:, None]  # (n, 1)
        else:
            log_p = torch.log_softmax(Z, dim=1)
            loss = -(self.s * (self.Y * log_p).sum(dim=1)).sum()
            residual = self.s[:, None] * (log_p.exp() - self.Y)  # (n, K)
        pen = w * self.penalized
        grad = (residual.T @ self.X).reshape(-1) + self.l2 * pen  # (K, d) -> (K d,)
        return float(loss) + 0.5 * self.l2 * float(pen @ pen), grad

    def hessian(self, w: torch.Tensor) -> torch.Tensor:
        """∇²f, (K d, K d): ``X̃ᵀ diag(s σ(1 − σ)) X̃``, or for softmax the pairwise form of
        the NumPy backend (:meth:`~glassbox.linear.logistic_loss.LogisticProblem.hessian`):
        block (k, l) is ``−G_kl`` and block (k, k) is ``Σ_{l≠k} G_kl``, with
        ``G_kl = X̃ᵀ diag(s p_k p_l) X̃``; K(K − 1)/2 products of n × d tensors, never the
        n × K d matrix (which would not fit a GPU at the sizes it is meant for)."""
        import torch

        Z = self.X @ w.view(self.K, self.d).T
        root_s = self.s.sqrt()  # (n,)
        if self.K == 1:
            prob = torch.sigmoid(Z[:, 0])
            A = self.X * (root_s * (prob * (1.0 - prob)).sqrt())[:, None]
            H = A.T @ A
        else:
            P = torch.softmax(Z, dim=1)  # (n, K)
            root_p = P.sqrt()
            blocks = Z.new_zeros((self.K, self.d, self.K, self.d))
            for k in range(self.K):
                for l in range(k + 1, self.K):
                    A = self.X * (root_s * root_p[:, k] * root_p[:, l])[:, None]
                    G = A.T @ A  # G_kl
                    blocks[k, :, l, :] = -G
                    blocks[l, :, k, :] = -G
                    blocks[k, :, k, :] += G
                    blocks[l, :, l, :] += G
            H = blocks.reshape(self.K * self.d, self.K * self.d)
        return H + torch.diag(self.l2 * self.penalized)


def newton(problem: LogisticProblem, estimator: Any, device: Any, dtype: Any) -> TorchResult:
    """glassbox's Newton–Cholesky (:func:`~glassbox.linear.logistic_solvers.newton_cholesky`),
    step for step, in torch: the same backtracking, flat-direction pinning and stopping rule."""
    import torch

    from glassbox.linear.logistic_solvers import _flat_directions

    tol, max_iter = float(estimator.tol), int(estimator.max_iter)
    torch_problem = TorchNewtonProblem(problem, device, dtype)
    rounding = 16 * float(torch.finfo(dtype).eps)  # f's own rounding error, relative
    flat_np = _flat_directions(problem)
    flat = None if flat_np is None else torch.as_tensor(flat_np, dtype=dtype, device=device)

    def done(n_iter: int, w: torch.Tensor, converged: bool) -> TorchResult:
        W = w.to(device="cpu", dtype=torch.float64).numpy().reshape(problem.n_outputs, -1)
        return TorchResult(W, n_iter, converged, {})

    def max_abs(v: torch.Tensor) -> float:
        return float(v.abs().max())

    w = torch.zeros(problem.n_params, dtype=dtype, device=device)
    f, g = torch_problem.value_grad(w)
    if max_abs(g) <= tol * 1e-3:
        return done(0, w, True)
    for n_iter in range(1, max_iter + 1):
        H = torch_problem.hessian(w)
        if flat is not None:
            H = H + flat
        factor, info = torch.linalg.cholesky_ex(H)
        if int(info) == 0:
            step = -torch.cholesky_solve(g[:, None], factor)[:, 0]
        else:  # singular (separable, unpenalized): the minimum-norm least-squares step
            step = -(torch.linalg.pinv(H, hermitian=True) @ g)
        slope = float(g @ step)
        grad_norm = max_abs(g)
        t = 1.0
        while True:
            f_new, g_new = torch_problem.value_grad(w + t * step)
            if f_new <= f + 1e-4 * t * slope or t < 1e-10:
                break
            if f_new - f <= rounding * abs(f) and max_abs(g_new) < grad_norm:
                break
            t *= 0.5
        if t < 1e-10:
            return done(n_iter, w, max_abs(g) <= tol)
        w = w + t * step
        f, g = f_new, g_new
        decrement = 0.5 * float(step @ (H @ step))
        if max_abs(g) <= tol and decrement <= tol:
            return done(n_iter, w, True)
        # The step predicted a decrease below f's rounding error, so the next one cannot be
        # verified either: in float32 the gradient stalls near ε·max|∇ℓ| (~1e-7), above a
        # tight tol, and glassbox's rule alone would spend max_iter steps on rounding noise.
        if decrement <= rounding * abs(f):
            return done(n_iter, w, max_abs(g) <= tol)
    return done(max_iter, w, max_abs(g) <= tol)


# --- L-BFGS ---------------------------------------------------------------------------------


def lbfgs(problem: LogisticProblem, estimator: Any, device: Any, dtype: Any) -> TorchResult:
    """``torch.optim.LBFGS`` with a strong-Wolfe line search on eq. (1), gradients by autograd.

    Stops at ``max|∇f| ≤ tol`` (``tolerance_grad``), after ``max_iter`` iterations, or when
    an iteration leaves f or W exactly unchanged (``tolerance_change`` is the dtype's smallest
    normal number, so torch's absolute change test means "no representable progress"); that
    last stop counts as converged, as glassbox's and scipy's ``ftol`` stop does, and
    ``stop_reason_`` says which rule ended the run. torch's ``_strong_wolfe`` stops bracketing
    at a width of 1e-9 along the direction, which caps how tight L-BFGS gets: ~1e-9 relative on
    the coefficients in float64 on well-conditioned data, ~1e-5 to 1e-4 in float32
    (``docs/backends.md``).
    """
    import torch

    tol, max_iter = float(estimator.tol), int(estimator.max_iter)
    data = _tensors(problem, device, dtype)
    parameters = list(data.model.parameters())
    max_eval = _EVALS_PER_ITERATION * max_iter
    optimizer = torch.optim.LBFGS(
        parameters,
        lr=1.0,
        max_iter=max_iter,
        max_eval=max_eval,
        tolerance_grad=tol,
        tolerance_change=float(torch.finfo(dtype).tiny),
        history_size=_HISTORY_SIZE,
        line_search_fn="strong_wolfe",
    )

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = data.loss_fn(data.model, data.X, data.Y, data.w)
        loss.backward()
        return loss

    optimizer.step(closure)
    state = optimizer.state[parameters[0]]
    n_iter, evals = int(state.get("n_iter", 0)), int(state.get("func_evals", 0))
    closure()
    grad_max = max(float(p.grad.abs().max()) for p in parameters if p.grad is not None)
    if grad_max <= tol:
        reason = "max|∇f| ≤ tol"
    elif n_iter >= max_iter or evals >= max_eval:
        reason = "max_iter reached"
    else:
        reason = "no progress: a step left f or W unchanged in this dtype"
    converged = not reason.startswith("max_iter")
    W = _coefficients(data.model, problem.fit_intercept)
    return TorchResult(W, n_iter, converged, {"n_function_evals_": evals, "stop_reason_": reason})


# --- descent --------------------------------------------------------------------------------


def standardized_loss(strengths: np.ndarray, multiclass: bool, batch_size: int) -> Any:
    """``loss_fn(model, X, Y, w)`` of eq. (4) of :mod:`glassbox.linear.logistic_descent`:
    min(1, m/b) times the mean of ``wᵢ ℓᵢ`` over the m rows plus ½ Σ λ ∘ W̃² on the weight.

    ``strengths`` holds λ, shape (K, p), for the model's weight on standardized features;
    the bias (the intercept) is free. Over all n ≥ b rows the factor is 1.
    """
    import torch

    penalty = torch.as_tensor(strengths)
    unpenalized = logistic_loss(0.0, multiclass)

    def loss_fn(
        model: torch.nn.Module, X: torch.Tensor, Y: torch.Tensor, w: torch.Tensor | None
    ) -> torch.Tensor:
        weight: torch.Tensor = model.weight  # type: ignore[assignment]
        lam = penalty.to(device=weight.device, dtype=weight.dtype)
        value = unpenalized(model, X, Y, w) + 0.5 * (lam * weight * weight).sum()
        m = X.shape[0]
        return value * (m / batch_size) if m < batch_size else value

    return loss_fn


def descent(method: str) -> Any:
    """The torch solver for descent ``method`` (bgd, minibatch or sgd), set up as the NumPy one."""

    def solve(problem: LogisticProblem, estimator: Any, device: Any, dtype: Any) -> TorchResult:
        """``method`` by :func:`torch_descend`, set up exactly as the NumPy descent solver:
        on the standardized features of eq. (2) of :mod:`glassbox.linear.logistic_descent`
        (``nn.Linear`` on Z), with the penalty λⱼ = l2/σⱼ², mapped back at the end."""
        from glassbox.backends.torch_descent import torch_descend
        from glassbox.linear.logistic_descent import descent_settings, standardize

        standardized = standardize(problem)
        rate, batch, patience = descent_settings(
            standardized, method, estimator.batch_size, estimator.learning_rate
        )
        data = _tensors(standardized.problem, device, dtype)
        K, p = problem.n_outputs, problem.X.shape[1]
        lam = standardized.strengths.reshape(K, -1)[:, :p]
        n = problem.X.shape[0]
        loss_fn = standardized_loss(lam, problem.Y.ndim == 2, n if batch is None else batch)
        run = torch_descend(
            data.model,
            loss_fn,
            data.X,
            data.Y,
            data.w,
            optimizer="sgd",
            learning_rate=rate,
            batch_size=batch,
            max_epochs=int(estimator.max_iter),
            tol=float(estimator.tol),
            n_iter_no_change=patience,
            rng=np.random.default_rng(estimator.random_state),
            warn=False,  # the estimator's own warning, below
        )
        W_tilde = _coefficients(data.model, problem.fit_intercept).ravel()
        W = standardized.original(W_tilde).reshape(K, -1)
        attributes = {"history_": run.history, "n_steps_": run.n_steps, "stopping_": run.stopping}
        return TorchResult(W, run.n_epochs, run.converged, attributes)

    return solve


#: LogisticRegression on PyTorch: method name -> solver.
SOLVERS: dict[str, Any] = {
    "newton": newton,
    "lbfgs": lbfgs,
    **{method: descent(method) for method in ("bgd", "minibatch", "sgd")},
}


# --- the backend's fit ----------------------------------------------------------------------


def fit_logistic(
    estimator: Any, method: str, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None
) -> BackendFit:
    """LogisticRegression by ``method`` on PyTorch.

    ``Y`` holds the class indices (one column) and ``w`` the combined sample × class weights,
    as :meth:`glassbox.LogisticRegression.fit` hands them over; coefficients come back as
    float64 NumPy arrays of shape (1, p) for two classes and (K, p) otherwise.
    """
    from glassbox.backends.torch_backend import _engine
    from glassbox.linear.logistic import make_problem

    encoded = Y[:, 0].astype(np.intp)
    weights = np.ones(X.shape[0]) if w is None else np.asarray(w, dtype=np.float64)
    problem = make_problem(
        X,
        encoded,
        int(encoded.max()) + 1,
        weights,
        penalty=estimator.penalty,
        C=float(estimator.C),
        rho=estimator._mixing(),
        fit_intercept=bool(estimator.fit_intercept),
    )
    device, dtype, attributes = _engine(estimator)
    result = SOLVERS[method](problem, estimator, device, dtype)
    if not result.converged:
        warnings.warn(
            f"LogisticRegression ({method}, backend='torch', dtype={estimator.dtype!r}) failed "
            f"to converge after {result.n_iter} iteration(s). Increase max_iter, scale the "
            "features, strengthen the penalty (smaller C)"
            + (", or loosen tol (float32 stalls near 1e-7)" if estimator.dtype == "float32" else "")
            + ".",
            ConvergenceWarning,
            stacklevel=4,
        )
    p = X.shape[1]
    coef = result.W[:, :p]
    intercept = result.W[:, p] if problem.fit_intercept else np.zeros(result.W.shape[0])
    attributes.update(result.attributes)
    attributes.update(n_iter_=np.array([result.n_iter]), converged_=result.converged)
    return BackendFit(coef, intercept, attributes)


def logistic_fit(method: str) -> Any:
    """The registry's ``fit(estimator, X, Y, w)`` for ``method``."""

    def fit(estimator: Any, X: np.ndarray, Y: np.ndarray, w: np.ndarray | None) -> BackendFit:
        return fit_logistic(estimator, method, X, Y, w)

    return fit
