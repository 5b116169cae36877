"""Builders and payloads: every message of every release, built from random population data, validates.

The property test draws the client, aanbieder, dates, mutation and retour decision with
Hypothesis; the population itself is drawn once per module from a seeded random source.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from ketensim.exceptions import SchemaViolation, UnknownMessageType
from ketensim.population import build_population, is_valid_bsn
from ketensim.standards.builders import build, build_retour, has_builder
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.payload import DeclaratieBericht, ToewijzingBericht
from ketensim.standards.payload_factory import declaratie_payload, make_payload
from ketensim.standards.rules import check
from ketensim.standards.samples import generate_samples, retour_rejections
from ketensim.standards.validation import diagnose, is_valid, schema, validate

CATALOGUE = get_catalogue()
HEEN = [mt for mt in CATALOGUE if mt.role == "heen"]
POPULATION = build_population(random.Random(2024), year=2022, n_clients=300, n_aanbieders=30)


def _ids(mt):
    return f"{mt.standard}-{mt.release}-{mt.code}"


def _payload(mt, seed: int, *, mutatie="nieuw", dagtekening=date(2022, 6, 15)):
    rng = random.Random(seed)
    clients = [c for c in POPULATION.clients if c.standard == mt.standard]
    client = rng.choice(clients)
    aanbieder = POPULATION.sample_aanbieder(rng, mt.standard)
    toewijzing = POPULATION.new_toewijzing(
        rng, client, aanbieder, dagtekening - timedelta(days=rng.randint(65, 400))
    )
    return make_payload(
        mt,
        gemeente=client.gemeente,
        aanbieder=aanbieder,
        client=client,
        toewijzing=toewijzing,
        identificatie=f"X{seed % 10**9}",
        dagtekening=dagtekening,
        rng=rng,
        mutatie=mutatie,
        factuur=bool(seed % 2),
    )


@pytest.mark.parametrize("mt", HEEN, ids=_ids)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    mutatie=st.sampled_from(["nieuw", "wijziging", "intrekking"]),
    offset=st.integers(0, 900),
    retour=st.sampled_from(["accepted", "technical", "rejected"]),
)
def test_every_message_validates(mt, seed, mutatie, offset, retour):
    """A heen built from random population data, and its retour, are valid against their XSDs."""
    payload = _payload(mt, seed, mutatie=mutatie, dagtekening=date(2019, 1, 1) + timedelta(days=offset))
    heen = build(mt, payload)
    assert is_valid(mt, heen), [str(f) for f in diagnose(mt, heen)]
    mt_retour = CATALOGUE.get(mt.standard, mt.release, mt.pair)
    kwargs = {
        "accepted": {},
        "technical": {"retourcodes": ("0001",)},
        "rejected": {"afgekeurd": retour_rejections(mt_retour, payload)},
    }[retour]
    element = build_retour(
        mt_retour, payload, identificatie="R1", dagtekening=payload.header.dagtekening, **kwargs
    )
    assert is_valid(mt_retour, element), [str(f) for f in diagnose(mt_retour, element)]


@pytest.mark.parametrize("mt", list(CATALOGUE), ids=_ids)
def test_every_entry_has_builder_and_xsd(mt):
    """Each catalogue entry can be built and has a compilable XSD."""
    assert has_builder(mt)
    assert schema(mt) is not None


class TestBuild:
    def test_retour_rejected_for_build(self):
        """build() refuses a retour type with a pointer to build_retour."""
        with pytest.raises(UnknownMessageType, match="use build_retour"):
            build(CATALOGUE.get("iwmo", "3.1", "302"), _payload(CATALOGUE.get("iwmo", "3.1", "301"), 1))

    def test_3x_refuses_two_clients(self):
        """A 3.x 301 carries exactly one Client; 2.x wraps several in Clienten."""
        one = _payload(CATALOGUE.get("iwmo", "3.1", "301"), 1)
        two = ToewijzingBericht(one.header, one.clienten * 2)
        with pytest.raises(ValueError, match="exactly one Client"):
            build(CATALOGUE.get("iwmo", "3.1", "301"), two)
        mt21 = CATALOGUE.get("iwmo", "2.1", "301")
        element = build(mt21, ToewijzingBericht(one.header, one.clienten * 2))
        assert is_valid(mt21, element)
        assert len(element.findall(".//{*}Clienten/{*}Client")) == 2

    def test_retour_mirrors_header(self):
        """A 302 repeats the 301 header: same Afzender, Ontvanger and BerichtIdentificatie."""
        mt = CATALOGUE.get("ijw", "3.2", "301")
        payload = _payload(mt, 3)
        heen = build(mt, payload)
        retour = build_retour(
            CATALOGUE.get("ijw", "3.2", "302"), payload, identificatie="R9", dagtekening=date(2022, 6, 16)
        )
        for name in ("Afzender", "Ontvanger"):
            assert heen.findtext(f"{{*}}Header/{{*}}{name}") == retour.findtext(f"{{*}}Header/{{*}}{name}")
        assert heen.findtext(".//{*}BerichtIdentificatie/{*}Identificatie") == retour.findtext(
            ".//{*}BerichtIdentificatie/{*}Identificatie"
        )
        assert retour.findtext("{*}Header/{*}BerichtCode") == "437"
        assert retour.findtext("{*}Header/{*}IdentificatieRetour") == "R9"
        assert retour.find("{*}Client") is None  # accepted: header only

    def test_325_totals(self):
        """The 325 grants the declared total minus the rejected prestaties; all granted gives 8001."""
        mt323, mt325 = CATALOGUE.get("iwmo", "3.2", "323"), CATALOGUE.get("iwmo", "3.2", "325")
        payload = _payload(mt323, 4)
        assert isinstance(payload, DeclaratieBericht)
        granted = build_retour(mt325, payload, identificatie="A1", dagtekening=date(2022, 6, 20))
        assert granted.findtext("{*}Header/{*}RetourCodes/{*}RetourCode") == "8001"
        assert granted.find("{*}DeclaratieAntwoord") is None
        first = payload.clienten[0].prestaties[0]
        partial = build_retour(
            mt325,
            payload,
            identificatie="A2",
            dagtekening=date(2022, 6, 20),
            afgekeurd={first.referentienummer: "9307"},
        )
        assert is_valid(mt325, partial)
        total, _ = payload.totaal
        expected = total - (first.bedrag if first.debet_credit == "D" else -first.bedrag)
        assert int(partial.findtext(".//{*}TotaalToegekendBedrag/{*}TotaalBedrag")) == abs(expected)
        assert (
            partial.findtext(".//{*}DeclaratieIdentificatie/{*}Identificatie") == payload.header.identificatie
        )

    def test_declaration_amounts_consistent(self):
        """Amounts are volume x tarief, and the total is debits minus credits (TR358)."""
        rng = random.Random(5)
        clients = [c for c in POPULATION.clients if c.standard == "iwmo"][:40]
        items = []
        for c in clients:
            aanbieder = POPULATION.sample_aanbieder(rng, "iwmo")
            items.append((c, POPULATION.new_toewijzing(rng, c, aanbieder, date(2022, 1, 3))))
        mt = CATALOGUE.get("iwmo", "3.2", "323")
        header = make_payload(
            mt,
            gemeente=clients[0].gemeente,
            aanbieder=POPULATION.aanbieders[0],
            client=clients[0],
            toewijzing=items[0][1],
            identificatie="D1",
            dagtekening=date(2022, 6, 3),
            rng=rng,
        ).header
        payload = declaratie_payload(
            header, (date(2022, 5, 1), date(2022, 5, 31)), items, rng, credit_share=0.5
        )
        net = 0
        for client in payload.clienten:
            assert is_valid_bsn(client.bsn)
            for p in client.prestaties:
                assert p.bedrag == p.volume * p.tarief
                assert p.begindatum <= p.einddatum
                net += p.bedrag if p.debet_credit == "D" else -p.bedrag
        assert payload.totaal == (abs(net), "D" if net >= 0 else "C")
        assert any(p.debet_credit == "C" for c in payload.clienten for p in c.prestaties)
        assert is_valid(mt, build(mt, payload))

    def test_declaration_of_a_fresh_toewijzing(self):
        """A 323 for a toewijzing that started days ago declares one unit in the last closed month, breaking no rule."""
        rng = random.Random(12)
        client = next(c for c in POPULATION.clients if c.standard == "ijw")
        aanbieder = POPULATION.sample_aanbieder(rng, "ijw")
        t = POPULATION.new_toewijzing(rng, client, aanbieder, date(2022, 6, 12))
        mt = CATALOGUE.get("ijw", "3.2", "323")
        payload = make_payload(
            mt,
            gemeente=client.gemeente,
            aanbieder=aanbieder,
            client=client,
            toewijzing=t,
            identificatie="F1",
            dagtekening=date(2022, 6, 15),
            rng=rng,
        )
        (line,) = payload.clienten[0].prestaties
        assert (line.volume, line.bedrag, line.begindatum, line.einddatum) == (1, t.tarief, *[date(2022, 5, 31)] * 2)
        assert (payload.periode_begin, payload.periode_eind) == (date(2022, 5, 1), date(2022, 5, 31))
        assert is_valid(mt, build(mt, payload))
        assert check(build(mt, payload), mt) == []

    def test_make_payload_refuses_retour(self):
        """Retours are built from their heen payload, never from entities."""
        client = POPULATION.clients[0]
        t = POPULATION.new_toewijzing(random.Random(1), client, POPULATION.aanbieders[0], date(2022, 1, 3))
        with pytest.raises(ValueError, match="is a retour"):
            make_payload(
                CATALOGUE.get("iwmo", "3.1", "302"),
                gemeente=client.gemeente,
                aanbieder=POPULATION.aanbieders[0],
                client=client,
                toewijzing=t,
                identificatie="X",
                dagtekening=date(2022, 6, 1),
                rng=random.Random(1),
            )

    def test_319_refers_to_request(self):
        """A 319 carries the ReferentieAanbieder of the 315 it answers."""
        mt315, mt319 = CATALOGUE.get("ijw", "3.1", "315"), CATALOGUE.get("ijw", "3.1", "319")
        request = _payload(mt315, 6)
        referentie = request.clienten[0].producten[0].referentie_aanbieder
        rng = random.Random(6)
        client = POPULATION.clients[0]
        t = POPULATION.new_toewijzing(rng, client, POPULATION.aanbieders[0], date(2022, 2, 1))
        answer = make_payload(
            mt319,
            gemeente=client.gemeente,
            aanbieder=POPULATION.aanbieders[0],
            client=client,
            toewijzing=t,
            identificatie="A9",
            dagtekening=date(2022, 6, 1),
            rng=rng,
            referentie=referentie,
            verzoek_antwoord="1",
        )
        element = build(mt319, answer)
        assert element.findtext("{*}Antwoord/{*}ReferentieAanbieder") == referentie
        assert is_valid(mt319, element)


class TestCorruption:
    def test_corrupted_message_fails_with_path(self, tmp_path):
        """A broken BSN fails the XSD; the diagnosis names the element path and the line."""
        mt = CATALOGUE.get("iwmo", "3.1", "301")
        element = build(mt, _payload(mt, 7))
        element.find("{*}Client/{*}Bsn").text = "12AB"
        with pytest.raises(SchemaViolation) as info:
            validate(mt, element)
        assert info.value.errors and "Bsn" in info.value.errors[0]
        reparsed = etree.fromstring(etree.tostring(element, pretty_print=True))
        findings = diagnose(mt, reparsed)
        assert findings and findings[0].path.endswith("Client/wmo301:Bsn") or "Bsn" in findings[0].path
        assert isinstance(findings[0].line, int) and findings[0].line > 1

    def test_missing_element_fails(self):
        """Dropping a mandatory element is caught."""
        mt = CATALOGUE.get("ijw", "2.2", "305")
        element = build(mt, _payload(mt, 8))
        begindatum = element.find(".//{*}StartProduct/{*}Begindatum")
        begindatum.getparent().remove(begindatum)
        assert not is_valid(mt, element)
        assert any("StartProduct" in f.path for f in diagnose(mt, element))


class TestDeterminism:
    def test_same_seed_identical_bytes(self):
        """The same seed gives byte-identical samples; another seed differs."""
        a = [(s.filename, s.data) for s in generate_samples("iwmo", "3.1", "all", 2, seed=7)]
        b = [(s.filename, s.data) for s in generate_samples("iwmo", "3.1", "all", 2, seed=7)]
        c = [(s.filename, s.data) for s in generate_samples("iwmo", "3.1", "all", 2, seed=8)]
        assert a == b
        assert a != c
        assert [name for name, _ in a][:4] == [
            "WMO301_0001.xml",
            "WMO302_0001.xml",
            "WMO301_0002.xml",
            "WMO302_0002.xml",
        ]
