"""What only a real system can get wrong: the checks a hub makes before a vendor's message enters the chain.

:func:`judge` takes a :class:`Submission` (what any interface, REST or StUF, received) and either
refuses it with :class:`~ketensim.kto.codes.Melding` s or returns the :class:`Admitted` facts the
session needs to put it into the chain: the message type, the receiver, the client and, for a
retour, the heen it answers. After the XSD come the business rules (TR/CD/CS) when the sender's hub
applies them (``[hubs.vecozo] rules``, on by default), with one melding per violated rule: its code,
our Dutch explanation and the paths. A refused message never enters the chain. What the draaiboek decides
(a block, the release after go-live) is not judged here: the chain's own hub code decides that for
every party alike, once the message has been admitted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from ketensim.chain.message import Message
from ketensim.exceptions import UnknownMessageType, UnsafeXML
from ketensim.kto.codes import Melding, melding
from ketensim.kto.ids import is_uuid4
from ketensim.standards import limits, rules
from ketensim.standards.catalogue import MessageType
from ketensim.standards.validation import MAX_BYTES, detect, parse_xml, schema

__all__ = ["Submission", "Admitted", "Refused", "Examined", "examine", "judge", "facts_path", "HeenHeader"]

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_MAX_FINDINGS = 5  # XSD findings reported per refused message


@dataclass(frozen=True)
class Submission:
    """A message as a vendor's system offered it: routing metadata and the payload bytes."""

    traceer_id: str
    conversatie_id: str
    als_antwoord_op: str  # for a retour: the traceer-ID of the heen it answers
    afzender: str  # code of the sending organisation in the metadata
    geadresseerde: str  # code of the receiving organisation in the metadata
    berichtsubtype: str  # e.g. WMO305
    berichtversie: str  # e.g. 3
    berichtsubversie: str  # e.g. 0
    payload: bytes = field(repr=False)


@dataclass(frozen=True)
class HeenHeader:
    """What a simulated receiver needs of a vendor's heen to build its retour (see ``build_retour``)."""

    header: object
    clienten: tuple[object, ...] = ()


@dataclass(frozen=True)
class Admitted:
    """A submission that passed every check of this module."""

    mt: MessageType
    receiver: str  # CBS gemeentecode or AGB code
    bsn: str
    heen: Message | None
    heen_header: HeenHeader  # what the simulated receiver builds its retour from
    referentie: str = ""  # ReferentieAanbieder of the payload: the request a 301/319 answers
    geboortedatum: date | None = None  # of the client (the first one the message names)


@dataclass(frozen=True)
class Refused:
    meldingen: tuple[Melding, ...]


@dataclass(frozen=True)
class Context:
    """What the checks need to know of the session."""

    party_kind: str
    party_ident: str
    known_receivers: Callable[[str], bool]
    traceer_seen: Callable[[str], bool]
    heen_by_traceer: Callable[[str], Message | None]
    admits: Callable[[str, str], str]  # (release, number) -> the draaiboek's verdict now
    rules: bool = False  # the sender's hub applies the business rules (TR/CD/CS) after the XSD


def facts_path(lxml_path: str) -> str:
    """``/wmo305:Bericht/wmo305:Client[1]/iwmo:Naam`` in the facts' notation: ``/Bericht/Client/Naam``."""
    steps = []
    for step in lxml_path.strip("/").split("/"):
        if not step:
            continue
        name = step.split(":", 1)[-1]
        if name.endswith("[1]"):
            name = name[:-3]
        steps.append(name)
    return "/" + "/".join(steps)


def _local(el: etree._Element, name: str) -> etree._Element | None:
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return child
    return None


def _text(el: etree._Element | None, *names: str) -> str:
    for name in names:
        if el is None:
            return ""
        el = _local(el, name)
    return (el.text or "").strip() if el is not None else ""


