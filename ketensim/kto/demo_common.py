"""What the scripted demo systems of a KTO rehearsal share: the draaiboek as the clock tells it, and the loop.

:class:`DraaiboekView` is what ``GET /kto/klok`` tells a demo system about the migration (releases,
go-live, blocks, the deadlines binding its side); :func:`draaiboek_faults` says what is wrong with
sending a heen at some instant. :class:`DemoSystem` is the part of :class:`~ketensim.kto.demo_vendor.DemoVendor`
and :class:`~ketensim.kto.demo_gemeente.DemoGemeente` that talks HTTP to ``ketensim kto serve`` and runs
the rehearsal: :meth:`DemoSystem.rehearse` steps until the window ends, calling the subclass's ``_step_at``;
it also sends retours (deferring some when sloppy, offering again after a 503) and decides when a refused
heen is offered again.
"""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Self

import httpx

from ketensim.exceptions import KetensimError
from ketensim.kto.demo_messages import ReceivedHeen
from ketensim.standards.releases import RETOUR_OF

__all__ = [
    "Behaviour",
    "BEHAVIOURS",
    "DemoSystem",
    "DraaiboekView",
    "MAILBOX_PAGE",
    "MAX_ATTEMPTS",
    "MAX_PAGES",
    "PendingRetour",
    "Posted",
    "draaiboek_faults",
    "earliest",
    "instant",
    "row_numbers",
    "working_days_after",
]

Behaviour = Literal["compliant", "sloppy"]
BEHAVIOURS: tuple[str, ...] = ("compliant", "sloppy")

MAILBOX_PAGE = 250  # GET /berichten returns at most this many messages
MAX_PAGES = 40  # mailbox pages read per step, so a step always ends
MAX_ATTEMPTS = 5  # times one message is offered before the system gives up on it
SLOPPY_OLD_RELEASE = timedelta(days=1)  # how long after go-live a sloppy system keeps the old release


