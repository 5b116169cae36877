"""Child processes never outlive ketensim; SIGTERM and Ctrl-C stop a run promptly and cleanly.

:func:`stop_on_sigterm` (installed by the CLI) turns SIGTERM into ``SystemExit``, so every
``finally`` and ``with`` block runs: pools are terminated, the XML worker is stopped, staging
directories are removed. Children are started under :func:`starting_children` and run
:func:`child_setup` first thing: the child
ignores Ctrl-C (the terminal sends it to the whole process group; the parent decides and stops the
children) and, on Linux, asks the kernel to send it SIGTERM when its parent dies, even by SIGKILL.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["stop_on_sigterm", "child_setup", "starting_children", "usable_cores"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def stop_on_sigterm() -> None:
    """Make SIGTERM unwind this process like an exception (exit status 143) instead of killing it outright."""
    signal.signal(signal.SIGTERM, _terminated)


def child_setup(parent: int | None = None) -> None:
    """Prepare a child process of ketensim: ignore Ctrl-C, default SIGTERM, die with the parent (Linux)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # a Ctrl-C held back while this child started is now ignored
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):  # no libc to ask: the parent still stops its children itself
            return
    if parent is not None and os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


@contextmanager
def starting_children() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while child processes start, so no child is left half-started.

    Meanwhile both signals are only noted, and acted on when the block ends (Ctrl-C as
    ``KeyboardInterrupt``, SIGTERM as ``SystemExit``): this process is never stopped in the middle of
    handing a child what it needs to start. Ctrl-C is also blocked in this thread, so the children,
    which inherit the blocked mask, never see one before :func:`child_setup` makes them ignore it (a
    child still importing ketensim would otherwise print a traceback).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        noted.append(signum)

    handlers = {signum: signal.signal(signum, note) for signum in (signal.SIGINT, signal.SIGTERM)}
    blocking = hasattr(signal, "pthread_sigmask")
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if blocking else None
    try:
        yield
    finally:
        if previous is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    if signal.SIGTERM in noted:
        _terminated(signal.SIGTERM, None)
    if signal.SIGINT in noted:
        raise KeyboardInterrupt


def usable_cores() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
