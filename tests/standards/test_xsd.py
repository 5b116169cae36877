"""The project's own XSDs: present for every catalogue entry, compilable, consistent, and strict enough.

Each schema is compiled once per session (lxml per file; xmlschema per release directory, which
loads the shared basisschema once). Hand-written instances live in ``instances/``.
"""

from __future__ import annotations

import copy
import functools
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from ketensim._resources import xsd_dir
from ketensim.standards.catalogue import MessageType
from ketensim.standards.catalogue_data import CATALOGUE

XS = {"xs": "http://www.w3.org/2001/XMLSchema"}
INSTANCES = Path(__file__).parent / "instances"
ENTRIES = list(CATALOGUE)
ENVELOPE_XSDS = {"stuf/ggk0210.xsd"}  # transport envelopes (ketensim.kto.stuf), not catalogue messages


def _id(entry: MessageType) -> str:
    return f"{entry.standard}-{entry.release}-{entry.code}"


@functools.cache
def _xsd_doc(path: Path) -> etree._ElementTree:
    return etree.parse(str(path))


@functools.cache
def lxml_schema(path: Path) -> etree.XMLSchema:
    """The compiled lxml schema of one XSD file (once per session)."""
    return etree.XMLSchema(_xsd_doc(path))


@functools.cache
def xmlschema_dir(directory: Path) -> xmlschema.XMLSchema:
    """All message XSDs of one release directory, compiled together by xmlschema (strict)."""
    files = sorted(str(p) for p in directory.glob("*.xsd") if p.name != "basisschema.xsd")
    return xmlschema.XMLSchema(files)


@functools.cache
def xmlschema_file(path: Path) -> xmlschema.XMLSchema:
    """One message XSD compiled on its own by xmlschema (once per session)."""
    return xmlschema.XMLSchema(str(path))


def _path(entry: MessageType) -> Path:
    return xsd_dir() / entry.xsd


def _fixed_values(doc: etree._ElementTree, xpath: str) -> set[str]:
    """Pattern/enumeration values restricting the element or simple type selected by ``xpath``."""
    return set(
        doc.xpath(
            f"{xpath}//xs:restriction/xs:*[self::xs:pattern or self::xs:enumeration]/@value", namespaces=XS
        )
    )


class TestEveryEntry:
    """Per catalogue entry: the schema exists, compiles and agrees with the catalogue."""

    @pytest.mark.parametrize("entry", ENTRIES, ids=_id)
    def test_compiles_with_lxml(self, entry: MessageType) -> None:
        """The file exists and lxml compiles it."""
        assert _path(entry).is_file()
        lxml_schema(_path(entry))

    @pytest.mark.parametrize("entry", ENTRIES, ids=_id)
    def test_compiles_with_xmlschema(self, entry: MessageType) -> None:
        """Xmlschema compiles it strictly (with its release directory) and finds its root element."""
        schema = xmlschema_dir(_path(entry).parent)
        assert schema.built
        [loaded] = schema.maps.namespaces[entry.namespace]
        assert Path(loaded.url.removeprefix("file://")).name == Path(entry.xsd).name
        assert f"{{{entry.namespace}}}Bericht" in schema.maps.elements

    @pytest.mark.parametrize("entry", ENTRIES, ids=_id)
    def test_namespaces_match_catalogue(self, entry: MessageType) -> None:
        """The targetNamespace is the catalogue's; the basisschema is imported from the same directory."""
        root = _xsd_doc(_path(entry)).getroot()
        assert root.get("targetNamespace") == entry.namespace
        assert root.get("elementFormDefault") == "qualified"
        [imp] = root.findall("xs:import", XS)
        assert (imp.get("namespace"), imp.get("schemaLocation")) == (entry.basis_namespace, "basisschema.xsd")
        basis = _xsd_doc(_path(entry).with_name("basisschema.xsd")).getroot()
        assert basis.get("targetNamespace") == entry.basis_namespace
        assert root.xpath("xs:element/@name", namespaces=XS) == ["Bericht"]

    @pytest.mark.parametrize("entry", ENTRIES, ids=_id)
    def test_bericht_code_and_release_are_fixed(self, entry: MessageType) -> None:
        """BerichtCode is pinned in the message XSD; versie/subversie there (3.x) or in the basis (2.x)."""
        doc = _xsd_doc(_path(entry))
        header = "xs:complexType[@name='Header']/xs:sequence/xs:element"
        assert _fixed_values(doc, f"{header}[@name='BerichtCode']") == set(entry.bericht_codes)
        basis = _xsd_doc(_path(entry).with_name("basisschema.xsd"))
        for name, value in (
            ("BerichtVersie", entry.bericht_versie),
            ("BerichtSubversie", entry.bericht_subversie),
        ):
            pinned = _fixed_values(doc, f"{header}[@name='{name}']") or _fixed_values(
                basis, f"xs:simpleType[@name='LDT_{name}']"
            )
            assert pinned == {value}, name


