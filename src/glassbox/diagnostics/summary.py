"""The regression summary: one table model, rendered as text, Markdown or HTML.

:func:`build_summary` collects plain strings (header pairs, the coefficient table, the
assumption-test table and the notes) and :class:`Summary` only lays them out, so the three
renderings always say the same thing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from glassbox.diagnostics.results import RegressionResults

__all__ = ["Summary", "build_summary", "collect_notes", "format_number"]


def format_number(value: float | None) -> str:
    """Four significant digits, switching to scientific notation for very large/small values."""
    if value is None:
        return "--"
    if not np.isfinite(value):
        return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
    magnitude = abs(value)
    if magnitude == 0 or 1e-4 <= magnitude < 1e6:
        return f"{value:.4g}" if magnitude >= 1 else f"{value:.4f}"
    return f"{value:.3e}"


def format_pvalue(value: float | None) -> str:
    """A p-value as ``summary()`` prints it: three decimals, ``<0.001`` or ``--`` (none)."""
    if value is None:
        return "--"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


@dataclass(frozen=True)
class Summary:
    """A rendered-on-demand summary; ``str(summary)`` is the text form."""

    title: str
    header: list[tuple[str, str]]
    coef_headers: list[str]
    coef_rows: list[list[str]]
    test_headers: list[str]
    test_rows: list[list[str]]
    notes: list[str]

    # --- text --------------------------------------------------------------------------------

    def as_text(self) -> str:
        """The summary as fixed-width text, laid out like statsmodels' ``summary()``."""
        width = 90
        lines = [self.title.center(width), "=" * width]
        half = (len(self.header) + 1) // 2
        left, right = self.header[:half], self.header[half:]
        for i in range(half):
            cell = f"{left[i][0]:<20}{left[i][1]:>22}"
            if i < len(right):
                cell += f"   {right[i][0]:<22}{right[i][1]:>20}"
            lines.append(cell)
        lines.append("=" * width)
        lines.extend(_text_table(self.coef_headers, self.coef_rows, numeric_from=1))
        lines.append("=" * width)
        lines.append("Assumption tests")
        lines.append("-" * width)
        for name, statistic, pvalue, reading in self.test_rows:
            lines.append(f"{name:<22}{statistic:>11}{pvalue:>9}  {reading}")
        if self.notes:
            lines.append("=" * width)
            lines.append("Notes:")
            lines.extend(f"[{i}] {note}" for i, note in enumerate(self.notes, start=1))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_text()

    # --- Markdown ----------------------------------------------------------------------------

    def as_markdown(self) -> str:
        """The summary as Markdown tables."""
        parts = [f"### {self.title}", ""]
        parts += _markdown_table(["", "", " ", "  "], _pairs_in_rows(self.header))
        parts += ["", *_markdown_table(self.coef_headers, self.coef_rows)]
        parts += ["", "**Assumption tests**", ""]
        parts += _markdown_table(self.test_headers, self.test_rows)
        if self.notes:
            parts += ["", "**Notes**", ""]
            parts += [f"{i}. {note}" for i, note in enumerate(self.notes, start=1)]
        return "\n".join(parts) + "\n"

    # --- HTML --------------------------------------------------------------------------------

    def as_html(self) -> str:
        """The summary as HTML tables (for notebooks and the bench report)."""
        parts = [f'<div class="glassbox-summary"><h3>{html.escape(self.title)}</h3>']
        parts.append(_html_table(None, _pairs_in_rows(self.header)))
        parts.append(_html_table(self.coef_headers, self.coef_rows))
        parts.append("<h4>Assumption tests</h4>")
        parts.append(_html_table(self.test_headers, self.test_rows))
        if self.notes:
            items = "".join(f"<li>{html.escape(note)}</li>" for note in self.notes)
            parts.append(f"<h4>Notes</h4><ol>{items}</ol>")
        parts.append("</div>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.as_html()


def _pairs_in_rows(header: list[tuple[str, str]]) -> list[list[str]]:
    half = (len(header) + 1) // 2
    rows = []
    for i in range(half):
        row = [header[i][0], header[i][1]]
        row += list(header[half + i]) if half + i < len(header) else ["", ""]
        rows.append(row)
    return rows


def _text_table(headers: list[str], rows: list[list[str]], numeric_from: int) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    widths = [max(width, 9) for width in widths]

    def line(cells: list[str]) -> str:
        out = [f"{cells[0]:<{widths[0]}}"]
        out += [f"{cell:>{widths[i]}}" for i, cell in enumerate(cells[1:], start=numeric_from)]
        return "  ".join(out)

    return [line(headers), "-" * len(line(headers)), *(line(row) for row in rows)]


def _markdown_escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def _markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_markdown_escape(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(_markdown_escape(c) for c in row) + " |" for row in rows]
    return lines


def _html_table(headers: list[str] | None, rows: list[list[str]]) -> str:
    parts = ["<table>"]
    if headers is not None:
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        parts.append(f"<thead><tr>{cells}</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


# --- content ----------------------------------------------------------------------------------


def collect_notes(results: RegressionResults) -> list[str]:
    """Every caveat a reader of the numbers should know, in plain language."""
    notes = [results.cov_description]
    collinearity = results.collinearity
    if collinearity.dropped:
        relations = "; ".join(
            f"{name} = {relation}" for name, relation in collinearity.dropped_relations.items()
        )
        notes.append(
            f"The design is rank deficient (rank {results.rank} of "
            f"{results.rank + len(collinearity.dropped)} columns): "
            f"{', '.join(collinearity.dropped)} dropped as linear combination(s) of other "
            f"columns ({relations}). Their coefficients are not identifiable, so no standard "
            "error or p-value is reported for them."
        )
        if collinearity.reparametrized:
            notes.append(
                "The model spread weight over the redundant columns; the coefficients shown "
                "are the same fitted values expressed in the kept columns only."
            )
    scaled = collinearity.condition_number_scaled
    if scaled > 1e3:
        loadings = ", ".join(
            f"{name} ({value:+.2f})" for name, value in collinearity.weakest_direction.items()
        )
        notes.append(
            f"Near-collinearity: the condition number of the design with unit-norm columns is "
            f"{scaled:.3g}; the nearly dependent combination involves {loadings}. Standard "
            "errors of these coefficients are inflated (see the VIFs)."
        )
    elif results.condition_number > 1e3:
        notes.append(
            f"The raw condition number is {results.condition_number:.3g} but only "
            f"{scaled:.3g} after scaling the columns: the large value comes from the units "
            "of the columns, not from collinearity."
        )
    if results.regularization is not None:
        notes.append(
            f"Penalized fit ({results.regularization}): classical standard errors, t and F "
            "tests are not valid for penalized estimates. Std. errors and intervals are from "
            "the pairs bootstrap of the refitted model; they describe the variability of the "
            "penalized estimate, which is biased towards zero."
        )
        bootstrap = results.bootstrap
        if bootstrap is not None and bootstrap.n_warnings:
            notes.append(f"{bootstrap.n_warnings} warning(s) were raised by the bootstrap refits.")
    if results.converged is False:
        gradient = results.design.matrix.T @ results.resid
        size = np.linalg.norm(results.design.matrix, axis=0) * max(
            float(np.linalg.norm(results.resid)), 1e-300
        )
        notes.append(
            "The solver had not converged: inference is at the coefficients it returned, "
            "which are not the least-squares solution (largest |x_jᵀe|/(‖x_j‖‖e‖) = "
            f"{float(np.max(np.abs(gradient) / size)):.2g}); refit with more iterations."
        )
    if results.perfect_fit:
        notes.append(
            "Perfect fit: the residuals are zero to rounding, so s² = 0, standard errors are "
            "0 and t statistics infinite; the tests of the residuals are not defined."
        )
    notes.append(results.influence.summary_line())
    return notes


def build_summary(results: RegressionResults, alpha: float = 0.05) -> Summary:
    """Assemble the header, coefficient table, assumption tests and notes of ``results``."""
    penalized = results.regularization is not None
    if penalized:
        inference = "bootstrap"
    else:
        inference = f"{results.cov_type} ({'t' if results.use_t else 'normal'})"
    header = [
        ("Dep. variable:", results.y_name),
        ("Model:", results.model_name),
        ("Inference:", inference),
        ("No. observations:", str(results.nobs)),
        ("Df residuals:", str(results.df_resid)),
        ("Df model:", str(results.df_model)),
        ("R-squared:", format_number(results.rsquared)),
        ("Adj. R-squared:", format_number(results.rsquared_adj)),
        ("F-statistic:", "--" if penalized else format_number(results.fvalue)),
        ("Prob (F-statistic):", "--" if penalized else format_number(results.f_pvalue)),
        ("Log-likelihood:", format_number(results.llf)),
        ("AIC / BIC:", f"{format_number(results.aic)} / {format_number(results.bic)}"),
    ]
    lower, upper = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
    intervals = results.conf_int(alpha)
    if penalized:
        coef_headers = ["", "coef", "boot std err", lower, upper]
        coef_rows = [
            [name, format_number(b), format_number(se), format_number(lo), format_number(hi)]
            for name, b, se, (lo, hi) in zip(
                results.param_names, results.params, results.bse, intervals
            )
        ]
        blank = 3
    else:
        stat = "t" if results.use_t else "z"
        coef_headers = ["", "coef", "std err", stat, f"P>|{stat}|", lower, upper]
        coef_rows = [
            [
                name,
                format_number(b),
                format_number(se),
                format_number(t),
                format_pvalue(p),
                format_number(lo),
                format_number(hi),
            ]
            for name, b, se, t, p, (lo, hi) in zip(
                results.param_names,
                results.params,
                results.bse,
                results.tvalues,
                results.pvalues,
                intervals,
            )
        ]
        blank = 5
    for name in results.dropped:
        coef_rows.append([name, "dropped", "(collinear)"] + [""] * blank)
        coef_rows[-1] = coef_rows[-1][: len(coef_headers)]
    test_rows = [
        [test.name, format_number(test.statistic), format_pvalue(test.pvalue), test.reading]
        for test in results.assumption_tests()
    ]
    return Summary(
        title="glassbox regression diagnostics",
        header=header,
        coef_headers=coef_headers,
        coef_rows=coef_rows,
        test_headers=["test", "statistic", "p-value", "reading"],
        test_rows=test_rows,
        notes=collect_notes(results),
    )
