"""Load on a KTO rehearsal server: acknowledged messages per second and acknowledgement latency, in one run.

Starts a real ``ketensim kto serve`` (scenario 2022-3.0-3.1, seed 1, ``--speed 600``, hand-over
``heen_block - 3d``) in a subprocess with its journal in a temporary directory: SQLite in WAL mode with
``synchronous=FULL``, so every acknowledged message is on disk before its 204 (durability on, as a vendor
runs it). Then, for one client kind (``--interface``):

* prepares ``--messages`` valid heens up front, outside the timing (``vecozo``: a 305 start zorg in the
  old release for a case of the vendor's own caseload from ``GET /kto/clienten``, each with a fresh
  traceerId and conversatieId and its own BerichtIdentificatie, i.e. a separate heen each; ``ggk``: a 301
  toewijzing (wijziging) in the old release for a case of the gemeente's own caseload, in a StUF
  ``ggk_Di01`` envelope with a fresh referentienummer and its own BerichtIdentificatie);
* runs ``--pushers`` threads that push those messages concurrently (one keep-alive HTTP client each) and
  ``--pullers`` threads that read the mailbox, fetch each payload and confirm it, for ``--seconds`` or
  until every prepared message was sent;
* prints acknowledged messages (``vecozo``: HTTP 204 only; ``ggk``: HTTP 200 with a ``Bv03``; any other
  answer is counted apart, by status and melding or Fo03 code),
  messages per second, the latency of each push (send to response) at p50/p95/p99/max, pull cycles per
  second, the server's peak RSS (``VmHWM``), and the targets with "met"/"not met".

The simulated clock runs at 600 simulated seconds per wall second, so the block of the heens (3 simulated
days after the hand-over) is about 430 wall seconds away; the run is cut short well before it (a 305 or 301 after
the block is refused with IB103). A benchmark prints numbers and exits 0; it does not assert. Run it as::

    python benchmarks/kto_load.py [--interface vecozo|ggk] [--seconds 15] [--pushers 4] [--pullers 1] [--messages N]

Client kinds live in ``KINDS``: ``vecozo`` is the aanbieder side (VECOZO-style REST); ``ggk`` is the gemeente
side (server ``--party gemeente``, portal mode): StUF ggk0210 SOAP envelopes pushed to
``POST /ggk0210/OntvangAsynchroon``, the mailbox read and confirmed on the same portal endpoints.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from ketensim.exceptions import KetensimError
from ketensim.kto import launch
from ketensim.kto.launch import ServerProcess

TARGET_PER_SECOND = 200.0
TARGET_P99_MS = 50.0
SPEED = 600  # simulated seconds per wall second
_BLOCK_MARGIN_SECONDS = 30.0  # stop pushing this long (wall) before the heens' block at the latest



# --- the server --------------------------------------------------------------------------------------


def start_server(data: Path, party: str, scenario: str, seed: int, start: str) -> ServerProcess:
    """Start the server with its journal in ``data`` on a free loopback port (see ketensim.kto.launch)."""
    args = [scenario, "--party", party, "--seed", str(seed), "--speed", str(SPEED), "--start", start]
    try:
        return launch.start(args, data, timeout=300)
    except KetensimError as err:
        sys.exit(f"kto_load.py: {err}")


# --- client kinds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """One message ready to send: whatever the kind's :meth:`ClientKind.push` needs."""

    request: dict[str, Any]


@dataclass
class Clock:
    """What the benchmark needs of ``GET /kto/klok``."""

    now: datetime
    old_release: str
    block: datetime | None  # when the heens this kind sends are blocked in the old release

    def wall_seconds_to_block(self) -> float:
        if self.block is None:
            return float("inf")
        return (self.block - self.now).total_seconds() / SPEED


