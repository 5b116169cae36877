"""Rules against doubles: duplicate siblings (TR101), one product twice in overlapping periods, reused references.

TR101 compares siblings of the same name by their key fields; a group of equal siblings gives one
finding, at its last member, that names every member. TR302, TR386 and TR410 refuse a product that
occurs twice with periods that share a day: in a toewijzing (301), a verzoek om toewijzing (315)
and the new products of a verzoek om wijziging (317). iWmo lets the categories 11 to 14 occur more
than once; iJw has no such exemption.
"""

from __future__ import annotations

from collections.abc import Sequence

from ketensim.standards.rules._doc import Doc, Element, filled, raw, value, ymd
from ketensim.standards.rules._registry import Faults, rule
from ketensim.standards.rules.producten import AP, NP, TP

__all__ = ["DUPLICATE_KEYS", "EXEMPT", "same_product", "overlap"]

# message -> parent path -> (child name, key fields); the parents of root children are never checked
DUPLICATE_KEYS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "301": {
        "Client/Contactgegevens": ("Contact", ("Soort",)),
        "Client/Relaties/Relatie": ("Contact", ("Soort",)),
        "Client/Relaties": ("Relatie", ("Nummer",)),
        "Client/ToegewezenProducten": ("ToegewezenProduct", ("ToewijzingNummer",)),
    },
    "305": {
        "Client/StartProducten": (
            "StartProduct",
            ("Begindatum", "Product/Categorie", "Product/Code", "ToewijzingNummer"),
        ),
    },
    "307": {
        "Client/StopProducten": (
            "StopProduct",
            ("Begindatum", "Einddatum", "Product/Categorie", "Product/Code", "RedenBeeindiging", "ToewijzingNummer"),
        ),
    },
    "315": {"Client/AangevraagdeProducten": ("AangevraagdProduct", ("ReferentieAanbieder",))},
    "317": {
        "Client/Verzoek/NieuweProducten": ("NieuwProduct", ("GewensteIngangsdatum", "Product/Categorie", "Product/Code")),
        "Client/Verzoek/OngewijzigdeProducten": ("OngewijzigdProduct", ("ToewijzingNummer",)),
        "Client/Verzoek/TeWijzigenProducten": ("TeWijzigenProduct", ("ToewijzingNummer",)),
        "Client": ("Verzoek", ("ReferentieAanbieder",)),
    },
    "319": {"Antwoord": ("Woonplaatsbeginsel", ("Gemeente",))},  # iJw only; 0..1 in the XSD
    "323": {
        "Declaratie/Clienten": ("Client", ("Bsn",)),
        "Declaratie/Clienten/Client/Prestaties": (
            "Prestatie",
            ("ProductReferentie/ReferentieNummer", "ProductReferentie/VorigReferentieNummer"),
        ),
    },
    "325": {
        "DeclaratieAntwoord/Clienten": ("Client", ("Bsn",)),
        "DeclaratieAntwoord/Clienten/Client/Prestaties": (
            "Prestatie",
            ("ProductReferentie/ReferentieNummer", "ProductReferentie/VorigReferentieNummer"),
        ),
    },
}
# the parents' local names are unique within a message, so the check finds its table row by name
_BY_PARENT = {
    number: {path.rpartition("/")[2]: row for path, row in parents.items()}
    for number, parents in DUPLICATE_KEYS.items()
}


def _same_key(d: Doc, c: Element, other: Element, fields: Sequence[str]) -> bool:
    """Key equality as the rule set tests it, from ``c``'s side (raw texts; a missing field wants absence)."""
    for path in fields:
        mine = raw(d.at(c, path))
        theirs = d.at(other, path)
        if mine:
            if raw(theirs) != mine:
                return False
        elif theirs is not None:
            return False
    return True


@rule(
    "TR101",
    {number: tuple(parents) for number, parents in DUPLICATE_KEYS.items()},
    "Hetzelfde gegeven komt meer dan eens voor: deze elementen hebben dezelfde sleutelgegevens.",
    note="iJw also keys 319 Woonplaatsbeginsel by Gemeente (0..1, cannot fire).",
)
def _tr101(d: Doc, parent: Element) -> Faults:
    name, fields = _BY_PARENT[d.number][parent.tag.rpartition("}")[2]]
    if name == "Woonplaatsbeginsel" and d.standard != "ijw":
        return None
    siblings = d.children(parent, name)
    if len(siblings) < 2:
        return None
    faults = []
    for i, c in enumerate(siblings):
        if any(_same_key(d, c, s, fields) for s in siblings[i + 1 :]):
            continue
        earlier = [s for s in siblings[:i] if _same_key(d, c, s, fields)]
        if earlier:
            faults.append((*earlier, c))
    return faults


