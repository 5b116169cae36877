"""Replications on Dask distributed: a scheduler given by address, or a local cluster started for the run.

Dask is an optional extra (``pip install 'ketensim[dask]'``); it is imported only here and only when
``--executor dask`` is asked for. Every chunk of replications (see
:mod:`ketensim.experiment.executors`) is one Dask task: the client sends :func:`run_chunk` *by
reference* (workers import it from their own ketensim, so they need ketensim installed at the same
version; this is checked when the client connects) together with the pickled resolved scenario, the
seeds and the xml flag; a worker sends back the condensed outcomes (numbers, breakdowns, hourly
series: a few kilobytes per replication). Nothing is read from or written to the workers' disks.

Results stream back as chunks finish; the engine orders them by replication index, so a run on a
cluster gives byte-identical output files to a run on the local pool or in this process.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from ketensim import __version__
from ketensim.experiment.executors import ExecutorUnavailable, Finished, WorkerDied, chunk_tasks, run_chunk
from ketensim.lifetime import starting_children

if TYPE_CHECKING:
    from ketensim.experiment.engine import Task

__all__ = ["dask_stream", "worker_version", "dask_setup", "CONNECT_TIMEOUT", "WORKER_WAIT"]

CONNECT_TIMEOUT = 10
"""Seconds to wait for the scheduler to answer."""
WORKER_WAIT = 60
"""Seconds to wait for a scheduler without workers to get its first one."""


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ExecutorUnavailable("--executor dask needs the dask extra, which is not installed: "
                                  "pip install 'ketensim[dask]'") from None
    return distributed


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def worker_version() -> str:
    """The ketensim version a worker has (run on every worker when the client connects)."""
    import ketensim

    return ketensim.__version__


def dask_setup(worker: Any) -> None:
    """Preload of the local cluster's workers: ignore Ctrl-C (this process stops the cluster itself).

    The terminal sends Ctrl-C to the whole process group; without this every worker would print a
    traceback while ketensim closes the cluster. A worker still importing (the first seconds) has
    not run this yet and may still print one; the run stops all the same.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_cluster(client: Any, scheduler: str) -> None:
    """The cluster has a worker and every worker runs this version of ketensim, or a one-line error."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except TimeoutError:
        raise ExecutorUnavailable(f"the Dask scheduler at {scheduler} has no workers (waited {WORKER_WAIT} s); "
                                  "start some with `dask worker`") from None
    try:
        versions = client.run(worker_version)
    except Exception as err:  # the function cannot be unpickled where ketensim is missing
        raise ExecutorUnavailable(f"the Dask workers of {scheduler} cannot run ketensim ({_first_line(err)}); "
                                  f"install ketensim {__version__} on every worker") from None
    wrong = sorted(f"{address} has {version}" for address, version in versions.items() if version != __version__)
    if wrong:
        raise ExecutorUnavailable(f"the Dask workers of {scheduler} need ketensim {__version__}: "
                                  + "; ".join(wrong))


def _collect() -> None:
    """Close unreachable Dask clients now, at a safe point.

    A Client that failed to connect (or one nobody closed) closes itself in ``__del__``. If the
    garbage collector runs that while a new Client is starting its event loop, distributed waits on
    a lock the starting Client holds, and the process hangs (seen in CI). A collection just before
    and after a connection attempt runs those ``__del__`` calls when nothing holds that lock.
    """
    gc.collect()


@contextmanager
def _worker_environment() -> Iterator[None]:
    """The local cluster's workers start without Dask's ``MALLOC_TRIM_THRESHOLD_`` (65536).

    Dask sets it so that a worker hands freed memory back to the system at once, which suits
    array work on big buffers; a replication allocates and frees millions of small objects, and
    with the low threshold glibc trims again and again: on this machine a national replication
    took 4 % longer in a worker with it (7.70 s against 7.42 s). The other variables stay. A nanny
    also writes its variables into this process's own environment (where a later cluster's workers
    would inherit them), so the variable is kept out of it while the cluster starts and put back after.
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    saved = os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    try:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
            yield
    finally:
        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
        if saved is not None:
            os.environ["MALLOC_TRIM_THRESHOLD_"] = saved


@contextmanager
def _connect(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the scheduler at ``scheduler``, or of a local cluster of ``workers`` processes."""
    distributed = _distributed()
    if scheduler is None:
        failed: Exception | None = None
        with starting_children():  # a signal meanwhile is acted on (Ctrl-C, SIGTERM) when this block ends
            try:
                with _worker_environment():
                    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                       dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
                                                       preload=[__name__])
            except Exception as err:  # also what a Ctrl-C to workers still starting looks like from here
                failed = err
        if failed is not None:
            raise ExecutorUnavailable(f"the local Dask cluster did not start: {_first_line(failed)}") from None
        try:
            _collect()
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    _collect()
    failure = ""
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
    except Exception as err:  # unreachable host, refused, malformed address, wrong protocol ...
        failure = _first_line(err)
    if failure:
        _collect()  # the half-made Client is closed here, by its __del__
        raise ExecutorUnavailable(f"cannot reach the Dask scheduler at {scheduler!r}: {failure}")
    try:
        _check_cluster(client, scheduler)
        yield client
    finally:
        client.close()


def dask_stream(tasks: Sequence[Task], workers: int, *, scheduler: str | None = None, client: Any = None
                ) -> Generator[Finished, None, None]:
    """Run ``tasks`` on Dask; yield ``(chunk, outcomes or exception)`` as each chunk finishes.

    ``client`` is a connected ``distributed.Client`` to use (left open); without it, one is
    connected to ``scheduler`` or to a local cluster of ``workers`` processes, closed at the end.
    Unfinished chunks are cancelled when the caller stops early or fails.
    """
    distributed = _distributed()
    if not tasks:
        return
    local = client is None and scheduler is None
    with nullcontext(client) if client is not None else _connect(scheduler, workers) as c:
        slots = workers if local else max(1, sum(c.nthreads().values()))
        chunks = chunk_tasks(tasks, slots)
        futures = [c.submit(run_chunk, chunk, pure=False) for chunk in chunks]
        position = {future.key: i for i, future in enumerate(futures)}
        try:
            for future in distributed.as_completed(futures):
                i = position[future.key]
                try:
                    result: Any = future.result()
                except distributed.KilledWorker:
                    raise WorkerDied("Dask workers died running a chunk of the replications (out of memory?); the "
                                     "experiment stopped and wrote nothing") from None
                except distributed.CancelledError:  # not a replication's doing: the cluster dropped the work
                    raise ExecutorUnavailable("the Dask cluster cancelled the replications (scheduler gone or "
                                              "restarted?); the experiment stopped and wrote nothing") from None
                except Exception as err:
                    result = err
                yield chunks[i], result
        finally:
            c.cancel(futures)
