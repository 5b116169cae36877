"""The XML work of a run: make a payload, build, serialize and validate, here or in a second process.

The chain describes each message it offers to a hub as a small job (plain strings, numbers and, the
first time a case appears, its toewijzing), and an :class:`Encoder` turns jobs into XML in the order
they come. Because the encoder sees the same jobs in the same order wherever it runs, and owns the
run's payload stream, it builds byte-identical documents in this process or in a worker.

:class:`XmlWorker` runs an encoder in a second process (forked, so it shares the population and the
compiled schemas with the run) and overlaps the XML work with the simulation. Simulated parties
build their messages with ketensim's own builders, which produce XSD-valid XML that breaks no
business rule unless a ``corrupt`` injection breaks it, so the hub's verdict on a simulated message
is known when it is offered; the worker validates every message all the same (XSD, and the rules
where the sender's hub checks them), and :meth:`XmlWorker.finish` stops the run with an
:class:`XmlCheckError` naming the first message whose result differs from that verdict.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
import traceback
from datetime import date
from multiprocessing.connection import Connection
from typing import Any, NamedTuple, NoReturn

from lxml import etree

from ketensim.chain.hubcheck import FOUTMELDING, REJECTED_RULES, corrupt_rules, has_rules
from ketensim.exceptions import KetensimError
from ketensim.lifetime import child_setup, starting_children
from ketensim.population import Population
from ketensim.population.products import Toewijzing
from ketensim.standards.builders import build, build_retour
from ketensim.standards.catalogue import Catalogue, MessageType
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.rules.engine import run as run_rules
from ketensim.standards.validation import schema

__all__ = ["HeenJob", "RetourJob", "Encoded", "Encoder", "XmlWorker", "XmlCheckError", "worker_available"]

_BATCH = 256  # jobs per hand-over to the worker: large enough that pickling runs in C, small enough to overlap


class HeenJob(NamedTuple):
    """Everything needed to build one heen: keys into the population, never the objects themselves."""

    seq: int
    standard: str
    release: str
    number: str
    bsn: str
    agb: str
    case: int
    toewijzing: Toewijzing | None  # sent with the first message of a case only
    identificatie: str
    day: int  # dagtekening as a proleptic ordinal
    referentie: str | None
    extra: tuple[tuple[str, str], ...]  # mutatie (301) or verzoek_antwoord (319)
    corrupt: str  # what a corrupt injection breaks: "", "xsd" or "rules"
    rules: bool  # the sender's hub checks the business rules


class RetourJob(NamedTuple):
    """A retour: built from the payload of its heen, which the encoder kept."""

    seq: int
    standard: str
    release: str
    number: str
    heen: int
    identificatie: str
    day: int
    corrupt: str
    rules: bool


class Encoded(NamedTuple):
    """What the XML work found: XSD-valid or not, the serialized size, the bytes if they are kept, the rules' verdict."""

    valid: bool
    size: int
    data: bytes | None
    error: str  # the first XSD finding when the document is invalid
    rule_codes: str = ""  # the business rules it breaks (space separated), when the hub checks them

    @property
    def refusal(self) -> str:
        """The hub's technical verdict: ``""`` (passes), a foutmelding (XSD) or a refusal on the rules."""
        return FOUTMELDING if not self.valid else (REJECTED_RULES if self.rule_codes else "")


class XmlCheckError(KetensimError, AssertionError):
    """Raised when the XML of a simulated message disagrees with the hub's verdict (a bug, never bad input)."""


def corrupt_element(element: etree._Element) -> None:
    """Break the message the way a faulty export does: the BerichtCode of the header goes missing."""
    header = element[0]
    header.remove(header[0])


