"""``--executor`` and ``--scheduler``: where the replications of ``run -n``, ``compare`` and ``sweep`` run.

The two options become one parameter, ``executor``: an
:class:`~ketensim.experiment.executors.ExecutorSpec`. ``--scheduler`` is read first (it is eager)
and kept in the click context until ``--executor`` is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ketensim.experiment.executors import EXECUTORS, ExecutorSpec

__all__ = ["executor_options", "executor_header"]

F = TypeVar("F", bound=Callable[..., Any])
_SCHEDULER = "ketensim.scheduler"


def _keep_scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.meta[_SCHEDULER] = value


def _executor(ctx: click.Context, param: click.Parameter, value: str) -> ExecutorSpec:
    scheduler = ctx.meta.get(_SCHEDULER)
    if scheduler is not None and value != "dask":
        raise click.BadParameter("--scheduler needs --executor dask", param_hint="--scheduler")
    if scheduler is not None and not scheduler.strip():
        raise click.BadParameter("an empty address; expected e.g. tcp://10.0.0.5:8786", param_hint="--scheduler")
    return ExecutorSpec(value, scheduler)


def executor_options(command: F) -> F:
    """Add ``--executor`` and ``--scheduler`` to ``command`` as its ``executor`` parameter."""
    command = click.option(
        "--executor", "executor", type=click.Choice(EXECUTORS), default="process", show_default=True,
        callback=_executor,
        help="Where replications run: process (this machine: in this process with --workers 1, else a pool of "
             "processes) or dask (a Dask cluster: --scheduler ADDRESS, or a local cluster of --workers processes; "
             "needs pip install 'ketensim[dask]'). Results do not depend on it.")(command)
    return click.option(
        "--scheduler", metavar="ADDRESS", default=None, is_eager=True, expose_value=False, callback=_keep_scheduler,
        help="Address of a running Dask scheduler (e.g. tcp://10.0.0.5:8786) for --executor dask.")(command)


def executor_header(executor: ExecutorSpec, workers: int | None, used: int) -> str:
    """The executor part of a command's first line; ``--workers`` together with ``--scheduler`` is an error."""
    if executor.scheduler is not None and workers is not None:
        raise click.BadParameter("the Dask cluster has its own workers; leave out --workers with --scheduler",
                                 param_hint="--workers")
    return executor.describe(used)
