"""XSD validation of built messages, and safe reading and checking of message files.

A file check runs the XSD and then, on a valid message, the business rules of
:mod:`ketensim.standards.rules`.

Two validators, each for what it does best:

* the hot path, :func:`is_valid` / :func:`validate`, uses :mod:`lxml` with every
  ``XMLSchema`` compiled once and cached (the simulation validates every message it sends);
* :func:`diagnose` uses :mod:`xmlschema` to explain a failure: element path, line and reason.

Files from outside are untrusted. :func:`read_xml` refuses anything bigger than the chain's
maximum payload (25 MB), any DOCTYPE or DTD (so no entity expansion such as "billion laughs"
and no external entities such as ``file:///etc/passwd``), and never touches the network. The
message type of a file follows from the namespace of its root ``Bericht`` element.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path

import xmlschema
from lxml import etree

from ketensim._resources import xsd_dir
from ketensim.exceptions import SchemaViolation, UnknownMessageType, UnsafeXML
from ketensim.standards import limits
from ketensim.standards import rules as business_rules
from ketensim.standards.catalogue import Catalogue, MessageType, get_catalogue
from ketensim.standards.rules import Finding as RuleFinding

__all__ = [
    "MAX_BYTES",
    "Finding",
    "FileReport",
    "schema",
    "is_valid",
    "validate",
    "diagnose",
    "read_xml",
    "parse_xml",
    "detect",
    "check_file",
]

MAX_BYTES = 25 * 1024 * 1024
"""Largest file accepted: the chain's maximum payload of 25 MB (IB003/IB012/CC03)."""

_lock = threading.Lock()


def _safe_parser() -> etree.XMLParser:
    # no entity resolution, no DTD loading, no network; huge_tree stays off so libxml2's own
    # depth and size limits stay in force
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


@dataclass(frozen=True)
class Finding:
    """One reason a document is not valid: where (element path, line) and why."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path} line {self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class FileReport:
    """The outcome of checking one file: the detected message type and the findings (none = pass).

    ``findings`` are the XSD's; ``rule_findings`` the business rules' (see
    :mod:`ketensim.standards.rules`), which run only on a message that passes its XSD, as the
    Validatiemodule does. ``rules_checked`` says whether they ran: not when skipped, not after an
    XSD failure, and not for a message type without rules (retours, 2.x, the legacy 303/304).
    """

    path: str
    message_type: MessageType | None
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    problem: str | None = None  # the file could not be checked at all (unsafe, not XML, unknown)
    rule_findings: tuple[RuleFinding, ...] = field(default_factory=tuple)
    rules_checked: bool = False
    tree: etree._ElementTree | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when the file was checked and no finding was made."""
        return self.problem is None and not self.findings and not self.rule_findings


def _xsd_path(mt: MessageType) -> Path:
    path = mt.xsd_path
    if not path.is_file():
        raise UnknownMessageType(f"{mt.code} {mt.release}: XSD {mt.xsd!r} not found under {mt.xsd_root or xsd_dir()}")
    return path


@functools.cache
def schema(mt: MessageType) -> etree.XMLSchema:
    """The compiled lxml schema of ``mt`` (compiled on first use, then cached)."""
    with _lock:
        doc = etree.parse(str(_xsd_path(mt)), _safe_parser())
        return etree.XMLSchema(doc)


@functools.cache
def _diagnostic_schema(mt: MessageType) -> xmlschema.XMLSchema:
    with _lock:
        # "local": the schemas import their basisschema from disk; nothing is fetched from a network
        return xmlschema.XMLSchema(str(_xsd_path(mt)), allow="local", defuse="always")


def is_valid(mt: MessageType, element: etree._Element | etree._ElementTree) -> bool:
    """Return whether ``element`` is valid against the XSD of ``mt`` (the fast check)."""
    return bool(schema(mt).validate(element))


def validate(mt: MessageType, element: etree._Element | etree._ElementTree) -> None:
    """Raise :class:`SchemaViolation` (with every lxml finding in ``errors``) unless ``element`` is valid."""
    xsd = schema(mt)
    if not xsd.validate(element):
        errors = [f"{e.path} line {e.line}: {e.message}" for e in xsd.error_log]
        raise SchemaViolation(f"{mt.code} {mt.release} is not valid against {mt.xsd}: {errors[0]}", errors)


def diagnose(mt: MessageType, element: etree._Element | etree._ElementTree) -> list[Finding]:
    """Explain why ``element`` fails the XSD of ``mt``; an empty list means it is valid.

    Uses :mod:`xmlschema`, which names the element path and the failing rule, and falls back
    to lxml's own messages should the two validators ever disagree, or the document be too big
    for a detailed diagnosis, or xmlschema fail on it. The work is bounded
    (:mod:`ketensim.standards.limits`): an absurd document gets one finding, and at most
    ``MAX_FINDINGS`` findings are listed, then a count of the rest.
    """
    tree = element if isinstance(element, etree._ElementTree) else element.getroottree()
    absurd = limits.absurdity(tree)
    if absurd is not None:
        return [Finding(*absurd)]
    findings: list[Finding] = []
    if limits.element_count(tree) <= limits.DETAILED_ELEMENTS:
        findings = _detailed(mt, tree)
    if not findings and not is_valid(mt, tree):
        log = schema(mt).error_log
        findings = [Finding(e.path or "/", e.line, e.message) for e in log][: limits.MAX_FINDINGS]
        if len(log) > limits.MAX_FINDINGS:
            findings.append(Finding("/", None, f"{len(log) - limits.MAX_FINDINGS} more findings not listed"))
    return findings


