"""One torch thread for these small networks (see ``torch_on_one_thread`` in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread(torch_on_one_thread):
    yield
