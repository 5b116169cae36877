"""The basisschema types of each release family: simple types (``LDT_*``) and complex types (``CDT_*``).

Two documented starting points, both from the project's reference facts: the iWmo 3.2 basisschema
(used for 3.0, 3.1 and 3.2) and the iWmo 2.1 basisschema (used for 2.1 to 2.4). iJw swaps in its
own product categories and stop reasons; 2.2 to 2.4 apply the documented 2.2 deltas.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xsdgen.tree import Node, parse

__all__ = ["SimpleType", "BasisSchema", "basis_schema", "family"]

NON_BLANK = r".*[^\s].*"


@dataclass(frozen=True)
class SimpleType:
    """Facets of one ``LDT_*`` restriction; ``base`` is an XSD built-in without prefix."""

    base: str = "string"
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enumeration: tuple[str, ...] = ()
    min_inclusive: int | None = None
    max_inclusive: int | None = None


@dataclass(frozen=True)
class BasisSchema:
    """Everything one ``basisschema.xsd`` defines."""

    simple: dict[str, SimpleType]
    complex: list[Node]
    notes: tuple[str, ...]  # provenance lines for the schema documentation


def text(lo: int | None, hi: int | None, pattern: str | None = NON_BLANK) -> SimpleType:
    """A string of ``lo..hi`` characters (``None``: no bound) with a pattern (default non-blank)."""
    return SimpleType("string", lo, hi, pattern)


def integer(lo: int, hi: int, pattern: str | None = None) -> SimpleType:
    """An integer in ``lo..hi``."""
    return SimpleType("integer", min_inclusive=lo, max_inclusive=hi, pattern=pattern)


def codes(*values: str, base: str = "string") -> SimpleType:
    """A code list (enumeration)."""
    if base == "integer":
        return SimpleType("integer", enumeration=values, min_inclusive=0, max_inclusive=99)
    return SimpleType("string", enumeration=values)


def span(lo: int, hi: int, width: int = 2) -> list[str]:
    """Zero-padded codes ``lo..hi``: ``span(1, 3)`` -> ``['01', '02', '03']``."""
    return [str(n).zfill(width) for n in range(lo, hi + 1)]


LANDCODES = tuple(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)
"""ISO 3166-1 alpha-2, the 249 codes of L.LandCode."""

RETOURCODES_3X = tuple(
    """
    0001 0200 0233 0611 8001 8017 8021 8187 8214 8848 9019 9056 9063 9069 9071 9074 9307 9308 9319
    9321 9322 9326 9332 9333 9338 9339 9340 9341 9346 9347 9349 9350 9351 9355 9357 9359 9360 9361
    9365 9366 9367 9369 9373 9374 9375 9379 9384 9385 9387 9388 9389 9390 9411 9412 9413 9414 9415
    S300 S329
    """.split()
)

PRODUCTCATEGORIE = {"iwmo": tuple(span(1, 18)), "ijw": (*span(31, 38), *span(40, 55))}
REDEN_BEEINDIGING_3X = {
    "iwmo": ("02", "19", "20", "21", "22", "23", "31", "36", "37", "38", "39"),
    "ijw": ("02", "20", *span(31, 39)),
}
REDEN_BEEINDIGING_21_WMO = ("02", "19", "20", "31", "32", "33", "34")
BERICHTCODES_2X = {
    "iwmo": ("414", "415", "416", "417", "418", "419", "420", "421", "444", "445", "448", "449"),
    "ijw": ("432", "433", "436", "437", "438", "439", "440", "441", "446", "447", "450", "451"),
}
BEPERKINGVRAAG = tuple(
    f"{cat:02d}{q:02d}" for cat, n in enumerate((14, 14, 9, 11, 6, 11), start=1) for q in range(1, n + 1)
)

# simple types identical in the 2.1 and 3.2 basisschema
_COMMON: dict[str, SimpleType] = {
    "Datum": SimpleType("date", pattern="[^:Z]*"),
    "Tijd": SimpleType("time", pattern="[^Z+-]+"),
    "Referentie": text(1, 36),
    "Nummer": integer(0, 999999999),
    "RelatieVolgorde": integer(0, 99),
    "Voorvoegsel": text(1, 10),
    "NaamVerwijzer": text(1, 64),
    "Organisatienaam": text(1, 35),
    "Straatnaam": text(1, 24),
    "Plaatsnaam": text(1, 80),
    "Postcode": text(1, 8),
    "Huisnummer": integer(0, 99999),
    "Huisletter": text(1, 1),
    "HuisnummerToevoeging": text(1, 4),
    "Emailadres": text(1, 80),
    "Taal": text(1, 25),
    "ProductCode": text(1, 5),
    "Volume": integer(0, 99999999),
    "Geslacht": codes("0", "1", "2"),
    "NaamGebruik": codes(*"123456"),
    "DatumGebruik": codes(*"123"),
    "AdresSoort": codes(*span(1, 4)),
    "AanduidingWoonadres": codes("AB", "BY", "TO", "WW"),
    "Communicatievorm": codes(*"123"),
    "JuridischeStatus": codes(*span(1, 5), "11", "12"),
    "WettelijkeVertegenwoordiging": codes(*span(6, 10)),
    "SoortRelatie": codes(*span(3, 25)),
    "StatusAanlevering": codes("1", "2", "3", "9"),
    "JaNee": codes("1", "2"),
    "LandCode": codes(*LANDCODES),
}

# money, periods and references: in the 3.2 basisschema, added to 2.x for our 303/304 design
_DECLARATIE: dict[str, SimpleType] = {
    "Bedrag": integer(0, 99999999),
    "TotaalBedrag": integer(0, 999999999999),
    "DebetCredit": codes("C", "D"),
    "IdentificatieDeclaratie": text(1, 12, pattern=None),
    "ReferentieNummer": text(1, 20, pattern=None),
}

SIMPLE_3X: dict[str, SimpleType] = {
    **_COMMON,
    **_DECLARATIE,
    "BurgerServicenummer": text(1, 9, "[0-9]{9}"),
    "AgbCode": text(1, 8, "[0-9]{8}"),
    "Gemeente": text(1, None, "[0-9]{4}"),
    "Versie": text(None, None, r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"),
    "BerichtCode": text(1, 3, pattern=None),
    "BerichtVersie": integer(0, 99),
    "BerichtSubversie": integer(0, 99),
    "IdentificatieBericht": text(1, 12),
    "Persoonsid": text(1, 20),
    "Naam": text(1, 200),
    "Voorletters": text(1, 6, "([a-zA-ZÀ-ỳ])+"),
    "Telefoonnummer": text(1, 15, "[0-9]*"),
    "Landnummer": text(1, 4),
    "Commentaar": text(1, None, r"([.\s]*\S+[.\s]*)+"),
    "Budget": integer(0, 99999999),
    "Eenheid": codes("01", "04", "14", "16", "82", "83", "84"),
    "Frequentie": codes("1", "2", "4", "6"),
    "RedenWijziging": codes(*span(1, 14)),
    "RedenVerzoek": codes("1", "2"),
    "VerzoekAntwoord": codes("1", "2"),
    "RedenAfwijzingVerzoek": codes(*"123456789"),
    "TypeVerwijzer": codes(*span(1, 6), "08"),
    "RetourCode": codes(*RETOURCODES_3X),
}

SIMPLE_21: dict[str, SimpleType] = {
    **_COMMON,
    "BurgerServicenummer": text(None, 9, "[0-9]{9}"),
    "AgbCode": text(None, 8, "[0-9]{8}"),
    "Gemeente": text(None, 4, "[0-9]{4}"),
    "IdentificatieBericht": text(None, 12, pattern=None),
    "Persoonsid": text(None, 20, pattern=None),
    "Naam": text(None, 200, pattern=None),
    "Voorletters": text(None, 6, r"[^\s][a-zA-Z]*"),
    "Telefoonnummer": text(None, 15, r"[^\s][0-9]*"),
    "Landnummer": text(None, 4, pattern=None),
    "Commentaar": text(1, None),
    "Eenheid": codes("01", "04", "14", "16", "82", "83", base="integer"),
    "Frequentie": codes(*"123456"),
    "RedenWijziging": codes(*span(1, 9)),
    "TypeVerwijzer": codes(*span(1, 8)),
    "Grondslag": codes(*span(1, 7)),
    "BeperkingCategorie": codes(*"123456"),
    "Duur": codes(*"1234"),
    "BeperkingScore": codes("0", "1", "2", "3", "9"),
    "BeperkingVraag": codes(*BEPERKINGVRAAG),
    # the 154-code 2.1 list is not in the facts; its code families are (0xxx, 1110, 8xxx, 9xxx, Dnnn, Snnn)
    "RetourCode": text(None, 4, "[0-9]{4}|[DS][0-9]{3}"),
    **_DECLARATIE,
}

_CDT_COMMON = """
Adres
  Huis? C.Huis
  Postcode? L.Postcode
  Straatnaam? L.Straatnaam
  Plaatsnaam? L.Plaatsnaam
  LandCode? L.LandCode
