"""The backend tests fit tiny designs (tens of rows): PyTorch runs them on one thread.

An intra-op thread pool buys nothing on 60 rows and, on a machine whose cores other jobs are
using, its threads wait on each other: the same torch descent runs ~20x slower with two
threads than with one. Results do not depend on the thread count at these sizes.
"""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(autouse=True, scope="session")
def _torch_on_one_thread():
    if importlib.util.find_spec("torch") is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
