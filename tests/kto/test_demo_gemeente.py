"""The demo gemeente system: its messages validate and answer the right request; its endpoint speaks StUF.

No ketensim server is needed: the messages are built and checked directly, and the endpoint is started
for real on a free port and called over HTTP with ``stuf.build_request`` envelopes.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from lxml import etree

from ketensim.kto import demo_gemeente_messages as gm
from ketensim.kto import demo_messages as dm
from ketensim.kto import stuf
from ketensim.kto.demo_gemeente import DemoGemeente
from ketensim.standards.builders import build
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.validation import diagnose, is_valid

CATALOGUE = get_catalogue()
AGB = "12345678"
CBS = "0363"
TODAY = date(2022, 3, 28)
CASES = [(s, r) for s in ("iwmo", "ijw") for r in ("3.0", "3.1")]
NOW = datetime(2022, 3, 28, 10, 0, tzinfo=UTC)


def _valid(mt, element) -> None:
    assert is_valid(mt, element), [str(f) for f in diagnose(mt, element)]


def _texts(element: etree._Element, name: str) -> list[str]:
    return [e.text for e in element.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name]


def _aanbieder_heen(standard: str, release: str, number: str, rng: random.Random, ident: str = "A00000000001"):
    """A heen of the aanbieder (305, 307, 315, 317, 323) built with ketensim's own builders; its bytes and type."""
    ents = dm.new_client_entities(rng, standard=standard, gemeente=CBS, agb=AGB, dagtekening=TODAY - timedelta(days=40))
    mt = CATALOGUE.get(standard, release, number)
    payload = make_payload(mt, gemeente=ents.gemeente, aanbieder=ents.aanbieder, client=ents.client,
                           toewijzing=ents.toewijzing, identificatie=ident, dagtekening=TODAY, rng=rng)
    element = build(mt, payload)
    _valid(mt, element)
    return mt, dm.to_bytes(element)


# --- messages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_new_301_validates_and_carries_no_referentie(standard, release):
    rng = random.Random(5)
    ents = dm.new_client_entities(rng, standard=standard, gemeente=CBS, agb=AGB, dagtekening=TODAY)
    element = gm.toewijzing(standard, release, ents, identificatie="G00000000001", dagtekening=TODAY, rng=rng)
    mt = dm.heen_type(standard, release, "301")
    _valid(mt, element)
    assert _texts(element, "ReferentieAanbieder") == []
    assert _texts(element, "Bsn") == [ents.client.bsn]
    assert _texts(element, "Afzender") == [CBS] and _texts(element, "Ontvanger") == [AGB]


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_301_answering_a_315_repeats_its_referentie_client_and_product(standard, release):
    rng = random.Random(6)
    _, data = _aanbieder_heen(standard, release, "315", rng)
    verzoek = gm.read_verzoek(data)
    assert verzoek.number == "315" and verzoek.aanbieder == AGB and verzoek.gemeente == CBS
    request = etree.fromstring(data)
    case = gm.verzoek_case(verzoek, 4_000_001, TODAY)
    ents = dm.case_entities(case, verzoek.aanbieder, rng, TODAY)
    element = gm.toewijzing(standard, release, ents, identificatie="G00000000002", dagtekening=TODAY, rng=rng,
                            referentie=verzoek.referentie)
    _valid(dm.heen_type(standard, release, "301"), element)
    assert _texts(element, "ReferentieAanbieder") == _texts(request, "ReferentieAanbieder") == [verzoek.referentie]
    assert _texts(element, "Bsn") == _texts(request, "Bsn")
    assert _texts(element, "Achternaam")[0] == _texts(request, "Achternaam")[0]
    assert _texts(element, "Categorie")[-1] == _texts(request, "Categorie")[-1]
    assert _texts(element, "ToewijzingNummer") == ["4000001"]


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_319_rejects_the_request_it_names(standard, release):
    rng = random.Random(7)
    _, data = _aanbieder_heen(standard, release, "317", rng)
    verzoek = gm.read_verzoek(data)
    assert verzoek.number == "317" and verzoek.toewijzingnummer is not None
    ents = dm.new_client_entities(rng, standard=standard, gemeente=CBS, agb=AGB, dagtekening=TODAY)
    element = gm.antwoord(standard, release, ents, referentie=verzoek.referentie, identificatie="G00000000003",
                          dagtekening=TODAY, rng=rng)
    _valid(dm.heen_type(standard, release, "319"), element)
    assert _texts(element, "ReferentieAanbieder") == [verzoek.referentie]
    assert _texts(element, "VerzoekAntwoord") == [gm.AFGEWEZEN]


