"""The findings of one message as a ``Rapport``: the shape the Validatiemodule reports in.

Vendors know the Validatiemodule's output, so ``ketensim validate --format rapport`` writes the
same shape: a ``Header`` that repeats the message's identifying header fields and names the rule
set's version, and ``Fouten`` with one ``Fout`` per finding (code, retourcode where the rule set
gives one, every location, the explanation). The explanations are ketensim's own Dutch texts, not
the official ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from ketensim.standards.rules._doc import Element, value
from ketensim.standards.rules._registry import Finding
from ketensim.standards.rules.engine import XSLT_VERSIE

__all__ = ["RAPPORT_NAMESPACE", "rapport", "rapport_bytes"]

RAPPORT_NAMESPACE = "http://www.istandaarden.nl/validatie/1_1/rapport/schema"
_PREFIX = {"iwmo": "n4", "ijw": "n8"}  # the prefixes the official stylesheets use; the namespace is what counts
_COPIED = ("BerichtCode", "BerichtVersie", "BerichtSubversie")


def _local(el: Element) -> str:
    return str(el.tag).rpartition("}")[2]


def rapport(message: Element, findings: Sequence[Finding], standard: str) -> Element:
    """Build the ``Rapport`` of ``message`` (its root ``Bericht``) with ``findings``."""
    ns = RAPPORT_NAMESPACE
    root = etree.Element(f"{{{ns}}}Rapport", nsmap={_PREFIX.get(standard, "n4"): ns})
    header = etree.SubElement(root, f"{{{ns}}}Header")
    source = next((c for c in message if isinstance(c.tag, str) and _local(c) == "Header"), None)
    for child in source if source is not None else ():
        if not isinstance(child.tag, str):
            continue
        name = _local(child)
        if name == "BerichtType":  # a legacy header name, reported under its current one
            name = "BerichtCode"
        if name in _COPIED:
            etree.SubElement(header, f"{{{ns}}}{name}").text = child.text or ""
        elif name == "BerichtIdentificatie":
            ident = etree.SubElement(header, f"{{{ns}}}BerichtIdentificatie")
            parts = {_local(c): c for c in child if isinstance(c.tag, str)}
            etree.SubElement(ident, f"{{{ns}}}Identificatie").text = value(parts.get("Identificatie"))
            etree.SubElement(ident, f"{{{ns}}}Dagtekening").text = (
                (parts["Dagtekening"].text or "")[:10] if "Dagtekening" in parts else ""
            )
    etree.SubElement(header, f"{{{ns}}}XSLTVersie").text = XSLT_VERSIE
    fouten = etree.SubElement(root, f"{{{ns}}}Fouten")
    for finding in findings:
        fout = etree.SubElement(fouten, f"{{{ns}}}Fout")
        etree.SubElement(fout, f"{{{ns}}}Code").text = finding.code
        if finding.retourcode:
            etree.SubElement(fout, f"{{{ns}}}Retourcode").text = finding.retourcode
        for path in finding.paths:
            etree.SubElement(fout, f"{{{ns}}}Locatie").text = path
        etree.SubElement(fout, f"{{{ns}}}Details").text = finding.explanation
    return root


def rapport_bytes(message: Element, findings: Sequence[Finding], standard: str) -> bytes:
    """The ``Rapport`` as UTF-8 bytes with an XML declaration, pretty printed."""
    return etree.tostring(rapport(message, findings, standard), xml_declaration=True, encoding="UTF-8", pretty_print=True)