class ClientKind(ABC):
    """How one kind of vendor system talks to the server: which party it plays, what it pushes and pulls.

    A kind prepares its messages before the timing starts (:meth:`prepare`), then :meth:`push` sends one
    (from several threads at once, each with its own HTTP client) and returns the HTTP status and the
    codes of the meldingen of a refusal (a push counts as acknowledged when the status is ``ack_status``
    and no codes came back), and :meth:`pull_cycle` reads the mailbox once, fetches and
    confirms what it found and returns how many messages it confirmed.
    """

    name = ""
    party = ""  # the --party of the server: aanbieder | gemeente
    ack_status = 204  # the HTTP status of an acknowledgement (with no codes returned by push)
    ack_label = "204"

    @abstractmethod
    def clock(self, client: httpx.Client) -> Clock:
        """Each kind of system does this its own way."""

    @abstractmethod
    def prepare(self, client: httpx.Client, count: int, rng: random.Random) -> list[Prepared]:
        """Each kind of system does this its own way."""

    @abstractmethod
    def push(self, client: httpx.Client, item: Prepared) -> tuple[int, list[str]]:
        """Each kind of system does this its own way."""

    @abstractmethod
    def pull_cycle(self, client: httpx.Client) -> int:
        """Each kind of system does this its own way."""


def _json(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"kto_load.py: GET {path} answered HTTP {response.status_code}: {response.text[:200]}")
    return response.json()


class VecozoKind(ClientKind):
    """An aanbieder system on the VECOZO-style REST interface: 305s pushed, the mailbox read and confirmed."""

    name = "vecozo"
    party = "aanbieder"
    number = "305"

    def clock(self, client: httpx.Client) -> Clock:
        klok = _json(client, "/kto/klok")
        return Clock(datetime.fromisoformat(klok["nu"]), str(klok["oude_release"]), _block_of(klok, self.number))

    def prepare(self, client: httpx.Client, count: int, rng: random.Random) -> list[Prepared]:
        from ketensim.kto import demo_messages as dm

        klok = _json(client, "/kto/klok")
        agb = str(klok["partij"]["code"])
        release = str(klok["oude_release"])
        today = date.fromisoformat(klok["nu"][:10])
        cases = [dm.case_from_clienten_entry(e) for e in _json(client, "/kto/clienten")]
        if not cases:
            sys.exit("kto_load.py: the vendor's caseload (GET /kto/clienten) is empty; nothing to start")
        entities = [dm.case_entities(case, agb, rng, today) for case in cases]
        ids = dm.IdentificatieCounter("L")
        out = []
        for i in range(count):
            case, ents = cases[i % len(cases)], entities[i % len(cases)]
            mt = dm.heen_type(case.standard, release, self.number)
            element = dm.start(case.standard, release, ents, identificatie=ids.next(), dagtekening=today, rng=rng)
            meta = dm.bericht_metadata(mt, afzender=agb, geadresseerde=case.gemeente,
                                       conversatie_id=dm.new_uuid(rng), traceer_id=dm.new_uuid(rng))
            out.append(Prepared({"meta": json.dumps(meta), "payload": dm.to_bytes(element)}))
        return out

    def push(self, client: httpx.Client, item: Prepared) -> tuple[int, list[str]]:
        response = client.post("/berichten", files={
            "berichtMetadata": (None, item.request["meta"], "application/json"),
            "payload": ("bericht.xml", item.request["payload"], "application/xml")})
        if response.status_code == 204:
            return 204, []
        try:
            codes = [str(m.get("code", "")) for m in response.json().get("meldingen") or []]
        except (ValueError, AttributeError):
            codes = []
        return response.status_code, codes

    def pull_cycle(self, client: httpx.Client) -> int:
        return _portal_pull_cycle(client)


def _portal_pull_cycle(client: httpx.Client) -> int:
    """Read the portal mailbox once, fetch each payload and confirm it; how many were confirmed."""
    response = client.get("/berichten")
    if response.status_code != 200:
        return 0
    confirmed = 0
    for item in response.json():
        traceer = item["traceerId"]
        client.get(f"/berichten/{traceer}/payload")
        if client.delete(f"/berichten/{traceer}").status_code == 204:
            confirmed += 1
    return confirmed


