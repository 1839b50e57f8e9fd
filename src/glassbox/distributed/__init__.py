"""Linear models beyond one machine's memory: exact least squares on Dask, with inference.

``LinearRegression`` and ``Ridge`` fit Dask arrays and DataFrames directly (or any data with
``backend="dask"``): one pass of per-partition sufficient statistics merged by the
Chan-Golub-LeVeque update, then the in-memory solvers' Cholesky and conditioning checks, or
tall-skinny QR with refinement passes for ill-conditioned designs. ``LogisticRegression``
(Newton, L-BFGS) fits them too, from per-partition loss, gradient and Hessian sums, or by
mini-batch descent streaming the partitions (standardized and stepped by merged statistics).

* :func:`cluster`: run on an existing scheduler, or a LocalCluster started for the block;
* :func:`read_table`: a directory or glob of Parquet / CSV files, read lazily;
* :func:`regression_inference`: standard errors, t, p, F, R², AIC/BIC and HC0/HC1
  covariances from two passes, with statsmodels' names.

Nothing here imports Dask until it is used; without it, a clear ImportError names the
``glassbox[dask]`` extra.
"""

from glassbox.distributed.cluster import cluster, local_cluster_options
from glassbox.distributed.data import ChunkAlignmentWarning, as_partitions, read_table
from glassbox.distributed.inference import DistributedResults, regression_inference
from glassbox.distributed.statistics import SufficientStatistics, chunk_statistics, merge

__all__ = [
    "ChunkAlignmentWarning",
    "DistributedResults",
    "SufficientStatistics",
    "as_partitions",
    "chunk_statistics",
    "cluster",
    "local_cluster_options",
    "merge",
    "read_table",
    "regression_inference",
]