class TestSchemaFiles:
    """The xsd/ tree as a whole."""

    def test_only_local_references(self) -> None:
        """No xs:include/redefine anywhere; the only import is the basisschema next to the message."""
        for path in sorted(xsd_dir().rglob("*.xsd")):
            root = _xsd_doc(path).getroot()
            assert not root.xpath("xs:include | xs:redefine | xs:override", namespaces=XS), path
            locations = root.xpath("xs:import/@schemaLocation", namespaces=XS)
            standalone = path.name == "basisschema.xsd" or path.relative_to(xsd_dir()).as_posix() in ENVELOPE_XSDS
            assert locations == ([] if standalone else ["basisschema.xsd"]), path

    def test_no_stray_files(self) -> None:
        """Every XSD on disk is a catalogue entry or the basisschema of an entry's directory."""
        expected = {entry.xsd for entry in ENTRIES}
        expected |= {str(Path(entry.xsd).with_name("basisschema.xsd")) for entry in ENTRIES}
        expected |= ENVELOPE_XSDS
        on_disk = {p.relative_to(xsd_dir()).as_posix() for p in xsd_dir().rglob("*.xsd")}
        assert on_disk == expected

    def test_derived_schemas_say_so(self) -> None:
        """Every derived schema is marked DERIVED in its documentation; documented ones are not."""
        for entry in ENTRIES:
            text = " ".join(
                _xsd_doc(_path(entry)).xpath("xs:annotation/xs:documentation/text()", namespaces=XS)
            )
            assert ("DERIVED" in text) == (entry.fidelity == "derived"), _id(entry)

    def test_generator_reproduces_committed_files(self) -> None:
        """tools/gen_xsd.py would write exactly what is committed (run it after changing the trees)."""
        tools = str(Path(__file__).resolve().parents[2] / "tools")
        sys.path.insert(0, tools)
        try:
            from gen_xsd import render_all
        finally:
            sys.path.remove(tools)
        stale = [rel for rel, data in render_all().items() if (xsd_dir() / rel).read_bytes() != data]
        assert stale == []


# ---------------------------------------------------------------------------- instances

Mutation = Callable[[etree._Element, dict[str, str]], None]


def _instance(name: str) -> etree._ElementTree:
    return etree.parse(str(INSTANCES / name))


def _entry_of(doc: etree._ElementTree) -> MessageType:
    return CATALOGUE.by_namespace(etree.QName(doc.getroot()).namespace)


def _set(xpath: str, value: str) -> Mutation:
    def mutate(root: etree._Element, ns: dict[str, str]) -> None:
        root.xpath(xpath, namespaces=ns)[0].text = value

    return mutate


def _swap(first: str, second: str) -> Mutation:
    def mutate(root: etree._Element, ns: dict[str, str]) -> None:
        a, b = root.xpath(first, namespaces=ns)[0], root.xpath(second, namespaces=ns)[0]
        a.addprevious(b)

    return mutate


def _rename(xpath: str, tag: str) -> Mutation:
    def mutate(root: etree._Element, ns: dict[str, str]) -> None:
        prefix, _, local = tag.rpartition(":")
        root.xpath(xpath, namespaces=ns)[0].tag = f"{{{ns[prefix]}}}{local}" if prefix else local

    return mutate


def _remove(xpath: str) -> Mutation:
    def mutate(root: etree._Element, ns: dict[str, str]) -> None:
        node = root.xpath(xpath, namespaces=ns)[0]
        node.getparent().remove(node)

    return mutate


def _append(xpath: str, tag: str) -> Mutation:
    def mutate(root: etree._Element, ns: dict[str, str]) -> None:
        prefix, _, local = tag.rpartition(":")
        etree.SubElement(root.xpath(xpath, namespaces=ns)[0], f"{{{ns[prefix]}}}{local}").text = "1.0.0"

    return mutate


def _mutated(name: str, mutation: Mutation) -> tuple[etree._ElementTree, MessageType]:
    doc = copy.deepcopy(_instance(name))
    entry = _entry_of(doc)
    mutation(doc.getroot(), {"m": entry.namespace, "b": entry.basis_namespace})
    return doc, entry


_I32, _R32 = "iwmo-3_2-WMO301.xml", "iwmo-3_2-WMO302-accepted.xml"
_I21, _F24 = "iwmo-2_1-WMO301.xml", "iwmo-2_4-WMO303-factuur.xml"
VALID = [_I32, _R32, _I21, _F24]

