"""The filled message catalogue: every XML message of iWmo and iJw in releases 2.1 to 3.2.

Which numbers exist per release comes from :mod:`ketensim.standards.releases`; this module adds
what the standard says about each one: its Dutch name, BerichtCode, BerichtVersie/-Subversie,
direction of transport, heen/retour role, pair, functional answers, XML namespace and the
project's own XSD file.

*Fidelity.* The structure of iWmo 2.1 (except 303/304) and of iWmo/iJw 3.2 is documented in the
reference facts; every other schema is derived from the nearest documented release, and its
namespace and subversie follow the documented pattern where no source confirmed them.

Example:
    >>> from ketensim.standards.catalogue_data import CATALOGUE
    >>> CATALOGUE.get("iwmo", "3.1", "WMO301").xsd
    'iwmo/3_1/WMO301.xsd'
"""

from __future__ import annotations

from ketensim.standards.catalogue import Catalogue, Direction, Fidelity, MessageType
from ketensim.standards.releases import HEEN_OF, LAW_PREFIX, RELEASES, RETOUR_OF, STANDARDS

__all__ = [
    "CATALOGUE",
    "get_catalogue",
    "message_namespace",
    "basis_namespace",
    "release_dir",
    "bericht_versie",
]

# number -> (iWmo BerichtCode, iJw BerichtCode, direction of transport, subject of the name)
_MESSAGES: dict[str, tuple[str, str, Direction, str]] = {
    "301": ("414", "436", "G2A", "Toewijzing"),
    "302": ("415", "437", "A2G", "Toewijzing"),
    "303": ("416", "432", "A2G", "Declaratie/Factuur"),
    "304": ("417", "433", "G2A", "Declaratie/Factuur"),
    "305": ("418", "438", "A2G", "Start"),
    "306": ("419", "439", "G2A", "Start"),
    "307": ("420", "440", "A2G", "Stop"),
    "308": ("421", "441", "G2A", "Stop"),
    "315": ("444", "446", "A2G", "Verzoek om toewijzing"),
    "316": ("445", "447", "G2A", "Verzoek om toewijzing"),
    "317": ("480", "486", "A2G", "Verzoek om wijziging"),
    "318": ("481", "487", "G2A", "Verzoek om wijziging"),
    "319": ("482", "488", "G2A", "Antwoordbericht"),
    "320": ("483", "489", "A2G", "Antwoordbericht"),
    "323": ("484", "490", "A2G", "Declaratie"),
    "325": ("485", "491", "G2A", "Declaratie-antwoord"),
}

# 303/304 carry two variants under one number: declaratie (the primary code above) and factuur.
_FACTUUR_CODES: dict[tuple[str, str], str] = {
    ("iwmo", "303"): "448",
    ("iwmo", "304"): "449",
    ("ijw", "303"): "450",
    ("ijw", "304"): "451",
}

# heen -> the messages that answer it functionally (beyond its technical retour)
_ANSWERS: dict[str, tuple[str, ...]] = {
    "315": ("301", "319"),
    "317": ("301", "319"),
    "323": ("325",),
    "303": ("304",),
}

_DOMAIN = {"iwmo": "Wmo-ondersteuning", "ijw": "Jeugdhulp"}
_LABEL = {"iwmo": "iWmo", "ijw": "iJw"}


def release_dir(release: str) -> str:
    """Directory name of a release under ``xsd/<standard>/``: ``"3.1"`` -> ``"3_1"``."""
    return release.replace(".", "_")


def _namespace(standard: str, release: str, part: str) -> str:
    rel = release_dir(release)
    # 2.x namespaces end in the release again (``…/schema/2_1``); 3.x ones do not
    suffix = f"/{rel}" if release.startswith("2.") else ""
    return f"http://www.istandaarden.nl/{standard}/{rel}/{part}/schema{suffix}"


def message_namespace(standard: str, release: str, number: str) -> str:
    """XML namespace of one message, e.g. ``http://www.istandaarden.nl/iwmo/3_2/wmo301/schema``."""
    prefix = "wmo" if standard == "iwmo" else "jw"
    return _namespace(standard, release, f"{prefix}{number}")


def basis_namespace(standard: str, release: str) -> str:
    """XML namespace of the basisschema of one standard and release."""
    return _namespace(standard, release, "basisschema")


def bericht_versie(release: str) -> tuple[str, str]:
    """The (BerichtVersie, BerichtSubversie) a release writes in every header: ``"3.2"`` -> ``("3", "2")``."""
    major, minor = release.split(".")
    return major, minor


def _name(standard: str, number: str) -> str:
    subject = _MESSAGES[number][3]
    role_suffix = " Retour" if number in HEEN_OF and number != "325" else ""
    return f"{subject} {_DOMAIN[standard]}{role_suffix}"


def _fidelity(standard: str, release: str, number: str) -> tuple[Fidelity, str]:
    """How well the structure of one message is known, with a one-line reason."""
    if number in ("303", "304"):
        base = (
            "our design after 3.2 323/325" if release.startswith("2.") else "2.x 303/304 design in 3.0 form"
        )
        return "derived", f"no 303/304 XSD known; {base}, accepts declaratie and factuur codes"
    label = _LABEL[standard]
    if release == "3.2":
        return "documented", f"{label} 3.2 structure as documented"
    if standard == "iwmo" and release == "2.1":
        return "documented", "iWmo 2.1 structure as documented"
    if release in ("3.0", "3.1"):
        return "derived", f"{label} 3.2 structure with release {release} namespace and subversie"
    notes = []
    if standard == "ijw":
        notes.append("iJw code lists and elements applied to iWmo")
    if release != "2.1":
        notes.append("2.2 deltas (no beschikking in 301)")
    return "derived", f"from iWmo 2.1: {'; '.join(notes)}; namespace and subversie by analogy"


def _entry(standard: str, release: str, number: str) -> MessageType:
    wmo_code, jw_code, direction, _ = _MESSAGES[number]
    versie, subversie = bericht_versie(release)
    fidelity, note = _fidelity(standard, release, number)
    factuur = _FACTUUR_CODES.get((standard, number))
    code = LAW_PREFIX[standard] + number
    return MessageType(
        standard=standard,
        release=release,
        number=number,
        name=_name(standard, number),
        bericht_code=wmo_code if standard == "iwmo" else jw_code,
        bericht_versie=versie,
        bericht_subversie=subversie,
        direction=direction,
        role="retour" if number in HEEN_OF else "heen",
        pair=RETOUR_OF.get(number) or HEEN_OF.get(number),
        answers=_ANSWERS.get(number, ()),
        namespace=message_namespace(standard, release, number),
        xsd=f"{standard}/{release_dir(release)}/{code}.xsd",
        fidelity=fidelity,
        fidelity_note=note,
        extra_bericht_codes=(factuur,) if factuur else (),
    )


def _build() -> Catalogue:
    catalogue = Catalogue()
    for release, info in RELEASES.items():
        for standard in STANDARDS:
            numbers = info.xml_numbers if standard == "ijw" else info.xml_numbers - info.ijw_only
            for number in sorted(numbers):
                catalogue.register(_entry(standard, release, number))
    return catalogue


CATALOGUE: Catalogue = _build()
"""Every XML message of every release and standard; built once at import."""


def get_catalogue() -> Catalogue:
    """Return :data:`CATALOGUE`, the one filled catalogue."""
    return CATALOGUE
