"""The demo aanbieder system: its messages validate, its retours repeat the heen, its behaviours hold.

No server is needed: the messages are built and checked directly, and :class:`DemoVendor` is driven
against a small in-process fake of the REST interface (``httpx.MockTransport``) that validates what
it receives and refuses by the draaiboek the way the hubs do (IB103 after a block, KS03 for the wrong
release, KS06 for a retour in another release than its heen).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP

import httpx
import pytest
from lxml import etree

from ketensim.exceptions import KetensimError
from ketensim.kto import demo_messages as dm
from ketensim.kto.demo_vendor import DemoVendor, DraaiboekView
from ketensim.population import (
    Aanbieder,
    ToewijzingNummers,
    is_valid_bsn,
    load_gemeenten,
    new_bsn,
    new_client,
    new_toewijzing,
)
from ketensim.standards.builders import build
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.payload_factory import make_payload
from ketensim.standards.validation import detect, diagnose, is_valid, parse_xml

CATALOGUE = get_catalogue()
AGB = "12345678"
TODAY = date(2022, 3, 28)
GEMEENTE = {"iwmo": "0363", "ijw": "0599"}
CASES = [(s, r) for s in ("iwmo", "ijw") for r in ("3.0", "3.1")]


def _gemeente(code: str):
    return next(g for g in load_gemeenten(2022) if g.code == code)


def _heen(standard: str, release: str, number: str, rng: random.Random, *, ingang: date, ident: str = "G000001",
          mutatie: str = "nieuw"):
    """A gemeente's heen (301 or 319) built with ketensim's own builders, as ``ketensim generate`` does."""
    g = _gemeente(GEMEENTE[standard])
    client = new_client(rng, bsn=new_bsn(rng), standard=standard, gemeente=g, peildatum=TODAY)
    aanbieder = Aanbieder(AGB, "Test", frozenset({standard}), {}, 1.0)
    t = new_toewijzing(rng, standard=standard, gemeente=g.code, agb=AGB, bsn=client.bsn,
                       nummers=ToewijzingNummers(rng), ingangsdatum=ingang)
    mt = CATALOGUE.get(standard, release, number)
    payload = make_payload(mt, gemeente=g, aanbieder=aanbieder, client=client, toewijzing=t, identificatie=ident,
                           dagtekening=min(TODAY, t.toewijzingsdatum + timedelta(days=1)), rng=rng, mutatie=mutatie)
    return mt, payload, build(mt, payload)


def _valid(mt, element) -> None:
    assert is_valid(mt, element), [str(f) for f in diagnose(mt, element)]


def _header_text(element, *path: str) -> str:
    el = element
    for name in path:
        el = next(c for c in el if etree.QName(c).localname == name)
    return el.text


# --- messages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_302_repeats_the_heen_identification_and_validates(standard, release):
    mt, payload, heen = _heen(standard, release, "301", random.Random(1), ingang=TODAY - timedelta(days=20))
    received = dm.read_heen(dm.to_bytes(heen))
    assert received.mt == mt
    assert received.header == payload.header

    retour = dm.retour_on(received, identificatie="D00000000007", dagtekening=TODAY)
    mt_retour = CATALOGUE.get(standard, release, "302")
    _valid(mt_retour, retour)
    assert detect(retour) == mt_retour  # the heen's release, not today's
    assert _header_text(retour, "Header", "BerichtIdentificatie", "Identificatie") == "G000001"
    dagtekening = _header_text(retour, "Header", "BerichtIdentificatie", "Dagtekening")
    assert dagtekening == payload.header.dagtekening.isoformat()
    assert _header_text(retour, "Header", "IdentificatieRetour") == "D00000000007"
    assert _header_text(retour, "Header", "Afzender") == GEMEENTE[standard]  # the heen's header, unchanged
    assert _header_text(retour, "Header", "Ontvanger") == AGB


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_320_on_a_319_validates(standard, release):
    _, payload, heen = _heen(standard, release, "319", random.Random(2), ingang=TODAY, ident="A19")
    retour = dm.retour_on(dm.read_heen(dm.to_bytes(heen)), identificatie="D00000000001", dagtekening=TODAY)
    _valid(CATALOGUE.get(standard, release, "320"), retour)
    assert _header_text(retour, "Header", "BerichtIdentificatie", "Identificatie") == "A19"


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_a_301_is_read_into_its_case(standard, release):
    _, payload, heen = _heen(standard, release, "301", random.Random(3), ingang=TODAY - timedelta(days=5))
    (case,) = dm.read_heen(dm.to_bytes(heen)).cases
    client = payload.clienten[0]
    product = client.producten[0]
    assert case.key == (standard, GEMEENTE[standard], product.toewijzingnummer)
    assert (case.bsn, case.categorie, case.code) == (
        client.persoon.bsn, product.product.categorie, product.product.code)
    assert (case.ingangsdatum, case.einddatum, case.omvang) == (
        product.ingangsdatum, product.einddatum, product.omvang)
    assert case.persoon == client.persoon
    assert case.reden_wijziging is None


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_heens_for_a_case_from_a_301_validate(standard, release):
    rng = random.Random(4)
    _, payload, heen = _heen(standard, release, "301", rng, ingang=TODAY - timedelta(days=70))
    (case,) = dm.read_heen(dm.to_bytes(heen)).cases
    ents = dm.case_entities(case, AGB, rng, TODAY)
    for number, builder in (("305", dm.start), ("307", dm.stop), ("323", dm.declaratie), ("315", dm.verzoek)):
        element = builder(standard, release, ents, identificatie="D00000000002", dagtekening=TODAY, rng=rng)
        _valid(dm.heen_type(standard, release, number), element)
    start = dm.start(standard, release, ents, identificatie="D00000000003", dagtekening=TODAY, rng=rng)
    text = etree.tostring(start, encoding="unicode")
    assert f">{case.toewijzingnummer}<" in text
    assert f">{case.persoon.naam.achternaam}<" in text  # the client as the gemeente named it


@pytest.mark.parametrize(("standard", "release"), CASES)
@pytest.mark.parametrize("code", [None, "given"])
def test_heens_for_a_caseload_entry_validate(standard, release, code):
    rng = random.Random(5)
    categorie = "10" if standard == "iwmo" else "45"
    entry = {"bsn": new_bsn(rng), "standaard": standard, "gemeente": GEMEENTE[standard], "toewijzingnummer": 4242,
             "product": {"categorie": categorie, "code": None if code is None else f"{categorie}A49"},
             "ingangsdatum": "2021-11-15", "gestart": True}
    case = dm.case_from_clienten_entry(entry)
    ents = dm.case_entities(case, AGB, rng, TODAY)
    assert ents.toewijzing.toewijzingnummer == 4242
    assert ents.toewijzing.einddatum > TODAY
    for number, builder in (("305", dm.start), ("307", dm.stop), ("323", dm.declaratie)):
        element = builder(standard, release, ents, identificatie="D00000000004", dagtekening=TODAY, rng=rng)
        _valid(dm.heen_type(standard, release, number), element)
    decl = etree.tostring(dm.declaratie(standard, release, ents, identificatie="D5", dagtekening=TODAY, rng=rng),
                          encoding="unicode")
    assert f">{entry['bsn']}<" in decl


def test_a_malformed_caseload_entry_is_refused_clearly():
    with pytest.raises(ValueError, match="malformed /kto/clienten entry"):
        dm.case_from_clienten_entry({"bsn": "123", "standaard": "iwmo"})


@pytest.mark.parametrize(("standard", "release"), CASES)
def test_315_for_a_new_client_validates(standard, release):
    rng = random.Random(6)
    ents = dm.new_client_entities(rng, standard=standard, gemeente=GEMEENTE[standard], agb=AGB, dagtekening=TODAY)
    assert is_valid_bsn(ents.client.bsn)
    element = dm.verzoek(standard, release, ents, identificatie="D00000000005", dagtekening=TODAY, rng=rng)
    _valid(dm.heen_type(standard, release, "315"), element)
    other = dm.new_client_entities(rng, standard=standard, gemeente=GEMEENTE[standard], agb=AGB, dagtekening=TODAY)
    assert other.client.bsn != ents.client.bsn


@pytest.mark.parametrize(("standard", "release"), CASES)
@pytest.mark.parametrize("number", ["305", "315", "323"])
def test_the_sloppy_payload_fails_its_xsd(standard, release, number):
    rng = random.Random(7)
    _, _, heen = _heen(standard, release, "301", rng, ingang=TODAY - timedelta(days=70))
    ents = dm.case_entities(dm.read_heen(dm.to_bytes(heen)).cases[0], AGB, rng, TODAY)
    builder = {"305": dm.start, "315": dm.verzoek, "323": dm.declaratie}[number]
    element = builder(standard, release, ents, identificatie="D00000000006", dagtekening=TODAY, rng=rng)
    mt = dm.heen_type(standard, release, number)
    broken = dm.break_payload(element)
    assert not is_valid(mt, broken)
    assert is_valid(mt, element)  # the original is left intact
    assert is_valid(mt, parse_xml(dm.to_bytes(element)))


def test_identificatie_is_short_and_unique():
    counter = dm.IdentificatieCounter()
    values = [counter.next() for _ in range(1000)]
    assert len(set(values)) == 1000
    assert all(len(v) <= 12 and v.startswith("D") for v in values)


def test_metadata_names_the_message():
    mt = CATALOGUE.get("ijw", "3.1", "302")
    meta = dm.bericht_metadata(mt, afzender=AGB, geadresseerde="0599", conversatie_id="c", traceer_id="t",
                               als_antwoord_op="h")
    stroom = meta["routering"]["berichtstroom"]
    assert (stroom["berichttype"], stroom["berichtsubtype"], stroom["berichtversie"], stroom["berichtsubversie"]) == (
        "JW", "JW302", "3", "1")
    assert meta["referentie"] == {"conversatieId": "c", "traceerId": "t", "alsAntwoordOp": "h", "referentieId": ""}


def test_draaiboek_view_hold_instant():
    klok = _klok_body(datetime.fromisoformat("2022-03-30T10:00:00+02:00"), False)
    dr = DraaiboekView.from_klok(klok)
    assert dr.hold_from("305") == datetime.fromisoformat("2022-03-30T17:00:00+02:00")
    assert dr.hold_from("323") == datetime.fromisoformat("2022-03-23T23:00:00+01:00")  # its own, earlier deadline
    assert dr.block("302") == datetime.fromisoformat("2022-03-31T13:00:00+02:00")
    assert dr.release_at(dr.go_live) == "3.1"


# --- the vendor against an in-process fake of the REST interface ---------------------------------

START = datetime.fromisoformat("2022-03-30T10:00:00+02:00")
HEEN_DEADLINE = datetime.fromisoformat("2022-03-30T17:00:00+02:00")
RETOUR_BLOCK = datetime.fromisoformat("2022-03-31T13:00:00+02:00")
GO_LIVE = datetime.fromisoformat("2022-04-04T13:00:00+02:00")
END = datetime.fromisoformat("2022-04-06T00:00:00+02:00")
HEEN_NUMBERS = ["301", "305", "307", "315", "317", "319", "323"]
RETOUR_NUMBERS = ["302", "306", "308", "316", "318", "320", "325"]


def _klok_body(now: datetime, klaar: bool) -> dict:
    return {
        "nu": now.isoformat(), "snelheid": "step", "einde": END.isoformat(), "klaar": klaar,
        "overdracht": START.isoformat(), "ingebruikname": GO_LIVE.isoformat(), "oude_release": "3.0",
        "nieuwe_release": "3.1", "partij": {"soort": "aanbieder", "code": AGB},
        "blokkades": [{"id": "3.2.1", "tijdstip": HEEN_DEADLINE.isoformat(), "berichten": HEEN_NUMBERS},
                      {"id": "3.2.2", "tijdstip": RETOUR_BLOCK.isoformat(), "berichten": RETOUR_NUMBERS}],
        "deadlines": [{"id": "3.1.1", "tijdstip": "2022-03-23T23:00:00+01:00", "actor": "aanbieder",
                       "berichten": ["323"]},
                      {"id": "3.1.2", "tijdstip": HEEN_DEADLINE.isoformat(), "actor": "aanbieder",
                       "berichten": ["305", "307", "315", "317"]},
                      {"id": "3.1.3", "tijdstip": HEEN_DEADLINE.isoformat(), "actor": "gemeente",
                       "berichten": ["301", "319"]}],
    }


@dataclass
class _Delivered:
    traceer: str
    conversatie: str
    at: datetime
    mt: object
    data: bytes
    identificatie: str
    answered: bool = False


@dataclass
class FakeServer:
    """The REST contract of ``ketensim kto serve`` with a step clock and the hubs' draaiboek checks."""

    token: str = "geheim"
    now: datetime = START
    paced: bool = False  # a paced clock moves an hour on every look instead of on POST /kto/klok
    moves: int = 0
    down_until: datetime = START  # POST /berichten answers 503 before this instant
    schedule: list[tuple[datetime, bytes]] = field(default_factory=list)  # heens the gemeenten send
    mailbox: dict[str, _Delivered] = field(default_factory=dict)
    delivered: dict[str, _Delivered] = field(default_factory=dict)
    accepted: list[tuple[datetime, object, dict]] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    seq: int = 0

    def deliver_due(self) -> None:
        due = [(at, data) for at, data in self.schedule if at <= self.now]
        self.schedule = [(at, data) for at, data in self.schedule if at > self.now]
        for at, data in due:
            self.seq += 1
            tree = parse_xml(data)
            head = dm.read_heen(data).header
            item = _Delivered(f"00000000-0000-4000-8000-{self.seq:012d}", f"c-{self.seq}", self.now, detect(tree),
                              data, head.identificatie)
            self.mailbox[item.traceer] = self.delivered[item.traceer] = item

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401, "meldingen": []})
        path, method = request.url.path, request.method
        if path == "/kto/klok":
            if method == "POST":
                assert not self.paced
                self.moves += 1
                self.now = max(self.now, datetime.fromisoformat(json.loads(request.content)["tot"]))
            elif self.paced:
                self.now = min(END, self.now + timedelta(hours=1))
            self.deliver_due()
            body = _klok_body(self.now, self.now >= END)
            return httpx.Response(200, json=body | ({"snelheid": 3600} if self.paced else {}))
        if path == "/kto/clienten":
            return httpx.Response(200, json=[
                {"bsn": "111222333", "standaard": "iwmo", "gemeente": "0363", "toewijzingnummer": 900001,
                 "product": {"categorie": "10", "code": None}, "ingangsdatum": "2021-10-01", "gestart": True},
                {"bsn": "123456782", "standaard": "ijw", "gemeente": "0599", "toewijzingnummer": 900002,
                 "product": {"categorie": "45", "code": "45J01"}, "ingangsdatum": "2022-01-10", "gestart": True},
            ])
        if path == "/berichten" and method == "GET":
            return httpx.Response(200, json=[{"traceerId": m.traceer, "conversatieId": m.conversatie,
                                              "alsAntwoordOp": "", "aangebodenOp": m.at.isoformat(),
                                              "grootte": len(m.data)} for m in self.mailbox.values()])
        if path.endswith("/payload"):
            return httpx.Response(200, content=self.delivered[path.split("/")[2]].data)
        if method == "DELETE":
            self.confirmed.append(path.split("/")[2])
            self.mailbox.pop(path.split("/")[2], None)
            return httpx.Response(204)
        if path == "/berichten" and method == "POST":
            return self.submit(request)
        return httpx.Response(404)

    def submit(self, request: httpx.Request) -> httpx.Response:
        if self.now < self.down_until:
            return httpx.Response(503, json={"title": "Storing", "status": 503, "meldingen": [
                {"code": "KS07", "omschrijving": "", "toelichting": "", "plek": ""}]})
        body = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.content
        parts = {p.get_param("name", header="content-disposition"): p
                 for p in BytesParser(policy=HTTP).parsebytes(body).iter_parts()}
        meta = json.loads(parts["berichtMetadata"].get_content())
        data = parts["payload"].get_payload(decode=True)
        tree = parse_xml(data)
        mt = detect(tree)
        if not is_valid(mt, tree):
            return self.refuse("CC02")
        stroom = meta["routering"]["berichtstroom"]
        assert stroom["berichtsubtype"] == mt.code and meta["routering"]["afzender"]["code"] == AGB
        assert (stroom["berichtversie"], stroom["berichtsubversie"]) == (mt.bericht_versie, mt.bericht_subversie)
        if mt.role == "retour":
            heen = self.delivered[meta["referentie"]["alsAntwoordOp"]]
            assert meta["referentie"]["conversatieId"] == heen.conversatie and not heen.answered
            ident = tree.getroot()[0]
            assert _header_text(ident, "BerichtIdentificatie", "Identificatie") == heen.identificatie
            if heen.mt.release != mt.release:
                return self.refuse("KS06")
        blocks = dict.fromkeys(HEEN_NUMBERS, HEEN_DEADLINE) | dict.fromkeys(RETOUR_NUMBERS, RETOUR_BLOCK)
        if mt.release == "3.0" and self.now >= GO_LIVE or mt.release == "3.1" and self.now < GO_LIVE:
            return self.refuse("KS03")
        if mt.release == "3.0" and self.now >= blocks[mt.number]:
            return self.refuse("IB103")
        if mt.role == "retour":
            heen.answered = True
        self.accepted.append((self.now, mt, meta))
        return httpx.Response(204, headers={"traceerId": meta["referentie"]["traceerId"]})

    @staticmethod
    def refuse(code: str) -> httpx.Response:
        return httpx.Response(422, json={"title": "Geweigerd", "status": 422,
                                         "meldingen": [{"code": code, "omschrijving": "", "toelichting": "",
                                                        "plek": ""}]})