def _detailed(mt: MessageType, tree: etree._ElementTree) -> list[Finding]:
    """At most ``MAX_FINDINGS`` findings of xmlschema (and a note when there are more), or [] if it fails."""
    findings = []
    try:
        for err in _diagnostic_schema(mt).iter_errors(tree):
            if len(findings) == limits.MAX_FINDINGS:
                findings.append(Finding("/", None, f"more findings not listed (the first {limits.MAX_FINDINGS} "
                                                   "are)"))
                break
            line = getattr(err, "sourceline", None)
            reason = (err.reason or err.message).strip().replace("\n", " ")
            findings.append(Finding(err.path or "/", line if isinstance(line, int) else None, reason))
    except (xmlschema.XMLSchemaException, LookupError, ValueError, TypeError) as error:
        # e.g. an xsi:type naming a type the schema does not have: a finding, never a crash
        reason = str(error).strip().replace("\n", " ").strip('"')
        return [*findings, *_xsi_type_findings(tree), Finding("/", None, f"cannot be diagnosed in detail: {reason}")]
    return findings


def _xsi_type_findings(tree: etree._ElementTree) -> list[Finding]:
    attribute = "{http://www.w3.org/2001/XMLSchema-instance}type"
    return [Finding(tree.getpath(e), e.sourceline, f"xsi:type {e.get(attribute)!r} is not a type of this message's "
                                                   "schema (iWmo/iJw messages use no xsi:type)")
            for e in tree.iter() if e.get(attribute) is not None][: limits.MAX_FINDINGS]


def parse_xml(data: bytes, *, name: str = "<bytes>") -> etree._ElementTree:
    """Parse untrusted bytes safely.

    Raises:
        UnsafeXML: The data is too big, has a DOCTYPE/DTD or entities, or is not well-formed XML.
    """
    if len(data) > MAX_BYTES:
        raise UnsafeXML(f"{name}: {len(data)} bytes exceeds the limit of {MAX_BYTES} bytes (25 MB)")
    head = data.lstrip()[:4]
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UnsafeXML(f"{name}: DOCTYPE/ENTITY declarations are not allowed (no DTDs, no entities)")
    if not head.startswith(b"<") and not head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise UnsafeXML(f"{name}: not XML (the content does not start with '<')")
    try:
        tree = etree.ElementTree(etree.fromstring(data, _safe_parser()))
    except etree.XMLSyntaxError as err:
        raise UnsafeXML(f"{name}: not well-formed XML: line {err.lineno}: {err.msg}") from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXML(f"{name}: DOCTYPE/DTD declarations are not allowed")
    if any(isinstance(node, etree._Entity) for node in tree.iter()):
        raise UnsafeXML(f"{name}: entity references are not allowed")
    return tree


def read_xml(path: str | Path, *, max_bytes: int = MAX_BYTES) -> etree._ElementTree:
    """Read and parse an untrusted XML file safely (size limit, no DTD, no entities, no network).

    Raises:
        UnsafeXML: See :func:`parse_xml`; also when the file cannot be read.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise UnsafeXML(f"{p}: file is {size} bytes; the limit is {max_bytes} bytes (25 MB)")
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise UnsafeXML(f"{p}: cannot read file: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise UnsafeXML(f"{p}: file exceeds the limit of {max_bytes} bytes (25 MB)")
    return parse_xml(data, name=str(p))


def detect(tree: etree._ElementTree | etree._Element, catalogue: Catalogue | None = None) -> MessageType:
    """The message type of a document, from the namespace of its root ``Bericht``.

    ``catalogue`` is the one to look in (a scenario's, with its draft releases); by default the known one.

    Raises:
        UnknownMessageType: The root is not ``Bericht`` or its namespace is not in the catalogue.
    """
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    qname = etree.QName(root)
    if qname.localname != "Bericht":
        raise UnknownMessageType(f"root element is {qname.localname!r}, expected 'Bericht'")
    if not qname.namespace:
        raise UnknownMessageType("root element 'Bericht' has no namespace; cannot tell the message type")
    return (catalogue or get_catalogue()).by_namespace(qname.namespace)


def check_file(path: str | Path, *, rules: bool = True, catalogue: Catalogue | None = None) -> FileReport:
    """Read, detect and validate one file (XSD, then the business rules); never raises for a bad file, reports instead."""
    name = str(path)
    try:
        tree = read_xml(path)
        mt = detect(tree, catalogue)
    except (UnsafeXML, UnknownMessageType) as err:
        return FileReport(name, None, (), problem=str(err).removeprefix(f"{name}: "))
    if not is_valid(mt, tree):
        return FileReport(name, mt, tuple(diagnose(mt, tree)), tree=tree)
    if not rules or not business_rules.applies(mt):
        return FileReport(name, mt, tree=tree)
    found = business_rules.check(tree, mt)
    return FileReport(name, mt, rule_findings=tuple(found), rules_checked=True, tree=tree)
