"""Influence of single observations on a least-squares fit, with the usual cut-offs.

With leverages :math:`h_i` (the hat diagonal, :math:`H = QQ^\\top`), residuals :math:`e_i`,
:math:`s^2 = \\sum e_i^2 / (n-k)` and :math:`k` estimated coefficients:

.. math::

    r_i = \\frac{e_i}{s\\sqrt{1-h_i}} \\quad\\text{(internally studentized)}  \\tag{1}

    s_{(i)}^2 = \\frac{(n-k)s^2 - e_i^2/(1-h_i)}{n-k-1}, \\qquad
    t_i = \\frac{e_i}{s_{(i)}\\sqrt{1-h_i}} \\quad\\text{(externally studentized)}  \\tag{2}

    D_i = \\frac{r_i^2}{k} \\frac{h_i}{1-h_i} \\quad\\text{(Cook's distance)}  \\tag{3}

    \\mathrm{DFFITS}_i = t_i \\sqrt{\\frac{h_i}{1-h_i}}  \\tag{4}

:math:`s_{(i)}` is the residual standard deviation with observation i left out, obtained
without refitting. Cut-offs flagged (Belsley, Kuh & Welsch 1980; Cook & Weisberg 1982):
leverage :math:`h_i > 2k/n`, :math:`|t_i| > 3`, :math:`D_i > 4/n`,
:math:`|\\mathrm{DFFITS}_i| > 2\\sqrt{k/n}`.

An observation with leverage 1 determines its own fitted value (:math:`e_i = 0`): its
studentized residuals are reported as 0 and its Cook's distance and DFFITS as infinite,
since leaving it out makes the fit unidentifiable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Influence", "influence"]


@dataclass(frozen=True)
class Influence:
    """Per-observation influence measures and the indices beyond each cut-off."""

    hat_matrix_diag: np.ndarray
    resid_studentized_internal: np.ndarray
    resid_studentized_external: np.ndarray
    cooks_distance: np.ndarray
    dffits: np.ndarray
    leverage_cutoff: float
    studentized_cutoff: float
    cooks_cutoff: float
    dffits_cutoff: float

    @property
    def high_leverage(self) -> np.ndarray:
        """Indices with h_i > 2k/n."""
        return np.flatnonzero(self.hat_matrix_diag > self.leverage_cutoff)

    @property
    def outliers(self) -> np.ndarray:
        """Indices with |t_i| > 3 (externally studentized)."""
        return np.flatnonzero(np.abs(self.resid_studentized_external) > self.studentized_cutoff)

    @property
    def influential(self) -> np.ndarray:
        """Indices with Cook's distance above 4/n."""
        return np.flatnonzero(self.cooks_distance > self.cooks_cutoff)

    @property
    def high_dffits(self) -> np.ndarray:
        """Indices with |DFFITS| above 2√(k/n)."""
        return np.flatnonzero(np.abs(self.dffits) > self.dffits_cutoff)

    def summary_line(self) -> str:
        """One sentence naming the flagged observations (first few of each kind)."""
        parts = []
        for label, indices in (
            ("high leverage (h > 2k/n)", self.high_leverage),
            ("outlying (|studentized| > 3)", self.outliers),
            ("influential (Cook's D > 4/n)", self.influential),
        ):
            if indices.size:
                shown = ", ".join(str(int(i)) for i in indices[:5])
                more = f" and {indices.size - 5} more" if indices.size > 5 else ""
                parts.append(f"{indices.size} {label}: rows {shown}{more}")
        if not parts:
            return "No observation beyond the leverage, outlier or Cook's distance cut-offs."
        return "; ".join(parts) + "."


def influence(resid: np.ndarray, hat: np.ndarray, scale: float, n_params: int) -> Influence:
    """Compute eqs. (1)-(4) from residuals, leverages, s² and the number of coefficients."""
    n_samples = resid.shape[0]
    df_resid = n_samples - n_params
    free = hat < 1.0 - 1e-12  # observations whose fitted value is not pinned by themselves
    one_minus_h = np.where(free, 1.0 - hat, 1.0)
    if scale > 0.0:
        internal = np.where(free, resid / np.sqrt(scale * one_minus_h), 0.0)  # eq. (1)
    else:  # perfect fit: every residual is zero, none deviates
        internal = np.zeros(n_samples)
    leave_one_out = (df_resid * scale - resid**2 / one_minus_h) / max(df_resid - 1, 1)  # eq. (2)
    leave_one_out = np.maximum(leave_one_out, 0.0)
    positive = free & (leave_one_out > 0.0)
    external = np.zeros(n_samples)
    np.divide(resid, np.sqrt(leave_one_out * one_minus_h), out=external, where=positive)
    if df_resid - 1 < 1:
        external[:] = 0.0
    ratio = np.where(free, hat / one_minus_h, 0.0)  # h/(1-h); pinned points handled below
    cooks = np.where(free, internal**2 / n_params * ratio, np.inf)  # eq. (3)
    dffits = np.where(free, external * np.sqrt(ratio), np.inf)  # eq. (4)
    return Influence(
        hat_matrix_diag=hat,
        resid_studentized_internal=internal,
        resid_studentized_external=external,
        cooks_distance=cooks,
        dffits=dffits,
        leverage_cutoff=2.0 * n_params / n_samples,
        studentized_cutoff=3.0,
        cooks_cutoff=4.0 / n_samples,
        dffits_cutoff=2.0 * np.sqrt(n_params / n_samples),
    )