def _server() -> FakeServer:
    """Six old-release 301s and a 319 at the start, a 301 just before the heen deadline, a 3.1 301 after go-live."""
    rng = random.Random(11)
    server = FakeServer()
    for n in range(6):
        standard = ("iwmo", "ijw")[n % 2]
        _, _, heen = _heen(standard, "3.0", "301", rng, ingang=date(2022, 3, 1), ident=f"G{n}")
        server.schedule.append((START, dm.to_bytes(heen)))
    _, _, answer = _heen("iwmo", "3.0", "319", rng, ingang=date(2022, 3, 1), ident="G319")
    server.schedule.append((START, dm.to_bytes(answer)))
    _, _, late = _heen("ijw", "3.0", "301", rng, ingang=date(2022, 3, 1), ident="G7")
    server.schedule.append((START + timedelta(hours=6), dm.to_bytes(late)))  # read at 16:00
    _, _, new = _heen("iwmo", "3.1", "301", rng, ingang=date(2022, 4, 1), ident="G8")
    server.schedule.append((GO_LIVE + timedelta(hours=1), dm.to_bytes(new)))
    return server


def _rehearse(behaviour: str) -> tuple[FakeServer, DemoVendor]:
    server = _server()
    http = httpx.Client(transport=httpx.MockTransport(server.handler))
    vendor = DemoVendor("http://ketensim.test", server.token, behaviour=behaviour, seed=3, client=http)
    vendor.rehearse(step_minutes=60)
    return server, vendor


