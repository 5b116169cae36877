"""Message trees per release family: headers, heen bodies, and the derivation of retours and iJw.

Bodies are written in the fact-sheet notation (:mod:`xsdgen.tree`). A retour is never written by
hand: it is its heen with the retour header and the retour rule applied (:func:`tree.to_retour`),
except the 3.x declaratie-antwoord 325, which the facts document on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketensim.standards.releases import HEEN_OF
from xsdgen.basis import family
from xsdgen.tree import Node, find, insert_after, parse, retour_codes, to_retour

__all__ = ["MessageTree", "message_tree"]

FRAGMENTS: dict[str, str] = {
    "contact": """
Soort L.AdresSoort
Adres? C.Adres
Organisatie? L.Organisatienaam
Telefoon? C.Telefoonnummers
Emailadres? L.Emailadres
Periode? C.OpenPeriode
""",
    # the person part of a 301 Client, up to and including Contactgegevens (2.1 and 3.2 alike)
    "persoon301": """
Bsn L.BurgerServicenummer
Geboortedatum C.Geboortedatum
Geslacht L.Geslacht
Naam C.VolledigeNaam
Communicatie? C.Communicatie
JuridischeStatus? L.JuridischeStatus
WettelijkeVertegenwoordiging? L.WettelijkeVertegenwoordiging
Commentaar? L.Commentaar
Relaties?/Relatie+
  Nummer L.Persoonsid
  Volgorde? L.RelatieVolgorde
  Soort L.SoortRelatie
  Geboortedatum? C.Geboortedatum
  Geslacht? L.Geslacht
  Naam C.VolledigeNaam
  Contact
    %contact
Contactgegevens/Contact+
  %contact
""",
    "kort": """
Bsn L.BurgerServicenummer
Geboortedatum C.Geboortedatum
Geslacht L.Geslacht
Naam C.VerkorteNaam
""",
    "prestatie": """
ProductReferentie C.Referentie
ToewijzingNummer L.Nummer
ProductCategorie L.ProductCategorie
ProductCode L.ProductCode
ProductPeriode C.GeslotenPeriode
GeleverdVolume L.Volume
Eenheid L.Eenheid
ProductTarief? L.Bedrag
IngediendBedrag C.BedragMetDC
""",
    # 2.x 303 (our design): as the 3.2 Prestatie, but ToewijzingNummer is optional before 3.0
    "prestatie_2x": """
ProductReferentie C.Referentie
ToewijzingNummer? L.Nummer
ProductCategorie L.ProductCategorie
ProductCode L.ProductCode
ProductPeriode C.GeslotenPeriode
GeleverdVolume L.Volume
Eenheid L.Eenheid
ProductTarief? L.Bedrag
IngediendBedrag C.BedragMetDC
""",
    "declaratie_kop": """
DeclaratieNummer L.IdentificatieDeclaratie~([a-zA-Z0-9])+
DeclaratiePeriode C.GeslotenPeriode
DeclaratieDagtekening L.Datum
TotaalIngediendBedrag C.TotaalBedragMetDC
""",
}

# iWmo/iJw 3.2 heen bodies (schema-3x-facts §3)
BODIES_3X: dict[str, str] = {
    "301": """
Client
  %persoon301
  ToegewezenProducten/ToegewezenProduct+
    ToewijzingNummer L.Nummer
    ReferentieAanbieder? L.Referentie
    Product? C.Product
    Toewijzingsdatum L.Datum
    Toewijzingstijd L.Tijd
    Ingangsdatum L.Datum
    Einddatum? L.Datum
    RedenWijziging? L.RedenWijziging
    Omvang? C.Omvang
    Budget? L.Budget
    Commentaar? L.Commentaar
""",
    "305": """
Client
  %kort
  StartProducten/StartProduct+
    ToewijzingNummer? L.Nummer
    Product? C.Product
    ToewijzingIngangsdatum? L.Datum
    Begindatum L.Datum
    StatusAanlevering L.StatusAanlevering
""",
    "307": """
Client
  %kort
  StopProducten/StopProduct+
    ToewijzingNummer? L.Nummer
    Product? C.Product
    ToewijzingIngangsdatum? L.Datum
    Begindatum L.Datum
    RedenBeeindiging L.RedenBeeindiging
    Einddatum L.Datum
    StatusAanlevering L.StatusAanlevering
""",
    "315": """
Client
  %kort
  Commentaar? L.Commentaar
  AangevraagdeProducten/AangevraagdProduct+
    ReferentieAanbieder L.Referentie
    BeschikkingNummer? L.Nummer
    Product? C.Product
    BeschikkingIngangsdatum? L.Datum
    ToewijzingIngangsdatum L.Datum
    ToewijzingEinddatum? L.Datum
    Omvang? C.Omvang
    Budget? L.Budget
    Verwijzer C.Verwijzer
    Raamcontract? L.JaNee
    Commentaar? L.Commentaar
""",
    "317": """