def _block_of(klok: dict[str, Any], number: str) -> datetime | None:
    blocks = [datetime.fromisoformat(b["tijdstip"]) for b in klok.get("blokkades") or ()
              if number in b.get("berichten", ())]
    return min(blocks) if blocks else None


class GgkKind(ClientKind):
    """A gemeente system on the GGk-koppeling: 301s pushed as StUF ggk_Di01, the portal mailbox read and confirmed.

    Acknowledged is HTTP 200 whose body :func:`ketensim.kto.stuf.parse_response` reads as a ``Bv03``; a
    refusal (HTTP 500, a SOAP fault) is counted by the code of its ``Fo03``. The response is parsed inside
    the timed push, as a gemeente system must read it to know the message was taken.
    """

    name = "ggk"
    party = "gemeente"
    number = "301"
    ack_status = 200
    ack_label = "200 Bv03"
    _HEADERS = {"Content-Type": "text/xml; charset=utf-8"}

    def clock(self, client: httpx.Client) -> Clock:
        klok = _json(client, "/kto/klok")
        return Clock(datetime.fromisoformat(klok["nu"]), str(klok["oude_release"]), _block_of(klok, self.number))

    def prepare(self, client: httpx.Client, count: int, rng: random.Random) -> list[Prepared]:
        import uuid

        from ketensim.kto import demo_messages as dm
        from ketensim.kto import stuf
        from ketensim.standards.builders import build
        from ketensim.standards.payload_factory import make_payload
        from ketensim.standards.validation import is_valid

        klok = _json(client, "/kto/klok")
        cbs = str(klok["partij"]["code"])
        release = str(klok["oude_release"])
        now = datetime.fromisoformat(klok["nu"])
        today = now.date()
        entries = [e for e in _json(client, "/kto/clienten") if str(e.get("gemeente")) == cbs]
        if not entries:
            sys.exit(f"kto_load.py: the gemeente's caseload (GET /kto/clienten for {cbs}) is empty; nothing to assign")
        cases = [(dm.case_from_clienten_entry(e), str(e["aanbieder"])) for e in entries]
        entities = [dm.case_entities(case, agb, rng, today) for case, agb in cases]
        ids = dm.IdentificatieCounter("G")
        zender = stuf.Party(cbs, "Benchmark")
        out = []
        for i in range(count):
            (case, agb), ents = cases[i % len(cases)], entities[i % len(cases)]
            mt = dm.heen_type(case.standard, release, self.number)
            payload = make_payload(mt, gemeente=ents.gemeente, aanbieder=ents.aanbieder, client=ents.client,
                                   toewijzing=ents.toewijzing, identificatie=ids.next(), dagtekening=today, rng=rng,
                                   mutatie="wijziging")
            element = build(mt, payload)
            if i == 0 and not is_valid(mt, element):
                sys.exit(f"kto_load.py: the {mt.code} built for {case.bsn} is not valid against its XSD")
            data = dm.to_bytes(element)
            body = stuf.build_request(
                "ggk_Di01", zender=zender, ontvanger=stuf.Party(agb, "GGk"), referentienummer=str(uuid.uuid4()),
                tijdstip=now, functie=mt.code,
                functie_versie=str(mt.bericht_versie), functie_subversie=str(mt.bericht_subversie), payload=data,
                applicatie_versie="1", applicatie_subversie="0")
            out.append(Prepared({"body": body}))
        return out

    def push(self, client: httpx.Client, item: Prepared) -> tuple[int, list[str]]:
        from ketensim.kto import stuf

        response = client.post("/ggk0210/OntvangAsynchroon", content=item.request["body"], headers=self._HEADERS)
        try:
            answer: stuf.Bv03 | stuf.Fo03 | None = stuf.parse_response(response.content)
        except stuf.StufError:
            answer = None
        if isinstance(answer, stuf.Bv03):
            return response.status_code, [] if response.status_code == 200 else ["Bv03"]
        if isinstance(answer, stuf.Fo03):
            return response.status_code, [answer.code or answer.faultcode or "Fo03"]
        return response.status_code, ["no Bv03/Fo03"]

    def pull_cycle(self, client: httpx.Client) -> int:
        return _portal_pull_cycle(client)