def _at(entry: dict) -> datetime:
    return datetime.fromisoformat(entry["at"])


@pytest.fixture(scope="module")
def compliant():
    return _rehearse("compliant")


@pytest.fixture(scope="module")
def sloppy():
    return _rehearse("sloppy")


def test_compliant_answers_every_heen_in_its_step_and_release(compliant):
    server, vendor = compliant
    retours = [e for e in vendor.log if e["alsAntwoordOp"]]
    assert sorted(e["alsAntwoordOp"] for e in retours) == sorted(server.delivered)
    read_at = {r["traceerId"]: r for r in vendor.received}
    for e in retours:
        heen = read_at[e["alsAntwoordOp"]]
        assert e["at"] == heen["at"] and e["release"] == heen["release"]
        assert e["subtype"][-3:] == {"301": "302", "319": "320"}[heen["subtype"][-3:]]
    assert server.mailbox == {} and sorted(server.confirmed) == sorted(server.delivered)


def test_compliant_follows_the_draaiboek(compliant):
    server, vendor = compliant
    assert vendor.log and all(e["status"] == 204 and not e["faults"] and not e["codes"] for e in vendor.log)
    heens = [e for e in vendor.log if not e["alsAntwoordOp"]]
    assert not [e for e in heens if HEEN_DEADLINE <= _at(e) < GO_LIVE]
    assert all(e["release"] == ("3.1" if _at(e) >= GO_LIVE else "3.0") for e in heens)
    starts = [e for e in heens if e["subtype"].endswith("305")]
    assert len(starts) == 8  # one per new toewijzing
    assert sum(_at(e) == GO_LIVE for e in starts) == 1  # read at 16:00, due at 17:00, held until go-live
    first_step = START + timedelta(hours=1)
    assert sum(_at(e) == first_step for e in starts) == 6  # one step after reading the 301s
    declarations = [e for e in heens if e["subtype"].endswith("323")]
    assert {(_at(e), e["release"]) for e in declarations} == {(GO_LIVE, "3.1")}  # 1 April held until go-live
    assert len(declarations) == 2  # one per gemeente with a started case
    assert [e for e in heens if e["subtype"].endswith("315")]


