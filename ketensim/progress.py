"""Progress of one long run on a terminal: simulated day and messages so far, as ``run -n`` shows runs.

A thread looks at the running world twice a second (its clock and its message list) and draws a tqdm
bar on stderr; it never schedules anything in the simulation, so the results cannot depend on it.
Shown only for a person watching (stderr a terminal, not CI), like the bar of ``run -n``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["run_progress"]

_INTERVAL = 0.5  # seconds between two looks at the world


def _show(world: Any, stop: threading.Event) -> None:
    from tqdm import tqdm

    start, end = world.env.now, world.draaiboek.end
    days = max(1, round((end - start) / 1440))
    with tqdm(total=days, desc="simulated days", unit="day", file=sys.stderr, dynamic_ncols=True,
              leave=False) as bar:
        while True:  # at least one look, also when the run ends before the bar is up
            now = world.env.now
            bar.n = min(days, int((now - start) // 1440))
            day = world.clock.to_utc(now).strftime("%a %d %b %Y")
            bar.set_postfix_str(f"{day}, {len(world.messages):,} messages", refresh=False)
            bar.refresh()
            if stop.wait(_INTERVAL):
                break


@contextmanager
def run_progress(world: Any, enabled: bool) -> Iterator[None]:
    """Show the progress of ``world.run()`` inside this block when ``enabled``."""
    if not enabled:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=_show, args=(world, stop), name="ketensim-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