def _header(root: etree._Element) -> tuple[str, str, str, str, etree._Element | None]:
    head = _local(root, "Header")
    return (_text(head, "Afzender"), _text(head, "Ontvanger"), _text(head, "BerichtIdentificatie", "Identificatie"),
            _text(head, "BerichtIdentificatie", "Dagtekening"), head)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _heen_header(afzender: str, ontvanger: str, ident: str, dagtekening: str) -> HeenHeader:
    from ketensim.standards.payload import Header

    # the XSD has checked the date: it is an ISO date here
    return HeenHeader(Header(afzender, ontvanger, ident, date.fromisoformat(dagtekening)))


def _birth(root: etree._Element) -> str:
    """The Geboortedatum/Datum of the first client the message names ("" if none)."""
    for el in root.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname == "Geboortedatum":
            return _text(el, "Datum") or (el.text or "").strip()
    return ""


_UNSAFE_NL = (  # the safe parser's reasons (shared with `ketensim validate`, in English there), for the vendor in Dutch
    ("DOCTYPE/ENTITY declarations are not allowed", "DOCTYPE- en ENTITY-declaraties zijn niet toegestaan (geen DTD, "
                                                    "geen entiteiten)"),
    ("DOCTYPE/DTD declarations are not allowed", "DOCTYPE- en DTD-declaraties zijn niet toegestaan"),
    ("entity references are not allowed", "verwijzingen naar entiteiten zijn niet toegestaan"),
    ("not XML", "geen XML (de inhoud begint niet met '<')"),
    ("not well-formed XML", "geen welgevormde XML"),
    ("root element", "het hoofdelement is geen Bericht met een namespace; gevonden"),
    ("no message in the catalogue has namespace", "geen berichttype van iWmo of iJw heeft namespace"),
)


def _dutch(reason: str) -> str:
    """The parser's reason in Dutch, keeping its details (line, libxml2's own message) after a colon."""
    if "has no namespace" in reason:
        return "het hoofdelement Bericht heeft geen namespace; het berichttype is niet te bepalen"
    for english, dutch in _UNSAFE_NL:
        if reason.startswith(english):
            detail = reason[len(english):].lstrip(" :")
            detail = detail.split(",")[0] if english == "root element" else detail
            return f"{dutch} {detail}" if english in ("root element", "no message in the catalogue has namespace") \
                else (f"{dutch}: {detail.replace('line', 'regel', 1)}" if detail and not detail.startswith("(") else dutch)
    return f"onveilige of onbekende XML: {reason}"


def _metadata(sub: Submission) -> list[Melding]:
    found = []
    for name, value in (("referentie.traceerId", sub.traceer_id), ("referentie.conversatieId", sub.conversatie_id)):
        if not value:
            found.append(melding("CC06", f"{name} ontbreekt", name))
        elif not is_uuid4(value.lower()):
            found.append(melding("CC04", f"{name} {value[:60]!r} is geen UUID versie 4", name))
    if sub.als_antwoord_op and not is_uuid4(sub.als_antwoord_op.lower()):
        found.append(melding("CC04", f"referentie.alsAntwoordOp {sub.als_antwoord_op[:60]!r} is geen UUID versie 4",
                             "referentie.alsAntwoordOp"))
    for name, value in (("routering.afzender.code", sub.afzender),
                        ("routering.geadresseerden[0].code", sub.geadresseerde),
                        ("routering.berichtstroom.berichtsubtype", sub.berichtsubtype)):
        if not value:
            found.append(melding("CC06", f"{name} ontbreekt", name))
    return found


