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

__all__ = ["stop_on_sigterm", "child_setup", "starting_children"]

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
    """Ignore Ctrl-C while child processes start, so that they inherit the ignored SIGINT from birth.

    Otherwise a Ctrl-C that reaches the process group while a spawned child is still importing
    ketensim would print its traceback before :func:`child_setup` runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
