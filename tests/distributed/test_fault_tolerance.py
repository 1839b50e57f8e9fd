"""A worker process killed in the middle of a fit: Dask recomputes its partitions."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import dask.array as da
import numpy as np
import pytest

from glassbox.distributed import cluster
from glassbox.linear import LinearRegression

N_CHUNKS, ROWS, FEATURES = 24, 500, 4


def _block(block_info: Any = None) -> np.ndarray:
    """Partition i of a design, the same every time it is computed (seeded by i), slowly."""
    index = block_info[None]["chunk-location"][0]
    time.sleep(0.15)  # long enough that the fit is still running when the worker dies
    rng = np.random.default_rng(index)
    X = rng.normal(size=(ROWS, FEATURES))
    y = 1.0 + X @ np.arange(1.0, FEATURES + 1) + rng.normal(size=ROWS)
    return np.column_stack([X, y])


def _data() -> Any:
    return da.map_blocks(_block, chunks=((ROWS,) * N_CHUNKS, (FEATURES + 1,)), dtype=float)


def test_fit_survives_a_killed_worker() -> None:
    from distributed import Client, LocalCluster

    data = _data()
    X, y = data[:, :FEATURES], data[:, FEATURES]
    expected_data = np.vstack([_block({None: {"chunk-location": (i, 0)}}) for i in range(N_CHUNKS)])
    expected = LinearRegression().fit(expected_data[:, :FEATURES], expected_data[:, FEATURES])
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        Client(local, set_as_default=False) as client,
    ):
        pids = client.run(os.getpid)
        outcome: dict[str, Any] = {}

        def fit() -> None:
            try:
                with cluster(client):
                    outcome["model"] = LinearRegression(solver="normal").fit(X, y)
            except Exception as error:  # pragma: no cover - reported below
                outcome["error"] = error

        worker = threading.Thread(target=fit)
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive(), "the fit finished before a worker could be killed"
        victim = next(iter(pids.values()))
        os.kill(victim, signal.SIGKILL)
        worker.join(timeout=120)
        assert not worker.is_alive()
        assert "error" not in outcome, outcome.get("error")
        assert victim not in client.run(os.getpid).values()  # the worker really died
    model = outcome["model"]
    # Same partitions, same merge tree: the recomputed fit is the undisturbed one (to
    # rounding: the NumPy reference sums in another order).
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=1e-12)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=1e-12)


pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