class Encoder:
    """Turns jobs into serialized, validated XML; keeps each heen's payload until its retour is built."""

    def __init__(self, catalogue: Catalogue, population: Population, payload_rng: random.Random, keep: bool) -> None:
        self.catalogue = catalogue
        self.rng = payload_rng
        self.keep = keep
        self.clients = {c.bsn: c for c in population.clients}
        self.aanbieders = {a.agb: a for a in population.aanbieders}
        self.toewijzingen: dict[int, Toewijzing] = {}
        self.payloads: dict[int, Any] = {}
        self._types: dict[tuple[str, str, str], MessageType] = {}

    def _type(self, standard: str, release: str, number: str) -> MessageType:
        key = (standard, release, number)
        mt = self._types.get(key)
        if mt is None:
            mt = self._types[key] = self.catalogue.get(*key)
        return mt

    def encode(self, job: HeenJob | RetourJob) -> Encoded:
        mt = self._type(job.standard, job.release, job.number)
        day = date.fromordinal(job.day)
        if isinstance(job, HeenJob):
            if job.toewijzing is not None:
                self.toewijzingen[job.case] = job.toewijzing
            client = self.clients[job.bsn]
            payload = make_payload(
                mt,
                gemeente=client.gemeente,
                aanbieder=self.aanbieders[job.agb],
                client=client,
                toewijzing=self.toewijzingen[job.case],
                identificatie=job.identificatie,
                dagtekening=day,
                rng=self.rng,
                referentie=job.referentie,
                **dict(job.extra),  # type: ignore[arg-type]
            )
            self.payloads[job.seq] = payload
            element = build(mt, payload)
        else:
            # the retour is the last message that needs its heen's payload
            element = build_retour(mt, self.payloads.pop(job.heen), identificatie=job.identificatie, dagtekening=day)
        if job.corrupt == "xsd":
            corrupt_element(element)
        elif job.corrupt == "rules" and has_rules(mt):
            corrupt_rules(element)
        data = etree.tostring(element, xml_declaration=True, encoding="UTF-8")
        xsd = schema(mt)
        valid = bool(xsd.validate(element))
        if not valid:
            return Encoded(False, len(data), data if self.keep else None, str(xsd.error_log.last_error))
        codes = ""
        if job.rules and has_rules(mt):
            codes = " ".join(f.code for f in run_rules(element, mt))
        return Encoded(True, len(data), data if self.keep else None, "", codes)


def worker_available() -> bool:
    """Whether this process can fork an XML worker: a platform with ``fork``, not itself a daemon."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _serve(conn: Connection, parent_end: Connection, parent: int, encoder: Encoder) -> None:
    """The worker's loop: encode every batch, then hand back all results when told the run is over."""
    # the run's end of the pipe is closed here, so the worker sees EOF as soon as the run closes it
    # (or dies); it ignores Ctrl-C and dies with the run (ketensim.lifetime)
    parent_end.close()
    child_setup(parent)
    # the objects inherited from the run are alive for the worker's whole life: keep the collector
    # from walking them (which would also copy every page of them into this process)
    gc.freeze()
    gc.enable()  # the run forks the worker while its own collector is paused (ketensim.run)
    results: list[Encoded] = []
    try:
        while True:
            try:
                batch = conn.recv()
            except EOFError:  # the run stopped early (a failure, Ctrl-C, SIGTERM): nothing to hand back
                return
            if batch is None:
                break
            for job in batch:
                results.append(encoder.encode(job))
        conn.send(("ok", results))
    except BaseException as error:  # noqa: BLE001 - everything goes back to the run, which raises it
        where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
        place = f" ({where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
        try:
            conn.send(("error", f"{type(error).__name__}: {error}{place}"))
        except OSError:  # the run has gone already
            pass
    finally:
        conn.close()


class XmlWorker:
    """An :class:`Encoder` in a forked process, fed in batches while the simulation goes on."""

    def __init__(self, encoder: Encoder) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, self._conn, os.getpid(), encoder),
                                    name="ketensim-xml", daemon=True)
        with starting_children():
            self._process.start()
        child.close()
        self._batch: list[HeenJob | RetourJob] = []
        self.jobs = 0

    def put(self, job: HeenJob | RetourJob) -> None:
        self._batch.append(job)
        self.jobs += 1
        if len(self._batch) >= _BATCH:
            batch, self._batch = self._batch, []
            self._send(batch)

    def _send(self, item: list[HeenJob | RetourJob] | None) -> None:
        try:
            self._conn.send(item)
        except OSError:  # the worker has gone: say why, if it managed to
            self._raise_failure()

    def _raise_failure(self) -> NoReturn:
        reason = "no result"
        try:
            if self._conn.poll(5):
                status, payload = self._conn.recv()
                if status != "ok":
                    self.close()
                    raise XmlCheckError(f"the XML worker failed: {payload}")
        except (EOFError, OSError) as error:
            reason = str(error) or reason
        self.close()
        raise XmlCheckError(f"the XML worker process stopped unexpectedly ({reason})")

    def finish(self) -> list[Encoded]:
        """Wait for the worker to encode every job; its results, in the order the jobs were put."""
        if self._batch:
            self._send(self._batch)
            self._batch = []
        self._send(None)
        try:
            status, payload = self._conn.recv()
        except (EOFError, OSError):
            self._raise_failure()
        self.close()
        if status != "ok":
            raise XmlCheckError(f"the XML worker failed: {payload}")
        if len(payload) != self.jobs:
            raise XmlCheckError(f"the XML worker returned {len(payload)} results for {self.jobs} messages")
        return payload

    def close(self) -> None:
        """Stop the worker (also when the run failed before it finished)."""
        self._conn.close()
        self._process.join(timeout=0.1)  # after finish() it is leaving; otherwise it is stopped at once
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
