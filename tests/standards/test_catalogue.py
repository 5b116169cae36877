"""The message catalogue: one entry per XML message per release, facts per entry, a strict registry."""

from __future__ import annotations

import dataclasses

import pytest

from ketensim.exceptions import KetensimError, UnknownMessageType
from ketensim.standards import catalogue as catalogue_module
from ketensim.standards.catalogue import Catalogue, MessageType
from ketensim.standards.catalogue_data import CATALOGUE, get_catalogue
from ketensim.standards.releases import HEEN_OF, RELEASES, RETOUR_OF, STANDARDS

ENTRIES = list(CATALOGUE)


def _id(entry: MessageType) -> str:
    return f"{entry.standard}-{entry.release}-{entry.code}"


class TestContents:
    """What the filled catalogue holds."""

    def test_one_entry_per_xml_message_in_releases(self) -> None:
        """Every (standard, release) holds exactly the XML numbers of releases.py (iWmo without iJw-only)."""
        for release, info in RELEASES.items():
            for standard in STANDARDS:
                expected = info.xml_numbers - (info.ijw_only if standard == "iwmo" else frozenset())
                got = {e.number for e in CATALOGUE.select(standard=standard, release=release)}
                assert got == expected, (standard, release)

    def test_no_xml_for_ei_only(self) -> None:
        """2.0 (EI) and JW321/322 have no entry."""
        assert CATALOGUE.select(release="2.0") == []
        assert not [e for e in CATALOGUE if e.number in ("321", "322")]

    def test_total(self) -> None:
        """2.1-2.4: 10 per standard; 3.0: 16; 3.1 and 3.2: 14."""
        assert len(CATALOGUE) == 2 * (4 * 10 + 16 + 14 + 14)

    @pytest.mark.parametrize(
        ("standard", "release", "number", "code", "versie"),
        [
            ("iwmo", "3.2", "301", "414", ("3", "2")),
            ("ijw", "3.2", "301", "436", ("3", "2")),
            ("iwmo", "2.1", "315", "444", ("2", "1")),
            ("ijw", "2.3", "316", "447", ("2", "3")),
            ("iwmo", "3.0", "323", "484", ("3", "0")),
            ("ijw", "3.1", "325", "491", ("3", "1")),
            ("iwmo", "3.0", "317", "480", ("3", "0")),
            ("ijw", "3.2", "320", "489", ("3", "2")),
        ],
    )
    def test_codes_and_versions(
        self, standard: str, release: str, number: str, code: str, versie: tuple
    ) -> None:
        """BerichtCode and BerichtVersie/-Subversie follow the message table and the release."""
        entry = CATALOGUE.get(standard, release, number)
        assert entry.bericht_code == code
        assert (entry.bericht_versie, entry.bericht_subversie) == versie

    @pytest.mark.parametrize(
        ("standard", "number", "codes"),
        [
            ("iwmo", "303", ("416", "448")),
            ("iwmo", "304", ("417", "449")),
            ("ijw", "303", ("432", "450")),
            ("ijw", "304", ("433", "451")),
        ],
    )
    def test_declaratie_and_factuur_codes(self, standard: str, number: str, codes: tuple) -> None:
        """303/304: the declaratie code is primary, the factuur code is accepted too."""
        for release in ("2.1", "2.4", "3.0"):
            entry = CATALOGUE.get(standard, release, number)
            assert entry.bericht_code == codes[0]
            assert entry.bericht_codes == codes

    def test_namespaces(self) -> None:
        """2.x namespaces repeat the release at the end; 3.x ones do not."""
        assert (
            CATALOGUE.get("iwmo", "3.2", "301").namespace
            == "http://www.istandaarden.nl/iwmo/3_2/wmo301/schema"
        )
        assert (
            CATALOGUE.get("ijw", "3.2", "301").namespace == "http://www.istandaarden.nl/ijw/3_2/jw301/schema"
        )
        assert (
            CATALOGUE.get("iwmo", "2.1", "301").namespace
            == "http://www.istandaarden.nl/iwmo/2_1/wmo301/schema/2_1"
        )
        assert (
            CATALOGUE.get("iwmo", "2.1", "301").basis_namespace
            == "http://www.istandaarden.nl/iwmo/2_1/basisschema/schema/2_1"
        )
        assert (
            CATALOGUE.get("ijw", "3.0", "315").basis_namespace
            == "http://www.istandaarden.nl/ijw/3_0/basisschema/schema"
        )

    @pytest.mark.parametrize("entry", ENTRIES, ids=_id)
    def test_entry_is_consistent(self, entry: MessageType) -> None:
        """Code, file, role, pair and direction agree with each other and with releases.py."""
        assert entry.code == ("WMO" if entry.standard == "iwmo" else "JW") + entry.number
        assert entry.xsd == f"{entry.standard}/{entry.release.replace('.', '_')}/{entry.code}.xsd"
        assert entry.name and entry.fidelity_note
        if entry.role == "heen":
            assert entry.pair == RETOUR_OF[entry.number]
        else:
            assert entry.pair == HEEN_OF[entry.number]
            assert entry.answers == ()
        pair = CATALOGUE.get(entry.standard, entry.release, entry.pair)
        assert pair.pair == entry.number
        assert pair.direction != entry.direction  # the pair travels back

    @pytest.mark.parametrize(
        ("number", "answers"),
        [("315", ("301", "319")), ("317", ("301", "319")), ("323", ("325",)), ("301", ())],
    )
    def test_functional_answers(self, number: str, answers: tuple) -> None:
        """VOT and VOW are answered by a toewijzing or an antwoordbericht; a declaratie by 325."""
        assert CATALOGUE.get("ijw", "3.2", number).answers == answers

    def test_303_answered_by_304(self) -> None:
        """The 2.x declaratie/factuur is answered by its 304."""
        assert CATALOGUE.get("iwmo", "2.2", "303").answers == ("304",)

    def test_325_plays_the_retour_of_323(self) -> None:
        """325 answers 323 and plays the retour role in this project."""
        entry = CATALOGUE.get("iwmo", "3.2", "325")
        assert (entry.role, entry.pair, entry.direction) == ("retour", "323", "G2A")

    def test_fidelity(self) -> None:
        """Documented: 3.2 and iWmo 2.1 without 303/304; everything else is derived."""
        for entry in CATALOGUE:
            documented = entry.release == "3.2" or (
                entry.standard == "iwmo" and entry.release == "2.1" and entry.number not in ("303", "304")
            )
            assert entry.fidelity == ("documented" if documented else "derived"), _id(entry)

    def test_accessors_return_the_singleton(self) -> None:
        """Both get_catalogue accessors return the one module-level catalogue."""
        assert get_catalogue() is CATALOGUE
        assert catalogue_module.get_catalogue() is CATALOGUE


