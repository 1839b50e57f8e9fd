"""glassbox bench --backends dask --scheduler ADDRESS: the bench's Dask cells run on a given
cluster, and files from a glob are read as the dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from glassbox.cli.app import app


def test_bench_on_a_given_scheduler_with_a_glob_of_csv_files(tmp_path, client):
    rng = np.random.default_rng(0)
    for part in range(3):
        X = rng.standard_normal((40, 3))
        frame = pd.DataFrame(X, columns=["a", "b", "c"])
        frame["y"] = X @ [1.0, 2.0, -1.0] + 0.5 + 0.01 * rng.standard_normal(40)
        frame.to_csv(tmp_path / f"part{part}.csv", index=False)
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "--dataset",
            str(tmp_path / "part*.csv"),
            "--target",
            "y",
            "--models",
            "LinearRegression",
            "--methods",
            "qr,normal",
            "--backends",
            "dask,numpy",
            "--repeats",
            "1",
            "--scheduler",
            client.scheduler.address,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.count('"backend": "dask"') == 2


def test_an_unreachable_scheduler_is_a_clear_error():
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "--dataset",
            "lesson",
            "--backends",
            "dask",
            "--repeats",
            "1",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
    )
    assert result.exit_code == 2
    assert "cannot use scheduler tcp://127.0.0.1:1" in " ".join(result.output.split())


def test_worker_processes_that_cannot_start_get_the_fix_in_the_error(monkeypatch):
    """A script without `if __name__ == '__main__':` cannot spawn Dask workers: say so."""
    import importlib

    import pytest

    import distributed
    from glassbox.distributed import cluster

    def failing_cluster(**settings):
        raise RuntimeError("Nanny failed to start.")

    monkeypatch.setattr(distributed, "LocalCluster", failing_cluster)
    module = importlib.import_module("glassbox.distributed.cluster")  # not the function
    monkeypatch.setattr(module, "_current_client", lambda: None)
    with pytest.raises(RuntimeError, match=r"if __name__ == '__main__':.*processes=False"):
        with cluster():
            pass
