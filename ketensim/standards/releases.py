"""Which message numbers exist in which release of iWmo/iJw.

This is the single table that both the message catalogue and the scenario validator consult.
A *number* is the three-digit message number shared by iWmo and iJw (``"301"`` is WMO301 and
JW301). Release ``2.0`` is listed for the 2017 draaiboek only: its production format was the EI
record format, for which ketensim has no XSD.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RELEASES", "STANDARDS", "LAW_PREFIX", "ReleaseInfo", "release_info", "HEEN_OF", "RETOUR_OF"]

STANDARDS: tuple[str, ...] = ("iwmo", "ijw")

LAW_PREFIX: dict[str, str] = {"iwmo": "WMO", "ijw": "JW"}
"""What a standard's BerichtCodes start with (WMO301, JW302), and its berichttype."""

# heen number -> its retour (technical retour; 325 is the functional answer on 323 but the
# draaiboeken block it together with the retours, so it plays the retour role here)
RETOUR_OF: dict[str, str] = {
    "301": "302",
    "303": "304",
    "305": "306",
    "307": "308",
    "315": "316",
    "317": "318",
    "319": "320",
    "321": "322",
    "323": "325",
}
HEEN_OF: dict[str, str] = {retour: heen for heen, retour in RETOUR_OF.items()}


@dataclass(frozen=True)
class ReleaseInfo:
    """One release of the standard and the message numbers it defines."""

    release: str
    numbers: frozenset[str]
    ei_only: frozenset[str] = frozenset()
    """Numbers that exist in the release but only as EI records (JW321/322), never as XML."""
    ijw_only: frozenset[str] = frozenset()
    """Numbers that exist for iJw only (JW321/322)."""

    @property
    def xml_numbers(self) -> frozenset[str]:
        return self.numbers - self.ei_only


_2X = frozenset({"301", "302", "303", "304", "305", "306", "307", "308", "315", "316"})
_3X = frozenset(
    {"301", "302", "305", "306", "307", "308", "315", "316", "317", "318", "319", "320", "323", "325"}
)
_GGZ = frozenset({"321", "322"})

RELEASES: dict[str, ReleaseInfo] = {
    "2.0": ReleaseInfo("2.0", _2X | _GGZ, ei_only=_2X | _GGZ, ijw_only=_GGZ),
    "2.1": ReleaseInfo("2.1", _2X | _GGZ, ei_only=_GGZ, ijw_only=_GGZ),
    "2.2": ReleaseInfo("2.2", _2X | _GGZ, ei_only=_GGZ, ijw_only=_GGZ),
    "2.3": ReleaseInfo("2.3", _2X),
    "2.4": ReleaseInfo("2.4", _2X),
    # 303/304 stayed in use next to 3.0 (declarations over 2020) until they were blocked for
    # good on Thu 31 Mar 2022 13:00; they do not exist from 3.1 on.
    "3.0": ReleaseInfo("3.0", _3X | {"303", "304"}),
    "3.1": ReleaseInfo("3.1", _3X),
    "3.2": ReleaseInfo("3.2", _3X),
}


def release_info(release: str) -> ReleaseInfo:
    """Return the :class:`ReleaseInfo` of ``release`` (``"3.1"``); raise ``KeyError`` if unknown."""
    return RELEASES[release]
