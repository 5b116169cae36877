"""The XML layer under :mod:`ketensim.kto.stuf`: namespaces, codes, safe reading, SOAP 1.1 unwrapping, the XSD.

Untrusted bytes are read as :func:`ketensim.standards.validation.parse_xml` reads them (no DTD, no entities,
no network), with a cap of :data:`MAX_ENVELOPE_BYTES` instead of 25 MB and with libxml2's ``huge_tree`` on:
``xmlBestand`` is one text node, which without it may not exceed 10 MB (a 7.5 MB payload). The DOCTYPE and
entity checks stay, so ``huge_tree`` lifts no protection against entity expansion. Only UTF-8 is read (a
UTF-8 BOM is allowed, as .NET stacks write one).
"""

from __future__ import annotations

import functools
import threading

from lxml import etree

from ketensim._resources import xsd_dir
from ketensim.exceptions import KetensimError
from ketensim.kto.codes import CODES, Melding
from ketensim.standards.validation import MAX_BYTES

__all__ = [
    "GGK_NS", "SOAP_NS", "NS", "OPERATIONS", "SOAP_ACTIONS", "MAX_ENVELOPE_BYTES", "MAX_PAYLOAD_BYTES",
    "STUF_CODES", "StufError", "code_text", "refuse", "xml_parser", "read_untrusted", "soap_body_part",
    "xsd_finding", "xsd_path",
]

GGK_NS = "http://www.stufstandaarden.nl/koppelvlak/ggk0210"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
NS = {"g": GGK_NS}

OPERATIONS = ("ggk_Di01", "ggk_Du01", "Fo01")
SOAP_ACTIONS = {op: f"{GGK_NS}/{op}" for op in OPERATIONS}
MAX_ENVELOPE_BYTES = 26 * 1024 * 1024
"""Largest SOAP request read. The facts put the GGk's limit at 25 MB *including* the base64 content."""
MAX_PAYLOAD_BYTES = MAX_BYTES
"""Largest decoded ``xmlBestand`` (25 MB, the chain's payload limit)."""

STUF_CODES: dict[str, str] = {
    # Inlichtingenbureau / RINIS (foutcodelijst 2.1 patch 04 rev. 3, 2017); texts written by ketensim
    "IB009": "Ongeldig UUID",
    "IB213": "Verzendende organisatie onbekend",
    "IB798": "StUF-versie komt niet overeen",
    "RIN001": "Bericht voldoet niet aan het XSD van de StUF-envelop",
    # StUF: what a gemeente answers when a delivered payload fails its XSD
    "StUF055": "Ontvangen bericht voldoet niet aan het XSD",
}

_SCHEMA_LOCK = threading.Lock()


class StufError(KetensimError):
    """A refusal in StUF terms: the code, its text, what exactly, and whose fault (``client`` or ``server``)."""

    def __init__(self, code: str, omschrijving: str, toelichting: str, plek: str = "client", pad: str = "") -> None:
        self.code, self.omschrijving, self.toelichting, self.plek, self.pad = code, omschrijving, toelichting, plek, pad
        super().__init__(f"{code} {omschrijving}: {toelichting}")

    @classmethod
    def of(cls, code: str, toelichting: str, plek: str = "client", pad: str = "") -> StufError:
        """The error for ``code`` with the text of :data:`STUF_CODES` or :data:`~ketensim.kto.codes.CODES`."""
        return cls(code, code_text(code), toelichting, plek, pad)

    def melding(self) -> Melding:
        """The same refusal as the REST side reports it (``plek`` there is the element path)."""
        return Melding(self.code, self.omschrijving, self.toelichting, self.pad)


def code_text(code: str) -> str:
    """The text of ``code`` in :data:`STUF_CODES` or :data:`~ketensim.kto.codes.CODES`."""
    text = STUF_CODES.get(code) or CODES.get(code)
    if text is None:
        raise ValueError(f"unknown code {code!r}: not in STUF_CODES nor in kto.codes.CODES")
    return text