# case -> (instance, mutation, a fragment the lxml error must contain)
BROKEN: dict[str, tuple[str, Mutation, str]] = {
    # 3.2 toewijzing
    "3.2-bsn-8-digits": (
        _I32,
        _set("//m:Client/m:Bsn", "12345678"),
        "'12345678' is not accepted by the pattern",
    ),
    "3.2-wrong-berichtcode": (_I32, _set("//m:Header/m:BerichtCode", "415"), "'415' is not accepted"),
    "3.2-wrong-subversie": (
        _I32,
        _set("//m:Header/m:BerichtSubversie", "1"),
        "BerichtSubversie': [facet 'pattern']",
    ),
    "3.2-out-of-order": (
        _I32,
        _swap("//m:Client/m:Geboortedatum", "//m:Client/m:Geslacht"),
        "Geslacht': This",
    ),
    "3.2-date-with-zone": (_I32, _set("//b:Dagtekening", "2023-05-01Z"), "'2023-05-01Z' is not accepted"),
    "3.2-impossible-date": (
        _I32,
        _set("//m:Ingangsdatum", "2023-06-31"),
        "'2023-06-31' is not a valid value",
    ),
    "3.2-achternaam-with-2.1-name": (
        _I32,
        _rename("//b:Achternaam", "b:Naam"),
        "}Naam': This element is not",
    ),
    "3.2-cdt-child-in-message-ns": (_I32, _rename("//b:Datum", "m:Datum"), "wmo301/schema}Datum': This"),
    "3.2-unqualified-bsn": (_I32, _rename("//m:Bsn", "Bsn"), "Element 'Bsn': This element is not expected"),
    "3.2-missing-toewijzingnummer": (_I32, _remove("//m:ToewijzingNummer"), "}ToewijzingNummer )"),
    "3.2-retour-without-xsdversieretour": (_R32, _remove("//m:XsdVersieRetour"), "}XsdVersieRetour"),
    # 2.1 toewijzing
    "2.1-bsn-8-digits": (_I21, _set("//m:Bsn", "12345678"), "'12345678' is not accepted by the pattern"),
    "2.1-subversie-2": (
        _I21,
        _set("//m:BerichtSubversie", "2"),
        "The value '2' is not accepted by the pattern '1'",
    ),
    "2.1-subversie-02": (_I21, _set("//m:BerichtSubversie", "02"), "'02' is not accepted by the pattern '1'"),
    "2.1-has-no-xsdversie": (_I21, _append("//m:Header", "m:XsdVersie"), "}XsdVersie': This element is not"),
    "2.1-achternaam-with-3.2-name": (
        _I21,
        _rename("//b:Geslachtsnaam/b:Naam", "b:Achternaam"),
        "}Achternaam': This element is not expected",
    ),
    "2.1-missing-beschikking": (_I21, _remove("//m:Beschikking"), "}Beschikking )"),
    # 303 (our design): only the declaratie and factuur codes of a heen
    "2.4-303-toewijzing-code": (_F24, _set("//m:BerichtCode", "414"), "'414' is not an element of the set"),
    "2.4-303-retour-code": (_F24, _set("//m:BerichtCode", "449"), "'449' is not an element of the set"),
}


class TestInstances:
    """Hand-written instances: valid ones pass, broken ones fail for the intended reason."""

    @pytest.mark.parametrize("name", VALID)
    def test_valid_instance_passes_lxml_and_xmlschema(self, name: str) -> None:
        """Both validators accept the hand-written instances."""
        doc = _instance(name)
        path = _path(_entry_of(doc))
        schema = lxml_schema(path)
        assert schema.validate(doc), schema.error_log
        xmlschema_file(path).validate(doc)

    @pytest.mark.parametrize("case", sorted(BROKEN))
    def test_broken_instance_fails_lxml(self, case: str) -> None:
        """Each broken instance fails, and for the intended reason."""
        name, mutation, expected = BROKEN[case]
        doc, entry = _mutated(name, mutation)
        schema = lxml_schema(_path(entry))
        assert not schema.validate(doc)
        assert expected in str(schema.error_log)

    @pytest.mark.parametrize(
        "case", ["3.2-bsn-8-digits", "3.2-out-of-order", "2.1-subversie-2", "2.4-303-retour-code"]
    )
    def test_broken_instance_fails_xmlschema(self, case: str) -> None:
        """Xmlschema rejects them too (a sample: a facet, an order, a release marker, a code)."""
        name, mutation, _ = BROKEN[case]
        doc, entry = _mutated(name, mutation)
        assert not xmlschema_file(_path(entry)).is_valid(doc)

    def test_declaratie_code_is_accepted_by_303(self) -> None:
        """The 303 schema takes the declaratie code (416) as well as the factuur code (448)."""
        doc, entry = _mutated("iwmo-2_4-WMO303-factuur.xml", _set("//m:BerichtCode", "416"))
        assert lxml_schema(_path(entry)).validate(doc)

    def test_release_is_part_of_the_namespace(self) -> None:
        """A 3.2 message is not valid against the 3.1 schema of the same number."""
        doc = _instance("iwmo-3_2-WMO301.xml")
        assert not lxml_schema(_path(CATALOGUE.get("iwmo", "3.1", "301"))).validate(doc)