Client
  Bsn L.BurgerServicenummer
  Verzoek
    ReferentieAanbieder L.Referentie
    RedenVerzoek L.RedenVerzoek
    OngewijzigdeProducten?/OngewijzigdProduct+
      ToewijzingNummer L.Nummer
    TeWijzigenProducten?/TeWijzigenProduct+
      ToewijzingNummer L.Nummer
      GewensteIngangsdatum L.Datum
      Einddatum? L.Datum
      Omvang? C.Omvang
      Budget? L.Budget
    NieuweProducten?/NieuwProduct+
      Product? C.Product
      GewensteIngangsdatum L.Datum
      Einddatum? L.Datum
      Omvang? C.Omvang
      Budget? L.Budget
""",
    "319": """
Antwoord
  ReferentieAanbieder L.Referentie
  VerzoekAntwoord L.VerzoekAntwoord
  RedenAfwijzingVerzoek? L.RedenAfwijzingVerzoek
""",
    "323": """
Declaratie
  %declaratie_kop
  Clienten/Client+
    Bsn L.BurgerServicenummer
    Prestaties/Prestatie+
      %prestatie
""",
    # our design: the legacy 303 in 3.0 form is the 323 declaratie (codes differ, see header)
    "303": """
Declaratie
  %declaratie_kop
  Clienten/Client+
    Bsn L.BurgerServicenummer
    Prestaties/Prestatie+
      %prestatie
""",
}

# the 3.x declaratie-antwoord, documented on its own (schema-3x-facts §3.10)
MESSAGE_325 = """
Header
  BerichtCode L.BerichtCode={code}
  BerichtVersie L.BerichtVersie={versie}
  BerichtSubversie L.BerichtSubversie={subversie}
  Afzender L.Gemeente
  Ontvanger L.AgbCode
  BerichtIdentificatie C.BerichtIdentificatie
  XsdVersie C.XsdVersie
  DeclaratieIdentificatie C.BerichtIdentificatie
  XsltVersie? L.Versie
  XsdVersieDeclaratie C.XsdVersie
  RetourCodes/RetourCode+ L.RetourCode
DeclaratieAntwoord?
  DeclaratieNummer L.IdentificatieDeclaratie
  TotaalIngediendBedrag C.TotaalBedragMetDC
  TotaalToegekendBedrag C.TotaalBedragMetDC
  Clienten?/Client+
    Bsn L.BurgerServicenummer
    Prestaties/Prestatie+
      %prestatie
      RetourCodes/RetourCode+ L.RetourCode
    RetourCodes/RetourCode+ L.RetourCode
  RetourCodes/RetourCode+ L.RetourCode
"""

# iWmo 2.1 heen bodies (schema-2x-facts §2), and 303 by our design
BODIES_21: dict[str, str] = {
    "301": """
Clienten/Client+
  %persoon301
  Beschikking
    BeschikkingNummer L.Nummer
    Grondslagen? C.Grondslagen
    Afgiftedatum L.Datum
    Ingangsdatum L.Datum
    Einddatum? L.Datum
    Commentaar? L.Commentaar
    Beperkingen?/Beperking+
      Beperking L.BeperkingCategorie
      Duur? L.Duur
      Commentaar? L.Commentaar
      BeperkingScores?/BeperkingScore+
        Vraag L.BeperkingVraag
        Score L.BeperkingScore
        Commentaar? L.Commentaar
    BeschiktProducten/BeschiktProduct+
      Product C.Product
      Ingangsdatum L.Datum
      Einddatum? L.Datum
      Omvang? C.Omvang
      Commentaar? L.Commentaar
    ToegewezenProducten/ToegewezenProduct+
      ToewijzingNummer? L.Nummer
      ReferentieAanbieder? L.Referentie
      Product C.Product
      Aanbieder L.AgbCode
      Toewijzingsdatum L.Datum
      Toewijzingstijd L.Tijd
      Ingangsdatum L.Datum
      Einddatum? L.Datum
      RedenWijziging? L.RedenWijziging
      Omvang? C.Omvang
""",
    "305": """
Clienten/Client+
  %kort
  StatusAanlevering L.StatusAanlevering
  StartProducten/StartProduct+
    BeschikkingNummer? L.Nummer
    ToewijzingNummer? L.Nummer
    Product C.Product
    ToewijzingIngangsdatum? L.Datum
    Begindatum L.Datum
    Aanbieder L.AgbCode
    Omvang? C.Omvang
    StatusAanlevering L.StatusAanlevering
""",
    "307": """
Clienten/Client+
  %kort
  StatusAanlevering L.StatusAanlevering
  StopProducten/StopProduct+
    BeschikkingNummer? L.Nummer
    ToewijzingNummer? L.Nummer
    Product C.Product
    ToewijzingIngangsdatum? L.Datum
    Begindatum L.Datum
    Aanbieder L.AgbCode
    RedenBeeindiging L.RedenBeeindiging
    Einddatum L.Datum
    StatusAanlevering L.StatusAanlevering
""",
    "315": """
