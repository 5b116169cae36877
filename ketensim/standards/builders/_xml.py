"""Shared machinery of the builders: qualified names, release features and common data types.

Every message is built with :func:`lxml.etree.SubElement` under a root created with the
message's namespace map. Qualified tag names are formatted once per namespace and cached
(:class:`QNames`), so the hot path does dictionary look-ups instead of string formatting.

Elements declared in a message XSD live in the message namespace (``ctx.m``); children of a
basisschema complex type (``CDT_*``) live in the basisschema namespace (``ctx.b``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias

from lxml import etree

from ketensim.population.people import Adres, Naam
from ketensim.population.products import Omvang
from ketensim.standards.catalogue import MessageType
from ketensim.standards.payload import Header, Persoon, ProductRef

__all__ = ["QNames", "Context", "Marks", "NO_REMARK", "context", "leaf", "new_root"]

Element: TypeAlias = etree._Element
_Sub = etree.SubElement

# (standard, release) -> (BasisschemaXsdVersie, BerichtXsdVersie). iWmo 3.2 is 1.0.0/1.0.0 and
# the iJw 3.2 concept set 0.1.0/0.1.0 (their XSD appinfo); a 3.0 example carries 1.2.0/1.0.2.
# No 3.1 value is known; 1.0.0 is the first version a new release's XSDs get.
_XSD_VERSIE: dict[tuple[str, str], tuple[str, str]] = {
    ("iwmo", "3.2"): ("1.0.0", "1.0.0"),
    ("ijw", "3.2"): ("0.1.0", "0.1.0"),
    ("iwmo", "3.0"): ("1.2.0", "1.0.2"),
    ("ijw", "3.0"): ("1.2.0", "1.0.2"),
}
_DEFAULT_XSD_VERSIE = ("1.0.0", "1.0.0")


# A retour repeats only the clients it rejects (rule OP065), and every data class it repeats ends
# with a mandatory RetourCodes. The rejection code goes on the *line* classes (the products, the
# answer), where the chain's rules fire; every enclosing class (client, relation, contact,
# beschikking, verzoek) gets 0200, "no remark on this class".
NO_REMARK = "0200"


@dataclass(frozen=True)
class Marks:
    """Which clients (by BSN) a retour repeats, and the retourcode of their lines.

    Attributes:
        client_codes: BSN -> retourcode of that client's lines.
    """

    client_codes: Mapping[str, str] = field(default_factory=dict)

    def code_for(self, bsn: str) -> str | None:
        """The line code of ``bsn``, or ``None`` if the client is not repeated."""
        return self.client_codes.get(bsn)


class QNames(dict[str, str]):
    """``names["Client"] -> "{namespace}Client"``, formatted once per name."""

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self.namespace = namespace

    def __missing__(self, local: str) -> str:
        qualified = self[local] = f"{{{self.namespace}}}{local}"
        return qualified


@dataclass(frozen=True)
class Context:
    """What a builder needs to know about one message type, computed once per type."""

    mt: MessageType
    m: QNames
    b: QNames
    nsmap: dict[str, str]
    v2: bool
    xsd_versie: tuple[str, str] | None
    achternaam: str  # child of CDT_Achternaam: "Naam" in 2.x, "Achternaam" in 3.x
    with_beschikking: bool  # 301 carries Client/Beschikking (2.1 only)
    ijw: bool

    @property
    def release(self) -> str:
        return self.mt.release


@functools.cache
def context(mt: MessageType) -> Context:
    """Return the cached :class:`Context` of ``mt``."""
    v2 = mt.structure.startswith("2.")
    prefix = mt.code.lower()
    basis_prefix = mt.standard
    return Context(
        mt=mt,
        m=QNames(mt.namespace),
        b=QNames(mt.basis_namespace),
        nsmap={prefix: mt.namespace, basis_prefix: mt.basis_namespace},
        v2=v2,
        xsd_versie=None if v2 else _XSD_VERSIE.get((mt.standard, mt.release), _DEFAULT_XSD_VERSIE),
        achternaam="Naam" if v2 else "Achternaam",
        with_beschikking=mt.structure == "2.1",
        ijw=mt.standard == "ijw",
    )


def leaf(parent: Element, tag: str, text: str) -> Element:
    """Append a simple element with text."""
    el = _Sub(parent, tag)
    el.text = text
    return el


def new_root(ctx: Context) -> Element:
    """Create the ``Bericht`` root with the message's namespace map."""
    return etree.Element(ctx.m["Bericht"], nsmap=ctx.nsmap)


