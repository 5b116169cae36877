"""The XML work of a run: make a payload, build, serialize and validate, here or in worker processes.

The chain describes each message it offers to a hub as a small job (plain strings, numbers and, the
first time a case appears, its toewijzing), and an :class:`Encoder` turns jobs into XML in the order
they come. A message's contents are drawn from one of :data:`STREAMS` payload streams, chosen by
its case, so every message of a case draws from the same stream in the same order however the
cases are shared out: the encoder builds byte-identical documents in this process, in one worker or
in several.

:class:`XmlWorker` runs an encoder in worker processes (forked, so they share the population and
the compiled schemas with the run; each takes the cases of its own streams) and overlaps the XML
work with the simulation. Simulated parties
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
from ketensim.lifetime import child_setup, starting_children, usable_cores
from ketensim.population import Population
from ketensim.population.people import Client
from ketensim.population.products import Toewijzing
from ketensim.standards.builders import build, build_retour
from ketensim.standards.catalogue import Catalogue, MessageType
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.rules.engine import run as run_rules
from ketensim.standards.validation import schema

__all__ = ["HeenJob", "RetourJob", "Encoded", "Encoder", "XmlWorker", "XmlCheckError", "worker_available"]

_BATCH = 256  # jobs per hand-over to a worker: large enough that pickling runs in C, small enough to overlap
STREAMS = 16
"""The number of payload streams: a case's messages draw their contents from stream ``case % STREAMS``.

Fixed, so the documents do not depend on how many worker processes share the streams."""


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
    client: Client | None = None  # sent when the encoder's client of this BSN is another one


class RetourJob(NamedTuple):
    """A retour: built from the payload of its heen, which the encoder kept."""

    seq: int
    standard: str
    release: str
    number: str
    case: int  # the case of its heen: the worker that holds the heen's payload builds the retour
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
        # one stream per share of the cases, each seeded from the run's payload stream
        self.rngs = [random.Random(payload_rng.getrandbits(64)) for _ in range(STREAMS)]
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
            client = job.client if job.client is not None else self.clients[job.bsn]
            payload = make_payload(
                mt,
                gemeente=client.gemeente,
                aanbieder=self.aanbieders[job.agb],
                client=client,
                toewijzing=self.toewijzingen[job.case],
                identificatie=job.identificatie,
                dagtekening=day,
                rng=self.rngs[job.case % STREAMS],
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


def worker_processes() -> int:
    """How many XML worker processes a run forks: one per core this process may use, at most two.

    The simulation keeps a core busy too; on two cores, two workers beside it let the operating
    system share both cores between the three, where one worker left the simulation's core idle
    whenever it waited for the XML (``benchmarks/throughput.py`` measures it). More than two gain
    little: the simulation alone then takes as long as the XML work.
    """
    return min(2, usable_cores())


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
    """An :class:`Encoder` in ``processes`` forked processes, fed in batches while the simulation goes on.

    Each process takes the cases of the payload streams ``s`` with ``s % processes`` its own number,
    so a case's heen and retour meet in one process; the results come back in the order the jobs
    were put, whatever process built them.
    """

    def __init__(self, encoder: Encoder, processes: int = 1) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conns: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []
        try:
            for i in range(max(1, processes)):
                conn, child = ctx.Pipe()
                process = ctx.Process(target=_serve, args=(child, conn, os.getpid(), encoder),
                                      name=f"ketensim-xml-{i + 1}", daemon=True)
                # known before it starts: a Ctrl-C held over the start is raised after it, and close() must stop it
                self._conns.append(conn)
                self._processes.append(process)
                try:
                    with starting_children():
                        process.start()
                finally:
                    child.close()
        except BaseException:
            self.close()
            raise
        self._owner = [s % len(self._conns) for s in range(STREAMS)]  # stream -> process
        self._batches: list[list[HeenJob | RetourJob]] = [[] for _ in self._conns]
        self._route = bytearray()  # the process of every job, in the order they were put
        self.jobs = 0

    @property
    def processes(self) -> int:
        return len(self._conns)

    def put(self, job: HeenJob | RetourJob) -> None:
        owner = self._owner[job.case % STREAMS]
        self._route.append(owner)
        batch = self._batches[owner]
        batch.append(job)
        self.jobs += 1
        if len(batch) >= _BATCH:
            self._batches[owner] = []
            self._send(owner, batch)

    def _send(self, owner: int, item: list[HeenJob | RetourJob] | None) -> None:
        try:
            self._conns[owner].send(item)
        except OSError:  # the worker has gone: say why, if it managed to
            self._raise_failure(owner)

    def _raise_failure(self, owner: int) -> NoReturn:
        reason = "no result"
        try:
            if self._conns[owner].poll(5):
                status, payload = self._conns[owner].recv()
                if status != "ok":
                    self.close()
                    raise XmlCheckError(f"the XML worker failed: {payload}")
        except (EOFError, OSError) as error:
            reason = str(error) or reason
        self.close()
        raise XmlCheckError(f"the XML worker process stopped unexpectedly ({reason})")

    def finish(self) -> list[Encoded]:
        """Wait for the workers to encode every job; the results, in the order the jobs were put."""
        for owner, batch in enumerate(self._batches):
            if batch:
                self._send(owner, batch)
            self._send(owner, None)
        self._batches = [[] for _ in self._conns]
        found: list[list[Encoded]] = []
        for owner, conn in enumerate(self._conns):
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):
                self._raise_failure(owner)
            if status != "ok":
                self.close()
                raise XmlCheckError(f"the XML worker failed: {payload}")
            found.append(payload)
        self.close()
        if sum(map(len, found)) != self.jobs:
            raise XmlCheckError(f"the XML worker returned {sum(map(len, found))} results for {self.jobs} messages")
        results = [iter(f) for f in found]
        return [next(results[owner]) for owner in self._route]

    def close(self) -> None:
        """Stop the workers (also when the run failed before they finished)."""
        for conn in self._conns:
            conn.close()
        for process in self._processes:
            if process.pid is None:  # never started (the start was interrupted before it)
                continue
            process.join(timeout=0.1)  # after finish() it is leaving; otherwise it is stopped at once
            if process.is_alive():
                process.kill()
                process.join()
