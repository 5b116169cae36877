"""Rules on the requests and the answer: 315 verzoek om toewijzing, 317 verzoek om wijziging, 319 antwoord.

A requested product names its beschikking completely or not at all, and its verwijzer either by a
zorgverlenerscode (AGB) or by name, the code only for a referring doctor (types 02 to 05). A
verzoek om wijziging changes or keeps at least one existing product and asks for at least one
change, new products from a day after the message. An antwoord rejecting a request gives its
reason; in iJw a rejection because of the woonplaatsbeginsel names the gemeente that is responsible.
"""

from __future__ import annotations

from ketensim.standards.rules._doc import Doc, Element, filled, value, ymd
from ketensim.standards.rules._registry import Faults, rule
from ketensim.standards.rules.producten import AP, NP

__all__ = ["ARTS"]

_VERWIJZER = f"{AP}/Verwijzer"
ARTS = ("02", "03", "04", "05")


@rule("CD043", {"315": AP}, "Een beschikkingnummer en een beschikkingsingangsdatum worden samen opgegeven of geen van beide.")
def _cd043(d: Doc, product: Element) -> Faults:
    nummer, ingang = d.child(product, "BeschikkingNummer"), d.child(product, "BeschikkingIngangsdatum")
    if filled(nummer) != filled(ingang):
        return [(nummer, ingang)]
    return None


@rule(
    "CD066",
    {"315": _VERWIJZER},
    "Een verwijzer van type 02 tot en met 05 met een zorgverlenerscode wordt niet ook met naam genoemd.",
    when="ZorgverlenerCode",
)
def _cd066(d: Doc, verwijzer: Element) -> Faults:
    soort = d.child(verwijzer, "Type")
    if value(soort) in ARTS:
        code, naam = d.child(verwijzer, "ZorgverlenerCode"), d.child(verwijzer, "Naam")
        if filled(code) and filled(naam):
            return [(soort, naam, code)]
    return None


@rule(
    "CD067",
    {"315": _VERWIJZER},
    "Een verwijzer van type 02 tot en met 05 zonder zorgverlenerscode wordt met naam genoemd.",
)
def _cd067(d: Doc, verwijzer: Element) -> Faults:
    soort = d.child(verwijzer, "Type")
    if value(soort) in ARTS:
        code, naam = d.child(verwijzer, "ZorgverlenerCode"), d.child(verwijzer, "Naam")
        if not filled(code) and not filled(naam):
            return [(soort, naam, code)]
    return None


@rule(
    "CD068",
    {"315": _VERWIJZER},
    "Alleen een verwijzer van type 02 tot en met 05 (een arts) heeft een zorgverlenerscode.",
    when="ZorgverlenerCode",
)
def _cd068(d: Doc, verwijzer: Element) -> Faults:
    soort = d.child(verwijzer, "Type")
    if value(soort) not in ARTS:
        code = d.child(verwijzer, "ZorgverlenerCode")
        if filled(code):
            return [(soort, code)]
    return None


@rule(
    "TR352",
    {"317": "Client/Verzoek"},
    "Een verzoek om wijziging noemt ten minste een bestaand product: ongewijzigd of te wijzigen.",
)
def _tr352(d: Doc, verzoek: Element) -> Faults:
    if d.at(verzoek, "OngewijzigdeProducten/OngewijzigdProduct") is None and (
        d.at(verzoek, "TeWijzigenProducten/TeWijzigenProduct") is None
    ):
        return [(verzoek,)]
    return None


@rule(
    "TR353",
    {"317": "Client/Verzoek"},
    "Een verzoek om wijziging vraagt ten minste een wijziging: een te wijzigen of een nieuw product.",
)
def _tr353(d: Doc, verzoek: Element) -> Faults:
    if d.at(verzoek, "TeWijzigenProducten/TeWijzigenProduct") is None and (
        d.at(verzoek, "NieuweProducten/NieuwProduct") is None
    ):
        return [(verzoek,)]
    return None


@rule(
    "TR380",
    {"317": f"{NP}/GewensteIngangsdatum"},
    "De gewenste ingangsdatum van een nieuw product ligt na de dagtekening van het bericht.",
)
def _tr380(d: Doc, ingang: Element) -> Faults:
    dagtekening = d.dagtekening
    if dagtekening is None:
        return [(dagtekening, ingang)]
    ref, day = ymd(dagtekening, 10), ymd(ingang)
    if ref is not None and day is not None and ref >= day:
        return [(dagtekening, ingang)]
    return None


@rule("CD085", {"319": "Antwoord/VerzoekAntwoord"}, "Een afgewezen verzoek (antwoord 1) vermeldt de reden van afwijzing.")
def _cd085(d: Doc, antwoord: Element) -> Faults:
    if value(antwoord) == "1":
        reden = d.child(antwoord.getparent(), "RedenAfwijzingVerzoek")
        if not filled(reden):
            return [(antwoord, reden)]
    return None


@rule(
    "CD086",
    {"319": "Antwoord/VerzoekAntwoord"},
    "Een verzoek dat in onderzoek is (antwoord 2) heeft geen reden van afwijzing.",
)
def _cd086(d: Doc, antwoord: Element) -> Faults:
    if value(antwoord) == "2":
        reden = d.child(antwoord.getparent(), "RedenAfwijzingVerzoek")
        if filled(reden):
            return [(antwoord, reden)]
    return None


@rule(
    "TR377",
    {"319": "Antwoord/RedenAfwijzingVerzoek"},
    "Bij afwijzing vanwege het woonplaatsbeginsel (reden 8) wordt de verantwoordelijke gemeente genoemd.",
    standards=("ijw",),
)
def _tr377(d: Doc, reden: Element) -> Faults:
    if value(reden) == "8" and d.child(reden.getparent(), "Woonplaatsbeginsel") is None:
        return [(reden,)]
    return None


@rule(
    "TR409",
    {"319": "Antwoord/RedenAfwijzingVerzoek"},
    "Alleen bij afwijzing vanwege het woonplaatsbeginsel (reden 8) wordt een woonplaatsbeginsel opgegeven.",
    standards=("ijw",),
)
def _tr409(d: Doc, reden: Element) -> Faults:
    if value(reden) != "8":
        woonplaats = d.child(reden.getparent(), "Woonplaatsbeginsel")
        if woonplaats is not None:
            return [(reden, woonplaats)]
    return None