@pytest.mark.parametrize(("standard", "release"), CASES)
@pytest.mark.parametrize("number", ["305", "307", "315", "317", "323"])
def test_retour_on_an_aanbieder_heen_validates_in_the_heens_release(standard, release, number):
    rng = random.Random(int(number))
    mt, data = _aanbieder_heen(standard, release, number, rng, ident="A00000000042")
    received = dm.read_heen(data)
    retour = gm.retour_on_heen(received, identificatie="G00000000009", dagtekening=TODAY)
    retour_mt = dm.retour_type(mt)
    assert retour_mt.release == release and retour_mt.number == {"305": "306", "307": "308", "315": "316",
                                                                 "317": "318", "323": "325"}[number]
    _valid(retour_mt, retour)
    assert "A00000000042" in _texts(retour, "Identificatie")  # the heen it answers is named
    if number == "323":  # the 325 is the gemeente's own message
        assert _texts(retour, "Afzender") == [CBS] and _texts(retour, "Ontvanger") == [AGB]
    else:  # a mirrored retour repeats the heen's header
        assert _texts(retour, "Afzender") == [AGB] and _texts(retour, "Ontvanger") == [CBS]


def test_the_sloppy_payload_fails_its_xsd_and_payload_finding_says_so():
    rng = random.Random(8)
    ents = dm.new_client_entities(rng, standard="ijw", gemeente=CBS, agb=AGB, dagtekening=TODAY)
    element = gm.toewijzing("ijw", "3.1", ents, identificatie="G00000000004", dagtekening=TODAY, rng=rng)
    assert gm.payload_finding(dm.to_bytes(element)) is None
    broken = dm.break_payload(element)
    assert not is_valid(dm.heen_type("ijw", "3.1", "301"), broken)
    finding = gm.payload_finding(dm.to_bytes(broken))
    assert finding is not None and "JW301" in finding
    assert gm.payload_finding(b"<niet-bekend/>") is not None


# --- the endpoint --------------------------------------------------------------------------------


def _di01(payload: bytes, functie: str = "WMO305", referentienummer: str | None = None) -> tuple[str, bytes]:
    ref = referentienummer or str(uuid.uuid4())
    body = stuf.build_request("ggk_Di01", zender=stuf.Party(AGB, "VECOZOWebservice"),
                              ontvanger=stuf.Party(CBS, "DemoGemeente"), referentienummer=ref, tijdstip=NOW,
                              functie=functie, functie_versie="3", functie_subversie="1", payload=payload,
                              applicatie_versie="1", applicatie_subversie="0")
    return ref, body


def _post(gemeente: DemoGemeente, body: bytes) -> httpx.Response:
    return httpx.post(gemeente.endpoint_url, content=body, headers={"Content-Type": "text/xml; charset=utf-8"},
                      timeout=10)


@pytest.fixture
def gemeente():
    with DemoGemeente("http://127.0.0.1:9", "token", mode="webservice") as started:
        yield started
    assert started.endpoint._server is None  # closed by the context manager


@pytest.fixture
def heen_305() -> bytes:
    return _aanbieder_heen("iwmo", "3.1", "305", random.Random(11))[1]


def test_endpoint_answers_a_bv03_naming_the_delivery(gemeente, heen_305):
    assert gemeente.endpoint_url.startswith("http://127.0.0.1:") and gemeente.endpoint_url.endswith("/ontvang")
    ref, body = _di01(heen_305)
    response = _post(gemeente, body)
    assert response.status_code == 200
    answer = stuf.parse_response(response.content)
    assert isinstance(answer, stuf.Bv03)
    assert answer.cross_refnummer == ref and answer.referentienummer != ref
    assert answer.ontvanger_organisatie == AGB
    [delivery] = gemeente.deliveries
    assert (delivery.referentienummer, delivery.functie, delivery.attempts, delivery.accepted) == (ref, "WMO305", 1, 1)
    [inbound] = gemeente.endpoint.drain()
    assert inbound.ref == ref and inbound.payload == heen_305 and inbound.operation == "ggk_Di01"
    assert gemeente.endpoint.drain() == []


