"""Rules on the 323 declaratie and the 325 declaratie-antwoord: periods, amounts, totals and corrections.

A declaration covers one calendar month from 2021 on, each prestatie lies within one month of it,
not after the period and not more than five years back. Amounts in euro (eenheid 83) are declared
as a volume equal to the amount and without a tariff; a zero amount is a debit; the total is the
sum of debits minus credits. A credit line refers to the line it cancels (``VorigReferentieNummer``)
and a debit line does not; a line is credited at most once, never in the message that declares it,
and the same debit is not declared twice. The 325 adds up: the rejected prestaties make exactly the
difference between what was declared and what is granted.
"""

from __future__ import annotations

import math

from ketensim.standards.rules._doc import Doc, Element, filled, number, raw, value, ymd
from ketensim.standards.rules._registry import Faults, rule

__all__ = ["SAME_LINE", "add_days", "add_months", "minus_years"]

_P323 = "Declaratie/Clienten/Client/Prestaties/Prestatie"
_P325 = "DeclaratieAntwoord/Clienten/Client/Prestaties/Prestatie"
_PERIODE = "Declaratie/DeclaratiePeriode"
_PERIODE_EINDE = f"{_PERIODE}/Einddatum"
_P323_STEPS, _P325_STEPS = tuple(_P323.split("/")), tuple(_P325.split("/"))


def _month_length(year: int, month: int) -> int:
    if month in (4, 6, 9, 11):
        return 30
    if month == 2:
        return 29 if year % 4 == 0 else 28  # the rule set has no century rule
    return 31


def _carry(year: int, month: int, day: int) -> int:
    while day > _month_length(year, month):
        day -= _month_length(year, month)
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return year * 10000 + month * 100 + day


