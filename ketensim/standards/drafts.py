"""Draft releases: a release ketensim does not know yet, declared by a scenario and derived from a known one.

The next draaiboek is always for a release that has not been published: a scenario declares it
(``[[release]] name = "3.3", like = "3.2"``, optionally with message numbers ``added`` or
``removed``) and ketensim treats it as its base release with the new release's namespace and
BerichtVersie/-Subversie. Everything about a draft is *afgeleid* (derived): its message table,
its schemas (:mod:`ketensim.standards.draft_xsd`) and the business rules that apply to it.

Draft releases belong to the scenario that declares them. Nothing global changes: a
:class:`ReleaseTable` is the view of the known releases plus one scenario's drafts, built from
the drafts' definitions alone (:func:`release_table`, cached by those definitions). A worker
process that receives the scenario rebuilds the same table from the definitions it carries.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from ketensim.standards.catalogue import Catalogue, MessageType
from ketensim.standards.releases import HEEN_OF, RELEASES, RETOUR_OF, STANDARDS, ReleaseInfo

__all__ = ["DraftRelease", "ReleaseTable", "release_table", "version_key", "version_ok", "draft_problems", "KNOWN"]

_VERSION = re.compile(r"^([1-9][0-9]?)\.(0|[1-9][0-9]?)$")


@dataclass(frozen=True)
class DraftRelease:
    """A release a scenario declares: ``name`` is derived from the release ``like`` (known, or a draft above it)."""

    name: str
    like: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    source: str = ""
    note: str = ""


def version_ok(text: str) -> bool:
    """Whether ``text`` is a release version as a draft may be named: ``major.minor`` (``"3.3"``)."""
    return bool(_VERSION.match(text))


def version_key(release: str) -> tuple[int, int]:
    """``"3.10"`` -> ``(3, 10)``: releases ordered as versions, not as text."""
    major, minor = release.split(".")
    return int(major), int(minor)


def _schema_source(standard: str, number: str, root: str) -> str | None:
    """The known release whose XSD of ``number`` a draft rooted in ``root`` copies: ``root`` itself when it has
    the message, else the latest release of the same family that has it as XML; None if there is none."""
    from ketensim.standards.catalogue_data import CATALOGUE

    candidates = [root] + sorted((r for r in RELEASES if r[0] == root[0] and r != root), key=version_key, reverse=True)
    for release in candidates:
        if any(e.number == number for e in CATALOGUE.select(standard, release)):
            return release
    return None


def draft_problems(draft: DraftRelease, declared: dict[str, DraftRelease]) -> list[tuple[str, str]]:
    """Every problem of one declaration, as (key, problem); ``declared`` holds the drafts above it."""
    problems: list[tuple[str, str]] = []
    if not _VERSION.match(draft.name):
        problems.append(("name", f"{draft.name!r} is not a release version; expected major.minor like \"3.3\""))
    elif draft.name in RELEASES:
        problems.append(("name", f"{draft.name} is a release ketensim knows; expected a new release (known: "
                                 f"{', '.join(RELEASES)})"))
    elif draft.name in declared:
        problems.append(("name", f"{draft.name} is declared twice; expected one [[release]] per release"))
    if draft.like not in RELEASES and draft.like not in declared:
        known = ", ".join([r for r in RELEASES if r != "2.0"] + list(declared))
        problems.append(("like", f"unknown release {draft.like!r}; expected a known release or a draft declared "
                                 f"above ({known})"))
        return problems
    if draft.like == "2.0":
        problems.append(("like", "2.0 has no XML messages (it used EI records); expected a release with XSDs"))
        return problems
    if _VERSION.match(draft.name) and version_key(draft.name) <= version_key(draft.like):
        problems.append(("name", f"{draft.name} is not later than {draft.like}; expected a draft newer than the "
                                 "release it is derived from"))
    table = release_table(tuple(declared.values()))
    base = table.info(draft.like)
    root = table.root(draft.like)
    for number in draft.removed:
        if number not in base.numbers:
            problems.append(("removed", f"message {number} does not exist in release {draft.like}; expected one of "
                                        f"{', '.join(sorted(base.numbers))}"))
    for number in draft.added:
        if number in base.numbers:
            problems.append(("added", f"message {number} already exists in release {draft.like}; expected a message "
                                      "the base release does not have"))
        elif not any(_schema_source(s, number, root) for s in STANDARDS):
            problems.append(("added", f"message {number} is not a message ketensim has a {root[0]}.x schema for; "
                                      "expected a known message number of that family"))
    sound = {"added": [n for n in draft.added if n not in base.numbers], "removed": [n for n in draft.removed
                                                                                  if n in base.numbers]}
    for key, numbers in (("added", draft.added), ("removed", draft.removed)):
        for number in sound[key]:  # a number already reported above is not reported again for its pair
            partner = RETOUR_OF.get(number) or HEEN_OF.get(number)
            if partner and partner not in numbers and (key == "removed" or partner not in base.numbers):
                problems.append((key, f"message {number} without {partner}; expected a heen and its retour "
                                      f"{key} together"))
    both = sorted(set(draft.added) & set(draft.removed))
    if both:
        problems.append(("added", f"message {', '.join(both)} is both added and removed; expected one or the other"))
    return problems


class ReleaseTable:
    """The known releases plus one scenario's draft releases: message numbers, order, catalogue."""

    def __init__(self, drafts: tuple[DraftRelease, ...] = ()) -> None:
        self.drafts = drafts
        self._info: dict[str, ReleaseInfo] = dict(RELEASES)
        self._root: dict[str, str] = {}
        self._draft: dict[str, DraftRelease] = {}
        for d in drafts:
            if d.like not in self._info or d.name in self._info:
                continue  # an invalid declaration: reported by draft_problems, never used
            base = self._info[d.like]
            numbers = (base.numbers - set(d.removed)) | set(d.added)
            self._info[d.name] = ReleaseInfo(d.name, frozenset(numbers), base.ei_only & numbers,
                                             base.ijw_only & numbers)
            self._root[d.name] = self._root.get(d.like, d.like)
            self._draft[d.name] = d

    def info(self, release: str) -> ReleaseInfo:
        """The :class:`ReleaseInfo` of ``release``; raise ``KeyError`` if neither known nor declared."""
        return self._info[release]

    def __contains__(self, release: object) -> bool:
        return release in self._info

    def names(self) -> tuple[str, ...]:
        """Every release, in version order (drafts among the known ones)."""
        return tuple(sorted(self._info, key=version_key))

    def is_draft(self, release: str) -> bool:
        return release in self._draft

    def draft(self, release: str) -> DraftRelease:
        return self._draft[release]

    def root(self, release: str) -> str:
        """The known release a release's structure comes from: itself, or the one its draft chain starts at."""
        return self._root.get(release, release)

    @functools.cached_property
    def catalogue(self) -> Catalogue:
        """The catalogue of every known message plus the drafts' messages (their schemas built on first use)."""
        from ketensim.standards.catalogue_data import CATALOGUE
        from ketensim.standards.draft_xsd import derived_schema_root

        if not self._draft:
            return CATALOGUE
        catalogue = Catalogue()
        for entry in CATALOGUE:
            catalogue.register(entry)
        for name, d in self._draft.items():
            entries = self._draft_entries(name)
            root_dir = derived_schema_root(name, entries, d.note)
            for entry in entries:
                catalogue.register(replace(entry, xsd_root=str(root_dir)))
        return catalogue

    def _draft_entries(self, name: str) -> list[MessageType]:
        """The messages of draft ``name``: each its source release's entry with the draft's name, namespace, versie."""
        from ketensim.standards.catalogue_data import CATALOGUE, bericht_versie, message_namespace, release_dir

        info, root = self._info[name], self._root[name]
        versie, subversie = bericht_versie(name)
        out = []
        for standard in STANDARDS:
            numbers = info.xml_numbers if standard == "ijw" else info.xml_numbers - info.ijw_only
            for number in sorted(numbers):
                source = _schema_source(standard, number, root)
                if source is None:
                    continue
                src = CATALOGUE.get(standard, source, number)
                out.append(replace(
                    src, release=name, bericht_versie=versie, bericht_subversie=subversie,
                    namespace=message_namespace(standard, name, number),
                    xsd=f"{standard}/{release_dir(name)}/{src.code}.xsd", fidelity="derived",
                    fidelity_note=f"afgeleid: draft release {name} declared by the scenario, from {src.code} "
                                  f"{source} with the {name} namespace and BerichtSubversie {subversie}",
                    derived_from=source,
                ))
        return out


@functools.lru_cache(maxsize=32)
def release_table(drafts: tuple[DraftRelease, ...] = ()) -> ReleaseTable:
    """The :class:`ReleaseTable` of these drafts (one per distinct set of definitions, per process)."""
    return ReleaseTable(drafts)


KNOWN = release_table(())
"""The table without drafts: the releases ketensim knows."""
