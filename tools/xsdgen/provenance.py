"""The ``xs:documentation`` of each generated schema: what it is, what it was derived from, which deltas.

Kept apart from the trees so the reasoning behind every derived schema is in one place.
"""

from __future__ import annotations

from ketensim.standards.catalogue import MessageType
from xsdgen.basis import BasisSchema, family

__all__ = ["message_documentation", "basis_documentation"]

_LABEL = {"iwmo": "iWmo", "ijw": "iJw"}
_HEADER = "Written by the ketensim project from its reference facts (not an official iStandaarden schema)."

_DESIGN_303 = (
    "our own design, as no 303/304 schema is known. The body follows the 3.2 declaratie 323 "
    "(Declaratie with number, period, dagtekening, total in cents with D/C, Clienten/Client+ with "
    "Prestaties/Prestatie+); BerichtCode accepts the declaratie and the factuur code of its kind."
)


def _ijw_deltas(number: str, release: str) -> list[str]:
    deltas = [
        "iJw namespaces and iJw BerichtCodes",
        "iJw lists for LDT_ProductCategorie and LDT_RedenBeeindiging",
    ]
    if number in ("315", "316"):
        deltas.append("GezagsdragerBekend? (L.JaNee) after Naam in Client, as in iJw 3.2")
    if number in ("319", "320"):
        deltas.append("Woonplaatsbeginsel?/Gemeente at the end of Antwoord, as in iJw 3.2")
    return deltas


def _deltas(entry: MessageType) -> tuple[str, list[str]]:
    """(what the schema is derived from, the deltas applied) for one derived message."""
    number, release, fam = entry.number, entry.release, family(entry.release)
    label = _LABEL[entry.standard]
    retour = " The retour is its heen with the retour header and RetourCodes in every data class."
    if number in ("303", "304"):
        if fam == "3":
            base = (
                f"{_DESIGN_303} Release 3.0 still carries the legacy 303/304 (until 31 Mar 2022); here it "
                "takes the 3.x header (with XsdVersie) and a mandatory ToewijzingNummer."
            )
        elif fam == "2.1":
            client = "Client has Adres? (2.1 sent address data)"
            base = f"{_DESIGN_303} 2.x header; ToewijzingNummer optional; {client}."
        else:
            client = "Client carries the BSN only (2.2 change)"
            base = f"{_DESIGN_303} 2.x header; ToewijzingNummer optional; {client}."
        if number == "304":
            base += retour
        deltas = [f"release {release} namespace and BerichtSubversie {release.split('.')[1]}"]
        if entry.standard == "ijw":
            deltas += _ijw_deltas(number, release)
        return base, deltas
    subversie = release.split(".")[1]
    deltas = [f"release {release} namespace and BerichtSubversie {subversie} (by analogy)"]
    if fam == "3":
        base = f"from {label} 3.2 (documented); no structural delta between {release} and 3.2 is known."
    else:
        base = "from iWmo 2.1 (documented)."
        if fam == "2.2" and number in ("301", "302"):
            deltas.append(
                "2.2: Beschikking, BeschiktProducten and the per-product Aanbieder removed; "
                "ToegewezenProducten directly under Client (the toewijzing carries only the assigned product)"
            )
        if fam == "2.2" and number in ("307", "308") and entry.standard == "iwmo":
            deltas.append(
                "2.2: RedenBeeindiging accepts the 2.1 and 3.2 codes "
                "(list aligned with iJw, exact list unknown)"
            )
    if entry.standard == "ijw":
        deltas += _ijw_deltas(number, release)
    return base, deltas


def message_documentation(entry: MessageType) -> str:
    """The documentation text of one message XSD."""
    lines = [
        f"{entry.code} {entry.name}, {_LABEL[entry.standard]} {entry.release}: BerichtCode "
        f"{'/'.join(entry.bericht_codes)}, BerichtVersie {entry.bericht_versie}, BerichtSubversie "
        f"{entry.bericht_subversie}.",
        _HEADER,
    ]
    if entry.fidelity == "documented":
        lines.append("Structure as documented for this release.")
    else:
        base, deltas = _deltas(entry)
        lines.append(f"DERIVED {base}")
        lines.append("Deltas applied: " + "; ".join(deltas) + ".")
    return "\n".join(lines)


def basis_documentation(standard: str, release: str, basis: BasisSchema) -> str:
    """The documentation text of one basisschema."""
    label = _LABEL[standard]
    lines = [f"Basisschema {label} {release}.", _HEADER]
    documented = release == "3.2" or (standard == "iwmo" and release == "2.1")
    if documented:
        lines.append("Types as documented for this release, except where noted below.")
    else:
        source = f"{label} 3.2" if family(release) == "3" else "iWmo 2.1"
        lines.append(f"DERIVED from the {source} basisschema; namespace by analogy.")
    lines += basis.notes
    return "\n".join(lines)
