"""Reading iWmo/iJw payloads by local name (any namespace, any release): the demo systems' XML look-ups.

:mod:`ketensim.kto.demo_messages` (the aanbieder's side) and :mod:`ketensim.kto.demo_gemeente_messages`
(the gemeente's) read received messages with these: :func:`text_at` and :func:`date_at` follow a path of
child names, :func:`descendants` finds elements anywhere below, :func:`persoon_of` and :func:`omvang_of`
read a client and a product's omvang.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from lxml import etree

from ketensim.population.people import Naam
from ketensim.population.products import Omvang
from ketensim.standards.payload import Persoon

__all__ = ["child", "children", "date_at", "descendants", "omvang_of", "persoon_of", "text_at"]


def children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """The child elements of ``el`` with local name ``name``."""
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            yield child


def child(el: etree._Element | None, *path: str) -> etree._Element | None:
    """The first element along ``path`` of child names below ``el``; None if there is none."""
    for name in path:
        if el is None:
            return None
        el = next(children(el, name), None)
    return el


def text_at(el: etree._Element | None, *path: str) -> str | None:
    """The stripped text of the first child along ``path`` (local names, any namespace); None if absent or empty."""
    found = child(el, *path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def date_at(el: etree._Element | None, *path: str) -> date | None:
    """The ISO date at ``path`` (see :func:`text_at`); None if absent."""
    text = text_at(el, *path)
    return date.fromisoformat(text) if text else None


def descendants(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Every element below ``el`` (and ``el`` itself) with local name ``name``, in document order."""
    return (e for e in el.iter() if isinstance(e.tag, str) and etree.QName(e).localname == name)


def _naam(el: etree._Element | None) -> Naam | None:
    """A ``CDT_VolledigeNaam``; None when a part the 305 needs (surname, first names, initials) is missing."""
    if el is None:
        return None
    geslachtsnaam = child(el, "Geslachtsnaam")
    achternaam = text_at(geslachtsnaam, "Achternaam") or text_at(geslachtsnaam, "Naam")
    partner = child(el, "Partnernaam")
    voornamen, voorletters = text_at(el, "Voornamen"), text_at(el, "Voorletters")
    if not (achternaam and voornamen and voorletters):
        return None
    return Naam(
        voornamen=voornamen,
        voorletters=voorletters,
        voorvoegsel=text_at(geslachtsnaam, "Voorvoegsel"),
        achternaam=achternaam,
        partner_voorvoegsel=text_at(partner, "Voorvoegsel"),
        partnernaam=text_at(partner, "Achternaam") or text_at(partner, "Naam"),
        naamgebruik=text_at(el, "NaamGebruik") or "1",
    )


def persoon_of(client: etree._Element) -> Persoon | None:
    """The client of a ``Client`` element (BSN, birth date, sex, name); None when a part is missing."""
    bsn, geslacht = text_at(client, "Bsn"), text_at(client, "Geslacht")
    geboren = date_at(client, "Geboortedatum", "Datum")
    naam = _naam(child(client, "Naam"))
    if bsn is None or geboren is None or geslacht is None or naam is None:
        return None
    return Persoon(bsn, geboren, geslacht, naam)


def omvang_of(el: etree._Element) -> Omvang | None:
    """The ``Omvang`` of a product element; None when incomplete or not a whole volume."""
    volume, eenheid, frequentie = (text_at(el, "Omvang", part) for part in ("Volume", "Eenheid", "Frequentie"))
    if volume is None or eenheid is None or frequentie is None or not volume.isdigit():
        return None
    return Omvang(int(volume), eenheid, frequentie)