def test_endpoint_down_answers_503_and_records_the_attempt(gemeente, heen_305):
    ref, body = _di01(heen_305)
    gemeente.down(True)
    assert _post(gemeente, body).status_code == 503
    [delivery] = gemeente.deliveries
    assert delivery.attempts == 1 and delivery.answers == ["503"] and delivery.accepted == 0
    assert gemeente.endpoint.drain() == []  # nothing accepted, nothing to handle
    gemeente.down(False)
    assert _post(gemeente, body).status_code == 200
    assert _post(gemeente, body).status_code == 200  # a repeat is acknowledged again …
    [delivery] = gemeente.deliveries
    assert delivery.answers == ["503", "Bv03", "Bv03"] and delivery.accepted == 2  # … and visible as twice
    assert [i.ref for i in gemeente.endpoint.drain()] == [ref]  # … but handled once


def test_endpoint_refuses_an_invalid_payload_with_stuf055(gemeente, heen_305):
    broken = dm.to_bytes(dm.break_payload(etree.fromstring(heen_305)))
    ref, body = _di01(broken)
    response = _post(gemeente, body)
    assert response.status_code == 500
    answer = stuf.parse_response(response.content)
    assert isinstance(answer, stuf.Fo03)
    assert answer.code == "StUF055" and answer.cross_refnummer == ref and answer.faultcode == "soap:Client"
    [delivery] = gemeente.deliveries
    assert delivery.answers == ["StUF055"]
    assert gemeente.endpoint.drain() == []


def test_endpoint_refuses_an_unreadable_envelope_with_rin001(gemeente):
    response = _post(gemeente, b"<geen-soap/>")
    assert response.status_code == 500
    answer = stuf.parse_response(response.content)
    assert isinstance(answer, stuf.Fo03) and answer.code == "RIN001"
    assert gemeente.deliveries == [] and len(gemeente.endpoint.unreadable) == 1


# --- the gemeente against an in-process fake of the GGk and the KTO clock -------------------------

START = datetime.fromisoformat("2022-03-30T10:00:00+02:00")  # a Wednesday
HEEN_DEADLINE = datetime.fromisoformat("2022-03-30T17:00:00+02:00")
HEEN_BLOCK = datetime.fromisoformat("2022-03-31T09:00:00+02:00")
RETOUR_BLOCK = datetime.fromisoformat("2022-03-31T13:00:00+02:00")
GO_LIVE = datetime.fromisoformat("2022-04-04T13:00:00+02:00")
END = datetime.fromisoformat("2022-04-06T00:00:00+02:00")
HEENS = ["301", "305", "307", "315", "317", "319", "323"]
RETOURS = ["302", "306", "308", "316", "318", "320", "325"]
TOKEN = "geheim"


def _klok(now: datetime) -> dict:
    return {
        "nu": now.isoformat(), "snelheid": "step", "einde": END.isoformat(), "klaar": now >= END,
        "overdracht": START.isoformat(), "ingebruikname": GO_LIVE.isoformat(), "oude_release": "3.0",
        "nieuwe_release": "3.1", "partij": {"soort": "gemeente", "code": CBS},
        "blokkades": [{"id": "b1", "tijdstip": HEEN_BLOCK.isoformat(), "berichten": HEENS},
                      {"id": "b2", "tijdstip": RETOUR_BLOCK.isoformat(), "berichten": RETOURS}],
        "deadlines": [{"id": "d1", "tijdstip": START.isoformat(), "actor": "aanbieder", "berichten": ["305"]},
                      {"id": "d2", "tijdstip": HEEN_DEADLINE.isoformat(), "actor": "gemeente",
                       "berichten": ["301", "319"]}],
    }


