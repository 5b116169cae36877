"""The rehearsal's HTTP application: the interfaces behind one bearer token, with bounded requests.

Every endpoint except ``GET /kto/gezondheid`` needs ``Authorization: Bearer <token>``. The token is
made once per session, shown once at the start, and stored only as its SHA-256 hash; a caller's token
is compared with :func:`hmac.compare_digest`. A malformed request gets a 400 problem body, a body over
its limit a 413, an unknown path a 404, input after the window ended a 409, an unexpected failure a
500 without internals and one line in the server's log; never a traceback.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from ketensim.kto import control, ggk, vecozo
from ketensim.kto.clock import Clock
from ketensim.kto.limits import BadRequest, TooLarge
from ketensim.kto.session import Session

__all__ = ["create_app", "new_token", "token_hash"]

_OPEN = frozenset({"/kto/gezondheid"})
_PUSHES = 4  # at most this many pushes (up to 26 MB each) are read and judged at once; the rest wait
log = logging.getLogger("ketensim.kto")


def new_token() -> str:
    """A fresh bearer token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class _Auth(BaseHTTPMiddleware):
    """Finds the party whose token the caller sent; every comparison runs, in constant time."""

    def __init__(self, app: object, digests: dict[str, str]) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.digests = digests

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path not in _OPEN:
            header = request.headers.get("authorization", "")
            scheme, _, given = header.partition(" ")
            digest = token_hash(given.strip())
            matches = [key for key, stored in self.digests.items() if hmac.compare_digest(digest, stored)]
            ok = scheme.lower() == "bearer" and len(matches) == 1
            if ok:
                request.state.party = request.app.state.session.parties[matches[0]]
            else:
                response = vecozo.problem(401, "Niet geautoriseerd", [{
                    "code": "IB002", "omschrijving": "Niet geautoriseerd",
                    "toelichting": "stuur het token van deze sessie als 'Authorization: Bearer <token>'", "plek": ""}])
                response.headers["WWW-Authenticate"] = 'Bearer realm="ketensim-kto"'
                return response
        try:
            return await call_next(request)
        except Exception as exc:  # noqa: BLE001 - one log line, a 500 without internals, never a traceback
            log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
            return vecozo.problem(500, "Interne fout; de sessie is niet gewijzigd of wordt bij herstart hersteld")


async def _bad_request(request: Request, exc: Exception) -> Response:
    status = 413 if isinstance(exc, TooLarge) else 400
    return vecozo.problem(status, "Ongeldig verzoek", [{"code": "", "omschrijving": "Ongeldig verzoek",
                                                        "toelichting": str(exc), "plek": ""}])


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return vecozo.problem(exc.status_code, str(exc.detail))


def create_app(session: Session, clock: Clock, digests: dict[str, str],
               after_input: Callable[[], None] = lambda: None, settle: Callable[[], None] = lambda: None,
               base_url: str = "http://127.0.0.1") -> Starlette:
    """The ASGI app of one session; ``digests`` maps each party key to its token's hash.

    ``after_input`` runs after every input (e.g. to notice the end of the window); ``settle`` after the
    step clock moved, until what became due for delivery to a gemeente's endpoint has been delivered.
    """
    app = Starlette(
        routes=[*control.routes, *vecozo.routes, *ggk.routes],
        middleware=[Middleware(_Auth, digests=digests)],
        exception_handlers={BadRequest: _bad_request, HTTPException: _http_error},
    )
    app.state.session = session
    app.state.clock = clock
    app.state.after_input = after_input
    app.state.settle = settle
    app.state.base_url = base_url  # the server's own address (the WSDL names it; never the Host header)
    app.state.pushes = asyncio.Semaphore(_PUSHES)  # messages being read and judged at once: bounds memory
    return app
