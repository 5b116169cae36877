"""The rehearsal's clock: simulated time paced against the wall clock, or moved only on request.

``PacedClock(speed)`` runs ``speed`` simulated seconds per wall second from an anchor (the hand-over,
or where a resumed session stood). ``StepClock`` stands still until the vendor (or a test) moves it
with ``POST /kto/klok``: a test suite can rehearse a whole migration in seconds. Both only say which
instant it is; :class:`~ketensim.kto.session.Session` moves the chain there.
"""

from __future__ import annotations

import time

__all__ = ["PacedClock", "StepClock", "Clock"]


class StepClock:
    """Simulated time moves only when asked: the target is always where the session stands."""

    paced = False
    speed_text = "step"

    def target(self, now: float) -> float:
        return now


class PacedClock:
    """``speed`` simulated seconds per wall second, from ``anchor`` (simulation minutes) on."""

    paced = True

    def __init__(self, speed: float, anchor: float) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be a positive number of simulated seconds per second, got {speed}")
        self.speed = speed
        self.speed_text = f"{speed:g}"
        self._anchor = anchor
        self._wall = time.monotonic()

    def target(self, now: float) -> float:
        """The simulated instant it is now (never before ``now``, where the session already stands)."""
        return max(now, self._anchor + (time.monotonic() - self._wall) * self.speed / 60.0)


Clock = StepClock | PacedClock
