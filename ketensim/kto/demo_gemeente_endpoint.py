"""The demo gemeente's own ``OntvangAsynchroon`` endpoint (webservice mode of :mod:`ketensim.kto.demo_gemeente`).

ketensim delivers the aanbieders' heens and retours to it as StUF ``ggk_Di01``/``ggk_Du01`` (and its
refusals as ``Fo01``). It answers with :func:`~ketensim.kto.demo_gemeente_messages.answer_delivery`: a
Bv03 naming a delivery whose payload passes its XSD, a SOAP fault holding a Fo03 ``StUF055`` for one that
fails, the fault ``parse_request`` gives for an unreadable envelope, and 503 for anything while it is
:meth:`GemeenteEndpoint.down`. Every attempt is recorded per referentienummer (:class:`Delivery`); what it
accepted is queued once as an :class:`Inbound` for the rehearsal's thread.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ketensim.exceptions import KetensimError
from ketensim.kto import demo_gemeente_messages as gm
from ketensim.kto import stuf

__all__ = ["Delivery", "GemeenteEndpoint", "Inbound"]


@dataclass(frozen=True)
class Inbound:
    """A message to handle in the next step: delivered to the endpoint, or pulled from the portal."""

    ref: str  # the referentienummer (webservice) or traceerId (portal) ketensim gave it
    payload: bytes
    cross: str = ""  # crossRefnummer / alsAntwoordOp: which of its own messages it answers
    operation: str = ""  # ggk_Di01, ggk_Du01 or Fo01 ("" from the portal)


@dataclass
class Delivery:
    """One message ketensim delivered to the endpoint, over all its attempts."""

    referentienummer: str
    operation: str
    functie: str
    zender: str
    cross_refnummer: str
    first_at: datetime  # wall clock, UTC
    simulated_at: datetime | None  # the simulated instant the gemeente stood at then
    attempts: int = 0
    answers: list[str] = field(default_factory=list)  # per attempt: "Bv03", "503", "StUF055" …

    @property
    def accepted(self) -> int:
        """How often it was answered with a Bv03 (more than once: ketensim delivered it twice)."""
        return self.answers.count("Bv03")


class GemeenteEndpoint:
    """The gemeente's own ``OntvangAsynchroon`` endpoint: a Starlette app run by uvicorn in a background thread.

    Thread-safe: the server thread records deliveries and queues what it accepted; :meth:`drain` hands
    the queue to the rehearsal's thread. A referentienummer accepted before is answered with a Bv03
    again but not queued twice. Requests that cannot be read at all are kept in :attr:`unreadable`.
    """

    PATH = "/ontvang"

    def __init__(self, listen: tuple[str, int], party: Callable[[], stuf.Party],
                 simulated_now: Callable[[], datetime | None]) -> None:
        self.listen = listen
        self.unreadable: list[str] = []
        self._party, self._simulated_now = party, simulated_now
        self._lock = threading.Lock()
        self._queue: queue.Queue[Inbound] = queue.Queue()
        self._deliveries: dict[str, Delivery] = {}
        self._down = False
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._url = ""

    @property
    def url(self) -> str:
        if not self._url:
            raise KetensimError("demo gemeente: the endpoint has not been started (call start())")
        return self._url

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return [replace(d, answers=list(d.answers)) for d in self._deliveries.values()]

    def down(self, flag: bool) -> None:
        with self._lock:
            self._down = flag

    def drain(self) -> list[Inbound]:
        found: list[Inbound] = []
        while True:
            try:
                found.append(self._queue.get_nowait())
            except queue.Empty:
                return found

    def app(self) -> Starlette:
        return Starlette(routes=[Route(self.PATH, self._ontvang, methods=["POST"])])

    async def _ontvang(self, request: Request) -> Response:
        status, body = self.answer(await request.body())
        return Response(body, status, media_type="text/xml; charset=utf-8")

    def answer(self, body: bytes) -> tuple[int, bytes]:
        """Record one POST and return its HTTP status and body (503 while down)."""
        tijdstip = self._simulated_now() or datetime.now(UTC)
        with self._lock:
            down = self._down
        answer = gm.answer_delivery(body, gemeente=self._party(), tijdstip=tijdstip, attempt=self._attempt)
        env = answer.envelope
        if env is None:
            with self._lock:
                self.unreadable.append(f"{answer.verdict}: {answer.reason}")
            return (503, b"") if down else (answer.status, answer.body)
        verdict = "503" if down else answer.verdict
        with self._lock:
            delivery = self._deliveries.setdefault(env.referentienummer, Delivery(
                env.referentienummer, env.operation, env.functie, env.zender_organisatie, env.cross_refnummer,
                datetime.now(UTC), self._simulated_now()))
            delivery.attempts += 1
            delivery.answers.append(verdict)
            first_acceptance = verdict == "Bv03" and delivery.accepted == 1
        if first_acceptance:
            self._queue.put(Inbound(env.referentienummer, env.payload, env.cross_refnummer, env.operation))
        return (503, b"") if down else (answer.status, answer.body)

    def _attempt(self, referentienummer: str) -> int:
        with self._lock:
            known = self._deliveries.get(referentienummer)
            return (known.attempts if known is not None else 0) + 1

    def start(self) -> None:
        """Serve on ``listen`` in a daemon thread (idempotent); wait until it accepts connections."""
        if self._server is not None:
            return
        host, port = self.listen
        config = uvicorn.Config(self.app(), host=host, port=port, log_level="warning", lifespan="off",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="demo-gemeente-endpoint", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server = None
                raise KetensimError(f"demo gemeente: the endpoint could not listen on {host}:{port}")
            time.sleep(0.01)
        bound = self._server.servers[0].sockets[0].getsockname()
        self._url = f"http://{host}:{bound[1]}{self.PATH}"

    def close(self) -> None:
        """Stop serving (idempotent)."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server, self._thread, self._url = None, None, ""