KINDS: dict[str, type[ClientKind]] = {"vecozo": VecozoKind, "ggk": GgkKind}


# --- the load ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the threads measured (each thread appends to its own lists; merged at the end)."""

    latencies: list[float] = field(default_factory=list)  # seconds, acknowledged pushes only
    refused: Counter[str] = field(default_factory=Counter)  # "422 IB103" -> count
    errors: Counter[str] = field(default_factory=Counter)  # transport errors by type
    cycles: int = 0
    confirmed: int = 0


def run_load(server: ServerProcess, kind: ClientKind, work: list[Prepared], seconds: float, pushers: int,
             pullers: int, pull_pause: float) -> tuple[list[Tally], list[Tally], float]:
    """Push ``work`` from ``pushers`` threads while ``pullers`` threads pull; stop after ``seconds``."""
    lock = threading.Lock()
    queue = iter(work)
    stop = threading.Event()
    start_gate = threading.Barrier(pushers + pullers + 1)
    push_tallies = [Tally() for _ in range(pushers)]
    pull_tallies = [Tally() for _ in range(pullers)]
    deadline = [0.0]

    def take() -> Prepared | None:
        with lock:
            return next(queue, None)

    def pusher(tally: Tally) -> None:
        with server.client() as client:
            start_gate.wait()
            while not stop.is_set() and time.perf_counter() < deadline[0]:
                item = take()
                if item is None:
                    break
                sent = time.perf_counter()
                try:
                    status, codes = kind.push(client, item)
                except httpx.HTTPError as err:
                    tally.errors[type(err).__name__] += 1
                    continue
                took = time.perf_counter() - sent
                if status == kind.ack_status and not codes:
                    tally.latencies.append(took)
                else:
                    tally.refused[f"{status} {','.join(codes) or '-'}"] += 1

    def puller(tally: Tally) -> None:
        with server.client() as client:
            start_gate.wait()
            while not stop.is_set():
                try:
                    got = kind.pull_cycle(client)
                except httpx.HTTPError as err:
                    tally.errors[type(err).__name__] += 1
                    got = 0
                tally.cycles += 1
                tally.confirmed += got
                if not got:
                    stop.wait(pull_pause)  # an empty mailbox: poll again shortly, as a vendor's system does

    threads = [threading.Thread(target=pusher, args=(t,), daemon=True) for t in push_tallies]
    threads += [threading.Thread(target=puller, args=(t,), daemon=True) for t in pull_tallies]
    for t in threads:
        t.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    start_gate.wait()
    for t in threads[:pushers]:
        t.join()
    wall = time.perf_counter() - started
    stop.set()
    for t in threads[pushers:]:
        t.join(timeout=30)
    return push_tallies, pull_tallies, wall


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted ``values`` (0 for none)."""
    if not values:
        return 0.0
    rank = max(1, min(len(values), int(-(-q * len(values) // 100))))
    return values[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interface", choices=sorted(KINDS), default="vecozo", help="client kind")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to push (wall seconds)")
    parser.add_argument("--messages", type=int, default=6000, help="messages prepared; the run stops when all are sent")
    parser.add_argument("--pushers", type=int, default=4, help="concurrent pushing threads")
    parser.add_argument("--pullers", type=int, default=1, help="concurrent threads reading and confirming the mailbox")
    parser.add_argument("--pull-pause", type=float, default=0.05, help="seconds a puller waits after an empty cycle")
    parser.add_argument("--scenario", default="2022-3.0-3.1")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", default="heen_block - 3d", help="hand-over instant of the session")
    args = parser.parse_args()
    kind = KINDS[args.interface]()
    rng = random.Random(args.seed)

    tmp = Path(tempfile.mkdtemp(prefix="kto_load-"))
    server = None
    try:
        launching = time.perf_counter()
        server = start_server(tmp / "data", kind.party, args.scenario, args.seed, args.start)
        startup = time.perf_counter() - launching
        with server.client(timeout=120) as client:
            preparing = time.perf_counter()
            work = kind.prepare(client, max(1, args.messages), rng)
            prepare_seconds = time.perf_counter() - preparing
            clock = kind.clock(client)
        to_block = clock.wall_seconds_to_block()
        seconds = min(args.seconds, max(1.0, to_block - _BLOCK_MARGIN_SECONDS))
        pushes, pulls, wall = run_load(server, kind, work, seconds, max(1, args.pushers), max(0, args.pullers),
                                       args.pull_pause)
        peak = server.peak_rss_mb()
        with server.client() as client:
            end_clock = kind.clock(client)
    finally:
        code = server.stop() if server is not None else None
        reported = (tmp / "data" / "rapport.json").is_file()  # the server writes its report when it stops
        shutil.rmtree(tmp, ignore_errors=True)

    latencies = sorted(x for t in pushes for x in t.latencies)
    refused: Counter[str] = sum((t.refused for t in pushes), Counter())
    errors: Counter[str] = sum((t.errors for t in pushes + pulls), Counter())
    acked = len(latencies)
    per_second = acked / wall if wall > 0 else 0.0
    p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (50, 95, 99))
    worst = latencies[-1] * 1000 if latencies else 0.0
    cycles = sum(t.cycles for t in pulls)
    confirmed = sum(t.confirmed for t in pulls)

    print(f"kto load: interface {kind.name} ({kind.party}), scenario {args.scenario}, seed {args.seed}, "
          f"speed {SPEED}, durability on (SQLite WAL, synchronous=FULL)")
    print(f"server start {startup:.1f} s; {len(work)} messages prepared in {prepare_seconds:.1f} s (not timed); "
          f"sim now {clock.now:%Y-%m-%d %H:%M}, block in {to_block:.0f} wall s")
    print(f"pushers {args.pushers}, pullers {args.pullers}, planned {seconds:.0f} s")
    print(f"acknowledged ({kind.ack_label}): {acked} messages in {wall:.2f} s = {per_second:.1f} msg/s")
    if refused:
        print("not acknowledged  : " + ", ".join(f"{n}x {what}" for what, n in refused.most_common()))
    else:
        print("not acknowledged  : none")
    if errors:
        print("transport errors  : " + ", ".join(f"{n}x {what}" for what, n in errors.most_common()))
    print(f"push latency (ms) : p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {worst:.1f}")
    print(f"pull cycles       : {cycles} in {wall:.2f} s = {cycles / wall if wall else 0:.1f}/s, "
          f"{confirmed} messages fetched and confirmed")
    print(f"server peak RSS   : {peak:.0f} MB" if peak is not None else "server peak RSS   : unknown")
    print(f"sim clock         : {clock.now:%Y-%m-%d %H:%M} -> {end_clock.now:%Y-%m-%d %H:%M}; server stopped by SIGINT "
          f"(exit {code}), report {'written' if reported else 'NOT written'}")
    print(f"target >= {TARGET_PER_SECOND:.0f} msg/s : {per_second:.1f} msg/s, "
          f"{'met' if per_second >= TARGET_PER_SECOND else 'not met'}")
    print(f"target p99 <= {TARGET_P99_MS:.0f} ms : {p99:.1f} ms, "
          f"{'met' if latencies and p99 <= TARGET_P99_MS else 'not met'}")


if __name__ == "__main__":
    main()