class TestRegistry:
    """Look-ups and the duplicate checks of :class:`Catalogue`."""

    def test_get_accepts_message_codes(self) -> None:
        """``get`` takes ``"301"``, ``"WMO301"`` or ``"jw301"``."""
        assert CATALOGUE.get("iwmo", "3.1", "WMO301") is CATALOGUE.get("iwmo", "3.1", "301")
        assert CATALOGUE.get("ijw", "3.1", "jw305") is CATALOGUE.get("ijw", "3.1", "305")

    def test_get_unknown_names_the_known_numbers(self) -> None:
        """An unknown number raises UnknownMessageType listing what the release does have."""
        with pytest.raises(
            UnknownMessageType, match=r"unknown message '303' for iwmo 3\.2; known: 301, 302, 305"
        ):
            CATALOGUE.get("iwmo", "3.2", "303")
        with pytest.raises(KeyError):  # also a KeyError for callers that catch the built-in
            CATALOGUE.get("iwmo", "2.1", "317")

    def test_by_namespace(self) -> None:
        """Every namespace leads back to its entry; an unknown one raises UnknownMessageType."""
        for entry in ENTRIES:
            assert CATALOGUE.by_namespace(entry.namespace) is entry
        with pytest.raises(UnknownMessageType, match="no message in the catalogue has namespace 'urn:x'"):
            CATALOGUE.by_namespace("urn:x")

    def test_select(self) -> None:
        """``select`` filters on standard and release, sorted by number."""
        selected = CATALOGUE.select(standard="ijw", release="3.0")
        assert [e.number for e in selected] == sorted(RELEASES["3.0"].xml_numbers)

    def test_refuses_duplicate_key(self) -> None:
        """A second entry for the same (standard, release, number) is refused."""
        registry = Catalogue()
        entry = CATALOGUE.get("iwmo", "3.2", "301")
        registry.register(entry)
        other = dataclasses.replace(entry, namespace="urn:other")
        with pytest.raises(KetensimError, match="duplicate catalogue entry WMO301 in iwmo 3.2"):
            registry.register(other)
        assert len(registry) == 1

    def test_refuses_duplicate_namespace(self) -> None:
        """A second entry with an already used namespace is refused."""
        registry = Catalogue()
        registry.register(CATALOGUE.get("iwmo", "3.2", "301"))
        clash = dataclasses.replace(
            CATALOGUE.get("iwmo", "3.1", "301"), namespace=CATALOGUE.get("iwmo", "3.2", "301").namespace
        )
        with pytest.raises(KetensimError, match="is already used by WMO301 3.2"):
            registry.register(clash)
        assert len(registry) == 1
