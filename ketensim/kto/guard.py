"""Connections that do not send a request in time are closed: a silent or slow client cannot hold a slot.

uvicorn times out a connection that is idle *after* a response, but not one that never completes the
headers of its (next) request: a hundred silent connections would fill ``limit_concurrency`` and lock
every vendor out. :class:`GuardedH11Protocol` gives every connection a deadline for the headers of its
next request; a request that has started is not affected (its body is read with a time limit, see
:func:`ketensim.kto.limits.read_body`).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["GuardedH11Protocol", "HEADER_SECONDS"]

HEADER_SECONDS = 10.0


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the headers of each request."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(HEADER_SECONDS, self._expire, self.cycle)

    def _expire(self, cycle: object) -> None:
        """No new request began since the deadline was set: close the connection."""
        self._deadline = None
        idle = self.cycle is cycle and (cycle is None or self.cycle.response_complete)
        if idle and not self.transport.is_closing():
            self.transport.close()