def retour_codes(ctx: Context, parent: Element, codes: Sequence[str]) -> None:
    """Append ``RetourCodes/RetourCode+`` (in the message namespace)."""
    wrapper = _Sub(parent, ctx.m["RetourCodes"])
    tag = ctx.m["RetourCode"]
    for code in codes:
        _Sub(wrapper, tag).text = code


def xsd_versie(ctx: Context, parent: Element, tag: str) -> None:
    """Append a ``CDT_XsdVersie`` element named ``tag``."""
    assert ctx.xsd_versie is not None
    el = _Sub(parent, ctx.m[tag])
    _Sub(el, ctx.b["BasisschemaXsdVersie"]).text = ctx.xsd_versie[0]
    _Sub(el, ctx.b["BerichtXsdVersie"]).text = ctx.xsd_versie[1]


def bericht_identificatie(
    ctx: Context, parent: Element, tag: str, identificatie: str, dagtekening: date
) -> None:
    """Append a ``CDT_BerichtIdentificatie`` element named ``tag``."""
    el = _Sub(parent, ctx.m[tag])
    _Sub(el, ctx.b["Identificatie"]).text = identificatie
    _Sub(el, ctx.b["Dagtekening"]).text = dagtekening.isoformat()


def header_start(ctx: Context, root: Element, header: Header, bericht_code: str) -> Element:
    """Append the heen part of a ``Header`` (the whole header of a heen message)."""
    m = ctx.m
    el = _Sub(root, m["Header"])
    _Sub(el, m["BerichtCode"]).text = bericht_code
    _Sub(el, m["BerichtVersie"]).text = ctx.mt.bericht_versie
    _Sub(el, m["BerichtSubversie"]).text = ctx.mt.bericht_subversie
    _Sub(el, m["Afzender"]).text = header.afzender
    _Sub(el, m["Ontvanger"]).text = header.ontvanger
    bericht_identificatie(ctx, el, "BerichtIdentificatie", header.identificatie, header.dagtekening)
    if ctx.xsd_versie is not None:
        xsd_versie(ctx, el, "XsdVersie")
    return el


def retour_header(
    ctx: Context,
    root: Element,
    header: Header,
    identificatie: str,
    dagtekening: date,
    codes: Sequence[str],
    *,
    bericht_code: str | None = None,
) -> Element:
    """Append a retour ``Header``: the heen header plus the retour's own identification."""
    el = header_start(ctx, root, header, bericht_code or ctx.mt.bericht_code)
    m = ctx.m
    _Sub(el, m["IdentificatieRetour"]).text = identificatie
    _Sub(el, m["DagtekeningRetour"]).text = dagtekening.isoformat()
    if ctx.xsd_versie is not None:
        xsd_versie(ctx, el, "XsdVersieRetour")
    if codes:
        retour_codes(ctx, el, codes)
    return el


def achternaam(ctx: Context, parent: Element, tag: str, voorvoegsel: str | None, naam: str) -> None:
    """Append a ``CDT_Achternaam`` (``tag`` is in the basisschema namespace when nested)."""
    el = _Sub(parent, tag)
    _Sub(el, ctx.b[ctx.achternaam]).text = naam
    if voorvoegsel:
        _Sub(el, ctx.b["Voorvoegsel"]).text = voorvoegsel


def volledige_naam(ctx: Context, parent: Element, naam: Naam) -> None:
    """Append ``Naam`` of type ``CDT_VolledigeNaam``."""
    b = ctx.b
    el = _Sub(parent, ctx.m["Naam"])
    achternaam(ctx, el, b["Geslachtsnaam"], naam.voorvoegsel, naam.achternaam)
    if naam.partnernaam:
        achternaam(ctx, el, b["Partnernaam"], naam.partner_voorvoegsel, naam.partnernaam)
    _Sub(el, b["Voornamen"]).text = naam.voornamen
    _Sub(el, b["Voorletters"]).text = naam.voorletters
    _Sub(el, b["NaamGebruik"]).text = naam.naamgebruik


