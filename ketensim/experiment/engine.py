"""Run many replications, in this process, on a pool of local worker processes or on a Dask cluster.

Where the replications run is the executor's business (:mod:`ketensim.experiment.executors`); the
engine collects what the chunks return, shows the progress bar and names a failing replication. The
process pool uses the ``spawn`` start method on every platform, so a worker never inherits the state of
the parent (threads, open files, matplotlib) and Linux behaves as macOS and Windows do. Workers
return :class:`~ketensim.experiment.outcome.ReplicationOutcome` objects; results are put in order of
the replication index afterwards, so they do not depend on the number of workers or on which
replication finished first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from contextlib import closing
from typing import Any

from ketensim.experiment.executors import ExecutorSpec, WorkerDied, failed_position, stream_chunks
from ketensim.experiment.outcome import ReplicationOutcome
from ketensim.lifetime import usable_cores
from ketensim.scenario.model import Scenario

__all__ = ["Task", "run_tasks", "default_workers", "show_progress", "ReplicationFailed", "WorkerDied",
           "ExecutorSpec"]

Task = tuple[str, int, int, Scenario, bool]
"""``(variant key, replication index, seed, scenario, xml)``."""


class ReplicationFailed(RuntimeError):
    """Raised when one replication crashes; names the variant and the seed that reproduces it.

    A crash inside the simulation is a bug, not bad input, so this is not a ``KetensimError``: the
    CLI shows the traceback (the original exception is chained as ``__cause__``).
    """

    def __init__(self, task: Task, error: BaseException) -> None:
        key, index, seed, scenario, xml = task
        self.task = task
        where = f"variant {key!r} of " if key else ""
        super().__init__(
            f"replication {index} of {where}scenario {scenario.id} (seed {seed}) failed: {type(error).__name__}: "
            f"{error}; reproduce with run_replication(scenario, {seed}, xml={xml})"
        )


def default_workers() -> int:
    """The number of local cores this process may use."""
    return usable_cores()


def show_progress() -> bool:
    """Draw a progress bar only for a person watching: stderr is a terminal and this is not CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


class _Progress:
    """A tqdm bar on stderr with ETA, or nothing."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self._bar = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit="run", file=sys.stderr, dynamic_ncols=True, leave=False)

    def step(self, done: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def run_tasks(
    tasks: Sequence[Task], workers: int = 1, *, progress: bool | None = None, label: str = "replications",
    executor: ExecutorSpec | Any | None = None,
) -> dict[str, list[ReplicationOutcome]]:
    """Run every task; return the outcomes per variant key, ordered by replication index.

    ``executor`` (see :mod:`ketensim.experiment.executors`) is ``None`` or the process executor:
    ``workers=1`` runs in this process, more start a spawn-based process pool of that size (never
    more processes than chunks); or Dask (an :class:`ExecutorSpec` of kind ``dask``, or a connected
    ``distributed.Client``). ``progress=None`` shows a bar only when :func:`show_progress` says so.
    The results are the same for every executor and number of workers.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1 (got {workers})")
    bar = _Progress(len(tasks), label, show_progress() if progress is None else progress)
    results: dict[str, list[ReplicationOutcome]] = {}
    try:
        with closing(stream_chunks(tasks, workers, executor)) as finished:  # workers stop when this block is left
            for chunk, result in finished:
                if isinstance(result, BaseException):
                    task = chunk[min(failed_position(result), len(chunk) - 1)]
                    raise ReplicationFailed(task, result) from result
                for key, outcome in result:
                    results.setdefault(key, []).append(outcome)
                bar.step(len(result))
    finally:
        bar.close()
    for outcomes in results.values():
        outcomes.sort(key=lambda o: o.index)
    return results
