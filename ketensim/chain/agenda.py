"""The chain's timed calls and the event loop that runs them with SimPy's own events, in SimPy's order.

The chain schedules several calls per message (a delivery, a read, a retour), so a national run
keeps tens of thousands of them pending. In SimPy's one heap every step then costs a pop from a
heap that size, which was a sixth of a national run. :class:`Agenda` keeps the chain's calls
apart, in buckets of one simulated minute: a call for a later minute is appended to that minute's
list, and only the calls of the current minute form a heap. SimPy's own events (the traffic's
daily process, the backlog sampler, the faults' processes) stay on SimPy's heap.

The order is exactly SimPy's: every call carries the key SimPy would give it, ``(t, NORMAL, eid)``
with ``eid`` from the environment's own counter, and :meth:`Agenda.run` always takes the smaller
key of the two heads, so a run is the same event for event as one with every call on SimPy's heap.

:class:`Agenda` is the compiled twin (:mod:`ketensim.chain._agenda`, built at install like the
rules' screen): one binary heap of C structs ``(t, eid, slot)``, the same keys and the same loop.
:class:`PythonAgenda` is this module's, used when the extension is not there (:data:`COMPILED`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import NORMAL, URGENT

from ketensim.chain.simpy_events import process_first_event

__all__ = ["Agenda", "PythonAgenda", "COMPILED"]

_INF = math.inf


class PythonAgenda:
    """Timed calls ``fn(*args)`` of one :class:`simpy.Environment`, bucketed by simulated minute.

    An entry is ``(t, eid, fn, args)``; eids are unique, so comparisons never reach ``fn``.
    ``later`` holds the calls of the minutes after ``minute``, one list per minute in the order
    they were made (the minute also on the ``minutes`` heap). The calls of ``minute`` itself are
    ``batch[pos:]``, sorted when the loop reached that minute (a batch of many calls at one moment,
    such as the portal read-in at a fixed hour, is already in eid order, so sorting it is a single
    pass), and ``soon``, a heap of the calls made for that minute or earlier while it runs.
    """

    __slots__ = ("env", "minute", "later", "minutes", "batch", "pos", "soon")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.minute = -_INF
        self.later: dict[float, list[_Entry]] = {}
        self.minutes: list[float] = []
        self.batch: list[_Entry] = []
        self.pos = 0
        self.soon: list[_Entry] = []

    def __len__(self) -> int:
        return len(self.batch) - self.pos + len(self.soon) + sum(len(calls) for calls in self.later.values())

    def at(self, t: float, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` at simulation time ``t`` (now if ``t`` has passed, or is not a number)."""
        env = self.env
        now = env._now
        if not t > now:  # as World.at always did: a NaN runs now too, a t equal to now becomes now itself
            t = now
        entry = (t, next(env._eid), fn, args)
        minute = t // 1.0 if t < _INF else _INF  # inf // 1.0 is NaN, which no heap can order
        if minute <= self.minute:
            heappush(self.soon, entry)
            return
        calls = self.later.get(minute)
        if calls is None:
            self.later[minute] = [entry]
            heappush(self.minutes, minute)
        else:
            calls.append(entry)

    def run(self, until: float) -> None:
        """``env.run(until=until)``: every event before ``until``, SimPy's and the agenda's, in SimPy's order.

        The stop is the URGENT entry at ``until`` that ``run`` would schedule, with the id it would
        take; a failed, undefused SimPy event ends the run with a copy of its exception, as SimPy does.
        """
        env = self.env
        if until <= env._now:
            raise ValueError(f"until ({until}) must be greater than the current simulation time")
        queue = env._queue
        stop = (env._now + (until - env._now), URGENT, next(env._eid))
        until = stop[0]
        later, minutes, soon = self.later, self.minutes, self.soon
        batch, pos = self.batch, self.pos
        size = len(batch)
        try:
            while True:
                if pos < size:
                    head = batch[pos]
                    early = bool(soon) and soon[0] < head
                    if early:
                        head = soon[0]
                elif soon:
                    head, early = soon[0], True
                elif minutes and not ((queue and queue[0][0] < minutes[0]) or until <= minutes[0]):
                    # the next minute's calls come next: sort them. (Not before: a SimPy event first, such
                    # as the traffic's daily plan, would put every call it makes before that minute on soon)
                    self.minute = minute = heappop(minutes)
                    batch = later.pop(minute)
                    batch.sort()
                    pos, size = 0, len(batch)
                    continue
                else:
                    head, early = _NEVER, False
                t = head[0]
                if queue:
                    first = queue[0]
                    if first[0] < t or (first[0] == t and first < (t, NORMAL, head[1])):
                        if not first < stop:
                            break
                        process_first_event(env)
                        continue
                if t >= until:
                    break
                if early:
                    heappop(soon)
                else:
                    pos += 1
                env._now = t
                head[2](*head[3])
        finally:
            self.batch, self.pos = batch, pos
        env._now = until

    def clear(self) -> None:
        self.later.clear()
        self.minutes.clear()
        self.batch, self.pos = [], 0
        self.soon.clear()


_Entry = tuple[float, int, Callable[..., Any], tuple[Any, ...]]
_NEVER: _Entry = (_INF, -1, type(None), ())  # stands for "none of ours": its time is never reached

try:
    from ketensim.chain._agenda import Agenda
except ImportError:  # installed with KETENSIM_NO_COMPILE=1, or a source tree that was never built
    Agenda = PythonAgenda  # type: ignore[misc]

COMPILED = Agenda is not PythonAgenda
"""Whether the compiled agenda is in use (the same order of events either way, faster)."""
