"""Tests of the synthetic population: identifiers, gemeenten, clients, aanbieders, toewijzingen."""

from __future__ import annotations

import random
import re
import time
from datetime import date, timedelta

import pytest

from ketensim.population import (
    build_population,
    is_valid_agb,
    is_valid_bsn,
    is_valid_postcode,
    list_year,
    load_gemeenten,
    new_bsn,
    new_postcode,
    unique_agb_codes,
    unique_bsns,
)
from ketensim.population.products import ToewijzingNummers, new_toewijzing, products


@pytest.fixture(scope="module")
def population():
    return build_population(random.Random(11), year=2022, n_clients=400, n_aanbieders=40)


class TestBsn:
    def test_generated_pass_the_11_proof(self):
        """Every drawn BSN is nine digits and passes the 11-proof."""
        rng = random.Random(1)
        for _ in range(5000):
            bsn = new_bsn(rng)
            assert is_valid_bsn(bsn)
            total = sum(w * int(d) for w, d in zip(range(9, 1, -1), bsn[:8], strict=False)) - int(bsn[8])
            assert total % 11 == 0

    @pytest.mark.parametrize(
        ("bsn", "valid"),
        [
            ("111222333", True),  # 9+8+7+12+10+8+9+6-3 = 66
            ("123456782", True),  # the classic example number
            ("123456789", False),  # weighted sum 147, not divisible by 11
            ("000000000", False),  # passes the arithmetic, but no one holds it
            ("12345678", False),  # eight digits
            ("12345678a", False),
            ("１２３４５６７８２", False),  # full-width digits are not ASCII
        ],
    )
    def test_checker(self, bsn, valid):
        """The checker accepts valid numbers and rejects a known-invalid one."""
        assert is_valid_bsn(bsn) is valid

    def test_unique(self):
        """unique_bsns never repeats a number."""
        bsns = unique_bsns(random.Random(2), 20000)
        assert len(set(bsns)) == 20000


class TestAgbAndPostcode:
    def test_agb_codes_unique_and_eight_digits(self):
        """AGB codes are eight ASCII digits and distinct."""
        codes = unique_agb_codes(random.Random(3), 5000)
        assert len(set(codes)) == 5000
        assert all(is_valid_agb(c) for c in codes)

    def test_postcodes_valid(self):
        """Drawn postcodes match [1-9][0-9]{3}[A-Z]{2} and avoid SA, SD and SS."""
        rng = random.Random(4)
        for _ in range(20000):
            pc = new_postcode(rng)
            assert re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", pc)
            assert pc[4:] not in {"SA", "SD", "SS"}

    @pytest.mark.parametrize("pc", ["1234SA", "1234SD", "1234SS", "0123AB", "1234 AB", "1234ab"])
    def test_invalid_postcodes_rejected(self, pc):
        """The forbidden letter pairs, a leading zero, a space and lower case are refused."""
        assert not is_valid_postcode(pc)


class TestGemeenten:
    @pytest.mark.parametrize(
        ("year", "count"), [(2017, 388), (2018, 380), (2021, 352), (2022, 345), (2023, 342)]
    )
    def test_counts_match_cbs(self, year, count):
        """The lists hold as many gemeenten as CBS counted on 1 January."""
        assert len(load_gemeenten(year)) == count

    def test_every_gemeente_has_inhabitants(self):
        """Empty figures are filled: from another year, else the median."""
        for year in (2017, 2018, 2022):
            assert all(g.inwoners > 0 for g in load_gemeenten(year))
        filled = {g.code: g for g in load_gemeenten(2018)}
        assert filled["0005"].inwoners_bron is None  # Bedum merged in 2019: no figure anywhere
        assert filled["0014"].inwoners_bron == 2021  # Groningen: nearest year with a figure

    @pytest.mark.parametrize(
        ("year", "chosen"), [(2016, 2017), (2019, 2018), (2020, 2021), (2024, 2023), (2030, 2025)]
    )
    def test_nearest_list(self, year, chosen):
        """A year without a list uses the nearest one, the earlier on a tie."""
        assert list_year(year) == chosen

    def test_weighted_sampling(self, population):
        """Amsterdam is drawn far more often than Schiermonnikoog."""
        rng = random.Random(5)
        draws = [population.sample_gemeente(rng).code for _ in range(20000)]
        assert draws.count("0363") > 50 * max(1, draws.count("0088"))


