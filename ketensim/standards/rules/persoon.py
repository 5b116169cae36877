"""Rules on the client and on dates against the message's own dagtekening; the 305/307 product rules.

A BSN passes the 11-proef; a birth date is plausible (not more than 120 years back) and, when only
part of it is known, written the agreed way; dates of past facts (a birth, a toewijzing, the start
or end of care, a declared period) do not lie after the message's dagtekening. A start or stop
message reports products with status 1 (first delivery) or 3 (correction), and a stop does not
precede its start.
"""

from __future__ import annotations

from ketensim.standards.rules._doc import Doc, Element, in_values, value, ymd
from ketensim.standards.rules._registry import Faults, rule
from ketensim.standards.rules.producten import TP

__all__ = ["elfproef"]

_GEBOORTE = ("Client/Geboortedatum", "Client/Relaties/Relatie/Geboortedatum")
_START = "Client/StartProducten/StartProduct"
_STOP = "Client/StopProducten/StopProduct"


def elfproef(text: str) -> bool:
    """The rule set's 11-proef on a BSN: the last nine digits weighted 9..2 and -1 sum to a multiple of 11."""
    if not text.isdecimal():  # what int() reads: isdigit() would pass "²"
        return False
    # the last nine digits, zero-padded; int() first for digits beyond ASCII, as the rule set reads them
    nine = text[-9:].rjust(9, "0") if text.isascii() else f"{int(text) % 10**9:09d}"
    d = nine.encode()  # ASCII codes: each digit plus 48, and the weights add up to 43
    total = 9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7] - d[8] - 48 * 43
    return total % 11 == 0


@rule(
    "CS002",
    {
        "301": "Client/Bsn",
        "305": "Client/Bsn",
        "307": "Client/Bsn",
        "315": "Client/Bsn",
        "317": "Client/Bsn",
        "323": "Declaratie/Clienten/Client/Bsn",
        "325": "DeclaratieAntwoord/Clienten/Client/Bsn",
    },
    "Het BSN voldoet niet aan de elfproef.",
)
def _cs002(d: Doc, bsn: Element) -> Faults:
    return None if elfproef(value(bsn)) else [(bsn,)]


@rule(
    "CS139",
    {"301": _GEBOORTE, "305": _GEBOORTE[0], "307": _GEBOORTE[0], "315": _GEBOORTE[0]},
    "Een deels onbekende geboortedatum wordt geschreven zoals het datumgebruik zegt: dag onbekend als dag 01, "
    "dag en maand onbekend als 01-01, geheel onbekend als 1900-01-01.",
    when="DatumGebruik",
)
def _cs139(d: Doc, geboortedatum: Element) -> Faults:
    gebruik = d.child(geboortedatum, "DatumGebruik")
    if gebruik is None:
        return None
    datum = d.child(geboortedatum, "Datum")
    text, code = value(datum), value(gebruik)
    parts = text.split("-", 1)
    if code == "1":
        ok = text.split("-", 2)[2:] == ["01"]
    elif code == "2":
        ok = len(parts) == 2 and parts[1] == "01-01"
    elif code == "3":
        ok = text == "1900-01-01"
    else:
        return None
    return None if ok else [(datum, gebruik)]


@rule(
    "TR002",
    {"301": _GEBOORTE, "305": _GEBOORTE[0], "307": _GEBOORTE[0], "315": _GEBOORTE[0]},
    "Een geboortedatum ligt niet meer dan 120 jaar voor de dagtekening van het bericht.",
    when="Datum",
)
def _tr002(d: Doc, geboortedatum: Element) -> Faults:
    datum = d.child(geboortedatum, "Datum")
    if datum is None:
        return None
    if value(d.child(geboortedatum, "DatumGebruik")) == "3" and value(datum) == "1900-01-01":
        return None
    born, ref = ymd(datum), ymd(d.dagtekening, 10)
    if born is not None and ref is not None and born + 1_200_000 < ref:
        return [(d.dagtekening, datum)]
    return None


@rule(
    "TR134",
    {
        "301": ("Client/Geboortedatum/Datum", "Client/Relaties/Relatie/Geboortedatum/Datum", f"{TP}/Toewijzingsdatum"),
        "305": ("Client/Geboortedatum/Datum", f"{_START}/Begindatum"),
        "307": ("Client/Geboortedatum/Datum", f"{_STOP}/Einddatum"),
        "315": "Client/Geboortedatum/Datum",
        "323": (
            "Declaratie/DeclaratiePeriode/Begindatum",
            "Declaratie/Clienten/Client/Prestaties/Prestatie/ProductPeriode/Begindatum",
        ),
        "325": "DeclaratieAntwoord/Clienten/Client/Prestaties/Prestatie/ProductPeriode/Begindatum",
    },
    "Deze datum ligt niet na de dagtekening van het bericht.",
)
def _tr134(d: Doc, datum: Element) -> Faults:
    dagtekening = d.dagtekening
    if dagtekening is None:
        return [(dagtekening, datum)]
    day, ref = ymd(datum), ymd(dagtekening, 10)
    if day is not None and ref is not None and day > ref:
        return [(dagtekening, datum)]
    return None


@rule(
    "CS058",
    {"305": f"{_START}/StatusAanlevering", "307": f"{_STOP}/StatusAanlevering"},
    "De status van aanlevering is 1 (eerste aanlevering) of 3 (correctie).",
)
def _cs058(d: Doc, status: Element) -> Faults:
    return None if in_values(status, ("1", "3")) else [(status,)]


@rule("TR018", {"307": f"{_STOP}/Einddatum"}, "De einddatum van de zorg ligt niet voor de begindatum, die is ingevuld.")
def _tr018(d: Doc, einde: Element) -> Faults:
    begin = d.child(einde.getparent(), "Begindatum")
    if begin is None:
        return [(begin, einde)]
    start, until = ymd(begin), ymd(einde, 10)
    if start is not None and until is not None and start > until:
        return [(begin, einde)]
    return None