def _document(sub: Submission) -> tuple[etree._ElementTree, MessageType] | Melding:
    data = sub.payload
    if len(data) > MAX_BYTES:
        return melding("CC03", f"het bericht is {len(data)} bytes; ten hoogste {MAX_BYTES} bytes toegestaan")
    if data.startswith(_BOMS):
        return melding("KS02", "het bericht begint met een byte order mark (BOM); verwacht UTF-8 zonder BOM")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return melding("KS02", f"byte {err.start} is geen geldige UTF-8; verwacht UTF-8 zonder BOM")
    head = data[:200].lower()
    if head.startswith(b"<?xml") and b"encoding" in head.split(b"?>")[0] and b"utf-8" not in head.split(b"?>")[0]:
        return melding("KS02", "de XML-declaratie noemt een andere codering dan UTF-8")
    try:
        tree = parse_xml(data, name="payload")
        mt = detect(tree)
    except (UnsafeXML, UnknownMessageType) as err:
        return melding("CC02", _dutch(str(err).removeprefix("payload: ")), "/")
    absurd = limits.absurdity(tree)  # bounds the work before the XSD: nothing an iWmo/iJw message needs
    if absurd is not None:
        path, line, reason = absurd
        return melding("CC02", f"{mt.code} {mt.release}: regel {line}: {reason}", facts_path(path))
    xsd = schema(mt)
    if not xsd.validate(tree):
        errors = list(xsd.error_log)[:_MAX_FINDINGS]
        first = errors[0]
        more = f" (en {len(xsd.error_log) - 1} andere bevinding(en))" if len(xsd.error_log) > 1 else ""
        return melding("CC02", f"{mt.code} {mt.release}: regel {first.line}: {first.message}{more}",
                       facts_path(first.path or "/"))
    return tree, mt


@dataclass(frozen=True)
class Examined:
    """What the payload alone says (no session state): parsed and valid, or the refusal. Costly, so it is
    worked out before the session is locked."""

    tree: etree._ElementTree | None
    mt: MessageType | None
    refusal: tuple[Melding, ...] = ()


def examine(sub: Submission, with_rules: bool) -> Examined:
    """Size, encoding, safe parsing, message type, XSD and (``with_rules``) the business rules of the payload."""
    doc = _document(sub)
    if isinstance(doc, Melding):
        return Examined(None, None, (doc,))
    tree, mt = doc
    if with_rules and rules.applies(mt):
        findings = rules.check(tree, mt)
        if findings:
            return Examined(tree, mt, tuple(Melding(f.code, f"Bericht voldoet niet aan bedrijfsregel {f.code}",
                                                    f.explanation, ", ".join(f.paths))
                                            for f in findings[:_MAX_FINDINGS]))
    return Examined(tree, mt)


def judge(sub: Submission, ctx: Context, examined: Examined | None = None) -> Admitted | Refused:
    """Check ``sub`` the way the hubs check a real system's message; see the module docstring.

    ``examined`` is :func:`examine`'s result when the caller worked it out already (outside its lock).
    """
    found = _metadata(sub)
    if sub.traceer_id and ctx.traceer_seen(sub.traceer_id.lower()):
        found.append(melding("CC08", f"traceerId {sub.traceer_id} is al eerder aangeboden", "referentie.traceerId"))
    if found:
        return Refused(tuple(found))
    examined = examined or examine(sub, ctx.rules)
    if examined.refusal:
        return Refused(examined.refusal)
    tree, mt = examined.tree, examined.mt
    assert tree is not None and mt is not None
    root = tree.getroot()
    afzender, ontvanger, ident, dagtekening, head = _header(root)
    # a retour repeats its heen's header (Afzender and Ontvanger unchanged); 325/304 name their own sender
    mirrored = mt.role == "retour" and mt.number not in ("325", "304")
    if mt.role == "retour" and not mirrored:
        ident = _text(head, "DeclaratieIdentificatie", "Identificatie")  # the declaratie it answers
    sender, receiver = (ontvanger, afzender) if mirrored else (afzender, ontvanger)
    sender_at = "/Bericht/Header/" + ("Ontvanger" if mirrored else "Afzender")
    receiver_at = "/Bericht/Header/" + ("Afzender" if mirrored else "Ontvanger")
    sends = "A2G" if ctx.party_kind == "aanbieder" else "G2A"
    if mt.direction != sends:
        return Refused((melding("IB234", f"een {ctx.party_kind} verstuurt geen {mt.code}", "/Bericht/Header/BerichtCode"),))
    if sender != ctx.party_ident:
        return Refused((melding("BRS02", f"het bericht komt van {sender}, niet van de organisatie van deze sessie "
                                f"({ctx.party_ident})", sender_at),))
    found = []
    if sub.afzender != sender:
        found.append(melding("KS01", f"metadata noemt afzender {sub.afzender}, het bericht {sender}",
                             "routering.afzender.code"))
    if sub.geadresseerde != receiver:
        found.append(melding("KS01", f"metadata noemt geadresseerde {sub.geadresseerde}, het bericht {receiver}",
                             "routering.geadresseerden[0].code"))
    if sub.berichtsubtype.upper() != mt.code:
        found.append(melding("KS01", f"metadata noemt berichtsubtype {sub.berichtsubtype}, het bericht is {mt.code}",
                             "routering.berichtstroom.berichtsubtype"))
    if (sub.berichtversie, sub.berichtsubversie) != (mt.bericht_versie, mt.bericht_subversie):
        found.append(melding("KS01", f"metadata noemt berichtversie {sub.berichtversie}.{sub.berichtsubversie}, "
                             f"het bericht is release {mt.release}", "routering.berichtstroom.berichtversie"))
    if found:
        return Refused(tuple(found))
    if not ctx.known_receivers(receiver):
        return Refused((melding("IB210", f"organisatie {receiver} neemt niet deel aan deze keten", receiver_at),))
    heen = None
    if mt.role == "retour":
        if not sub.als_antwoord_op:
            return Refused((melding("CC06", "een retourbericht noemt in referentie.alsAntwoordOp het heenbericht",
                                    "referentie.alsAntwoordOp"),))
        heen = ctx.heen_by_traceer(sub.als_antwoord_op.lower())
        refusal = _retour_fits(mt, heen, sub, receiver, ident, ctx)
        if refusal is not None:
            return Refused((refusal,))
    bsn, referentie = _first(root, "Bsn"), _first(root, "ReferentieAanbieder")
    return Admitted(mt, receiver, bsn, heen, _heen_header(afzender, ontvanger, ident, dagtekening), referentie,
                    _date(_birth(root)))