Clienten/Client+
  %kort
  Producten/Product+
    ReferentieAanbieder L.Referentie
    BeschikkingNummer? L.Nummer
    Product C.Product
    BeschikkingIngangsdatum? L.Datum
    ToewijzingIngangsdatum L.Datum
    ToewijzingEinddatum? L.Datum
    Aanbieder L.AgbCode
    Omvang? C.Omvang
    Verwijzer C.Verwijzer
    Raamcontract? L.JaNee
""",
    "303": """
Declaratie
  %declaratie_kop
  Clienten/Client+
    Bsn L.BurgerServicenummer
    Adres? C.Adres
    Prestaties/Prestatie+
      %prestatie_2x
""",
}

# 2.2 to 2.4: 2.1 with the documented 2.2 deltas (301 without beschikking; 303 with the BSN only)
BODIES_22: dict[str, str] = {
    **BODIES_21,
    "301": """
Clienten/Client+
  %persoon301
  ToegewezenProducten/ToegewezenProduct+
    ToewijzingNummer? L.Nummer
    ReferentieAanbieder? L.Referentie
    Product C.Product
    Toewijzingsdatum L.Datum
    Toewijzingstijd L.Tijd
    Ingangsdatum L.Datum
    Einddatum? L.Datum
    RedenWijziging? L.RedenWijziging
    Omvang? C.Omvang
""",
    "303": """
Declaratie
  %declaratie_kop
  Clienten/Client+
    Bsn L.BurgerServicenummer
    Prestaties/Prestatie+
      %prestatie_2x
""",
}

_BODIES = {"3": BODIES_3X, "2.1": BODIES_21, "2.2": BODIES_22}


@dataclass(frozen=True)
class MessageTree:
    """The content of one message XSD: the ``Root`` children (Header, body)."""

    header: Node
    body: Node


def _header(fam: str, codes: tuple[str, ...], versie: str, subversie: str, from_gemeente: bool) -> Node:
    """The heen header; Afzender/Ontvanger types follow the heen's direction."""
    sender, receiver = ("L.Gemeente", "L.AgbCode") if from_gemeente else ("L.AgbCode", "L.Gemeente")
    lines = ["Header", f"  BerichtCode L.BerichtCode={'|'.join(codes)}"]
    if fam == "3":  # 3.x pins the release in the message XSD, 2.x in the basisschema
        lines += [
            f"  BerichtVersie L.BerichtVersie={versie}",
            f"  BerichtSubversie L.BerichtSubversie={subversie}",
        ]
    else:
        lines += ["  BerichtVersie L.BerichtVersie", "  BerichtSubversie L.BerichtSubversie"]
    lines += [
        f"  Afzender {sender}",
        f"  Ontvanger {receiver}",
        "  BerichtIdentificatie C.BerichtIdentificatie",
    ]
    if fam == "3":
        lines.append("  XsdVersie C.XsdVersie")
    return parse("\n".join(lines))[0]


def _retour_header(header: Node, fam: str) -> Node:
    """Extend a heen header with the retour fields, after its last heen field."""
    extra = ["IdentificatieRetour L.IdentificatieBericht", "DagtekeningRetour L.Datum"]
    if fam == "3":
        extra += ["XsltVersie? L.Versie", "XsdVersieRetour C.XsdVersie"]
    for node in parse("\n".join(extra)):
        header.children.append(node)
    header.children.append(retour_codes(optional=True))
    return header


def _apply_ijw(number: str, body: Node) -> None:
    """The iJw-only elements (schema-3x-facts §4), applied to the heen before a retour is derived."""
    if number == "315":
        client = find(body, "Client") if body.name == "Clienten" else body
        insert_after(client, "Naam", Node("GezagsdragerBekend", 0, 1, type="L.JaNee"))
    if number == "319":
        gemeente = Node("Gemeente", type="L.Gemeente")
        body.children.append(Node("Woonplaatsbeginsel", 0, 1, children=[gemeente]))


def message_tree(standard: str, release: str, number: str, codes: tuple[str, ...]) -> MessageTree:
    """Build the tree of one message.

    Args:
        standard: ``"iwmo"`` or ``"ijw"``.
        release: ``"2.1"`` … ``"3.2"``.
        number: Message number, e.g. ``"302"``.
        codes: The BerichtCodes the message accepts (two for 303/304).

    Returns:
        Header and body of the message's ``Root`` type.
    """
    fam = family(release)
    versie, subversie = release.split(".")
    if number == "325":
        text = MESSAGE_325.format(code="|".join(codes), versie=versie, subversie=subversie)
        header, body = parse(text, FRAGMENTS)
        return MessageTree(header, body)
    heen = HEEN_OF.get(number, number)
    body = parse(_BODIES[fam][heen], FRAGMENTS)[0]
    if standard == "ijw":
        _apply_ijw(heen, body)
    from_gemeente = heen in ("301", "319")
    header = _header(fam, codes, versie, subversie, from_gemeente)
    if heen != number:
        header = _retour_header(header, fam)
        body = to_retour(body)
    return MessageTree(header, body)
