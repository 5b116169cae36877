"""Turning a simulated message into XML: payload, build, serialize, validate.

Here the chain hands its messages to the standards package. In counting mode
(``xml=False``, for sweeps) nothing is built and every message counts as XSD-valid and rule-clean
unless a fault corrupts it (no rule is checked there). With XML, each message becomes a job for an
:class:`~ketensim.chain.xmlwork.Encoder`: in this process, where the hub's verdict is the result
of the XSD (and, where the hub checks them, the business rules) itself, or in a forked
:class:`~ketensim.chain.xmlwork.XmlWorker` on a second core, where every validation result is
checked against the verdict when the run ends (see :mod:`ketensim.chain.xmlwork`). Both give
byte-identical results.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ketensim.chain.hubcheck import FOUTMELDING, expected_refusal, has_rules
from ketensim.chain.message import Message
from ketensim.chain.simcal import SimCalendar
from ketensim.chain.xmlwork import Encoded, Encoder, HeenJob, RetourJob, XmlCheckError, XmlWorker
from ketensim.population import Population
from ketensim.standards.drafts import ReleaseTable
from ketensim.standards.rules import RULE_RELEASES

__all__ = ["Codec"]

_MUTATIE = {"wijziging": "wijziging", "einde": "intrekking"}


def _disagreement(result: Encoded, expected: str) -> str:
    """Why a worker's result contradicts the hub's verdict, in words."""
    if result.refusal == "":
        what = "its XSD" if expected == FOUTMELDING else "the business rules"
        return f"passes {what} although it was corrupted; the hub treated it as invalid"
    if result.refusal == FOUTMELDING:
        return f"fails its XSD: {result.error}; the hub treated it as valid"
    return f"breaks business rules {result.rule_codes}; the hub treated it as valid"


class Codec:
    """Builds, serializes and validates the XML of simulated messages, here or in a worker process."""

    def __init__(self, releases: ReleaseTable, population: Population, calendar: SimCalendar, enabled: bool,
                 keep: bool | Callable[[Message], bool], payload_rng: random.Random, worker: int = 0) -> None:
        self.calendar = calendar
        self.population = population
        self.kept: dict[str, bytes] = {}
        # keep every document, none, or those a predicate picks (a KTO rehearsal keeps the vendor's mail)
        self._keep = keep if callable(keep) else None
        self._sent: dict[int, Any] = {}  # case -> the toewijzing the encoder has been given for it
        self._supplied: dict[int, bytes] = {}  # message seq -> XML a vendor's system sent
        self._releases = releases
        self._encoder = Encoder(releases.catalogue, population, payload_rng, bool(keep)) if enabled else None
        self._worker = XmlWorker(self._encoder, worker) if enabled and worker else None
        self._pending: list[tuple[Message, str, bool]] = []  # (message, corrupt, checks rules) handed to the worker
        self._rules: dict[tuple[str, str, str], bool] = {}
        self.used_worker = self._worker is not None  # stays set after the worker has finished

    def encode(self, msg: Message, now: float, corrupt: str, rules: bool) -> str:
        """Build and check ``msg`` at simulation time ``now`` (the XSD, then the rules if ``rules``); records its size.

        Returns the hub's technical verdict: ``""`` when it passes, else the refusal
        (:data:`~ketensim.chain.hubcheck.FOUTMELDING` or :data:`~ketensim.chain.hubcheck.REJECTED_RULES`).
        """
        supplied = self._supplied.pop(msg.seq, None) if self._supplied else None
        if supplied is not None:
            return self._adopt(msg, supplied)  # a vendor's XML: checked when it arrived (ketensim.kto.judge)
        checks_rules = rules and self._releases.root(msg.release) in RULE_RELEASES and self._has_rules(msg)
        if self._encoder is None or msg.number in self._releases.info(msg.release).ei_only:
            # counting mode, or a 2.0 / Jeugd-GGZ message that travelled as EI records without an XSD
            return expected_refusal(corrupt, checks_rules)
        job = self._job(msg, now, corrupt, checks_rules)
        if self._worker is not None:
            self._worker.put(job)
            self._pending.append((msg, corrupt, checks_rules))
            return expected_refusal(corrupt, checks_rules)
        result = self._encoder.encode(job)
        self._record(msg, result)
        return result.refusal

    def _has_rules(self, msg: Message) -> bool:
        key = (msg.standard, msg.release, msg.number)
        found = self._rules.get(key)
        if found is None:
            found = self._rules[key] = has_rules(self._releases.catalogue.get(*key))
        return found

    def supply(self, msg: Message, data: bytes, payload: Any) -> None:
        """``msg`` carries XML a vendor's system sent (checked against its XSD on arrival), not XML to build.

        ``payload`` stands for the heen when the simulated receiver builds its retour: anything with
        the ``header`` (and, for a declaration, ``clienten``) that :func:`build_retour` reads.
        """
        if self._worker is not None:
            raise ValueError("a vendor's XML cannot be combined with an XML worker")
        self._supplied[msg.seq] = data
        if msg.role == "heen" and self._encoder is not None:
            self._encoder.payloads[msg.seq] = payload

    def register_client(self, client: Any) -> None:
        """A client the population did not have (a vendor's new client) becomes known to the encoder."""
        if self._encoder is not None:
            self._encoder.clients.setdefault(client.bsn, client)

    def _adopt(self, msg: Message, data: bytes) -> str:
        msg.xml_bytes = len(data)
        if self._keep is not None and self._keep(msg):
            self.kept[msg.message_id] = data
        if msg.role == "retour" and self._encoder is not None and msg.pair.heen is not None:
            self._encoder.payloads.pop(msg.pair.heen.seq, None)  # the heen's payload is needed no more
        return ""

    def _record(self, msg: Message, result: Encoded) -> None:
        msg.xml_bytes = result.size
        # the encoder returns the bytes only when they are kept
        if result.data is not None and (self._keep is None or self._keep(msg)):
            self.kept[msg.message_id] = result.data

    def _job(self, msg: Message, now: float, corrupt: str, rules: bool) -> HeenJob | RetourJob:
        day = self.calendar.date_of(now).toordinal()
        if msg.role != "heen":
            heen = msg.pair.heen
            assert heen is not None
            return RetourJob(msg.seq, msg.standard, msg.release, msg.number, heen.case.seq, heen.seq, msg.identificatie,
                             day, corrupt, rules)
        case = msg.case
        # the encoder is given a case's toewijzing with its first message, and again when it changed
        # (a merged gemeente issues it anew); a client the encoder does not know by its BSN (moved
        # to the gemeente its own joined, or a vendor's client whose BSN someone else has) goes along
        current = case.toewijzing(self.population)
        toewijzing = None
        if self._sent.get(case.seq) is not current:
            self._sent[case.seq] = toewijzing = current
        client = case.client
        encoder = self._encoder
        moved = client if encoder is not None and encoder.clients.get(client.bsn) is not client else None
        referentie = None
        if msg.answer_to is not None:
            referentie = f"R{msg.answer_to.seq:09d}"
        elif msg.number in ("315", "317"):
            referentie = f"R{msg.seq:09d}"
        extra: tuple[tuple[str, str], ...] = ()
        if msg.number == "301":
            extra = (("mutatie", _MUTATIE.get(msg.intent, "nieuw")),)
        elif msg.number == "319":
            extra = (("verzoek_antwoord", "1"),)
        return HeenJob(msg.seq, msg.standard, msg.release, msg.number, client.bsn, case.aanbieder.agb, case.seq,
                       toewijzing, msg.identificatie, day, referentie, extra, corrupt, rules, moved)

    def finish(self) -> bool:
        """Collect the worker's results (sizes, kept documents, the check of every verdict); False without a worker."""
        if self._worker is None:
            return False
        worker, self._worker = self._worker, None
        results = worker.finish()
        for (msg, corrupt, checks_rules), result in zip(self._pending, results):
            self._record(msg, result)
            expected = expected_refusal(corrupt, checks_rules)
            if result.refusal != expected:
                raise XmlCheckError(f"message {msg.message_id} ({msg.code} {msg.release}) {_disagreement(result, expected)}")
        self._pending = []
        return True

    def close(self) -> None:
        """Stop a worker that is still running (the run failed before it finished)."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None
