"""Rules on the products of the 301, 315 and 317: omvang or budget, product codes, periods.

A product in a toewijzing (301 ``ToegewezenProduct``), a verzoek om toewijzing (315
``AangevraagdProduct``) or a verzoek om wijziging (317 ``TeWijzigenProduct``, ``NieuwProduct``) is
measured either by an ``Omvang`` (volume, eenheid, frequentie) or by a ``Budget``, never both. A
budget, or an omvang per week, needs an end date; from 2021 an omvang needs a product code and
per-period units (etmaal, dagdeel, euro, stuks) a frequency per week, month or in total. Dates of a
product are in order and a toewijzing change keeps its reason codes consistent with its dates.
"""

from __future__ import annotations

from ketensim.standards.rules._doc import Doc, Element, after_2020, filled, in_values, raw, value, ymd
from ketensim.standards.rules._registry import Faults, rule

__all__ = ["TP", "AP", "TWP", "NP", "PER_PERIOD", "PERIOD_DATES", "end_date"]

TP = "Client/ToegewezenProducten/ToegewezenProduct"
AP = "Client/AangevraagdeProducten/AangevraagdProduct"
TWP = "Client/Verzoek/TeWijzigenProducten/TeWijzigenProduct"
NP = "Client/Verzoek/NieuweProducten/NieuwProduct"

_ALL = {"301": TP, "315": AP, "317": (TWP, NP)}
_NOT_TWP = {"301": TP, "315": AP, "317": NP}
PER_PERIOD = ("14", "16", "83", "84")


def end_date(d: Doc, product: Element) -> Element | None:
    """The end date of a product: ``ToewijzingEinddatum`` in a 315, ``Einddatum`` elsewhere."""
    return d.child(product, "ToewijzingEinddatum" if d.number == "315" else "Einddatum")


@rule("CD041", _NOT_TWP, "Een product met een productcode heeft een omvang.", when="Product")
def _cd041(d: Doc, product: Element) -> Faults:
    code = d.at(product, "Product/Code")
    if filled(code):
        omvang = d.child(product, "Omvang")
        if omvang is None:
            return [(code, omvang)]
    return None


@rule("CD075", _ALL, "Een product met een budget heeft een einddatum.", when="Budget")
def _cd075(d: Doc, product: Element) -> Faults:
    budget = d.child(product, "Budget")
    if filled(budget):
        end = end_date(d, product)
        if not filled(end):
            return [(end, budget)]
    return None


@rule("CD076", _ALL, "Een omvang per week (frequentie 2) vraagt een einddatum van het product.", when="Omvang")
def _cd076(d: Doc, product: Element) -> Faults:
    frequentie = d.at(product, "Omvang/Frequentie")
    if value(frequentie) == "2":
        end = end_date(d, product)
        if not filled(end):
            return [(end, frequentie)]
    return None


@rule("CD077", _ALL, "Een product met een budget heeft geen omvang.", when="Budget")
def _cd077(d: Doc, product: Element) -> Faults:
    budget = d.child(product, "Budget")
    if filled(budget):
        omvang = d.child(product, "Omvang")
        if omvang is not None:
            return [(omvang, budget)]
    return None


@rule("CD078", _ALL, "Een product met een omvang heeft geen budget.", when="Budget")
def _cd078(d: Doc, product: Element) -> Faults:
    omvang = d.child(product, "Omvang")
    if omvang is not None:
        budget = d.child(product, "Budget")
        if budget is not None:
            return [(omvang, budget)]
    return None


@rule("CD079", _NOT_TWP, "Een product zonder budget noemt het product (categorie en eventueel code).")
def _cd079(d: Doc, product: Element) -> Faults:
    budget = d.child(product, "Budget")
    if not filled(budget):
        categorie = d.child(product, "Product")
        if categorie is None:
            return [(product, categorie, budget)]
    return None


