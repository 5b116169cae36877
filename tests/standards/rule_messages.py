"""Minimal valid 3.2 heen messages (and a 325 with a body) for the rule tests, and mutations on them.

Each base message carries only what its XSD requires plus the elements the rules look at, so a
mutation of one element breaks exactly the rule under test. Mutations address elements by local
names with an optional 1-based index (``"Client/Contactgegevens/Contact[2]/Soort"``), the way the
rule set's locations do.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from lxml import etree

from ketensim.standards.catalogue import MessageType, get_catalogue

__all__ = ["base", "message_type", "Op", "set_", "drop", "add", "dup", "apply"]

Op = Callable[[etree._Element, str, str], None]
"""A mutation: (root, message namespace, basis namespace) -> None, changes the tree in place."""

_CATEGORIE = {"iwmo": ("02", "02A01", "03", "03A01"), "ijw": ("45", "45A01", "46", "46A01")}

_HEADER = """
<m:Header>
  <m:BerichtCode>{code}</m:BerichtCode><m:BerichtVersie>3</m:BerichtVersie><m:BerichtSubversie>2</m:BerichtSubversie>
  <m:Afzender>{afzender}</m:Afzender><m:Ontvanger>{ontvanger}</m:Ontvanger>
  <m:BerichtIdentificatie><b:Identificatie>T1</b:Identificatie><b:Dagtekening>2023-06-15</b:Dagtekening></m:BerichtIdentificatie>
  <m:XsdVersie><b:BasisschemaXsdVersie>{xv}</b:BasisschemaXsdVersie><b:BerichtXsdVersie>{xv}</b:BerichtXsdVersie></m:XsdVersie>
  {extra}
</m:Header>"""

_PERSOON = """
  <m:Bsn>123456782</m:Bsn>
  <m:Geboortedatum><b:Datum>1950-03-04</b:Datum></m:Geboortedatum>
  <m:Geslacht>1</m:Geslacht>
  <m:Naam><b:Geslachtsnaam><b:Achternaam>Jansen</b:Achternaam></b:Geslachtsnaam><b:Voorletters>J</b:Voorletters>{naamgebruik}</m:Naam>"""

_PRODUCT = "<m:Product><b:Categorie>{cat}</b:Categorie><b:Code>{code}</b:Code></m:Product>"
_OMVANG = "<m:Omvang><b:Volume>4</b:Volume><b:Eenheid>04</b:Eenheid><b:Frequentie>2</b:Frequentie></m:Omvang>"

_BODY = {
    "301": """
<m:Client>{persoon}
  <m:Contactgegevens><m:Contact><m:Soort>01</m:Soort><m:Adres>
    <b:Huis><b:Huisnummer>1</b:Huisnummer></b:Huis><b:Postcode>1234AB</b:Postcode>
    <b:Straatnaam>Dorpsstraat</b:Straatnaam><b:Plaatsnaam>Utrecht</b:Plaatsnaam><b:LandCode>NL</b:LandCode>
  </m:Adres></m:Contact></m:Contactgegevens>
  <m:ToegewezenProducten><m:ToegewezenProduct>
    <m:ToewijzingNummer>1001</m:ToewijzingNummer>{product}
    <m:Toewijzingsdatum>2023-06-01</m:Toewijzingsdatum><m:Toewijzingstijd>10:00:00</m:Toewijzingstijd>
    <m:Ingangsdatum>2023-07-01</m:Ingangsdatum><m:Einddatum>2023-12-31</m:Einddatum>{omvang}
  </m:ToegewezenProduct></m:ToegewezenProducten>
</m:Client>""",
    "305": """
<m:Client>{persoon}
  <m:StartProducten><m:StartProduct>
    <m:ToewijzingNummer>1001</m:ToewijzingNummer>{product}
    <m:ToewijzingIngangsdatum>2023-05-01</m:ToewijzingIngangsdatum><m:Begindatum>2023-05-02</m:Begindatum>
    <m:StatusAanlevering>1</m:StatusAanlevering>
  </m:StartProduct></m:StartProducten>
</m:Client>""",
    "307": """
<m:Client>{persoon}
  <m:StopProducten><m:StopProduct>
    <m:ToewijzingNummer>1001</m:ToewijzingNummer>{product}
    <m:ToewijzingIngangsdatum>2023-05-01</m:ToewijzingIngangsdatum><m:Begindatum>2023-05-02</m:Begindatum>
    <m:RedenBeeindiging>{reden}</m:RedenBeeindiging><m:Einddatum>2023-06-10</m:Einddatum>
    <m:StatusAanlevering>1</m:StatusAanlevering>
  </m:StopProduct></m:StopProducten>
