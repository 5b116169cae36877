"""One step of SimPy's own event loop, shared by both agendas (:mod:`ketensim.chain.agenda`)."""

from __future__ import annotations

from heapq import heappop

import simpy

__all__ = ["process_first_event"]


def process_first_event(env: simpy.Environment) -> None:
    """Take the first event off SimPy's heap and run its callbacks, as ``Environment.step`` does.

    A failed event that nobody defused ends the run with a copy of its exception, as SimPy's loop does.
    """
    env._now, _, _, event = heappop(env._queue)
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