def _code_needed(d: Doc, product: Element) -> Faults:
    omvang = d.child(product, "Omvang")
    if omvang is None:
        return None
    end = end_date(d, product)
    if not after_2020(end):
        return None
    code = d.at(product, "Product/Code")
    if not filled(code):
        return [(code, end, omvang)]
    return None


_CODE_NEEDED = "Een product met een omvang en een einddatum na 2020 (of zonder einddatum) heeft een productcode."
rule("CD080", {"301": TP}, _CODE_NEEDED, when="Omvang")(_code_needed)
rule("CD095", {"315": AP}, _CODE_NEEDED, when="Omvang")(_code_needed)
rule("CD096", {"317": NP}, _CODE_NEEDED, when="Omvang")(_code_needed)


def _frequentie(d: Doc, product: Element) -> Faults:
    eenheid = d.at(product, "Omvang/Eenheid")
    if not in_values(eenheid, PER_PERIOD):
        return None
    end = end_date(d, product)
    if not after_2020(end):
        return None
    frequentie = d.child(eenheid.getparent(), "Frequentie")  # type: ignore[union-attr]
    if not in_values(frequentie, ("2", "4", "6")):
        return [(end, eenheid, frequentie)]
    return None


_FREQUENTIE = (
    "Bij eenheid etmaal, dagdeel, euro of stuks (14, 16, 83, 84) is de frequentie per week, per maand of "
    "totaal binnen de geldigheidsduur (2, 4 of 6)."
)
rule("CS338", {"301": TP, "317": (TWP, NP)}, _FREQUENTIE, when="Omvang")(_frequentie)
rule("CS343", {"315": AP}, _FREQUENTIE, when="Omvang")(_frequentie)

_PERIODS = {
    "301": (TP, "Client/Contactgegevens/Contact/Periode", "Client/Relaties/Relatie/Contact/Periode"),
    "315": AP,
    "317": (TWP, NP),
}
PERIOD_DATES = {  # the context element -> its start and end date (CS003)
    "ToegewezenProduct": ("Ingangsdatum", "Einddatum"),
    "Periode": ("Begindatum", "Einddatum"),
    "AangevraagdProduct": ("ToewijzingIngangsdatum", "ToewijzingEinddatum"),
    "TeWijzigenProduct": ("GewensteIngangsdatum", "Einddatum"),
    "NieuwProduct": ("GewensteIngangsdatum", "Einddatum"),
}


@rule("CS003", _PERIODS, "Een einddatum ligt niet voor de bijbehorende begin- of ingangsdatum, die dan ook is ingevuld.")
def _cs003(d: Doc, holder: Element) -> Faults:
    start_name, end_name = PERIOD_DATES[holder.tag.rpartition("}")[2]]
    end = d.child(holder, end_name)
    if end is None:
        return None
    start = d.child(holder, start_name)
    if start is None:
        return [(start, end)]
    begin, until = ymd(start), ymd(end, 10)
    if begin is not None and until is not None and begin > until:
        return [(start, end)]
    return None


@rule(
    "CS335",
    {"301": TP},
    "Bij reden wijziging 13 (toewijzing vervallen voor de ingangsdatum) is de einddatum gelijk aan de "
    "ingangsdatum.",
    when="RedenWijziging",
)
def _cs335(d: Doc, product: Element) -> Faults:
    if raw(d.child(product, "RedenWijziging")) != "13":
        return None
    ingang, einde = d.child(product, "Ingangsdatum"), d.child(product, "Einddatum")
    if ingang is not None and einde is not None and raw(ingang) != raw(einde):
        return [(ingang, einde)]
    return None


@rule("CS336", {"301": TP}, "Reden wijziging 01 wordt in een toewijzing niet meer gebruikt.", when="RedenWijziging")
def _cs336(d: Doc, product: Element) -> Faults:
    reden = d.child(product, "RedenWijziging")
    return [(reden,)] if reden is not None and value(reden) == "01" else None