</m:Client>""",
    "315": """
<m:Client>{persoon}{gezag}
  <m:AangevraagdeProducten><m:AangevraagdProduct>
    <m:ReferentieAanbieder>R1</m:ReferentieAanbieder>{product}
    <m:ToewijzingIngangsdatum>2023-07-01</m:ToewijzingIngangsdatum><m:ToewijzingEinddatum>2023-12-31</m:ToewijzingEinddatum>
    {omvang}<m:Verwijzer><b:Type>01</b:Type></m:Verwijzer>
  </m:AangevraagdProduct></m:AangevraagdeProducten>
</m:Client>""",
    "317": """
<m:Client><m:Bsn>123456782</m:Bsn><m:Verzoek>
  <m:ReferentieAanbieder>R1</m:ReferentieAanbieder><m:RedenVerzoek>1</m:RedenVerzoek>
  <m:TeWijzigenProducten><m:TeWijzigenProduct>
    <m:ToewijzingNummer>1001</m:ToewijzingNummer><m:GewensteIngangsdatum>2023-07-01</m:GewensteIngangsdatum>
    <m:Einddatum>2023-12-31</m:Einddatum>{omvang}
  </m:TeWijzigenProduct></m:TeWijzigenProducten>
  <m:NieuweProducten><m:NieuwProduct>{product}
    <m:GewensteIngangsdatum>2023-07-01</m:GewensteIngangsdatum><m:Einddatum>2023-12-31</m:Einddatum>{omvang}
  </m:NieuwProduct></m:NieuweProducten>
</m:Verzoek></m:Client>""",
    "319": """
<m:Antwoord><m:ReferentieAanbieder>R1</m:ReferentieAanbieder><m:VerzoekAntwoord>1</m:VerzoekAntwoord>
  <m:RedenAfwijzingVerzoek>2</m:RedenAfwijzingVerzoek></m:Antwoord>""",
    "323": """
<m:Declaratie><m:DeclaratieNummer>D1</m:DeclaratieNummer>
  <m:DeclaratiePeriode><b:Begindatum>2023-05-01</b:Begindatum><b:Einddatum>2023-05-31</b:Einddatum></m:DeclaratiePeriode>
  <m:DeclaratieDagtekening>2023-06-15</m:DeclaratieDagtekening>
  <m:TotaalIngediendBedrag><b:TotaalBedrag>10000</b:TotaalBedrag><b:DebetCredit>D</b:DebetCredit></m:TotaalIngediendBedrag>
  <m:Clienten><m:Client><m:Bsn>123456782</m:Bsn><m:Prestaties>{prestatie}</m:Prestaties></m:Client></m:Clienten>
</m:Declaratie>""",
    "325": """
<m:DeclaratieAntwoord><m:DeclaratieNummer>D1</m:DeclaratieNummer>
  <m:TotaalIngediendBedrag><b:TotaalBedrag>10000</b:TotaalBedrag><b:DebetCredit>D</b:DebetCredit></m:TotaalIngediendBedrag>
  <m:TotaalToegekendBedrag><b:TotaalBedrag>0</b:TotaalBedrag><b:DebetCredit>D</b:DebetCredit></m:TotaalToegekendBedrag>
  <m:Clienten><m:Client><m:Bsn>123456782</m:Bsn><m:Prestaties>{prestatie}</m:Prestaties>
    <m:RetourCodes><m:RetourCode>0200</m:RetourCode></m:RetourCodes></m:Client></m:Clienten>
  <m:RetourCodes><m:RetourCode>0200</m:RetourCode></m:RetourCodes>
</m:DeclaratieAntwoord>""",
}

_PRESTATIE = """
<m:Prestatie><m:ProductReferentie><b:ReferentieNummer>P1</b:ReferentieNummer></m:ProductReferentie>
  <m:ToewijzingNummer>1001</m:ToewijzingNummer><m:ProductCategorie>{cat}</m:ProductCategorie><m:ProductCode>{code}</m:ProductCode>
  <m:ProductPeriode><b:Begindatum>2023-05-01</b:Begindatum><b:Einddatum>2023-05-31</b:Einddatum></m:ProductPeriode>
  <m:GeleverdVolume>4</m:GeleverdVolume><m:Eenheid>04</m:Eenheid><m:ProductTarief>2500</m:ProductTarief>
  <m:IngediendBedrag><b:Bedrag>10000</b:Bedrag><b:DebetCredit>D</b:DebetCredit></m:IngediendBedrag>{rc}