def verkorte_naam(ctx: Context, parent: Element, naam: Naam) -> None:
    """Append ``Naam`` of type ``CDT_VerkorteNaam``."""
    b = ctx.b
    el = _Sub(parent, ctx.m["Naam"])
    achternaam(ctx, el, b["Geslachtsnaam"], naam.voorvoegsel, naam.achternaam)
    _Sub(el, b["Voornamen"]).text = naam.voornamen
    _Sub(el, b["Voorletters"]).text = naam.voorletters


def geboortedatum(ctx: Context, parent: Element, day: date) -> None:
    """Append ``Geboortedatum`` of type ``CDT_Geboortedatum``."""
    el = _Sub(parent, ctx.m["Geboortedatum"])
    _Sub(el, ctx.b["Datum"]).text = day.isoformat()


def persoon(ctx: Context, parent: Element, p: Persoon, *, volledig: bool) -> None:
    """Append ``Bsn, Geboortedatum, Geslacht, Naam`` (full or short name)."""
    _Sub(parent, ctx.m["Bsn"]).text = p.bsn
    geboortedatum(ctx, parent, p.geboortedatum)
    _Sub(parent, ctx.m["Geslacht"]).text = p.geslacht
    (volledige_naam if volledig else verkorte_naam)(ctx, parent, p.naam)


def adres(ctx: Context, parent: Element, a: Adres) -> None:
    """Append ``Adres`` of type ``CDT_Adres`` (a Dutch address)."""
    b = ctx.b
    el = _Sub(parent, ctx.m["Adres"])
    huis = _Sub(el, b["Huis"])
    _Sub(huis, b["Huisnummer"]).text = str(a.huisnummer)
    if a.huisletter:
        _Sub(huis, b["Huisletter"]).text = a.huisletter
    if a.toevoeging:
        _Sub(huis, b["HuisnummerToevoeging"]).text = a.toevoeging
    _Sub(el, b["Postcode"]).text = a.postcode
    _Sub(el, b["Straatnaam"]).text = a.straat
    _Sub(el, b["Plaatsnaam"]).text = a.plaats
    _Sub(el, b["LandCode"]).text = "NL"


def telefoon(ctx: Context, parent: Element, number: str) -> None:
    """Append ``Telefoon`` of type ``CDT_Telefoonnummers`` (one Dutch number)."""
    b = ctx.b
    el = _Sub(parent, ctx.m["Telefoon"])
    t = _Sub(el, b["Telefoon01"])
    _Sub(t, b["Telefoonnummer"]).text = number
    _Sub(t, b["Landnummer"]).text = "0031"


def product(ctx: Context, parent: Element, p: ProductRef, tag: str = "Product") -> None:
    """Append a ``CDT_Product``."""
    el = _Sub(parent, ctx.m[tag])
    _Sub(el, ctx.b["Categorie"]).text = p.categorie
    if p.code:
        _Sub(el, ctx.b["Code"]).text = p.code


def omvang(ctx: Context, parent: Element, o: Omvang) -> None:
    """Append ``Omvang`` of type ``CDT_Omvang``."""
    b = ctx.b
    el = _Sub(parent, ctx.m["Omvang"])
    _Sub(el, b["Volume"]).text = str(o.volume)
    _Sub(el, b["Eenheid"]).text = o.eenheid
    _Sub(el, b["Frequentie"]).text = o.frequentie


def client_bodies(
    ctx: Context,
    root: Element,
    clients: Sequence[Any],
    bsn_of: Callable[[Any], str],
    marks: Any,
    build_one: Callable[[Context, Element, Any, str | None], None],
) -> None:
    """Append the clients of a message body: ``Clienten/Client+`` in 2.x, one ``Client`` in 3.x.

    With ``marks`` (a retour), only the clients the marks name are written, each with its code.

    Raises:
        ValueError: A 3.x heen payload holds other than exactly one client.
    """
    if marks is not None:
        clients = [c for c in clients if marks.code_for(bsn_of(c)) is not None]
        if not clients:
            return
    if ctx.v2:
        parent = _Sub(root, ctx.m["Clienten"])
    elif len(clients) != 1:
        raise ValueError(f"{ctx.mt.code} {ctx.release} carries exactly one Client (got {len(clients)})")
    else:
        parent = root
    for c in clients:
        build_one(ctx, parent, c, marks.code_for(bsn_of(c)) if marks is not None else None)
