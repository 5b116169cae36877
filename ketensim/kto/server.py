"""Running a rehearsal: the HTTP server (uvicorn), the pacer that moves a paced clock, the report at the end.

The pacer moves the chain to the paced clock's instant ten times a second (a vendor's message does
not wait for it: it is applied at its own arrival instant at once), notes how far the session got
in the journal (so a resumed paced session continues from there), and writes the conformance report
into the data directory when the window ends. On shutdown (Ctrl-C, SIGTERM) the report of the state
reached is written as well.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn

from ketensim.kto.app import create_app
from ketensim.kto.clock import Clock
from ketensim.kto.conformance import session_report
from ketensim.kto.delivery import Deliverer
from ketensim.kto.guard import GuardedH11Protocol
from ketensim.kto.report_files import write_report
from ketensim.kto.session import Session

__all__ = ["serve", "bind", "write_session_report"]

_TICK_SECONDS = 0.1
_POSITION_SECONDS = 1.0
_SETTLE_SECONDS = 30.0  # how long a step of the clock waits for deliveries to a gemeente's endpoint


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio switches Nagle off (TCP_NODELAY) only on sockets that say they are TCP,
    # and without it every response with a body waited ~40 ms for the client's delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def write_session_report(session: Session, directory: Path) -> list[Path]:
    """Write the conformance report of ``session`` as it stands into ``directory``."""
    return write_report(session_report(session), directory)


class _Finisher:
    """Writes the report once, the first time the session is found at the end of its window."""

    def __init__(self, session: Session, directory: Path) -> None:
        self.session = session
        self.directory = directory
        self.done = False
        self.failed = ""
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            if self.done or not self.session.finished:
                return
            self.done = True
        self.session.note_position()
        try:
            write_session_report(self.session, self.directory)
        except Exception as err:  # noqa: BLE001 - the server goes on; shutdown tries again
            self.done = False
            self.failed = f"{type(err).__name__}: {err}"
            print(f"error: the conformance report could not be written: {self.failed}", file=sys.stderr)


def serve(session: Session, clock: Clock, digests: dict[str, str], directory: Path, sock: socket.socket,
          announce: Callable[[str], None] = print, deliver_to: dict[str, str] | None = None) -> None:
    """Serve ``session`` on ``sock`` until interrupted; the report is written at the end and on shutdown.

    ``deliver_to`` maps a gemeente party's key to the URL of its own ``OntvangAsynchroon`` endpoint.
    """
    finish = _Finisher(session, directory)
    deliverers = [Deliverer(session, session.parties[key], url, clock, directory)
                  for key, url in (deliver_to or {}).items()]

    def settle() -> None:
        for deliverer in deliverers:
            deliverer.settled(_SETTLE_SECONDS)

    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown}:{port}"
    app = create_app(session, clock, digests, after_input=finish, settle=settle, base_url=base_url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, limit_concurrency=100,
                            timeout_keep_alive=5, h11_max_incomplete_event_size=64 * 1024, lifespan="off",
                            http=GuardedH11Protocol)
    server = uvicorn.Server(config)
    stop = threading.Event()

    def pace() -> None:
        noted = time.monotonic()
        while not stop.wait(_TICK_SECONDS):
            if clock.paced and not session.finished:
                session.advance(clock.target(session.now))
                if time.monotonic() - noted >= _POSITION_SECONDS:
                    session.note_position()
                    noted = time.monotonic()
            finish()

    pacer = threading.Thread(target=pace, name="ketensim-kto-pacer", daemon=True)
    pacer.start()
    for deliverer in deliverers:
        deliverer.start()
    announce(f"listening on {base_url}  (Ctrl-C stops; the report is written to {directory})")
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled; stopping is the normal end of a session
    finally:
        stop.set()
        pacer.join(timeout=5)
        for deliverer in deliverers:
            deliverer.stop()
        session.note_position()
        if not finish.done:
            write_session_report(session, directory)