def xml_parser() -> etree.XMLParser:
    """The safe parser of validation.parse_xml, with huge_tree: xmlBestand is one text node of up to ~26 MB."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=True)


def refuse(plek: str, toelichting: str, pad: str = "") -> StufError:
    """A ``RIN001``: the envelope is not what the koppelvlak prescribes."""
    return StufError.of("RIN001", toelichting, plek, pad)


def read_untrusted(data: bytes, max_bytes: int, plek: str) -> etree._Element:
    """Parse untrusted bytes: size cap, UTF-8, no DOCTYPE, no entities, well-formed."""
    if len(data) > max_bytes:
        raise refuse(plek, f"het bericht is {len(data)} bytes; ten hoogste {max_bytes} bytes toegestaan")
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data.lstrip()[:1] != b"<":
        raise refuse(plek, "geen XML (verwacht een SOAP 1.1-envelop in UTF-8)")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise refuse(plek, "DOCTYPE- en ENTITY-declaraties zijn niet toegestaan")
    try:
        root = etree.fromstring(data, xml_parser())
    except (etree.XMLSyntaxError, ValueError) as err:
        line = getattr(err, "lineno", None)
        raise refuse(plek, f"geen welgevormde XML: regel {line}: {getattr(err, 'msg', err)}") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise refuse(plek, "DOCTYPE- en DTD-declaraties zijn niet toegestaan")
    if (info.encoding or "UTF-8").upper() != "UTF-8":
        raise refuse(plek, f"codering {info.encoding}; verwacht UTF-8")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise refuse(plek, "entiteitsverwijzingen zijn niet toegestaan")
    return root


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str)]


def soap_body_part(root: etree._Element, plek: str) -> etree._Element:
    """The one element inside ``soap:Body`` of a SOAP 1.1 envelope."""
    if etree.QName(root).namespace == _SOAP12_NS:
        raise refuse(plek, f"SOAP 1.2 wordt niet ondersteund; verwacht SOAP 1.1 ({SOAP_NS})", "/Envelope")
    if root.tag != f"{{{SOAP_NS}}}Envelope":
        raise refuse(plek, f"het hoofdelement is {root.tag}; verwacht {{{SOAP_NS}}}Envelope", "/")
    children = _elements(root)
    if children and children[0].tag == f"{{{SOAP_NS}}}Header":
        children = children[1:]
    if len(children) != 1 or children[0].tag != f"{{{SOAP_NS}}}Body":
        raise refuse(plek, "verwacht in soap:Envelope een optionele soap:Header en precies één soap:Body",
                     "/Envelope")
    body = children[0]
    parts = _elements(body)
    stray = (body.text or "").strip() or any((child.tail or "").strip() for child in body)
    if len(parts) != 1 or stray:
        raise refuse(plek, f"soap:Body bevat {len(parts)} elementen en tekst={bool(stray)}; verwacht precies één "
                     "element", "/Envelope/Body")
    return parts[0]


def xsd_path() -> str:
    """The envelope XSD, ``xsd/stuf/ggk0210.xsd``."""
    return str(xsd_dir() / "stuf" / "ggk0210.xsd")


@functools.cache
def _schema() -> etree.XMLSchema:
    with _SCHEMA_LOCK:
        return etree.XMLSchema(etree.parse(xsd_path(), xml_parser()))


def _readable_path(part: etree._Element, lxml_path: str) -> str:
    """lxml's path of a finding (relative to ``part``, e.g. ``/*/*[2]``) as element names from soap:Envelope."""
    steps = lxml_path.split("/")[2:]
    namespaces = {prefix: uri for prefix, uri in part.nsmap.items() if prefix}
    try:
        found = part.xpath("/".join(steps), namespaces=namespaces) if steps else [part]
    except etree.XPathError:
        found = []
    if len(found) != 1 or not isinstance(found[0], etree._Element):
        return lxml_path
    node, names = found[0], []
    while node is not None:
        names.append(etree.QName(node).localname)
        node = node.getparent()
    return "/" + "/".join(reversed(names))


def xsd_finding(part: etree._Element) -> tuple[str, str] | None:
    """(path, reason) of the first XSD finding on ``part``, or None when it is valid."""
    try:
        _schema().assertValid(part)
    except etree.DocumentInvalid as err:
        first = err.error_log[0] if len(err.error_log) else None
        if first is None:
            return "/", str(err)
        reason = first.message.replace(f"{{{GGK_NS}}}", "ggk:")
        return _readable_path(part, first.path or "/"), f"regel {first.line}: {reason}"
    return None
