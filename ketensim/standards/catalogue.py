"""The message catalogue: one registry of every iWmo/iJw message per release.

Filled by :mod:`ketensim.standards.catalogue_data`. The registry refuses duplicates, so one
(standard, release, number) has exactly one entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ketensim._resources import xsd_dir
from ketensim.exceptions import KetensimError, UnknownMessageType
from ketensim.standards.releases import LAW_PREFIX

__all__ = ["MessageType", "Catalogue", "Direction", "Role", "Fidelity", "get_catalogue"]

Direction = Literal["G2A", "A2G"]
"""``G2A``: gemeente to aanbieder; ``A2G``: aanbieder to gemeente (direction of transport)."""
Role = Literal["heen", "retour"]
Fidelity = Literal["documented", "derived"]


@dataclass(frozen=True)
class MessageType:
    """One message of one standard in one release, e.g. WMO301 in iWmo 3.1."""

    standard: str  # "iwmo" | "ijw"
    release: str  # "3.1"
    number: str  # "301"
    name: str  # Dutch name, e.g. "Toewijzing Wmo-ondersteuning"
    bericht_code: str  # "414"
    bericht_versie: str  # "3"
    bericht_subversie: str  # "1"
    direction: Direction
    role: Role
    pair: str | None  # heen: number of its retour; retour: number of its heen
    answers: tuple[str, ...]  # functional answers to this heen (315 -> ("301", "319"))
    namespace: str
    xsd: str  # path relative to the xsd root, e.g. "iwmo/3_1/WMO301.xsd"
    fidelity: Fidelity
    fidelity_note: str = ""
    extra_bericht_codes: tuple[str, ...] = ()
    """Further BerichtCodes the XSD accepts besides :attr:`bericht_code` (303/304: the factuur code)."""
    derived_from: str = ""
    """For a message of a scenario's draft release: the known release whose schema it was derived from."""
    xsd_root: str = ""
    """Where :attr:`xsd` is found when not among the bundled XSDs (a draft's derived schemas)."""

    @property
    def is_draft(self) -> bool:
        """True for a message of a draft release a scenario declared (*afgeleid*)."""
        return bool(self.derived_from)

    @property
    def structure(self) -> str:
        """The known release whose structure this message has: its own, or the one a draft derives from."""
        return self.derived_from or self.release

    @property
    def xsd_path(self) -> Path:
        """The schema file of this message."""
        return Path(self.xsd_root or xsd_dir()) / self.xsd

    @property
    def code(self) -> str:
        """The message code as the standard names it: ``WMO301`` or ``JW301``."""
        return LAW_PREFIX[self.standard] + self.number

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.standard, self.release, self.number)

    @property
    def bericht_codes(self) -> tuple[str, ...]:
        """Every BerichtCode valid for this message: the primary one first."""
        return (self.bericht_code, *self.extra_bericht_codes)

    @property
    def basis_namespace(self) -> str:
        """Namespace of the basisschema this message imports (where ``CDT_*`` children live)."""
        return self.namespace.replace(f"/{self.code.lower()}/", "/basisschema/")


class Catalogue:
    """A registry of :class:`MessageType` that refuses duplicates."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], MessageType] = {}
        self._by_namespace: dict[str, MessageType] = {}

    def register(self, entry: MessageType) -> MessageType:
        if entry.key in self._entries:
            raise KetensimError(f"duplicate catalogue entry {entry.code} in {entry.standard} {entry.release}")
        if entry.namespace in self._by_namespace:
            other = self._by_namespace[entry.namespace]
            raise KetensimError(
                f"namespace {entry.namespace!r} of {entry.code} {entry.release} is already used by "
                f"{other.code} {other.release}"
            )
        self._entries[entry.key] = entry
        self._by_namespace[entry.namespace] = entry
        return entry

    def get(self, standard: str, release: str, number: str) -> MessageType:
        number = number.upper().removeprefix("WMO").removeprefix("JW")
        try:
            return self._entries[(standard, release, number)]
        except KeyError:
            known = sorted(n for (s, r, n) in self._entries if s == standard and r == release)
            raise UnknownMessageType(
                f"unknown message {number!r} for {standard} {release}; known: {', '.join(known) or 'none'}"
            ) from None

    def by_namespace(self, namespace: str) -> MessageType:
        try:
            return self._by_namespace[namespace]
        except KeyError:
            raise UnknownMessageType(f"no message in the catalogue has namespace {namespace!r}") from None

    def select(self, standard: str | None = None, release: str | None = None) -> list[MessageType]:
        return [
            e
            for e in self
            if (standard is None or e.standard == standard) and (release is None or e.release == release)
        ]

    def __iter__(self) -> Iterator[MessageType]:
        return iter(sorted(self._entries.values(), key=lambda e: (e.standard, e.release, e.number)))

    def __len__(self) -> int:
        return len(self._entries)


def get_catalogue() -> Catalogue:
    """Return the filled catalogue of every XML message (built once, on first use)."""
    from ketensim.standards.catalogue_data import CATALOGUE  # filled module imports this one

    return CATALOGUE
