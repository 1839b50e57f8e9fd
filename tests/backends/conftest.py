"""The backend tests fit tiny designs (tens of rows): PyTorch runs them on one thread.

An intra-op thread pool buys nothing on 60 rows and, on a machine whose cores other jobs are
using, its threads wait on each other: the same torch descent runs ~20x slower with two
threads than with one. Results do not depend on the thread count at these sizes.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _torch_on_one_thread(torch_on_one_thread):
    yield
