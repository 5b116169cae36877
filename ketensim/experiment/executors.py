"""Where replications run: in this process, on a pool of local worker processes, or on a Dask cluster.

An experiment is a list of tasks (one replication each, see :data:`~ketensim.experiment.engine.Task`).
They are cut into *chunks* of consecutive replications (:func:`chunk_tasks`) and every chunk is one
unit of work for an executor: :func:`run_chunk` runs its replications one after the other and
returns their condensed outcomes. An executor streams ``(chunk, outcomes or exception)`` as each
chunk finishes, in whatever order; the engine puts the outcomes back in replication order, so the
results do not depend on the executor, the number of workers or the chunk size.

* ``process`` (the default): a ``spawn`` pool of local processes, terminated when the run ends,
  fails or is interrupted; a worker that dies (killed from outside) stops the experiment.
* ``dask``: Dask distributed, on a scheduler given by address or on a local cluster started for the
  run (see :mod:`ketensim.experiment.dask_executor`; needs the ``dask`` extra).

Chunk size (a fixed rule, no timing run): about four chunks per worker, so a slow chunk at the end
holds up at most a quarter of a worker's share, and never more than :data:`MAX_CHUNK` replications,
so a chunk takes seconds (the bundled scenarios run a replication in a fraction of a second up to tens
of seconds in counting mode) and the progress bar moves. On 2 workers, 200 replications become 8
chunks of 25; 20 national replications become 8 chunks of 2 or 3; on a cluster of 100 workers every
replication is its own chunk.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing import resource_tracker
from typing import TYPE_CHECKING, Any

from ketensim.exceptions import KetensimError
from ketensim.experiment.outcome import ReplicationOutcome, run_one
from ketensim.lifetime import child_setup, starting_children

if TYPE_CHECKING:
    from ketensim.experiment.engine import Task

__all__ = [
    "EXECUTORS",
    "ExecutorSpec",
    "ExecutorUnavailable",
    "WorkerDied",
    "MAX_CHUNK",
    "CHUNKS_PER_WORKER",
    "chunk_tasks",
    "run_chunk",
    "failed_position",
    "stream_chunks",
]

EXECUTORS: tuple[str, ...] = ("process", "dask")
"""The executor names ``--executor`` accepts."""
MAX_CHUNK = 25
"""The most replications one chunk holds."""
CHUNKS_PER_WORKER = 4
"""How many chunks each worker gets, for balance at the end of the run."""

Chunk = list["Task"]
Finished = tuple[Chunk, Any]
"""A chunk and what it gave: its ``(key, outcome)`` list or the exception it raised."""

_POSITION = "ketensim_chunk_position"  # the attribute that says which replication of a chunk failed


class WorkerDied(KetensimError, RuntimeError):
    """Raised when a worker process of the pool dies (killed from outside, e.g. for lack of memory)."""


class ExecutorUnavailable(KetensimError):
    """The executor cannot be used: the extra is not installed, the scheduler cannot be reached ..."""


@dataclass(frozen=True)
class ExecutorSpec:
    """Which executor runs the replications: ``process`` or ``dask`` (on ``scheduler``, or a local cluster)."""

    kind: str = "process"
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in EXECUTORS:
            raise ValueError(f"unknown executor {self.kind!r}; known: {', '.join(EXECUTORS)}")
        if self.scheduler is not None and self.kind != "dask":
            raise ValueError("a scheduler address needs the dask executor")

    def describe(self, workers: int) -> str:
        """How the run header names this executor (``workers 2``, ``dask local cluster, 2 workers`` ...)."""
        if self.kind == "process":
            return f"workers {workers}"
        if self.scheduler is None:
            return f"dask local cluster, {workers} workers"
        return f"dask scheduler {self.scheduler}"


def chunk_tasks(tasks: Sequence[Task], workers: int) -> list[Chunk]:
    """Cut ``tasks`` into consecutive chunks (see the module docstring for the rule)."""
    if not tasks:
        return []
    size = max(1, min(MAX_CHUNK, math.ceil(len(tasks) / (CHUNKS_PER_WORKER * max(1, workers)))))
    return [list(tasks[i:i + size]) for i in range(0, len(tasks), size)]


def run_chunk(chunk: Sequence[Task]) -> list[tuple[str, ReplicationOutcome]]:
    """Run the replications of ``chunk`` in order (the entry point on a worker).

    An exception leaves with the position of the failing replication in the chunk as an attribute
    (pickled with it), so the caller can name that replication's variant and seed.
    """
    out = []
    for position, task in enumerate(chunk):
        try:
            out.append(run_one(task))
        except Exception as err:
            try:
                setattr(err, _POSITION, position)
            except AttributeError:  # an exception that takes no attributes: blamed on the chunk's first task
                pass
            raise
    return out


def failed_position(error: BaseException) -> int:
    """The position in its chunk of the replication that raised ``error`` (0 if unknown)."""
    position = getattr(error, _POSITION, 0)
    return position if isinstance(position, int) else 0


def _check_workers(workers: list[multiprocessing.process.BaseProcess]) -> None:
    """Raise :class:`WorkerDied` if a pool worker has gone: its chunk would never report back."""
    for process in workers:
        code = process.exitcode
        if code is not None:
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            raise WorkerDied(f"a worker process of the replications died ({how}; out of memory?); the experiment "
                             "stopped and wrote nothing")


def _pooled(chunks: list[Chunk], workers: int) -> Generator[Finished, None, None]:
    """Run ``chunks`` on a spawn-based pool; yield ``(chunk, result or exception)`` as each one finishes.

    The pool is terminated (not drained) when the caller stops early, fails, is interrupted or gets
    SIGTERM, so no worker outlives the run and Ctrl-C takes effect at once. Workers ignore Ctrl-C and
    die with this process (see :mod:`ketensim.lifetime`).
    """
    context = multiprocessing.get_context("spawn")
    done: queue.SimpleQueue[tuple[int, Any]] = queue.SimpleQueue()
    # the resource tracker unblocks SIGINT when it starts: start it before holding Ctrl-C back
    resource_tracker.ensure_running()
    pool = None
    others = set(multiprocessing.active_children())  # children that are not this pool's workers
    try:
        with starting_children():  # a signal held back meanwhile is raised when this block ends
            pool = context.Pool(min(workers, len(chunks)), initializer=child_setup, initargs=(os.getpid(),))
        for i, chunk in enumerate(chunks):
            pool.apply_async(run_chunk, (chunk,), callback=lambda r, i=i: done.put((i, r)),
                             error_callback=lambda e, i=i: done.put((i, e)))
        workers_started = [p for p in multiprocessing.active_children() if p not in others]
        for _ in chunks:
            while True:
                try:  # a short wait, so that a signal is handled at once
                    i, result = done.get(timeout=0.2)
                    break
                except queue.Empty:
                    _check_workers(workers_started)
            yield chunks[i], result
        pool.close()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _in_process(chunks: list[Chunk]) -> Iterator[Finished]:
    """Run every chunk here, one after the other (one worker)."""
    for chunk in chunks:
        try:
            result: Any = run_chunk(chunk)
        except Exception as err:
            result = err
        yield chunk, result


def stream_chunks(tasks: Sequence[Task], workers: int, executor: ExecutorSpec | Any | None = None
                  ) -> Generator[Finished, None, None]:
    """Run ``tasks`` on ``executor``; yield ``(chunk, result or exception)`` as each chunk finishes.

    ``executor`` is an :class:`ExecutorSpec`, ``None`` (the process executor) or a connected
    ``distributed.Client`` (used as it is, not closed). With the process executor, ``workers=1`` runs
    the tasks in this process one at a time; more start a pool of that many processes (never more
    than chunks). With a Dask local cluster, ``workers`` is its number of worker processes; on a
    scheduler, the cluster's own workers count.
    """
    if executor is None or isinstance(executor, ExecutorSpec) and executor.kind == "process":
        if workers == 1 or len(tasks) <= 1:
            yield from _in_process([[task] for task in tasks])
        else:
            yield from _pooled(chunk_tasks(tasks, workers), workers)
        return
    from ketensim.experiment.dask_executor import dask_stream

    if isinstance(executor, ExecutorSpec):
        yield from dask_stream(tasks, workers, scheduler=executor.scheduler)
    else:
        yield from dask_stream(tasks, workers, client=executor)
