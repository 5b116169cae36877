"""The codes with which the KTO hubs refuse a vendor's message, and their Dutch descriptions.

Codes of the chain's own tables (list 2.1 patch 04 revisie 3, 2017, for the IB; VECOZO's CC and BRS
codes) keep their number and meaning. Where those tables have no code for a check that only a real
system can fail, ketensim uses its own ``KS`` codes, so that nobody mistakes them for official ones.
Keep this the only place codes and texts are defined: the table is versioned, because the chain
renumbered its codes before (see the hub-interface facts).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CODE_TABLE_VERSION", "CODES", "Melding", "melding"]

CODE_TABLE_VERSION = "ketensim-kto-1 (IB: foutcodelijst 2.1 patch 04 rev. 3, 2017; VECOZO: CC/BRS)"

CODES: dict[str, str] = {
    # VECOZO
    "CC02": "Bericht voldoet niet aan het XSD",
    "CC03": "Bericht is groter dan 25 MB",
    "CC04": "Ongeldig UUID-formaat",
    "CC06": "Applicatiegegevens ontbreken",
    "CC08": "UUID is niet uniek",
    "BRS02": "Afzender is niet geautoriseerd voor dit bericht",
    # Inlichtingenbureau
    "IB103": "Aangeboden berichttype tijdelijk geblokkeerd",
    "IB210": "Ontvangende organisatie onbekend",
    "IB234": "Combinatie niet toegestaan",
    # ketensim's own (no official code exists for these checks)
    "KS01": "Metadata in tegenspraak met het bericht",
    "KS02": "Bericht is geen UTF-8 zonder BOM",
    "KS03": "Release van het bericht is op dit moment niet toegestaan",
    "KS04": "Heenbericht bij dit retourbericht is onbekend",
    "KS05": "Heenbericht is al beantwoord",
    "KS06": "Retourbericht in een andere release dan het heenbericht",
    "KS07": "Dienst tijdelijk niet beschikbaar; bied het bericht later opnieuw aan",
    "KS08": "De repetitie is afgelopen",
}


@dataclass(frozen=True)
class Melding:
    """One reason a message was refused: code, the code's description, what exactly, and where."""

    code: str
    omschrijving: str
    toelichting: str
    plek: str = ""  # element path in the facts' notation, or the metadata field

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "omschrijving": self.omschrijving, "toelichting": self.toelichting,
                "plek": self.plek}


def melding(code: str, toelichting: str, plek: str = "") -> Melding:
    """A :class:`Melding` for ``code`` with the table's description."""
    return Melding(code, CODES[code], toelichting, plek)