class TestClients:
    def test_identity_valid(self, population):
        """Clients have unique valid BSNs, gender codes and plausible ages per law."""
        assert len({c.bsn for c in population.clients}) == len(population.clients)
        for c in population.clients:
            assert is_valid_bsn(c.bsn)
            assert c.geslacht in {"0", "1", "2"}
            age = (population.peildatum - c.geboortedatum).days / 365.25
            assert (0 <= age < 18) if c.standard == "ijw" else (18 <= age <= 101)

    def test_details_valid(self, population):
        """Names and addresses fit the standard's types."""
        for c in population.clients[:200]:
            d = c.details
            assert re.fullmatch(r"[A-Z]{1,6}", d.naam.voorletters)
            assert 0 < len(d.adres.straat) <= 24
            assert is_valid_postcode(d.adres.postcode)
            assert 1 <= d.adres.huisnummer <= 99999
            if d.naam.naamgebruik != "1":
                assert d.naam.partnernaam
            assert d.adres.plaats == c.gemeente.naam
            assert d.naam.voorvoegsel is None or len(d.naam.voorvoegsel) <= 10

    def test_details_do_not_depend_on_order(self):
        """Details depend on the client's seed only, not on which clients were looked at first."""
        a = build_population(random.Random(9), year=2021, n_clients=50, n_aanbieders=5)
        b = build_population(random.Random(9), year=2021, n_clients=50, n_aanbieders=5)
        forward = [c.details for c in a.clients]
        backward = [c.details for c in reversed(b.clients)][::-1]
        assert forward == backward

    def test_same_seed_same_population(self):
        """One seed, one population; another seed, another one."""
        a = build_population(random.Random(1), year=2023, n_clients=100, n_aanbieders=10)
        b = build_population(random.Random(1), year=2023, n_clients=100, n_aanbieders=10)
        c = build_population(random.Random(2), year=2023, n_clients=100, n_aanbieders=10)
        assert a.clients == b.clients and [x.agb for x in a.aanbieders] == [x.agb for x in b.aanbieders]
        assert a.clients != c.clients

    def test_generation_speed(self):
        """Identities are cheap: 50 000 clients take well under ten seconds."""
        start = time.perf_counter()
        build_population(random.Random(0), year=2023, n_clients=50_000, n_aanbieders=1000)
        assert time.perf_counter() - start < 10


class TestToewijzing:
    def test_numbers_unique_per_gemeente(self, population):
        """Toewijzingnummers never repeat within a gemeente."""
        rng = random.Random(6)
        nummers = ToewijzingNummers(rng)
        seen: dict[str, set[int]] = {}
        for client in population.clients:
            t = new_toewijzing(
                rng,
                standard=client.standard,
                gemeente=client.gemeente.code,
                agb="12345678",
                bsn=client.bsn,
                nummers=nummers,
                ingangsdatum=date(2022, 3, 1),
            )
            assert t.toewijzingnummer not in seen.setdefault(t.gemeente, set())
            seen[t.gemeente].add(t.toewijzingnummer)

    def test_products_per_standard(self, population):
        """iWmo toewijzingen use WMO categories 01-18, iJw ones 31-55, with a fitting code."""
        rng = random.Random(7)
        for client in population.clients[:200]:
            aanbieder = population.sample_aanbieder(rng, client.standard)
            t = population.new_toewijzing(rng, client, aanbieder, date(2022, 1, 10))
            assert t.product.code.startswith(t.product.categorie)
            assert t.product.categorie in aanbieder.categorieen[client.standard]
            if client.standard == "iwmo":
                assert "01" <= t.product.categorie <= "18" and not t.product.synthetic_code
            else:
                assert "31" <= t.product.categorie <= "55"
            assert t.toewijzingsdatum <= t.ingangsdatum < t.einddatum

    def test_volumes_add_up(self):
        """Volumes of consecutive periods add up to the volume of the whole span."""
        rng = random.Random(8)
        nummers = ToewijzingNummers(rng)
        for categorie in products("iwmo"):
            t = new_toewijzing(
                rng,
                standard="iwmo",
                gemeente="0363",
                agb="12345678",
                bsn="111222333",
                nummers=nummers,
                ingangsdatum=date(2022, 1, 17),
                categorie=categorie,
            )
            day, parts = t.ingangsdatum, 0
            while day <= t.einddatum:
                parts += t.volume_between(day, day + timedelta(days=30))
                day += timedelta(days=31)
            assert parts == t.volume_through(t.einddatum)


def test_new_client_is_the_dataclass_client() -> None:
    """new_client builds its Client without the frozen dataclass's __init__: the object must be the same."""
    import pickle
    import random
    from dataclasses import fields
    from datetime import date

    from ketensim.population.gemeenten import load_gemeenten
    from ketensim.population.people import Client, new_client

    gemeente = load_gemeenten(2022)[0]
    for standard in ("iwmo", "ijw"):
        drawn = new_client(random.Random(3), bsn="123456782", standard=standard, gemeente=gemeente,
                           peildatum=date(2022, 3, 1))
        plain = Client(**{f.name: getattr(drawn, f.name) for f in fields(Client) if f.init})
        assert drawn == plain and hash(drawn) == hash(plain) and repr(drawn) == repr(plain)
        assert pickle.dumps(drawn) == pickle.dumps(plain)
        assert drawn.details.naam == plain.details.naam  # the lazy details still work
        assert drawn == plain and pickle.loads(pickle.dumps(drawn)).details == drawn.details
        assert not hasattr(drawn, "__dict__")
        with pytest.raises(AttributeError):
            drawn.bsn = "0"  # type: ignore[misc]