def add_days(day: int, n: int) -> int:
    """``yyyymmdd`` plus ``n`` days, excess days carried into the next month (the rule set's arithmetic)."""
    return _carry(day // 10000, day // 100 % 100, day % 100 + n)


def add_months(day: int, n: int) -> int:
    """``yyyymmdd`` plus ``n`` months, a day beyond the month's end carried into the next month."""
    year, month = day // 10000, day // 100 % 100 + n
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return _carry(year, month, day % 100)


def minus_years(day: int, years: int) -> int:
    """``yyyymmdd`` minus whole years, a day beyond the month's end clamped to its last day."""
    year, month = day // 10000 - years, day // 100 % 100
    return year * 10000 + month * 100 + min(day % 100, _month_length(year, month))


@rule("CD060", {"323": _P323, "325": _P325}, "Een creditregel, en alleen een creditregel, verwijst naar een vorig referentienummer.")
def _cd060(d: Doc, prestatie: Element) -> Faults:
    dc = d.at(prestatie, "IngediendBedrag/DebetCredit")
    vorig = d.at(prestatie, "ProductReferentie/VorigReferentieNummer")
    if (value(dc) == "C") != filled(vorig):
        return [(vorig, dc)]
    return None


@rule("CD087", {"323": _P323}, "Een producttarief wordt opgegeven, behalve bij eenheid 83 (euro's): dan niet.")
def _cd087(d: Doc, prestatie: Element) -> Faults:
    eenheid, tarief = d.child(prestatie, "Eenheid"), d.child(prestatie, "ProductTarief")
    if filled(tarief) != (value(eenheid) != "83"):
        return [(eenheid, tarief)]
    return None


@rule(
    "CS100",
    {"323": (f"{_PERIODE}/Begindatum", f"{_P323}/ProductPeriode/Begindatum")},
    "Met de declaratie (323) wordt alleen zorg vanaf 1 januari 2021 gedeclareerd.",
)
def _cs100(d: Doc, begin: Element) -> Faults:
    day = ymd(begin)
    return [(begin,)] if day is not None and day < 20210101 else None


_AMOUNTS = {
    "323": ("Declaratie/TotaalIngediendBedrag", f"{_P323}/IngediendBedrag"),
    "325": (
        "DeclaratieAntwoord/TotaalIngediendBedrag",
        "DeclaratieAntwoord/TotaalToegekendBedrag",
        f"{_P325}/IngediendBedrag",
    ),
}


@rule("CS325", _AMOUNTS, "Een bedrag van nul is debet, niet credit.")
def _cs325(d: Doc, holder: Element) -> Faults:
    amount = d.child(holder, "Bedrag")
    if amount is None:
        amount = d.child(holder, "TotaalBedrag")
    dc = d.child(holder, "DebetCredit")
    if number(amount) == 0 and value(dc) in ("C", "c"):
        return [(amount, dc)]
    return None


@rule("CS337", {"323": _P323}, "De productperiode ligt binnen een kalendermaand: begin en einde in hetzelfde jaar en dezelfde maand.")
def _cs337(d: Doc, prestatie: Element) -> Faults:
    begin, einde = d.at(prestatie, "ProductPeriode/Begindatum"), d.at(prestatie, "ProductPeriode/Einddatum")
    if begin is None or einde is None:
        return [(begin, einde), (begin, einde)]
    b, e = value(begin).replace("-", ""), value(einde).replace("-", "")
    faults = []
    if b[:4] != e[:4]:
        faults.append((begin, einde))
    if b[4:6] != e[4:6]:
        faults.append((begin, einde))
    return faults


@rule(
    "CS339",
    {"323": _P323},
    "Bij eenheid 83 (euro's) is het geleverde volume gelijk aan het ingediende bedrag.",
    when="Eenheid",
)
def _cs339(d: Doc, prestatie: Element) -> Faults:
    if raw(d.child(prestatie, "Eenheid")) != "83":
        return None
    volume, bedrag = d.child(prestatie, "GeleverdVolume"), d.at(prestatie, "IngediendBedrag/Bedrag")
    v, b = number(volume), number(bedrag)
    if v is not None and b is not None and v != b:
        return [(volume, bedrag)]
    return None


@rule("CS340", {"323": _PERIODE}, "De declaratieperiode is precies een kalendermaand: van de eerste tot en met de laatste dag.")
def _cs340(d: Doc, periode: Element) -> Faults:
    begin, einde = d.child(periode, "Begindatum"), d.child(periode, "Einddatum")
    faults = []
    if value(begin).split("-", 2)[2:] != ["01"]:
        faults.append((begin,))
    b, e = ymd(begin), ymd(einde)
    if b is None or e is None or add_days(e, 1) != add_months(b, 1):
        faults.append((begin, einde))
    return faults


def _not_after(earlier: Element | None, later: Element | None) -> bool:
    """The rule set's 'later >= earlier' test: False when either is absent, no error when not numeric."""
    if earlier is None or later is None:
        return False
    a, b = ymd(earlier), ymd(later, 10)
    return a is None or b is None or a <= b


@rule(
    "TR137",
    {"323": (_PERIODE, f"{_P323}/ProductPeriode"), "325": f"{_P325}/ProductPeriode"},
    "Een periode eindigt niet voor haar begin en niet na de dagtekening van het bericht.",
)
def _tr137(d: Doc, periode: Element) -> Faults:
    begin, einde = d.child(periode, "Begindatum"), d.child(periode, "Einddatum")
    faults = []
    if not _not_after(begin, einde):
        faults.append((begin, einde))
    if not _not_after(einde, d.dagtekening):
        faults.append((d.dagtekening, einde))
    return faults


@rule("TR319", {"323": _P323}, "Een prestatie ligt niet (deels) na het einde van de declaratieperiode.")
def _tr319(d: Doc, prestatie: Element) -> Faults:
    einde = d.at(d.root, _PERIODE_EINDE)
    faults = []
    for path in ("ProductPeriode/Begindatum", "ProductPeriode/Einddatum"):
        datum = d.at(prestatie, path)
        if not _not_after(datum, einde):
            faults.append((einde, datum))
    return faults


@rule(
    "TR335",
    {"323": f"{_P323}/ProductPeriode/Einddatum"},
    "Een prestatie eindigt niet meer dan vijf jaar voor de declaratiedagtekening.",
)
def _tr335(d: Doc, einde: Element) -> Faults:
    dagtekening = d.at(d.root, "Declaratie/DeclaratieDagtekening")
    ref, day = ymd(dagtekening), ymd(einde)
    if ref is not None and day is not None and day < minus_years(ref, 5):
        return [(dagtekening, einde)]
    return None


def _prestaties(d: Doc) -> list[Element]:
    return d.select(_P323_STEPS)


@rule("TR315", {"323": _P323}, "Een vorig referentienummer komt maar een keer voor in de declaratie: een regel wordt eenmaal gecrediteerd.")
def _tr315(d: Doc, prestatie: Element) -> Faults:
    vorig = d.at(prestatie, "ProductReferentie/VorigReferentieNummer")
    v = value(vorig)
    if not v:
        return None
    faults = []
    all_lines = _prestaties(d)
    if all_lines[0] is prestatie:
        return None
    for earlier in all_lines[: all_lines.index(prestatie)]:
        other = d.at(earlier, "ProductReferentie/VorigReferentieNummer")
        if other is not None and raw(other) == v:
            faults.append((other, vorig))
    return faults


@rule("TR316", {"323": _P323}, "Een debetregel wordt niet in dezelfde declaratie gecrediteerd.")
def _tr316(d: Doc, prestatie: Element) -> Faults:
    ref = d.at(prestatie, "ProductReferentie/ReferentieNummer")
    vorig = d.at(prestatie, "ProductReferentie/VorigReferentieNummer")
    r, v = value(ref), value(vorig)
    all_lines = _prestaties(d)
    if all_lines[0] is prestatie:  # nothing earlier: only the line crediting itself is possible
        return [(ref, vorig)] if r == v else None
    earlier = all_lines[: all_lines.index(prestatie)]
    faults = []
    for other in earlier:
        other_ref = d.at(other, "ProductReferentie/ReferentieNummer")
        if other_ref is not None and raw(other_ref) == v:
            faults.append((other_ref, vorig))
    for other in earlier:
        other_vorig = d.at(other, "ProductReferentie/VorigReferentieNummer")
        if other_vorig is not None and raw(other_vorig) == r:
            faults.append((other_vorig, ref))
    if r == v:
        faults.append((ref, vorig))
    return faults


SAME_LINE = ("ProductPeriode/Begindatum", "ProductPeriode/Einddatum", "ProductCategorie", "ToewijzingNummer", "ProductCode")


@rule("TR416", {"323": _P323}, "Dezelfde prestatie wordt niet twee keer als debet gedeclareerd.")
def _tr416(d: Doc, prestatie: Element) -> Faults:
    siblings = d.children(prestatie.getparent(), "Prestatie")
    if siblings[0] is prestatie or raw(d.at(prestatie, "IngediendBedrag/DebetCredit")) != "D":
        return None  # the first line of a client has nothing before it
    mine = [d.at(prestatie, f) for f in SAME_LINE]
    if any(m is None for m in mine):
        return None
    key = [value(m) for m in mine]
    faults = []
    for other in siblings[: siblings.index(prestatie)]:
        if value(d.at(other, "IngediendBedrag/DebetCredit")) != "D":
            continue
        theirs = [d.at(other, f) for f in SAME_LINE]
        if all(t is not None for t in theirs) and [value(t) for t in theirs] == key:
            faults.append((other, prestatie))
    return faults


def _net(d: Doc, lines: list[Element]) -> float:
    total = 0.0
    for line in lines:
        bedrag = d.at(line, "IngediendBedrag/Bedrag")
        dc = raw(d.at(line, "IngediendBedrag/DebetCredit"))
        if dc in ("D", "C"):
            amount = number(bedrag)
            total += float("nan") if amount is None else (amount if dc == "D" else -amount)
    return total


def _canonical(amount: float) -> str:
    """How the total is written: a whole number without a point, else the shortest form (inf and nan as Python writes them)."""
    return str(int(amount)) if math.isfinite(amount) and amount == int(amount) else repr(amount)


@rule(
    "TR358",
    {"323": "Declaratie/TotaalIngediendBedrag"},
    "Het totaal ingediende bedrag is de som van de debetregels min de creditregels, zonder voorloopnullen.",
)
def _tr358(d: Doc, totaal: Element) -> Faults:
    bedrag, dc = d.child(totaal, "TotaalBedrag"), d.child(totaal, "DebetCredit")
    sign = {"D": 1, "C": -1}.get(raw(dc))
    if sign is None:
        return None
    lines = _prestaties(d)
    if value(bedrag) != _canonical(sign * _net(d, lines)):
        return [(bedrag, dc, *(d.child(line, "IngediendBedrag") for line in lines))]
    return None


def _signed(d: Doc, holder: Element | None) -> float:
    amount = number(d.child(holder, "TotaalBedrag"))
    if amount is None:
        return float("nan")
    return -amount if raw(d.child(holder, "DebetCredit")) == "C" else amount


@rule(
    "TR342",
    {"325": "DeclaratieAntwoord"},
    "De afgewezen prestaties in het antwoord tellen op tot precies het verschil tussen het ingediende en het "
    "toegekende totaal; bij afwijzing van de hele declaratie is het toegekende totaal nul.",
    retourcode="0001",
)
def _tr342(d: Doc, antwoord: Element) -> Faults:
    ingediend, toegekend = d.child(antwoord, "TotaalIngediendBedrag"), d.child(antwoord, "TotaalToegekendBedrag")
    codes = {value(c) for c in d.children(d.child(antwoord, "RetourCodes"), "RetourCode")}
    tt = _signed(d, toegekend)
    if codes <= {"0200", "8001"}:
        net = _net(d, d.select(_P325_STEPS))
        if not net == _signed(d, ingediend) - tt:  # NaN compares unequal: a missing amount is an error
            return [(ingediend, toegekend)]
        return None
    return None if tt == 0 else [(toegekend,)]
