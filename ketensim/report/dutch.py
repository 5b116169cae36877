"""Dutch dates, time windows, plurals and message-pair names for the stuurgroep report.

Dates are written as a Dutch reader expects them (``wo 30 mrt 2022 17:00``), injection windows in
words relative to the draaiboek (``van 13 uur vóór de retourblokkade tot 5 uur erna``), a
forbidden answer ``315->319`` as ``antwoord (319) op verzoek (315)``. The module knows no locale:
the names are written out, so the report is the same on every machine.
"""

from __future__ import annotations

import re
from datetime import datetime

from ketensim.timeline import AMSTERDAM, DUTCH_MONTHS, DUTCH_WEEKDAYS, format_dutch

__all__ = ["WEEKDAYS", "MONTHS", "moment", "span", "window", "plural", "pair_label", "on_off"]

WEEKDAYS = DUTCH_WEEKDAYS
MONTHS = DUTCH_MONTHS

_ANCHORS = {
    "window_start": ("het begin van het venster", "het", "erna"),
    "window_end": ("het eind van het venster", "het", "erna"),
    "afsluiting_start": ("het begin van de afsluiting", "het", "erna"),
    "transitie_start": ("het begin van de transitie", "het", "erna"),
    "heen_block": ("de heenblokkade", "de", "erna"),
    "retour_block": ("de retourblokkade", "de", "erna"),
    "go_live": ("go-live", "", "erna"),
}
_EXPR = re.compile(r"^\s*([a-z_]+)\s*((?:[+-]\s*\d+(?:\.\d+)?\s*[mhd]\s*)*)$")
_TERM = re.compile(r"([+-])\s*(\d+(?:\.\d+)?)\s*([mhd])")
_UNITS = {"m": ("minuut", "minuten"), "h": ("uur", "uur"), "d": ("dag", "dagen")}


def moment(value: datetime, with_time: bool = True) -> str:
    """``wo 30 mrt 2022 17:00`` in Europe/Amsterdam."""
    return format_dutch(value, with_time)


def span(start: datetime, end: datetime | None) -> str:
    """A moment, or a span ``wo 30 mrt 2022 17:00-19:00`` / ``… → ma 4 apr 2022 13:00``."""
    text = moment(start)
    if end is None:
        return text
    same_day = end.astimezone(AMSTERDAM).date() == start.astimezone(AMSTERDAM).date()
    return text + (f"-{end.astimezone(AMSTERDAM):%H:%M}" if same_day else f" → {moment(end)}")


def plural(count: float, one: str, many: str) -> str:
    """``1 replicatie``, ``3 replicaties`` (the count as given, Dutch formatting is the caller's)."""
    return one if count == 1 else many


def _amount(number: float, unit: str) -> str:
    one, many = _UNITS[unit]
    shown = f"{number:g}".replace(".", ",")
    return f"{shown} {one if number == 1 else many}"


def _offset_words(text: str) -> tuple[str, str] | None:
    """``("13 uur", "vóór")`` for ``retour_block - 13h``; None when ``text`` is no anchored expression."""
    match = _EXPR.match(text or "")
    if not match or match.group(1) not in _ANCHORS:
        return None
    terms = [((1 if sign == "+" else -1) * float(n), unit) for sign, n, unit in _TERM.findall(match.group(2))]
    if not terms:
        return "", ""
    if len(terms) == 1 or len({unit for _, unit in terms}) == 1 and len({n > 0 for n, _ in terms}) == 1:
        total = sum(n for n, _ in terms)
        unit = terms[0][1]
        if total == 0:
            return "", ""
        return _amount(abs(total), unit), "na" if total > 0 else "vóór"
    parts = [_amount(abs(n), unit) + (" later" if n > 0 else " eerder") for n, unit in terms]
    return " en ".join(parts), "ten opzichte van"


def _point(text: str, fallback: datetime | None) -> tuple[str, str | None]:
    """Words for one end of a window and the anchor it refers to."""
    match = _EXPR.match(text or "")
    offset = _offset_words(text)
    if match is None or offset is None:
        if fallback is None:
            try:  # an absolute local time as the scenario wrote it: 2022-03-30 10:00
                fallback = datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)
            except ValueError:
                return text, None
        return moment(fallback), None
    anchor = match.group(1)
    name = _ANCHORS[anchor][0]
    amount, relation = offset
    if not amount:
        return name, anchor
    if relation == "ten opzichte van":
        return f"{amount} dan {name}", anchor
    return f"{amount} {relation} {name}", anchor


def window(start_text: str, end_text: str, start: datetime | None = None, end: datetime | None = None) -> str:
    """An injection window in words: ``van 13 uur vóór de retourblokkade tot 5 uur erna``."""
    first, anchor = _point(start_text, start)
    second, second_anchor = _point(end_text, end)
    if anchor is not None and anchor == second_anchor:
        offset = _offset_words(end_text)
        if offset is not None and offset[0] and offset[1] == "na":
            second = f"{offset[0]} erna"
        elif offset is not None and offset[0] and offset[1] == "vóór":
            second = f"{offset[0]} ervoor"
    return f"van {first} tot {second}"


def pair_label(key: str) -> str:
    """``301/302`` stays; ``315->319`` → ``antwoord (319) op verzoek (315)``."""
    if "->" in key:
        request, answer = key.split("->", 1)
        return f"antwoord ({answer}) op verzoek ({request}), verboden over de releasegrens"
    return key


def on_off(flag: bool) -> str:
    """``aan`` or ``uit``."""
    return "aan" if flag else "uit"
