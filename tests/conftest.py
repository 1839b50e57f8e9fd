"""Shared fixtures: the NIST StRD folder (skipped when absent) and the hypothesis profile."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))  # the exact-arithmetic oracle in exact.py

settings.register_profile(
    "glassbox", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("glassbox")

NIST_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nist_strd"


@pytest.fixture(scope="session")
def nist_dir() -> Path:
    """../shared/data/nist_strd beside the checkout; tests that need it skip on a user's clone."""
    if not (NIST_DIR / "Longley.dat").is_file():
        pytest.skip(f"NIST StRD data not found at {NIST_DIR}")
    return NIST_DIR