class FakeGGk:
    """The gemeente side of ``ketensim kto serve``: step clock, caseload, GGk intake with the draaiboek checks,
    and delivery of the aanbieders' heens by webservice (retried until a Bv03) or to the portal mailbox."""

    def __init__(self, mode: str, seed: int = 21) -> None:
        self.mode, self.now, self.rng = mode, START, random.Random(seed)
        self.endpoint = ""
        self.schedule: list[tuple[datetime, bytes, str]] = []  # (due, payload, crossRefnummer of a Du01)
        self.pending: list[tuple[str, bytes, str]] = []  # webservice: (referentienummer, payload, cross) to offer
        self.mailbox: dict[str, dict] = {}
        self.delivered: dict[str, tuple[datetime, bytes]] = {}
        self.answered: set[str] = set()
        self.accepted: list[tuple[datetime, object, bytes, stuf.Envelope]] = []
        self.caseload: list[dict] = []
        self._plan()

    def _plan(self) -> None:
        rng = self.rng
        for n in range(4):
            self.schedule.append((START, _aanbieder_heen(("iwmo", "ijw")[n % 2], "3.0", "305", rng)[1], ""))
        for number in ("307", "315", "323"):
            self.schedule.append((START, _aanbieder_heen("iwmo", "3.0", number, rng)[1], ""))
        ents = dm.new_client_entities(rng, standard="ijw", gemeente=CBS, agb=AGB, dagtekening=date(2022, 1, 3))
        t = ents.toewijzing
        self.caseload.append({"bsn": t.bsn, "standaard": "ijw", "gemeente": CBS, "aanbieder": AGB,
                              "toewijzingnummer": t.toewijzingnummer,
                              "product": {"categorie": t.product.categorie, "code": t.product.code},
                              "ingangsdatum": t.ingangsdatum.isoformat(), "einddatum": t.einddatum.isoformat(),
                              "gestart": True})
        mt = CATALOGUE.get("ijw", "3.0", "317")
        vow = make_payload(mt, gemeente=ents.gemeente, aanbieder=ents.aanbieder, client=ents.client, toewijzing=t,
                           identificatie="A317", dagtekening=TODAY, rng=rng)
        self.schedule.append((START, dm.to_bytes(build(mt, vow)), ""))
        self.unknown_317 = _aanbieder_heen("iwmo", "3.0", "317", rng)[1]  # a toewijzing the gemeente never made
        self.schedule.append((START, self.unknown_317, ""))
        self.schedule.append((START + timedelta(hours=6), _aanbieder_heen("iwmo", "3.0", "315", rng)[1], ""))
        self.schedule.append((GO_LIVE + timedelta(hours=1), _aanbieder_heen("ijw", "3.1", "315", rng)[1], ""))

    # --- delivering to the gemeente ---
    def deliver_due(self) -> None:
        due = [s for s in self.schedule if s[0] <= self.now]
        self.schedule = [s for s in self.schedule if s[0] > self.now]
        for _, data, cross in due:
            ref = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            self.delivered[ref] = (self.now, data)
            if self.mode == "portal":
                self.mailbox[ref] = {"traceerId": ref, "conversatieId": ref, "alsAntwoordOp": cross,
                                     "aangebodenOp": self.now.isoformat(), "grootte": len(data)}
            else:
                self.pending.append((ref, data, cross))
        self.pending = [p for p in self.pending if not self._offer(*p)]

    def _offer(self, ref: str, data: bytes, cross: str) -> bool:
        mt = dm.read_heen(data).mt
        body = stuf.build_request("ggk_Du01" if cross else "ggk_Di01", zender=stuf.Party(AGB, "VECOZOWebservice"),
                                  ontvanger=stuf.Party(CBS, "DemoGemeente"), referentienummer=ref, tijdstip=self.now,
                                  functie=mt.code, functie_versie=mt.bericht_versie,
                                  functie_subversie=mt.bericht_subversie, payload=data, applicatie_versie="1",
                                  applicatie_subversie="0", cross_refnummer=cross)
        response = httpx.post(self.endpoint, content=body, timeout=10)
        return response.status_code == 200 and isinstance(stuf.parse_response(response.content), stuf.Bv03)

    # --- the HTTP interface ---
    def handler(self, request: httpx.Request) -> httpx.Response:
        assert request.headers.get("authorization") == f"Bearer {TOKEN}"
        path, method = request.url.path, request.method
        if path == "/kto/klok":
            if method == "POST":
                self.now = max(self.now, datetime.fromisoformat(__import__("json").loads(request.content)["tot"]))
            self.deliver_due()
            return httpx.Response(200, json=_klok(self.now))
        if path == "/kto/clienten":
            return httpx.Response(200, json=self.caseload)
        if path == "/berichten" and method == "GET":
            return httpx.Response(200, json=list(self.mailbox.values()))
        if path.endswith("/payload"):
            return httpx.Response(200, content=self.delivered[path.split("/")[2]][1])
        if path.startswith("/berichten/") and method == "DELETE":
            self.mailbox.pop(path.split("/")[2], None)
            return httpx.Response(204)
        if path == "/ggk0210/OntvangAsynchroon" and method == "POST":
            assert request.headers["content-type"].startswith("text/xml")
            return self.intake(stuf.parse_request(request.content))
        return httpx.Response(404)

    def intake(self, env: stuf.Envelope) -> httpx.Response:
        def refuse(code: str) -> httpx.Response:
            error = stuf.StufError(code, code, "test", "client")
            return httpx.Response(500, content=stuf.build_fault(error, cross_refnummer=env.referentienummer))

        assert (env.zender_organisatie, env.ontvanger_organisatie, env.ontvanger_applicatie) == (CBS, AGB, "GGk")
        if gm.payload_finding(env.payload) is not None:
            return refuse("CC02")
        received = dm.read_heen(env.payload)
        mt = received.mt
        assert env.functie == mt.code and (env.functie_versie, env.functie_subversie) == (
            mt.bericht_versie, mt.bericht_subversie)
        if env.operation == "ggk_Du01":
            heen_at, heen = self.delivered[env.cross_refnummer]
            if env.cross_refnummer in self.answered:
                return refuse("KS05")
            if dm.read_heen(heen).mt.release != mt.release:
                return refuse("KS06")
        if (mt.release == "3.0") == (self.now >= GO_LIVE):
            return refuse("KS03")
        block = HEEN_BLOCK if mt.role == "heen" else RETOUR_BLOCK
        if mt.release == "3.0" and self.now >= block:
            return refuse("IB103")
        if env.operation == "ggk_Du01":
            self.answered.add(env.cross_refnummer)
        else:  # the aanbieder's technical retour on the gemeente's heen comes back in the next step
            retour = dm.retour_on(received, identificatie="A99", dagtekening=self.now.date())
            self.schedule.append((self.now + timedelta(minutes=1), dm.to_bytes(retour), env.referentienummer))
        self.accepted.append((self.now, mt, env.payload, env))
        return httpx.Response(200, content=stuf.build_bv03(
            zender=stuf.Party("IB", "GGk"), ontvanger=stuf.Party(CBS, "DemoGemeente"),
            referentienummer=str(uuid.uuid4()), cross_refnummer=env.referentienummer, tijdstip=self.now))


