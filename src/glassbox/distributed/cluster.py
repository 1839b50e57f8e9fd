"""Where the work runs: an existing Dask cluster, or a local one started (and closed) for it.

``cluster(scheduler=None)`` is a context manager that yields a ``distributed.Client``:

* ``scheduler=None``: the client already active in this process (``distributed.get_client``)
  when there is one; otherwise a new :class:`distributed.LocalCluster` sized to this machine
  (one single-threaded worker process per core, the machine's memory shared between them),
  whose dashboard address is printed, closed again when the block ends;
* an address (``"tcp://10.0.0.5:8786"``, a scheduler started with ``dask scheduler``), a
  ``distributed.Client`` or a cluster object (``LocalCluster``, ``SLURMCluster``, ...): that
  cluster, which is left running.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from glassbox.distributed._dask import require

logger = logging.getLogger("glassbox.distributed")

# Leave this fraction of the machine's memory to the driver and the operating system.
_WORKER_MEMORY_FRACTION = 0.8


def local_cluster_options(processes: bool = True) -> dict[str, Any]:
    """LocalCluster keyword arguments sized to this machine.

    With processes: one worker per core, one thread each (NumPy's BLAS already uses the core;
    separate processes sidestep the GIL in the Python glue), and 80% of the memory divided
    among them, so Dask spills to disk before the machine swaps. Without processes (data that
    already lives in this process): one worker whose threads share it, no copies.
    """
    import psutil

    cores = os.cpu_count() or 1
    memory = int(psutil.virtual_memory().total * _WORKER_MEMORY_FRACTION)
    if not processes:
        return {
            "n_workers": 1,
            "threads_per_worker": cores,
            "processes": False,
            "memory_limit": memory,
            "dashboard_address": ":0",
        }
    return {
        "n_workers": cores,
        "threads_per_worker": 1,
        "processes": True,
        "memory_limit": memory // cores,
        "dashboard_address": ":0",
    }


def _current_client() -> Any | None:
    distributed = require("distributed")
    try:
        return distributed.get_client()
    except ValueError:  # no client in this process
        return None


def _start_local_cluster(distributed: Any, settings: dict[str, Any]) -> Any:
    """A LocalCluster; a failed start of worker processes gets the usual cause and its fix."""
    try:
        return distributed.LocalCluster(**settings)
    except RuntimeError as error:
        if not settings.get("processes"):
            raise
        raise RuntimeError(
            "Dask could not start its worker processes. From a script, start them under "
            "`if __name__ == '__main__':` (worker processes are spawned and re-import the "
            "script), or use threads: `with glassbox.distributed.cluster(processes=False):`. "
            f"Dask said: {error}"
        ) from error


@contextmanager
def cluster(scheduler: Any = None, *, processes: bool = True, **options: Any) -> Iterator[Any]:
    """A ``distributed.Client`` for the duration of the block (see the module docstring).

    Parameters
    ----------
    scheduler : None, str, distributed.Client or a cluster object
        Where to run. None: the active client, else a new LocalCluster.
    processes : bool, default True
        For a new LocalCluster: worker processes (True) or threads in this process (False,
        best when the data already lives here as NumPy arrays).
    **options : overrides of :func:`local_cluster_options` for a new LocalCluster.
    """
    distributed = require("distributed")
    if scheduler is None:
        active = _current_client()
        if active is not None:
            yield active
            return
        settings = {**local_cluster_options(processes), **options}
        local = _start_local_cluster(distributed, settings)
        with local, distributed.Client(local) as client:
            workers = settings["n_workers"]
            message = (
                f"glassbox: started a Dask LocalCluster ({workers} worker "
                f"{'process' if settings['processes'] else 'thread pool'}"
                f"{'es' if workers > 1 and settings['processes'] else ''}, "
                f"{settings['threads_per_worker']} thread(s) each); dashboard: "
                f"{client.dashboard_link}"
            )
            logger.info(message)
            print(message, file=sys.stderr)
            yield client
        return
    if isinstance(scheduler, distributed.Client):
        with scheduler.as_current():  # fits inside the block find this client
            yield scheduler
        return
    if isinstance(scheduler, str) or hasattr(scheduler, "scheduler_address"):
        with distributed.Client(scheduler, set_as_default=False) as client, client.as_current():
            logger.info("glassbox: connected to the Dask scheduler at %s", client.scheduler.address)
            yield client
        return
    raise TypeError(
        "scheduler must be None (a local cluster), a scheduler address such as "
        f"'tcp://10.0.0.5:8786', a distributed.Client or a cluster object; got {scheduler!r}."
    )