def test_sloppy_makes_exactly_the_recorded_mistakes(sloppy):
    server, vendor = sloppy
    broken = [e for e in vendor.log if "xsd" in e["faults"]]
    assert len(broken) == 1 and broken[0]["codes"] == ["CC02"] and broken[0] is vendor.log[
        next(i for i, e in enumerate(vendor.log) if not e["alsAntwoordOp"])]
    late = [e for e in vendor.log if "late_retour" in e["faults"]]
    assert len(late) == 3  # the 1st, 4th and 7th of seven old-release 301s
    assert all(_at(e) == RETOUR_BLOCK and e["codes"] == ["IB103"] and e["release"] == "3.0" for e in late)
    after_block = [e for e in vendor.log if "after_block" in e["faults"]]
    assert any(e["subtype"].endswith("305") for e in after_block)
    assert all(e["codes"] == ["IB103"] for e in after_block if "xsd" not in e["faults"])
    old = [e for e in vendor.log if "old_release" in e["faults"]]
    assert old and all(GO_LIVE <= _at(e) < GO_LIVE + timedelta(days=1) and e["codes"] == ["KS03"] for e in old)
    clean = [e for e in vendor.log if not e["faults"]]
    assert all(e["status"] == 204 for e in clean)
    assert server.mailbox == {}