def _rehearse(behaviour: str, mode: str, until: datetime = END) -> tuple[FakeGGk, DemoGemeente]:
    ggk = FakeGGk(mode)
    http = httpx.Client(transport=httpx.MockTransport(ggk.handler))
    gemeente = DemoGemeente("http://ketensim.test", TOKEN, behaviour=behaviour, seed=4, mode=mode, client=http)
    with gemeente:
        ggk.endpoint = gemeente.endpoint_url if mode == "webservice" else ""
        gemeente.rehearse(step_minutes=60, until=until)
    return ggk, gemeente


def _at(entry: dict) -> datetime:
    return datetime.fromisoformat(entry["at"])


def _referentie(payload: bytes) -> list[str]:
    return _texts(etree.fromstring(payload), "ReferentieAanbieder")


@pytest.fixture(scope="module")
def compliant():
    return _rehearse("compliant", "webservice")


@pytest.fixture(scope="module")
def sloppy():
    return _rehearse("sloppy", "portal")


def test_compliant_answers_every_heen_once_in_its_step_and_release(compliant):
    ggk, gemeente = compliant
    heens = {ref for ref, (_, data) in ggk.delivered.items() if dm.read_heen(data).mt.role == "heen"}
    assert ggk.answered == heens and ggk.pending == []
    retours = [e for e in gemeente.log if e["alsAntwoordOp"]]
    assert len(retours) == len(heens)
    for e in retours:
        at, data = ggk.delivered[e["alsAntwoordOp"]]
        assert _at(e) == at and e["release"] == dm.read_heen(data).mt.release
    assert all(d.accepted == 1 for d in gemeente.deliveries)
    assert len(gemeente.deliveries) == len(ggk.delivered)  # the 302s on its own 301s were received too