BedragMetDC
  Bedrag L.Bedrag
  DebetCredit L.DebetCredit
BerichtIdentificatie
  Identificatie L.IdentificatieBericht
  Dagtekening L.Datum
Communicatie
  Vorm L.Communicatievorm
  Taal? L.Taal
Geboortedatum
  Datum L.Datum
  DatumGebruik? L.DatumGebruik
GeslotenPeriode
  Begindatum L.Datum
  Einddatum L.Datum
Huis
  Huisnummer L.Huisnummer
  Huisletter? L.Huisletter
  HuisnummerToevoeging? L.HuisnummerToevoeging
  AanduidingWoonadres? L.AanduidingWoonadres
Omvang
  Volume L.Volume
  Eenheid L.Eenheid
  Frequentie L.Frequentie
OpenPeriode
  Begindatum? L.Datum
  Einddatum? L.Datum
Product
  Categorie L.ProductCategorie
  Code? L.ProductCode
Referentie
  ReferentieNummer L.ReferentieNummer
  VorigReferentieNummer? L.ReferentieNummer
Telefoon
  Telefoonnummer L.Telefoonnummer
  Landnummer L.Landnummer
Telefoonnummers
  Telefoon01 C.Telefoon
  Telefoon02? C.Telefoon
TotaalBedragMetDC
  TotaalBedrag L.TotaalBedrag
  DebetCredit L.DebetCredit
