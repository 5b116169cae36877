"""Run many replications, in this process or on a pool of local worker processes.

The pool uses the ``spawn`` start method on every platform, so a worker never inherits the state of
the parent (threads, open files, matplotlib) and Linux behaves as macOS and Windows do. Workers
return :class:`~ketensim.experiment.outcome.ReplicationOutcome` objects; results are put in order of
the replication index afterwards, so they do not depend on the number of workers or on which
replication finished first.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
import queue
from multiprocessing import resource_tracker
from collections.abc import Generator
from contextlib import closing
from typing import Any

from ketensim.exceptions import KetensimError
from ketensim.experiment.outcome import ReplicationOutcome, run_one
from ketensim.lifetime import child_setup, starting_children
from ketensim.run import usable_cores
from ketensim.scenario.model import Scenario

__all__ = ["Task", "run_tasks", "default_workers", "show_progress", "ReplicationFailed", "WorkerDied"]

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

    def step(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class WorkerDied(KetensimError, RuntimeError):
    """Raised when a worker process of the pool dies (killed from outside, e.g. for lack of memory)."""


def _check_workers(workers: list[multiprocessing.process.BaseProcess]) -> None:
    """Raise :class:`WorkerDied` if a pool worker has gone: its replication would never report back."""
    for process in workers:
        code = process.exitcode
        if code is not None:
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            raise WorkerDied(f"a worker process of the replications died ({how}; out of memory?); the experiment "
                             "stopped and wrote nothing")


def _pooled(tasks: Sequence[Task], workers: int) -> Generator[tuple[Task, Any], None, None]:
    """Run ``tasks`` on a spawn-based pool; yield ``(task, result or exception)`` as each one finishes.

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
            pool = context.Pool(min(workers, len(tasks)), initializer=child_setup, initargs=(os.getpid(),))
        for i, task in enumerate(tasks):
            pool.apply_async(run_one, (task,), callback=lambda r, i=i: done.put((i, r)),
                             error_callback=lambda e, i=i: done.put((i, e)))
        workers_started = [p for p in multiprocessing.active_children() if p not in others]
        for _ in tasks:
            while True:
                try:  # a short wait, so that a signal is handled at once
                    i, result = done.get(timeout=0.2)
                    break
                except queue.Empty:
                    _check_workers(workers_started)
            yield tasks[i], result
        pool.close()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def run_tasks(
    tasks: Sequence[Task], workers: int = 1, *, progress: bool | None = None, label: str = "replications"
) -> dict[str, list[ReplicationOutcome]]:
    """Run every task; return the outcomes per variant key, ordered by replication index.

    ``workers=1`` runs in this process; more start a spawn-based process pool of that size (never
    more processes than tasks). ``progress=None`` shows a bar only when :func:`show_progress` says so.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1 (got {workers})")
    bar = _Progress(len(tasks), label, show_progress() if progress is None else progress)
    results: dict[str, list[ReplicationOutcome]] = {}
    try:
        if workers == 1 or len(tasks) <= 1:
            for task in tasks:
                try:
                    key, outcome = run_one(task)
                except Exception as err:
                    raise ReplicationFailed(task, err) from err
                results.setdefault(key, []).append(outcome)
                bar.step()
        else:
            with closing(_pooled(tasks, workers)) as finished:  # the pool stops when this block is left
                for task, result in finished:
                    if isinstance(result, BaseException):
                        raise ReplicationFailed(task, result) from result
                    key, outcome = result
                    results.setdefault(key, []).append(outcome)
                    bar.step()
    finally:
        bar.close()
    for outcomes in results.values():
        outcomes.sort(key=lambda o: o.index)
    return results
