"""A parsed message as the business rules read it: by local name, with the rule set's value semantics.

The iStandaarden rules name elements by their local name and ignore namespaces, so :class:`Doc`
indexes the children of an element by local name the first time a rule asks for them, and keeps
that index for the other rules of the same check. Values follow the rule set's conventions (see the
facts' helper semantics): a value is the whitespace-normalised text of the element, an absent
element has the value ``""``, dates compare as the number ``yyyymmdd``, and a comparison with an
empty or non-numeric side is false, so an ordering rule never fires on a missing date.

Locations (``Locatie``) are paths of local names from the root, with a 1-based ``[n]`` only on a
step that has a sibling of the same name: ``/Bericht/Client/Contactgegevens/Contact[2]/Adres/Postcode``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TypeAlias

from lxml import etree

__all__ = [
    "Doc",
    "Element",
    "value",
    "raw",
    "filled",
    "ymd",
    "number",
    "in_values",
    "after_2020",
    "locatie",
    "postcode_nl",
]

Element: TypeAlias = etree._Element
Kids: TypeAlias = dict[str | None, list[Element]]


class _Names(dict):
    """Qualified tag -> local name, shared by every check; the tag of a comment or processing
    instruction (not a string) -> None, a name no rule asks for."""

    def __missing__(self, tag: object) -> str | None:
        name = self[tag] = tag.rpartition("}")[2] if type(tag) is str else None
        return name


_NAMES = _Names()
_EMPTY: list[Element] = []
_STEPS: dict[str, tuple[str, ...]] = {}  # "Adres/Postcode" -> ("Adres", "Postcode"), split once
_HEADER_STEPS = ("{*}BerichtIdentificatie", "{*}Dagtekening")  # below Header; "{*}": any namespace


def _local(tag: str) -> str:
    return _NAMES[tag]  # type: ignore[return-value]


def value(el: Element | None) -> str:
    """The whitespace-normalised text of ``el``; ``""`` when absent or without text."""
    if el is None:
        return ""
    text = el.text
    if not text:
        return ""
    return " ".join(text.split()) if (text[0].isspace() or text[-1].isspace() or "  " in text) else text


def raw(el: Element | None) -> str:
    """The text of ``el`` as written (not trimmed); ``""`` when absent or without text."""
    return "" if el is None else (el.text or "")


def filled(el: Element | None) -> bool:
    """True when ``el`` exists and its value is not empty."""
    return el is not None and value(el) != ""


def in_values(el: Element | None, values: Sequence[str]) -> bool:
    """True when ``el`` exists and its value is one of ``values`` (an absent element is in no list)."""
    return el is not None and value(el) in values


def ymd(el: Element | None, first: int = 0) -> int | None:
    """A date element as the number ``yyyymmdd`` (dashes removed); None when absent, empty or not numeric.

    ``first`` > 0 uses only the first ``first`` characters of the text (the rule set cuts an end date
    or a Dagtekening to 10 characters).
    """
    if el is None:
        return None
    text = el.text
    if text:  # fast: digits and dashes only need no trimming (and fit within ``first``, if given)
        digits = text.replace("-", "")
        if digits.isdecimal() and (not first or len(text) <= first):
            return int(digits)
    text = value(el)
    if first:
        text = text[:first]
    digits = text.replace("-", "")
    return int(digits) if digits.isdecimal() else None  # isdigit() would pass "²", which int() refuses


def number(el: Element | None) -> float | None:
    """The numeric value of ``el`` (an amount or a volume); None when absent, empty or not a number."""
    text = value(el)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def after_2020(end: Element | None) -> bool:
    """The guard of the product rules that apply from 2021: the end date is absent or after 2020-12-31.

    A present end date that is empty or not a date makes the guard false (the rule is skipped).
    """
    if end is None:
        return True
    day = ymd(end)
    return day is not None and day > 20201231


_POSTCODE_NL = re.compile(r"[1-9][0-9]{3}[A-Za-z]{2}")


def postcode_nl(el: Element | None) -> bool:
    """True when the raw text of ``el`` is a Dutch postcode without a space: four digits (not starting with 0), two letters."""
    return el is not None and _POSTCODE_NL.fullmatch(raw(el)) is not None


def locatie(el: Element) -> str:
    """The rule set's path of ``el``: local names from the root, ``[n]`` only where a same-named sibling exists."""
    steps: list[str] = []
    node: Element | None = el
    while node is not None:
        name = _local(node.tag)
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent if isinstance(s.tag, str) and _local(s.tag) == name]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


