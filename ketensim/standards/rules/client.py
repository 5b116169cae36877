"""Rules on the client data of the 301 toewijzing: contacts, addresses, names and communication.

The 301 carries the client's contacts (``Client/Contactgegevens/Contact``) and those of related
persons (``Client/Relaties/Relatie/Contact``); both kinds are checked alike. These rules keep an
address usable (a Dutch address has a house number and a well-formed postcode, a residential or
correspondence address a postcode at all) and name use consistent with the partner's name.
"""

from __future__ import annotations

from ketensim.standards.rules._doc import Doc, Element, filled, in_values, postcode_nl, raw, value
from ketensim.standards.rules._registry import Faults, rule

__all__ = ["CONTACT", "ADRES"]

CONTACT = ("Client/Contactgegevens/Contact", "Client/Relaties/Relatie/Contact")
ADRES = tuple(f"{c}/Adres" for c in CONTACT)
_NAAM = ("Client/Naam", "Client/Relaties/Relatie/Naam")


@rule("CD005", {"301": ADRES}, "Een postcode en een landcode horen bij elkaar: vul beide of geen van beide.")
def _cd005(d: Doc, adres: Element) -> Faults:
    postcode, landcode = d.child(adres, "Postcode"), d.child(adres, "LandCode")
    if filled(postcode) != filled(landcode):
        return [(postcode, landcode)]
    return None


@rule(
    "CD007",
    {"301": "Client/Communicatie"},
    "Een taal wordt alleen opgegeven bij communicatievorm 1 (tolk), en is dan verplicht.",
)
def _cd007(d: Doc, communicatie: Element) -> Faults:
    vorm, taal = d.child(communicatie, "Vorm"), d.child(communicatie, "Taal")
    if vorm is None and taal is None:
        return None
    if filled(taal) != (value(vorm) == "1"):
        return [(vorm, taal)]
    return None


@rule("CD009", {"301": CONTACT}, "Een periode hoort alleen bij een contact van soort 04 (tijdelijk adres).", when="Periode")
def _cd009(d: Doc, contact: Element) -> Faults:
    periode = d.child(contact, "Periode")
    if periode is not None:
        soort = d.child(contact, "Soort")
        if value(soort) != "04":
            return [(soort, periode)]
    return None


@rule("CD025", {"301": ADRES}, "Een adres in Nederland (landcode NL) heeft een huisnummer.", when="LandCode")
def _cd025(d: Doc, adres: Element) -> Faults:
    landcode = d.child(adres, "LandCode")
    if value(landcode) == "NL":
        huisnummer = d.at(adres, "Huis/Huisnummer")
        if not filled(huisnummer):
            return [(huisnummer, landcode)]
    return None


@rule(
    "CD034",
    {"301": CONTACT},
    "Een contact van soort 01 (BRP-adres) of 03 (verblijfadres) heeft een postcode.",
    when="Soort",
)
def _cd034(d: Doc, contact: Element) -> Faults:
    soort = d.child(contact, "Soort")
    if in_values(soort, ("01", "03")):
        postcode = d.at(contact, "Adres/Postcode")
        if not filled(postcode):
            return [(soort, postcode)]
    return None


@rule(
    "CS089",
    {"301": ADRES},
    "Een Nederlandse postcode bestaat uit vier cijfers (niet beginnend met 0) en twee letters, zonder spatie.",
    when="LandCode",
)
def _cs089(d: Doc, adres: Element) -> Faults:
    landcode = d.child(adres, "LandCode")
    if value(landcode) == "NL":
        postcode = d.child(adres, "Postcode")
        if not postcode_nl(postcode):
            return [(postcode, landcode)]
    return None


@rule("TR006", {"301": CONTACT}, "Een contact heeft een telefoonnummer, of een adres met zowel huis als postcode.")
def _tr006(d: Doc, contact: Element) -> Faults:
    if d.child(contact, "Telefoon") is not None:
        return None
    adres = d.child(contact, "Adres")
    faults = []
    if d.child(adres, "Huis") is None:
        faults.append((contact,))
    if d.child(adres, "Postcode") is None:
        faults.append((contact,))
    return faults


@rule(
    "TR061",
    {"301": "Client/Contactgegevens"},
    "Van de client is ten minste een contact van soort 01, 02 of 03 (een woon- of postadres) opgegeven.",
)
def _tr061(d: Doc, contactgegevens: Element) -> Faults:
    contacts = d.children(contactgegevens, "Contact")
    if any(raw(d.child(c, "Soort")) in ("01", "02", "03") for c in contacts):
        return None
    return [tuple(contacts)]


@rule(
    "CS050",
    {"301": tuple(f"{n}/NaamGebruik" for n in _NAAM)},
    "De naamgebruik-code past bij de partnernaam: met partnernaam 1 tot en met 4, zonder partnernaam alleen 1 "
    "(iJw ook 6).",
    note="iWmo: without Partnernaam only 1; iJw: 1 or 6.",
)
def _cs050(d: Doc, naamgebruik: Element) -> Faults:
    partnernaam = d.child(naamgebruik.getparent(), "Partnernaam")
    if partnernaam is not None:
        allowed: tuple[str, ...] = ("1", "2", "3", "4")
    else:
        allowed = ("1", "6") if d.standard == "ijw" else ("1",)
    if value(naamgebruik) not in allowed:
        return [(partnernaam, naamgebruik)]
    return None


@rule(
    "CS318",
    {"301": "Client/Naam/NaamGebruik"},
    "Naamgebruik 6 is niet toegestaan voor de client in een toewijzing.",
    standards=("ijw",),
)
def _cs318(d: Doc, naamgebruik: Element) -> Faults:
    return [(naamgebruik,)] if value(naamgebruik) == "6" else None