VerkorteNaam
  Geslachtsnaam C.Achternaam
  Voornamen? L.Naam
  Voorletters? L.Voorletters
VolledigeNaam
  Geslachtsnaam C.Achternaam
  Partnernaam? C.Achternaam
  Voornamen? L.Naam
  Voorletters? L.Voorletters
  NaamGebruik L.NaamGebruik
"""

CDT_3X = """
Achternaam
  Achternaam L.Naam
  Voorvoegsel? L.Voorvoegsel
Verwijzer
  Type L.TypeVerwijzer
  Naam? L.NaamVerwijzer
  ZorgverlenerCode? L.AgbCode
XsdVersie
  BasisschemaXsdVersie L.Versie
  BerichtXsdVersie L.Versie
"""

CDT_2X = """
Achternaam
  Naam L.Naam
  Voorvoegsel? L.Voorvoegsel
Verwijzer
  Type L.TypeVerwijzer
  Naam? L.NaamVerwijzer
"""

CDT_21_BESCHIKKING = """
Grondslagen
  Grondslag01 L.Grondslag
  Grondslag02? L.Grondslag
"""

_BESCHIKKING_TYPES = ("Grondslag", "BeperkingCategorie", "Duur", "BeperkingScore", "BeperkingVraag")


def family(release: str) -> str:
    """The structural family of a release: ``"2.1"``, ``"2.2"`` (2.2 to 2.4) or ``"3"`` (3.x)."""
    if release.startswith("3."):
        return "3"
    return "2.1" if release == "2.1" else "2.2"


def _sorted_complex(*texts: str) -> list[Node]:
    return sorted((n for t in texts for n in parse(t)), key=lambda n: n.name)


def basis_schema(standard: str, release: str) -> BasisSchema:
    """The basisschema of one standard and release.

    Args:
        standard: ``"iwmo"`` or ``"ijw"``.
        release: ``"2.1"`` … ``"3.2"``.

    Returns:
        Its simple and complex types, with provenance notes for the schema documentation.
    """
    fam = family(release)
    notes: list[str] = []
    if fam == "3":
        simple = dict(SIMPLE_3X)
        simple["RedenBeeindiging"] = codes(*REDEN_BEEINDIGING_3X[standard])
        simple["ProductCategorie"] = codes(*PRODUCTCATEGORIE[standard])
        complex_types = _sorted_complex(_CDT_COMMON, CDT_3X)
        if release != "3.2":
            notes.append(
                f"Derived: the 3.2 basisschema, unchanged apart from the release {release} namespace."
            )
        return BasisSchema(simple, complex_types, tuple(notes))

    major, minor = release.split(".")
    simple = dict(SIMPLE_21)
    simple["BerichtCode"] = replace(text(None, 3, pattern=None), enumeration=BERICHTCODES_2X[standard])
    simple["BerichtVersie"] = integer(0, 99, pattern=major)
    simple["BerichtSubversie"] = integer(0, 99, pattern=minor)
    simple["ProductCategorie"] = codes(*PRODUCTCATEGORIE[standard], base="integer")
    simple["RedenBeeindiging"] = codes(*REDEN_BEEINDIGING_21_WMO)
    texts = [_CDT_COMMON, CDT_2X]
    notes.append(
        "Derived additions for the 303/304 design: LDT_Bedrag, LDT_TotaalBedrag, LDT_DebetCredit, "
        "LDT_IdentificatieDeclaratie, LDT_ReferentieNummer, CDT_Referentie, CDT_GeslotenPeriode, "
        "CDT_BedragMetDC and CDT_TotaalBedragMetDC, with their 3.2 facets."
    )
    notes.append(
        "Derived: LDT_RetourCode is a pattern over the code families, the 2.1 list itself is not available."
    )
    if standard == "ijw":
        simple["RedenBeeindiging"] = codes(*REDEN_BEEINDIGING_3X["ijw"])
        notes.append(
            "Derived for iJw: iJw BerichtCodes; LDT_ProductCategorie and LDT_RedenBeeindiging "
            "take the iJw 3.2 lists."
        )
    if fam == "2.1":
        texts.append(CDT_21_BESCHIKKING)
    else:
        for name in _BESCHIKKING_TYPES:
            del simple[name]
        notes.append(f"Derived for {release} from 2.1: beschikking types dropped (no longer used by 301).")
        if standard == "iwmo":
            simple["RedenBeeindiging"] = codes(
                *sorted({*REDEN_BEEINDIGING_21_WMO, *REDEN_BEEINDIGING_3X["iwmo"]})
            )
            notes.append(
                "Derived: LDT_RedenBeeindiging accepts the 2.1 and the 3.2 iWmo codes "
                "(2.2 aligned the list with iJw; the exact list is unknown)."
            )
    if release != "2.1" or standard == "ijw":
        notes.append(
            f"Derived: BerichtVersie/BerichtSubversie fixed to {major}/{minor} by analogy with iWmo 2.1."
        )
    return BasisSchema(simple, _sorted_complex(*texts), tuple(notes))