def _first(root: etree._Element, name: str) -> str:
    """The text of the first element named ``name`` anywhere in the message ("" if none)."""
    return next((el.text.strip() for el in root.iter() if isinstance(el.tag, str)
                 and etree.QName(el).localname == name and el.text), "")


def _retour_fits(mt: MessageType, heen: Message | None, sub: Submission, receiver: str, ident: str,
                 ctx: Context) -> Melding | None:
    where = "referentie.alsAntwoordOp"
    if heen is None or heen.role != "heen":
        return melding("KS04", f"geen heenbericht met traceerId {sub.als_antwoord_op} is aan u bezorgd", where)
    if heen.retour_number != mt.number:
        return melding("IB234", f"{mt.code} is geen retour op {heen.code}", "/Bericht/Header/BerichtCode")
    earlier = heen.pair.retour
    if earlier is not None and earlier.hub_result in ("accepted", "", "held"):
        return melding("KS05", f"op {heen.code} met traceerId {sub.als_antwoord_op} is al een retour gegeven", where)
    if earlier is not None:
        # an earlier retour was refused by the draaiboek; the ledger keeps that one, and this one fares the same
        verdict = ctx.admits(mt.release, mt.number)
        if verdict == "rejected_block":
            return melding("IB103", f"{mt.code} is vanaf de technische blokkade niet meer toegestaan in release "
                           f"{mt.release}", "/Bericht/Header/BerichtCode")
        if verdict == "rejected_release":
            return melding("KS03", f"release {mt.release} is op dit moment niet toegestaan", "/Bericht")
        return melding("KS05", f"op {heen.code} is al een retour gegeven (en geweigerd)", where)
    if heen.release != mt.release:
        return melding("KS06", f"het heenbericht is release {heen.release}, dit retourbericht {mt.release}",
                       "/Bericht")
    if receiver != heen.sender.ident:
        return melding("KS01", f"het heenbericht kwam van {heen.sender.ident}, dit retourbericht gaat naar {receiver}",
                       "/Bericht/Header")
    if ident != heen.identificatie:
        return melding("KS01", f"BerichtIdentificatie {ident!r} is niet die van het heenbericht "
                       f"({heen.identificatie!r})", "/Bericht/Header/BerichtIdentificatie/Identificatie")
    return None