</m:Prestatie>"""

_325_HEADER = """
  <m:DeclaratieIdentificatie><b:Identificatie>T0</b:Identificatie><b:Dagtekening>2023-06-10</b:Dagtekening></m:DeclaratieIdentificatie>
  <m:XsdVersieDeclaratie><b:BasisschemaXsdVersie>{xv}</b:BasisschemaXsdVersie><b:BerichtXsdVersie>{xv}</b:BerichtXsdVersie></m:XsdVersieDeclaratie>
  <m:RetourCodes><m:RetourCode>0200</m:RetourCode></m:RetourCodes>"""


def message_type(standard: str, number: str) -> MessageType:
    """The 3.2 message type of ``number`` in ``standard``."""
    return get_catalogue().get(standard, "3.2", number)


def base(standard: str, number: str) -> etree._Element:
    """The minimal valid 3.2 message ``number`` of ``standard`` (a fresh tree each call)."""
    mt = message_type(standard, number)
    cat, code = _CATEGORIE[standard][:2]
    xv = "1.0.0" if standard == "iwmo" else "0.1.0"
    gemeente, aanbieder = "0363", "12345678"
    afzender, ontvanger = (gemeente, aanbieder) if mt.direction == "G2A" else (aanbieder, gemeente)
    extra = _325_HEADER.format(xv=xv) if number == "325" else ""
    header = _HEADER.format(code=mt.bericht_code, afzender=afzender, ontvanger=ontvanger, xv=xv, extra=extra)
    rc = "<m:RetourCodes><m:RetourCode>0611</m:RetourCode></m:RetourCodes>" if number == "325" else ""
    body = _BODY[number].format(
        persoon=_PERSOON.format(naamgebruik="<b:NaamGebruik>1</b:NaamGebruik>" if number == "301" else ""),
        product=_PRODUCT.format(cat=cat, code=code),
        omvang=_OMVANG,
        reden="21" if standard == "iwmo" else "31",
        gezag="<m:GezagsdragerBekend>1</m:GezagsdragerBekend>" if standard == "ijw" else "",
        prestatie=_PRESTATIE.format(cat=cat, code=code, rc=rc),
    )
    text = (
        f'<m:Bericht xmlns:m="{mt.namespace}" xmlns:b="{mt.basis_namespace}">{header}{body}</m:Bericht>'
    )
    return etree.fromstring(text, etree.XMLParser(remove_blank_text=True))


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def find(root: etree._Element, path: str) -> etree._Element:
    """The element at ``path`` (local names, optional ``[n]``); a test error if it is not there."""
    el = root
    for step in path.split("/"):
        name, _, index = step.partition("[")
        same = [c for c in el if isinstance(c.tag, str) and _local(c) == name]
        n = int(index.rstrip("]")) if index else 1
        assert len(same) >= n, f"no {step} under {_local(el)} in the base message"
        el = same[n - 1]
    return el


def set_(path: str, text: str) -> Op:
    """Set the text of the element at ``path``."""

    def op(root: etree._Element, m: str, b: str) -> None:
        find(root, path).text = text

    return op


def drop(path: str) -> Op:
    """Remove the element at ``path``."""

    def op(root: etree._Element, m: str, b: str) -> None:
        el = find(root, path)
        el.getparent().remove(el)

    return op


def add(parent: str, name: str, text: str | None = None, *, ns: str = "m", after: str | None = None) -> Op:
    """Add ``name`` (in the message or basis namespace) under ``parent``: after ``after``, else last."""

    def op(root: etree._Element, m: str, b: str) -> None:
        holder = find(root, parent)
        el = etree.Element(f"{{{m if ns == 'm' else b}}}{name}")
        el.text = text
        if after is None:
            holder.append(el)
        else:
            find(holder, after).addnext(el)

    return op


def dup(path: str) -> Op:
    """Insert a copy of the element at ``path`` right after it."""

    def op(root: etree._Element, m: str, b: str) -> None:
        el = find(root, path)
        el.addnext(copy.deepcopy(el))

    return op


def apply(root: etree._Element, standard: str, number: str, ops: tuple[Op, ...]) -> etree._Element:
    """Apply ``ops`` in order to ``root``; returns it."""
    mt = message_type(standard, number)
    for op in ops:
        op(root, mt.namespace, mt.basis_namespace)
    return root
