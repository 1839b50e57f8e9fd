"""Shared fixtures: the NIST StRD folder (skipped when absent) and the hypothesis profile."""

from __future__ import annotations

import importlib.util
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


@pytest.fixture(scope="session")
def torch_on_one_thread():
    """PyTorch on one intra-op thread for the session (a no-op without torch).

    The folders that fit tiny models (backends, nn, transformers) use it autouse: on tens of
    rows a thread pool buys nothing, and on a machine whose cores other jobs use its threads
    wait on each other. Results do not depend on the thread count at these sizes.
    """
    if importlib.util.find_spec("torch") is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