def test_a_wrong_token_is_reported_in_one_line():
    server = _server()
    http = httpx.Client(transport=httpx.MockTransport(server.handler))
    vendor = DemoVendor("http://ketensim.test", "fout", client=http)
    with pytest.raises(KetensimError, match=r"refused the token \(HTTP 401\)"):
        vendor.step()


def test_an_unreachable_server_is_reported_in_one_line():
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    vendor = DemoVendor("http://127.0.0.1:9", "t", client=httpx.Client(transport=httpx.MockTransport(down)))
    with pytest.raises(KetensimError, match="cannot reach http://127.0.0.1:9/kto/klok: Connection refused"):
        vendor.step()


def test_an_unknown_behaviour_is_refused():
    with pytest.raises(KetensimError, match="behaviour must be one of compliant, sloppy"):
        DemoVendor("http://x", "t", behaviour="careless")


def test_rehearsal_stops_at_until():
    server = _server()
    vendor = DemoVendor("http://ketensim.test", server.token, client=httpx.Client(
        transport=httpx.MockTransport(server.handler)))
    until = START + timedelta(hours=3)
    vendor.rehearse(step_minutes=60, until=until.isoformat())
    assert server.now == until and server.moves == 3
    assert max(_at(e) for e in vendor.log) <= until


def test_a_paced_server_is_not_moved():
    server = _server()
    server.paced = True
    vendor = DemoVendor("http://ketensim.test", server.token, client=httpx.Client(
        transport=httpx.MockTransport(server.handler)))
    vendor.rehearse(pause=0)
    assert server.moves == 0 and server.now == END
    assert sorted(e["alsAntwoordOp"] for e in vendor.log if e["alsAntwoordOp"]) == sorted(server.delivered)


def test_a_503_is_offered_again_in_the_next_step():
    server = _server()
    server.down_until = START + timedelta(minutes=30)
    vendor = DemoVendor("http://ketensim.test", server.token, client=httpx.Client(
        transport=httpx.MockTransport(server.handler)))
    vendor.rehearse(step_minutes=60, until=START + timedelta(hours=2))
    first = [e for e in vendor.log if _at(e) == START]
    assert first and all(e["status"] == 503 and e["codes"] == ["KS07"] for e in first)
    again = [e for e in vendor.log if _at(e) == START + timedelta(hours=1)]
    assert sorted(e["alsAntwoordOp"] for e in first) == sorted(e["alsAntwoordOp"] for e in again
                                                              if not e["subtype"].endswith("305"))
    assert sorted(e["subtype"] for e in first) == sorted(e["subtype"] for e in again if e["subtype"][-3:] != "305")
    assert all(e["status"] == 204 for e in again)
