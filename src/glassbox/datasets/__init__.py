"""Datasets: reference problems for accuracy checks (synthetic generators and loaders to come)."""

from glassbox.datasets.nist import StRDProblem, correct_digits, load_nist_strd

__all__ = ["StRDProblem", "correct_digits", "load_nist_strd"]