def instant(value: str | datetime) -> datetime:
    """An ISO 8601 instant with its UTC offset (the server always gives one)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise KetensimError(f"demo system: instant {value!s} has no UTC offset")
    return moment


def row_numbers(row: Mapping[str, Any]) -> frozenset[str]:
    """Message numbers of a draaiboek row (``WMO305``/``JW305`` and ``305`` alike)."""
    return frozenset(str(n).upper().removeprefix("WMO").removeprefix("JW") for n in row.get("berichten") or ())


def earliest(rows: Iterable[tuple[datetime, frozenset[str]]], number: str) -> datetime | None:
    """Earliest instant of a row naming ``number`` (a row naming nothing covers every message)."""
    times = [at for at, numbers in rows if not numbers or number in numbers]
    return min(times) if times else None


def working_days_after(last: date, today: date) -> int:
    """Working days (Monday to Friday) after ``last`` up to and including ``today``."""
    count, day = 0, last
    while day < today:
        day += timedelta(days=1)
        count += day.weekday() < 5
    return count


@dataclass(frozen=True)
class DraaiboekView:
    """What ``GET /kto/klok`` tells a demo system about the migration.

    ``deadlines`` are those binding its side (actor ``aanbieder``/``gemeente``, or ``all``);
    ``first_heen`` is the heen whose deadline a system holds all its heens from (305 for an
    aanbieder, 301 for a gemeente).
    """

    old: str
    new: str
    go_live: datetime
    end: datetime
    blocks: tuple[tuple[datetime, frozenset[str]], ...]
    deadlines: tuple[tuple[datetime, frozenset[str]], ...]
    first_heen: str = "305"

    @classmethod
    def from_klok(cls, klok: Mapping[str, Any], side: str = "aanbieder") -> DraaiboekView:
        """The view of ``side`` (``aanbieder`` or ``gemeente``)."""
        try:
            blocks = tuple((instant(b["tijdstip"]), row_numbers(b)) for b in klok.get("blokkades") or ())
            deadlines = tuple((instant(d["tijdstip"]), row_numbers(d)) for d in klok.get("deadlines") or ()
                              if d.get("actor") in (side, "all"))
            return cls(str(klok["oude_release"]), str(klok["nieuwe_release"]), instant(klok["ingebruikname"]),
                       instant(klok["einde"]), blocks, deadlines, "301" if side == "gemeente" else "305")
        except (KeyError, TypeError, ValueError) as err:
            raise KetensimError(f"demo {side}: GET /kto/klok answered an unexpected body: {err}") from None

    def release_at(self, now: datetime) -> str:
        """The release in force: the old one before go-live, the new one from then on."""
        return self.new if now >= self.go_live else self.old

    def block(self, number: str) -> datetime | None:
        """When the hubs start refusing ``number`` in the old release (None: never before go-live)."""
        return earliest(self.blocks, number)

    def hold_from(self, number: str) -> datetime | None:
        """From when a compliant system holds heen ``number`` until go-live: the earliest of the deadline
        of :attr:`first_heen`, the deadline of ``number`` and the block of ``number``."""
        candidates = [at for at in (earliest(self.deadlines, self.first_heen), earliest(self.deadlines, number),
                                    self.block(number)) if at is not None]
        return min(candidates) if candidates else None


def draaiboek_faults(number: str, release: str, now: datetime, dr: DraaiboekView) -> list[str]:
    """What is wrong with sending heen ``number`` in ``release`` at ``now`` by the draaiboek."""
    if release != dr.old:
        return [] if now >= dr.go_live else ["new_release_early"]
    if now >= dr.go_live:
        return ["old_release"]
    block, hold_from = dr.block(number), dr.hold_from(number)
    if block is not None and now >= block:
        return ["after_block"]
    if hold_from is not None and now >= hold_from:
        return ["after_deadline"]
    return []


@dataclass
class Posted:
    """The answer to one message a demo system offered: HTTP status and refusal codes."""

    status: int
    codes: list[str] = field(default_factory=list)


@dataclass
class PendingRetour:
    """A retour on a received heen; waiting when sent after the step the heen was read in (late, or after a 503)."""

    received: ReceivedHeen
    cross: str  # the heen as ketensim named it: its traceerId (mailbox) or referentienummer (webservice)
    at: datetime  # not before this instant
    not_before_step: int = 0
    faults: list[str] = field(default_factory=list)
    attempts: int = 0  # offers made so far
    conversatie_id: str = ""  # the heen's conversation (VECOZO-style interface only)


class DemoSystem(ABC):
    """HTTP to ``ketensim kto serve`` and the rehearsal loop; a subclass implements ``_step_at(klok)``.

    Args:
        base_url: Where ``ketensim kto serve`` listens, e.g. ``http://127.0.0.1:8470``.
        token: The session's bearer token.
        behaviour: ``compliant`` or ``sloppy``.
        seed: Seed of its one random source, :attr:`rng`.
        client: An :class:`httpx.Client` to use; it makes and closes its own when omitted.
    """

    who = "demo system"  # how its errors name it
    deferred_heen = ""  # the heen every third of whose retours a sloppy system defers (old release)
    refused_status = 422  # the HTTP status of a message the hubs refused

    def __init__(self, base_url: str, token: str, behaviour: str, seed: int, client: httpx.Client | None) -> None:
        if behaviour not in BEHAVIOURS:
            raise KetensimError(f"{self.who}: behaviour must be one of {', '.join(BEHAVIOURS)}, got {behaviour!r}")
        self.base_url = base_url.rstrip("/")
        self.behaviour = behaviour
        self.rng = random.Random(seed)
        self.log: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self._http = client if client is not None else httpx.Client(timeout=30.0)
        self._owns_http = client is None
        self._auth = {"Authorization": f"Bearer {token}"}
        self._steps = 0
        self._late: list[PendingRetour] = []
        self._deferred = 0  # old-release heens of number deferred_heen received (sloppy)
        self._broke_one = False  # the sloppy system sent its one XSD-invalid heen
        self._handled: set[str] = set()  # traceer-IDs read and answered (a repeat is only confirmed again)

    @property
    def sloppy(self) -> bool:
        return self.behaviour == "sloppy"

    def connect(self, base_url: str, token: str) -> None:
        """Talk to the server at ``base_url`` with ``token`` from now on (e.g. a server started after the
        demo gemeente's endpoint, with ``--deliver-to`` its URL)."""
        self.base_url = base_url.rstrip("/")
        self._auth = {"Authorization": f"Bearer {token}"}

    def wait_for_server(self, timeout: float, interval: float = 0.5) -> None:
        """Wait until ``GET /kto/gezondheid`` answers (the server is up), at most ``timeout`` wall seconds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._http.get(self.base_url + "/kto/gezondheid").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() >= deadline:
                raise KetensimError(f"{self.who}: no ketensim kto serve answered at {self.base_url} "
                                    f"within {timeout:g} s")
            time.sleep(interval)

    def close(self) -> None:
        """Close the HTTP client if it made it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- HTTP ------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, headers: Mapping[str, str] | None = None,
                 **kwargs: Any) -> httpx.Response:
        url = self.base_url + path
        try:
            response = self._http.request(method, url, headers={**self._auth, **(headers or {})}, **kwargs)
        except httpx.TransportError as err:
            reason = (str(err).splitlines() or [type(err).__name__])[0]
            raise KetensimError(f"{self.who}: cannot reach {url}: {reason}") from None
        if response.status_code in (401, 403):
            raise KetensimError(f"{self.who}: {method} {url} refused the token (HTTP {response.status_code}); "
                                "check --token")
        return response

    def _unexpected(self, method: str, path: str, response: httpx.Response) -> KetensimError:
        body = " ".join(response.text.split())[:200]
        return KetensimError(f"{self.who}: {method} {path} answered HTTP {response.status_code}: {body}")

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        if response.status_code != 200:
            raise self._unexpected(method, path, response)
        try:
            return response.json()
        except ValueError:
            raise KetensimError(f"{self.who}: {method} {path} answered no JSON") from None

    def _klok(self) -> dict[str, Any]:
        return self._json("GET", "/kto/klok")

    def _mailbox_page(self) -> list[dict[str, Any]]:
        """One page of ``GET /berichten`` (at most :data:`MAILBOX_PAGE` messages)."""
        items = self._json("GET", "/berichten")
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("traceerId") for i in items):
            raise KetensimError(f"{self.who}: GET /berichten answered no list of messages with a traceerId")
        return items

    def _payload(self, traceer_id: str) -> bytes:
        path = f"/berichten/{traceer_id}/payload"
        response = self._request("GET", path)
        if response.status_code != 200:
            raise self._unexpected("GET", path, response)
        return response.content

    def _confirm(self, traceer_id: str) -> None:
        path = f"/berichten/{traceer_id}"
        response = self._request("DELETE", path)
        if response.status_code not in (200, 204):
            raise self._unexpected("DELETE", path, response)

    # --- the rehearsal ---------------------------------------------------------------------------
    def step(self) -> None:
        """One cycle at the simulated instant the server stands at now."""
        self._step_at(self._klok())

    def rehearse(self, step_minutes: float = 60, until: str | datetime | None = None, *,
                 pause: float = 1.0) -> list[dict[str, Any]]:
        """Rehearse until the session is ``klaar`` (or ``until``); return :attr:`log`.

        On a step-clock server each step is followed by ``POST /kto/klok`` to ``step_minutes`` later;
        on a paced server it sleeps ``pause`` wall seconds between steps instead. Once the window has
        ended it takes no further step: the server takes nothing any more (409, KS08).
        """
        if step_minutes <= 0:
            raise KetensimError(f"{self.who}: step_minutes must be positive, got {step_minutes}")
        stop_at = instant(until) if until is not None else None
        klok = self._klok()
        while not klok.get("klaar"):
            self._step_at(klok)
            now = instant(klok["nu"])
            if stop_at is not None and now >= stop_at:
                break
            if klok.get("snelheid") == "step":
                target = now + timedelta(minutes=step_minutes)
                if stop_at is not None:
                    target = min(target, stop_at)
                klok = self._json("POST", "/kto/klok", json={"tot": target.isoformat()})
            else:
                time.sleep(pause)
                klok = self._klok()
        return self.log

    @abstractmethod
    def _step_at(self, klok: Mapping[str, Any]) -> None:
        """Each kind of system does this its own way."""

    # --- retours ---------------------------------------------------------------------------------
    def _answer(self, retour: PendingRetour, now: datetime, dr: DraaiboekView) -> None:
        """Send the retour on a heen read now; a sloppy system defers every third (1st, 4th …) of
        :attr:`deferred_heen` in the old release to the block of its retour (or go-live)."""
        mt = retour.received.mt
        if self.sloppy and mt.number == self.deferred_heen and mt.release == dr.old:
            self._deferred += 1
            late_at = dr.block(RETOUR_OF[mt.number]) or dr.go_live
            if self._deferred % 3 == 1 and now < late_at:
                retour.at, retour.faults = late_at, ["late_retour"]
                self._late.append(retour)
                return
        self._send_retour(retour, now)

    def _send_retour(self, retour: PendingRetour, now: datetime) -> None:
        """Offer ``retour``; after a 503 it is offered again in the next step."""
        retour.attempts += 1
        posted = self._post_retour(retour, now)
        if posted.status == 503 and retour.attempts < MAX_ATTEMPTS:
            retour.not_before_step = self._steps + 1
            self._late.append(retour)

    @abstractmethod
    def _post_retour(self, retour: PendingRetour, now: datetime) -> Posted:
        """Each kind of system does this its own way."""

    def _send_late_retours(self, now: datetime) -> None:
        due: list[PendingRetour] = []
        waiting: list[PendingRetour] = []
        for late in self._late:
            (due if now >= late.at and self._steps >= late.not_before_step else waiting).append(late)
        self._late = waiting
        for late in due:
            self._send_retour(late, now)

    # --- own heens -------------------------------------------------------------------------------
    def _retry(self, out: Any, posted: Posted, dr: DraaiboekView) -> bool:
        """Whether heen ``out`` goes back into the outbox after this attempt: after a 503 in the next step,
        after IB103/KS03 (compliant) from go-live, in the new release."""
        if out.attempts >= MAX_ATTEMPTS:
            return False
        if posted.status == 503:
            out.not_before_step = self._steps + 1
            return True
        if not self.sloppy and posted.status == self.refused_status and {"IB103", "KS03"} & set(posted.codes):
            out.not_before = dr.go_live
            return True
        return False

    def _release(self, now: datetime, dr: DraaiboekView) -> str:
        """The release it sends a heen in: the one in force (sloppy: the old one until a day after go-live)."""
        if self.sloppy and now < dr.go_live + SLOPPY_OLD_RELEASE:
            return dr.old
        return dr.release_at(now)