def same_product(d: Doc, a: Element, b: Element) -> bool:
    """The rule set's same-product test on the ``Product`` (Categorie, Code) of two products."""
    pa, pb = d.child(a, "Product"), d.child(b, "Product")
    cat_a, cat_b = d.child(pa, "Categorie"), d.child(pb, "Categorie")
    code_a, code_b = d.child(pa, "Code"), d.child(pb, "Code")
    if (cat_a is None and code_a is None) or (cat_b is None and code_b is None):
        return True
    if cat_a is None or cat_b is None:
        return False
    if code_a is not None and code_b is not None:
        return raw(code_a) == raw(code_b) and raw(cat_a) == raw(cat_b)
    return raw(cat_a) == raw(cat_b)


def _lt(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and a < b


def _ge(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and a >= b


def overlap(start_a: Element | None, end_a: Element | None, start_b: Element | None, end_b: Element | None) -> bool:
    """Whether two periods share a day; an absent end is open-ended, a comparison with no date is false."""
    sa, ea, sb, eb = ymd(start_a), ymd(end_a), ymd(start_b), ymd(end_b)
    if end_a is not None and end_b is not None:
        return not (_lt(ea, sb) or _lt(eb, sa))
    if end_a is not None:
        return _ge(ea, sb)
    if end_b is not None:
        return _ge(eb, sa)
    return True


EXEMPT = ("11", "12", "13", "14")


def _overlapping(d: Doc, product: Element, start: str, end: str, ignore_changed: bool) -> Faults:
    siblings = d.children(product.getparent(), product.tag.rpartition("}")[2])
    if len(siblings) < 2:
        return None

    def ignored(p: Element) -> bool:
        if not ignore_changed or raw(d.child(p, "RedenWijziging")) not in ("01", "13"):
            return False
        ingang, einde = d.child(p, start), d.child(p, end)
        return filled(einde) and ymd(ingang) is not None and ymd(ingang) == ymd(einde)

    def exempt(p: Element) -> bool:
        return d.standard == "iwmo" and value(d.at(p, "Product/Categorie")) in EXEMPT

    if ignored(product):
        return None
    faults = []
    for other in siblings[: siblings.index(product)]:
        if ignored(other) or not same_product(d, product, other):
            continue
        if exempt(product) or exempt(other):
            continue
        if overlap(d.child(other, start), d.child(other, end), d.child(product, start), d.child(product, end)):
            faults.append((other, product))
    return faults


_OVERLAP = "Hetzelfde product komt meer dan eens voor met perioden die overlappen."
_OVERLAP_NOTE = "iWmo exempts categories 11-14; iJw does not."


@rule("TR302", {"301": TP}, _OVERLAP, note=_OVERLAP_NOTE)
def _tr302(d: Doc, product: Element) -> Faults:
    return _overlapping(d, product, "Ingangsdatum", "Einddatum", ignore_changed=True)


@rule("TR386", {"315": AP}, _OVERLAP, note=_OVERLAP_NOTE)
def _tr386(d: Doc, product: Element) -> Faults:
    return _overlapping(d, product, "ToewijzingIngangsdatum", "ToewijzingEinddatum", ignore_changed=False)


@rule("TR410", {"317": NP}, _OVERLAP, note=_OVERLAP_NOTE)
def _tr410(d: Doc, product: Element) -> Faults:
    return _overlapping(d, product, "GewensteIngangsdatum", "Einddatum", ignore_changed=False)


@rule("TR383", {"315": AP}, "De referentie van de aanbieder is uniek binnen de aangevraagde producten.",
      note="Locatie names only the earlier product's ReferentieAanbieder, as the rule set does.")
def _tr383(d: Doc, product: Element) -> Faults:
    v = value(d.child(product, "ReferentieAanbieder"))
    siblings = d.children(product.getparent(), "AangevraagdProduct")
    faults = []
    for other in siblings[: siblings.index(product)]:
        ref = d.child(other, "ReferentieAanbieder")
        if ref is not None and raw(ref) == v:
            faults.append((ref,))
    return faults