def test_compliant_follows_the_draaiboek(compliant):
    ggk, gemeente = compliant
    assert gemeente.log and all(e["status"] == 200 and not e["faults"] and not e["codes"] for e in gemeente.log)
    heens = [e for e in gemeente.log if not e["alsAntwoordOp"]]
    assert not [e for e in heens if HEEN_DEADLINE <= _at(e) < GO_LIVE]
    assert all(e["release"] == ("3.1" if _at(e) >= GO_LIVE else "3.0") for e in heens)
    assert [e for e in heens if _at(e) == GO_LIVE]  # what it held goes out at go-live
    assert _at(heens[0]) == START  # a new client's 301 on the first working day


def test_compliant_answers_each_request_functionally_one_step_later(compliant):
    ggk, gemeente = compliant
    requests = {ref: (at, data) for ref, (at, data) in ggk.delivered.items()
                if dm.read_heen(data).mt.number in ("315", "317")}
    assert len(requests) == 5
    answers = [(at, mt, payload) for at, mt, payload, env in ggk.accepted
               if mt.number in ("301", "319") and _referentie(payload)]
    for at, data in requests.values():
        referentie = gm.read_verzoek(data).referentie
        [(answered_at, mt, payload)] = [a for a in answers if _referentie(a[2]) == [referentie]]
        expected = at + timedelta(hours=1)
        assert answered_at == (GO_LIVE if HEEN_DEADLINE <= expected < GO_LIVE else expected)
        if mt.number == "319":
            assert _texts(etree.fromstring(payload), "VerzoekAntwoord") == ["1"]
    assert {mt.number for _, mt, _ in answers} == {"301", "319"}
    unknown = gm.read_verzoek(ggk.unknown_317).referentie
    assert [mt.number for _, mt, payload in answers if _referentie(payload) == [unknown]] == ["319"]


def test_sloppy_makes_exactly_the_recorded_mistakes(sloppy):
    ggk, gemeente = sloppy
    broken = [e for e in gemeente.log if "xsd" in e["faults"]]
    assert len(broken) == 1 and broken[0]["codes"] == ["CC02"] and broken[0]["subtype"].endswith("301")
    late = [e for e in gemeente.log if "late_retour" in e["faults"]]
    assert len(late) == 2  # the 1st and 4th of four old-release 305s
    assert all(_at(e) == RETOUR_BLOCK and e["codes"] == ["IB103"] and e["subtype"].endswith("306") for e in late)
    after_block = [e for e in gemeente.log if "after_block" in e["faults"]]
    assert any(e["subtype"].endswith("301") for e in after_block)
    assert [e["subtype"] for e in after_block if _at(e) == HEEN_BLOCK] == ["WMO319"]  # due at the deadline
    assert all(e["codes"] == ["IB103"] for e in after_block)
    old = [e for e in gemeente.log if "old_release" in e["faults"]]
    assert old and all(GO_LIVE <= _at(e) < GO_LIVE + timedelta(days=1) and e["codes"] == ["KS03"] for e in old)
    assert all(e["status"] == 200 for e in gemeente.log if not e["faults"])
    assert ggk.mailbox == {}  # everything pulled was confirmed


def test_an_outage_of_the_endpoint_is_survived_without_double_handling():
    ggk = FakeGGk("webservice")
    gemeente = DemoGemeente("http://ketensim.test", TOKEN, seed=4, client=httpx.Client(
        transport=httpx.MockTransport(ggk.handler)))
    with gemeente:
        ggk.endpoint = gemeente.endpoint_url
        gemeente.down(True)
        gemeente.step()  # the first deliveries meet the outage
        assert len(ggk.pending) == 9 and gemeente.log[0]["subtype"].endswith("301")
        gemeente.down(False)
        gemeente.rehearse(step_minutes=60, until=START + timedelta(hours=2))
    assert ggk.pending == []
    first = [d for d in gemeente.deliveries if d.answers[0] == "503"]
    assert len(first) == 9 and all(d.answers == ["503", "Bv03"] for d in first)
    assert len([e for e in gemeente.log if e["alsAntwoordOp"] in {d.referentienummer for d in first}]) == 9