class Doc:
    """One message under check: its root, standard and message number, and the lookups rules share."""

    __slots__ = ("root", "standard", "number", "_kids", "_order", "_dagtekening", "_selected")

    def __init__(self, root: Element, standard: str, number: str) -> None:
        self.root = root
        self.standard = standard
        self.number = number
        self._kids: dict[Element, Kids] = {}
        self._selected: dict[tuple[str, ...], list[Element]] = {}
        self._order: dict[Element, int] | None = None
        self._dagtekening: Element | None | bool = False  # False: not looked up yet

    def kids(self, el: Element) -> Kids:
        """The element children of ``el`` by local name, in document order (computed once per element)."""
        found = self._kids.get(el)
        if found is None:
            found = self._kids[el] = {}
            names = _NAMES
            for child in el[:]:  # a slice is cheaper than iterating el; comments go under None
                name = names[child.tag]
                same = found.get(name)
                if same is None:
                    found[name] = [child]
                else:
                    same.append(child)
        return found

    def child(self, el: Element | None, name: str) -> Element | None:
        """The first child of ``el`` named ``name``, or None."""
        if el is None:
            return None
        kids = self._kids.get(el)
        same = (kids if kids is not None else self.kids(el)).get(name)
        return same[0] if same else None

    def children(self, el: Element | None, name: str) -> list[Element]:
        """Every child of ``el`` named ``name``."""
        if el is None:
            return _EMPTY
        return self.kids(el).get(name, _EMPTY)

    def at(self, el: Element | None, path: str) -> Element | None:
        """The element at ``path`` (``"Adres/Postcode"``) under ``el``, first match at every step, or None."""
        steps = _STEPS.get(path)
        if steps is None:
            steps = _STEPS[path] = tuple(path.split("/"))
        cache = self._kids
        for step in steps:
            if el is None:
                return None
            kids = cache.get(el)
            same = (kids if kids is not None else self.kids(el)).get(step)
            if not same:
                return None
            el = same[0]
        return el

    def select(self, steps: tuple[str, ...]) -> list[Element]:
        """Every element at the path ``steps`` from the root (the root's own name is not a step)."""
        cached = self._selected.get(steps)
        if cached is not None:
            return cached
        self._selected[steps] = found = self._select(steps)
        return found

    def _select(self, steps: tuple[str, ...]) -> list[Element]:
        found = [self.root]
        for step in steps:
            nxt: list[Element] = []
            for el in found:
                same = self.kids(el).get(step)
                if same:
                    nxt.extend(same)
            if not nxt:
                return nxt
            found = nxt
        return found

    @property
    def dagtekening(self) -> Element | None:
        """``Header/BerichtIdentificatie/Dagtekening``, or None."""
        if self._dagtekening is False:
            # no rule reads anything else of the header: find the path with lxml's own name filter
            # (in C) instead of indexing the header's children by name in Python
            found = self.child(self.root, "Header")
            for step in _HEADER_STEPS:
                if found is None:
                    break
                found = next(found.iterchildren(step), None)
            self._dagtekening = found
        return self._dagtekening  # type: ignore[return-value]

    def position(self, el: Element) -> int:
        """The position of ``el`` in document order (for ordering findings and locations)."""
        if self._order is None:
            self._order = {node: i for i, node in enumerate(self.root.iter())}
        return self._order.get(el, -1)

    def locaties(self, nodes: Iterable[Element | None]) -> tuple[str, ...]:
        """The paths of ``nodes`` in document order, absent nodes and duplicates left out."""
        present = {id(n): n for n in nodes if n is not None}
        ordered = sorted(present.values(), key=self.position)
        return tuple(locatie(n) for n in ordered)
