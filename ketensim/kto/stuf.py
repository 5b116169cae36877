"""The StUF ggk0210 envelope a gemeente system speaks with the GGk: SOAP 1.1 requests, receipts and faults.

Pure functions, no I/O: :func:`parse_request` reads what a caller POSTed (a ``ggk_Di01``, ``ggk_Du01`` or
``Fo01``) and either returns an :class:`Envelope` or raises a :class:`StufError` with the code the GGk would
give; the ``build_*`` functions write the requests and answers of both directions (the GGk delivering to a
gemeente's endpoint speaks the same portType ``OntvangAsynchroon`` as a gemeente delivering to the GGk);
:func:`parse_response` reads the answer (``Bv03`` or a SOAP fault holding a ``Fo03``).

The contract is ``xsd/stuf/ggk0210.xsd`` (every body element is validated against it, also what this module
builds) and ``ggk0210.wsdl`` next to this file, served by :func:`wsdl`. Safe reading, the codes and
:class:`StufError` live in :mod:`ketensim.kto.stuf_xml` and are re-exported here. Choices where the facts are
silent:

* SOAP headers are ignored (Digikoppeling stacks add WS-Addressing headers); the SOAPAction HTTP header is
  for the HTTP adapter (:data:`SOAP_ACTIONS`).
* A ``Fo03`` names the failing check in ``omschrijving`` (the code's text) and ``details`` (what exactly);
  the SOAP ``faultstring`` repeats both. A fault with no Fo03 inside (a SOAP stack's own error) is read as a
  :class:`Fo03` with an empty code.
* ``tijdstipBericht`` is written as yyyyMMddHHmmssfff in Dutch local time.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import NamedTuple

from lxml import etree

from ketensim.kto.ids import is_uuid4
from ketensim.kto.stuf_xml import (
    GGK_NS,
    MAX_ENVELOPE_BYTES,
    MAX_PAYLOAD_BYTES,
    NS,
    OPERATIONS,
    SOAP_ACTIONS,
    SOAP_NS,
    STUF_CODES,
    StufError,
    code_text,
    read_untrusted,
    refuse,
    soap_body_part,
    xml_parser,
    xsd_finding,
    xsd_path,
)
from ketensim.timeline import AMSTERDAM

__all__ = [
    "GGK_NS", "SOAP_NS", "OPERATIONS", "SOAP_ACTIONS", "MAX_ENVELOPE_BYTES", "MAX_PAYLOAD_BYTES", "STUF_CODES",
    "StufError", "Party", "Envelope", "Bv03", "Fo03",
    "parse_request", "parse_response", "build_request", "build_fo01", "build_bv03", "build_fault", "wsdl",
]

_WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
_WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
_MAX_TEXT = 1000  # omschrijving and details, as the XSD bounds them
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Party(NamedTuple):
    """A ``zender`` or ``ontvanger``: CBS gemeentecode, AGB code or VECOZO/IB/RINIS/CAK/SVB/VWS, and the application."""

    organisatie: str
    applicatie: str


@dataclass(frozen=True)
class Envelope:
    """A request as :func:`parse_request` read it; functie fields are "" for Fo01, fout fields "" otherwise."""

    operation: str  # ggk_Di01 | ggk_Du01 | Fo01
    zender_organisatie: str
    zender_applicatie: str
    ontvanger_organisatie: str
    ontvanger_applicatie: str
    referentienummer: str
    cross_refnummer: str
    tijdstip_bericht: str
    functie: str = ""
    functie_versie: str = ""
    functie_subversie: str = ""
    applicatie_versie: str = ""
    applicatie_subversie: str = ""
    payload: bytes = field(default=b"", repr=False)
    fout_code: str = ""
    fout_plek: str = ""
    fout_omschrijving: str = ""
    fout_details: str = ""
    fout_details_xml: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class Bv03:
    """A receipt: the message named by ``cross_refnummer`` was accepted."""

    zender_organisatie: str
    zender_applicatie: str
    ontvanger_organisatie: str
    ontvanger_applicatie: str
    referentienummer: str
    cross_refnummer: str
    tijdstip_bericht: str


@dataclass(frozen=True)
class Fo03:
    """A refusal. ``code`` is "" when the fault carried no Fo03 (e.g. a SOAP stack's own error)."""

    code: str
    plek: str
    omschrijving: str
    details: str
    cross_refnummer: str
    faultcode: str
    faultstring: str


def _text(part: etree._Element, path: str) -> str:
    return part.findtext(path, default="", namespaces=NS).strip()


def _uuid_checked(part: etree._Element, name: str, required: bool) -> str:
    """The text of ``stuurgegevens/<name>`` as it is (not stripped), which must be a version-4 UUID."""
    value = part.findtext(f"g:stuurgegevens/g:{name}", default="", namespaces=NS)
    if (value or required) and not is_uuid4(value):
        raise StufError.of("IB009", f"{name} {value[:60]!r} is geen UUID versie 4 (kleine letters, 8-4-4-4-12)",
                           "client", f"/Envelope/Body/{etree.QName(part).localname}/stuurgegevens/{name}")
    return value


def _base64(part: etree._Element, path: str, max_bytes: int, plek: str) -> bytes:
    """The decoded content of a base64 element ("" when absent), refused above ``max_bytes``."""
    node = part.find(path, namespaces=NS)
    if node is None:
        return b""
    text = re.sub(rb"\s+", b"", (node.text or "").encode("ascii", "replace"))
    if len(text) // 4 * 3 - text[-2:].count(b"=") > max_bytes:
        raise refuse(plek, f"de inhoud van {etree.QName(node).localname} is groter dan {max_bytes} bytes", path)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise refuse(plek, f"de inhoud van {etree.QName(node).localname} is geen geldige base64", path) from None


def _party(part: etree._Element, name: str) -> tuple[str, str]:
    return (_text(part, f"g:stuurgegevens/g:{name}/g:organisatie"),
            _text(part, f"g:stuurgegevens/g:{name}/g:applicatie"))


_FUNCTIE = (("functie", "functie"), ("functie_versie", "functieVersie"), ("functie_subversie", "functieSubversie"),
            ("applicatie_versie", "applicatieVersie"), ("applicatie_subversie", "applicatieSubversie"))


def parse_request(body: bytes, *, max_bytes: int = MAX_ENVELOPE_BYTES,
                  max_payload: int = MAX_PAYLOAD_BYTES) -> Envelope:
    """Read a ``ggk_Di01``, ``ggk_Du01`` or ``Fo01`` request; any problem is a :class:`StufError` (plek client).

    Codes: ``RIN001`` for everything about the envelope (not XML, unsafe XML, not SOAP 1.1, another
    operation or namespace, an XSD finding, a Du01 without crossRefnummer, bad base64, too large) and
    ``IB009`` for a referentienummer or crossRefnummer that is not a version-4 UUID.
    """
    part = soap_body_part(read_untrusted(body, max_bytes, "client"), "client")
    qname = etree.QName(part)
    if qname.namespace != GGK_NS or qname.localname not in OPERATIONS:
        seen = f"operatie {qname.localname[:80]!r} in namespace {str(qname.namespace)[:200]!r}"
        raise refuse("client", f"{seen}; verwacht {', '.join(OPERATIONS)} in {GGK_NS}", "/Envelope/Body")
    finding = xsd_finding(part)
    if finding is not None:
        raise refuse("client", finding[1], finding[0])
    operation = qname.localname
    referentienummer = _uuid_checked(part, "referentienummer", required=True)
    cross = _uuid_checked(part, "crossRefnummer", required=operation == "ggk_Du01")
    (zo, za), (oo, oa) = _party(part, "zender"), _party(part, "ontvanger")
    common = dict(operation=operation, zender_organisatie=zo, zender_applicatie=za, ontvanger_organisatie=oo,
                  ontvanger_applicatie=oa, referentienummer=referentienummer, cross_refnummer=cross,
                  tijdstip_bericht=_text(part, "g:stuurgegevens/g:tijdstipBericht"))
    if operation == "Fo01":
        return Envelope(**common, fout_code=_text(part, "g:body/g:code"), fout_plek=_text(part, "g:body/g:plek"),
                        fout_omschrijving=_text(part, "g:body/g:omschrijving"),
                        fout_details=_text(part, "g:body/g:details"),
                        fout_details_xml=_base64(part, "g:body/g:detailsXML", max_payload, "client"))
    return Envelope(**common, **{attr: _text(part, f"g:stuurgegevens/g:{name}") for attr, name in _FUNCTIE},
                    payload=_base64(part, "g:parameters/g:bericht/g:xmlBestand", max_payload, "client"))


def parse_response(body: bytes, *, max_bytes: int = MAX_ENVELOPE_BYTES) -> Bv03 | Fo03:
    """Read the answer to a request: a :class:`Bv03`, or a :class:`Fo03` from a SOAP fault.

    An answer that is neither is a :class:`StufError` ``RIN001`` with plek ``server`` (the other side erred).
    """
    part = soap_body_part(read_untrusted(body, max_bytes, "server"), "server")
    if part.tag == f"{{{SOAP_NS}}}Fault":
        return _fault(part)
    if part.tag != f"{{{GGK_NS}}}Bv03":
        raise refuse("server", f"het antwoord is {part.tag[:200]}; verwacht ggk:Bv03 of soap:Fault", "/Envelope/Body")
    finding = xsd_finding(part)
    if finding is not None:
        raise refuse("server", finding[1], finding[0])
    (zo, za), (oo, oa) = _party(part, "zender"), _party(part, "ontvanger")
    return Bv03(zo, za, oo, oa, _text(part, "g:stuurgegevens/g:referentienummer"),
                _text(part, "g:stuurgegevens/g:crossRefnummer"), _text(part, "g:stuurgegevens/g:tijdstipBericht"))


def _fault(fault: etree._Element) -> Fo03:
    faultcode, faultstring = fault.findtext("faultcode", "").strip(), fault.findtext("faultstring", "").strip()
    fo03 = fault.find(f"detail/{{{GGK_NS}}}Fo03")
    if fo03 is None or xsd_finding(fo03) is not None:
        plek = "client" if faultcode.rpartition(":")[2].startswith("Client") else "server"
        return Fo03("", plek, faultstring, "", "", faultcode, faultstring)
    return Fo03(_text(fo03, "g:body/g:code"), _text(fo03, "g:body/g:plek"), _text(fo03, "g:body/g:omschrijving"),
                _text(fo03, "g:body/g:details"), _text(fo03, "g:stuurgegevens/g:crossRefnummer"), faultcode,
                faultstring)


# ---------------------------------------------------------------------------- writing


def _tijdstip(moment: datetime) -> str:
    """StUF's yyyyMMddHHmmssfff in Dutch local time (a naive datetime is taken as local already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(AMSTERDAM)
    return f"{moment:%Y%m%d%H%M%S}{moment.microsecond // 1000:03d}"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{GGK_NS}}}{name}")
    if text is not None:
        node.text = text
    return node


def _envelope() -> tuple[etree._Element, etree._Element]:
    env = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"soap": SOAP_NS, "ggk": GGK_NS})
    return env, etree.SubElement(env, f"{{{SOAP_NS}}}Body")


def _party_element(parent: etree._Element, name: str, party: Party) -> None:
    node = _add(parent, name)
    _add(node, "organisatie", party.organisatie)
    _add(node, "applicatie", party.applicatie)


def _stuurgegevens(part: etree._Element, berichtcode: str, zender: Party | None, ontvanger: Party | None,
                   referentienummer: str, tijdstip: datetime | None, cross_refnummer: str) -> etree._Element:
    """``stuurgegevens`` up to crossRefnummer; what is None or "" is left out."""
    stuur = _add(part, "stuurgegevens")
    _add(stuur, "berichtcode", berichtcode)
    for name, party in (("zender", zender), ("ontvanger", ontvanger)):
        if party is not None:
            _party_element(stuur, name, Party(*party))
    if referentienummer:
        _add(stuur, "referentienummer", referentienummer)
    if tijdstip is not None:
        _add(stuur, "tijdstipBericht", _tijdstip(tijdstip))
    if cross_refnummer:
        _add(stuur, "crossRefnummer", cross_refnummer)
    return stuur


def _serialised(env: etree._Element, part: etree._Element) -> bytes:
    """The envelope's bytes, after checking that they are valid and not too large (else the caller erred)."""
    finding = xsd_finding(part)
    if finding is not None:
        raise ValueError(f"the {etree.QName(part).localname} built is not valid: {finding[0]}: {finding[1]}")
    data = etree.tostring(env, xml_declaration=True, encoding="UTF-8")
    if len(data) > MAX_ENVELOPE_BYTES:
        raise ValueError(f"the {etree.QName(part).localname} built is {len(data)} bytes; at most "
                         f"{MAX_ENVELOPE_BYTES} bytes including the base64 content")
    return data


def build_request(operation: str, *, zender: Party, ontvanger: Party, referentienummer: str, tijdstip: datetime,
                  functie: str, functie_versie: str, functie_subversie: str, payload: bytes,
                  applicatie_versie: str, applicatie_subversie: str, cross_refnummer: str = "") -> bytes:
    """A SOAP 1.1 ``ggk_Di01`` or ``ggk_Du01`` request carrying ``payload`` (for Fo01 see :func:`build_fo01`).

    ``cross_refnummer`` is required for ``ggk_Du01`` (the Di01 it answers) and not allowed for ``ggk_Di01``.
    Raises ValueError when the result would not be valid against the envelope XSD.
    """
    if operation not in ("ggk_Di01", "ggk_Du01"):
        raise ValueError(f"operation {operation!r}: build_request builds ggk_Di01 or ggk_Du01 (Fo01: build_fo01)")
    env, body = _envelope()
    part = _add(body, operation)
    stuur = _stuurgegevens(part, operation[-4:], zender, ontvanger, referentienummer, tijdstip, cross_refnummer)
    for name, value in (("functie", functie), ("functieVersie", functie_versie),
                        ("functieSubversie", functie_subversie), ("applicatieVersie", applicatie_versie),
                        ("applicatieSubversie", applicatie_subversie)):
        _add(stuur, name, value)
    bericht = _add(_add(part, "parameters"), "bericht")
    _add(bericht, "xmlBestand", base64.b64encode(payload).decode("ascii"))
    return _serialised(env, part)


def _clean(text: str) -> str:
    """``text`` fit for an XML text node of at most 1000 characters (a toelichting may echo what came in)."""
    return _NOT_XML.sub("\ufffd", text)[:_MAX_TEXT]


def _fout_body(part: etree._Element, code: str, plek: str, omschrijving: str, details: str,
               details_xml: bytes) -> None:
    fout = _add(part, "body")
    _add(fout, "code", code)
    _add(fout, "plek", plek)
    _add(fout, "omschrijving", _clean(omschrijving))
    if details:
        _add(fout, "details", _clean(details))
    if details_xml:
        _add(fout, "detailsXML", base64.b64encode(details_xml).decode("ascii"))


def build_fo01(*, zender: Party, ontvanger: Party, referentienummer: str, tijdstip: datetime, code: str,
               plek: str = "client", omschrijving: str = "", details: str = "", details_xml: bytes = b"",
               cross_refnummer: str = "") -> bytes:
    """A SOAP 1.1 ``Fo01`` request: e.g. a gemeente refusing a delivered payload with ``StUF055``.

    ``omschrijving`` defaults to the code's text; ``details`` names the message (e.g. ``JW315-00010004``);
    ``details_xml`` is the original message; ``cross_refnummer`` the referentienummer of the refused message.
    """
    env, body = _envelope()
    part = _add(body, "Fo01")
    _stuurgegevens(part, "Fo01", zender, ontvanger, referentienummer, tijdstip, cross_refnummer)
    _fout_body(part, code, plek, omschrijving or code_text(code), details, details_xml)
    return _serialised(env, part)


def build_bv03(*, zender: Party, ontvanger: Party, referentienummer: str, cross_refnummer: str,
               tijdstip: datetime) -> bytes:
    """A SOAP 1.1 response holding a ``Bv03``: the message ``cross_refnummer`` was received."""
    env, body = _envelope()
    part = _add(body, "Bv03")
    _stuurgegevens(part, "Bv03", zender, ontvanger, referentienummer, tijdstip, cross_refnummer)
    return _serialised(env, part)


def build_fault(error: StufError, *, cross_refnummer: str = "", zender: Party | None = None,
                ontvanger: Party | None = None, referentienummer: str = "", tijdstip: datetime | None = None) -> bytes:
    """A SOAP 1.1 fault (``soap:Client`` or ``soap:Server`` after ``error.plek``) with a ``Fo03`` as detail.

    Only the code is needed: a request that could not be read names no message. ``cross_refnummer`` names
    the refused message when it is known (and a UUID v4; anything else is left out).
    """
    env, body = _envelope()
    fault = etree.SubElement(body, f"{{{SOAP_NS}}}Fault")
    etree.SubElement(fault, "faultcode").text = "soap:Server" if error.plek == "server" else "soap:Client"
    etree.SubElement(fault, "faultstring").text = _clean(f"{error.code} {error.omschrijving}: {error.toelichting}")
    part = _add(etree.SubElement(fault, "detail"), "Fo03")
    cross = cross_refnummer if is_uuid4(cross_refnummer) else ""
    _stuurgegevens(part, "Fo03", zender, ontvanger, referentienummer, tijdstip, cross)
    plek = "server" if error.plek == "server" else "client"
    _fout_body(part, error.code, plek, error.omschrijving, error.toelichting, b"")
    return _serialised(env, part)


def wsdl(address: str) -> bytes:
    """The WSDL of portType ``OntvangAsynchroon`` at ``address`` (an http(s) URL), with the XSD inlined."""
    if not re.fullmatch(r"https?://[^\s<>\"'{}]+", address):
        raise ValueError(f"address {address!r} is not an http(s) URL")
    template = resources.files("ketensim.kto").joinpath("ggk0210.wsdl").read_bytes()
    root = etree.fromstring(template, xml_parser())
    schema_root = etree.parse(xsd_path(), xml_parser()).getroot()
    root.find(f"{{{_WSDL_NS}}}types").append(copy.deepcopy(schema_root))
    root.find(f".//{{{_WSDL_SOAP_NS}}}address").set("location", address)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
