"""Guaranteed delivery to a gemeente's own ``OntvangAsynchroon`` endpoint, as the GGk delivers.

One :class:`Deliverer` thread per gemeente that runs as a webservice (``--deliver-to URL``) takes the
oldest message in its mailbox, calls the endpoint with a ``ggk_Di01`` (heenbericht) or ``ggk_Du01``
(retourbericht) and, on a ``Bv03``, confirms it in the session at that simulated instant: it has been
read in. On anything else (a ``Fo03``, an HTTP error, no answer) it tries the same message again after
a back-off (0.2 s doubling to 30 s of wall time), so order is kept per gemeente and a message that was
acknowledged is never delivered again. Every attempt is logged as one JSON line in
``bezorging.jsonl`` in the data directory (wall clock and simulated instant, result).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from ketensim.kto import stuf
from ketensim.kto.clock import Clock
from ketensim.kto.party import MailItem, VendorParty
from ketensim.kto.session import Session

__all__ = ["Deliverer", "DELIVERY_LOG"]

DELIVERY_LOG = "bezorging.jsonl"
_FIRST_BACKOFF = 0.2
_MAX_BACKOFF = 30.0
_TIMEOUT = 10.0


class Deliverer:
    """Delivers ``party``'s mailbox to ``url``, in order, until stopped."""

    def __init__(self, session: Session, party: VendorParty, url: str, clock: Clock, directory: Path) -> None:
        self.session = session
        self.party = party
        self.url = url
        self.clock = clock
        self.log_path = directory / DELIVERY_LOG
        self.attempts = 0
        self.delivered = 0
        self.backoff = 0.0  # > 0 while the endpoint is failing
        self._stop = threading.Event()
        self._wake = threading.Event()
        # settled() waits for a pass of the loop that began after it asked: ``_asked`` counts the asks,
        # ``_served`` is the last ask seen at the start of a pass that then ended idle or failing
        self._state = threading.Condition()
        self._asked = 0
        self._served = 0
        self._thread = threading.Thread(target=self._run, name=f"ketensim-kto-deliver-{party.ident}", daemon=True)
        self._client = httpx.Client(timeout=_TIMEOUT)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        with self._state:
            self._state.notify_all()
        self._thread.join(timeout=_TIMEOUT + 5)
        self._client.close()

    def poke(self) -> int:
        """Something may have arrived: look now instead of at the next poll. Returns the ask's number."""
        with self._state:
            self._asked += 1
            asked = self._asked
        self._wake.set()
        return asked

    def settled(self, timeout: float) -> bool:
        """Wait until the mailbox is delivered (or the endpoint is failing); False on timeout."""
        asked = self.poke()
        with self._state:
            return self._state.wait_for(lambda: self._served >= asked or self._stop.is_set(), timeout)

    def _idle(self, asked: int) -> None:
        with self._state:
            self._served = max(self._served, asked)
            self._state.notify_all()

    # --- the loop -------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            with self._state:
                asked = self._asked
            while not self._stop.is_set():
                items = self.session.mailbox(self.party, limit=1) if not self.session.finished else []
                if not items or not self._deliver(items[0]):
                    break
                self.backoff = 0.0
            if self._stop.is_set():
                break
            if items:  # failing: nothing to wait for until the endpoint is back
                self.backoff = min(_MAX_BACKOFF, self.backoff * 2 if self.backoff else _FIRST_BACKOFF)
            else:
                self.backoff = 0.0
            self._idle(asked)
            self._wake.wait(self.backoff or 0.05)  # a step of the clock (poke) tries again at once

    def _request(self, item: MailItem) -> tuple[bytes, str]:
        session, msg = self.session, item.msg
        with session.lock:
            traceer = session.traceer_of(msg)
            heen = msg.pair.heen if msg.role == "retour" else None
            cross = session.traceer_of(heen) if heen is not None else ""
            payload = session.payload(self.party, traceer) or b""
            major, minor = msg.release.split(".")
            body = stuf.build_request(
                "ggk_Du01" if msg.role == "retour" else "ggk_Di01",
                zender=stuf.Party(msg.sender.ident, "GGKWebservice"),
                ontvanger=stuf.Party(self.party.ident, "Gemeentesysteem"),
                referentienummer=traceer, cross_refnummer=cross, tijdstip=session.local(session.now),
                functie=msg.code, functie_versie=major, functie_subversie=minor, payload=payload,
                applicatie_versie="1", applicatie_subversie="0")
        return body, traceer

    def _deliver(self, item: MailItem) -> bool:
        try:
            body, traceer = self._request(item)
        except Exception as err:  # noqa: BLE001 - a message ketensim cannot wrap must not stop the deliveries
            self.attempts += 1
            return self._log({"traceerId": "", "functie": item.msg.code, "result": "mislukt",
                              "reden": f"envelop niet te maken: {type(err).__name__}: {err}"[:300]}, False)
        self.attempts += 1
        result: dict[str, Any] = {"traceerId": traceer, "functie": item.msg.code}
        try:
            response = self._client.post(self.url, content=body, headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{stuf.SOAP_ACTIONS["ggk_Du01" if item.msg.role == "retour" else "ggk_Di01"]}"'})
            answer = stuf.parse_response(response.content) if response.content else None
        except (httpx.HTTPError, stuf.StufError) as err:
            return self._log(result | {"result": "mislukt", "reden": f"{type(err).__name__}: {err}"[:300]}, False)
        if isinstance(answer, stuf.Bv03) and response.status_code == 200:
            done = self.session.confirm(self.party, traceer, self.clock.target(self.session.now))
            if done is None:  # the window ended meanwhile: the session takes nothing more
                self._stop.set()
                return self._log(result | {"result": "Bv03 na het einde van het venster"}, False)
            self.delivered += bool(done)
            return self._log(result | {"result": "Bv03"}, True)
        reason = f"HTTP {response.status_code}"
        if isinstance(answer, stuf.Fo03):
            reason += f", Fo03 {answer.code} {answer.omschrijving}: {answer.details}"[:300]
        return self._log(result | {"result": "mislukt", "reden": reason}, False)

    def _log(self, entry: dict[str, Any], ok: bool) -> bool:
        entry = {"wall": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "sim": self.session.iso(self.session.now),
                 "poging": self.attempts, **entry}
        with self.log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        return ok
