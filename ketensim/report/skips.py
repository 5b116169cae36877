"""The Dutch reason a sweep variant was skipped, for the stuurgroep report.

A sweep skips a variant when it cannot be made (a value outside its range, an instant that cannot move) or when
the variant breaks a rule of the draaiboek (:mod:`ketensim.scenario.rules`). The English reason stays in
``sweep.csv`` (column ``reason``); :func:`skip_reason` gives the Dutch sentence the report shows, one per kind
of skip. A reason of an unknown kind gets a general Dutch sentence, never the English text.
"""

from __future__ import annotations

import re
from typing import Callable

__all__ = ["skip_reason", "GENERAL"]

GENERAL = "met deze waarde breekt het draaiboek een regel (de precieze regel staat in sweep.csv, kolom reason)"


def _number(text: str) -> str:
    return text.replace(".", ",")


def _range(m: re.Match[str]) -> str:
    value, lo, hi = (m.group(i) for i in (1, 2, 3))
    if hi == "inf":
        return f"de waarde {_number(value)} ligt onder het minimum {_number(lo)}"
    return f"de waarde {_number(value)} ligt buiten het toegestane bereik {_number(lo)} tot en met {_number(hi)}"


def _block_to_move(m: re.Match[str]) -> str:
    kind = "heenblokkade" if m.group(1) == "heen" else "retourblokkade"
    return f"het scenario heeft geen {kind} die verschoven kan worden"


# (pattern on the English reason, the Dutch sentence); the first match wins, so specific rules come first
_KINDS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), text) for pattern, text in (
        (r"is after the technical block of (\d+)",
         lambda m: f"met deze waarde ligt een uiterste verzendmoment na de technische blokkade van bericht "
                   f"{m.group(1)}; een uiterste verzendmoment moet op of vóór de blokkade van zijn bericht liggen"),
        (r"retour (\d+) is blocked at .* before its heen (\d+)",
         lambda m: f"met deze waarde wordt retourbericht {m.group(1)} eerder geblokkeerd dan heenbericht "
                   f"{m.group(2)}; de retourblokkade moet op of na de heenblokkade liggen"),
        (r"is not before go-live",
         lambda m: "met deze waarde ligt een technische blokkade niet vóór go-live; elke blokkade moet vóór go-live "
                   "liggen"),
        (r"is after go-live",
         lambda m: "met deze waarde sluit het inleesvenster van het portaal pas na go-live; het moet sluiten voordat "
                   "de nieuwe release live gaat"),
        (r"is not the start of ingebruikname",
         lambda m: "met deze waarde valt go-live niet meer samen met het begin van de fase ingebruikname"),
        (r"gap: ",
         lambda m: "met deze waarde ontstaat een gat tussen twee fasen; elke fase moet beginnen waar de vorige "
                   "eindigt"),
        (r"overlap: ",
         lambda m: "met deze waarde overlappen twee fasen; elke fase moet beginnen waar de vorige eindigt"),
        (r"is not after start",
         lambda m: "met deze waarde eindigt een fase of inleesvenster niet na het begin ervan"),
        (r"is before start; expected end >= start",
         lambda m: "met deze waarde eindigt een mijlpaal vóór het begin ervan"),
        (r"is outside the window",
         lambda m: "met deze waarde valt een moment van het draaiboek buiten het gesimuleerde tijdvenster"),
        (r"message (\d+) does not exist in release",
         lambda m: f"bericht {m.group(1)} bestaat niet in de oude release van dit scenario"),
        (r"message (\d+) still exists in release",
         lambda m: f"bericht {m.group(1)} bestaat nog in de nieuwe release en kan dus niet uitgefaseerd worden"),
        (r"injection\[\d+\].* would fall outside the window",
         lambda m: "met deze waarde valt een ingestelde verstoring buiten het tijdvenster of eindigt ze vóór haar "
                   "begin"),
        (r"lies beyond any representable date",
         lambda m: "met deze verschuiving valt het moment buiten elke datum die te rekenen is"),
        (r"has no (heen|retour) block to move", _block_to_move),
        (r"= (\S+) is not a whole number",
         lambda m: f"de waarde {_number(m.group(1))} is geen geheel getal"),
        (r"= (\S+) is outside (\S+)\.\.(\S+)$", _range),
        (r"hours is out of range; expected at most (\S+)",
         lambda m: f"de waarde is groter dan de grens van {_number(m.group(1))} uur (een jaar)"),
        (r"is out of range; expected at most ([\d,]+) messages per hour",
         lambda m: f"de waarde is groter dan de grens van {m.group(1).replace(',', '.')} berichten per uur"),
        (r"is out of range; expected at most",
         lambda m: "de waarde is groter dan de grens die ketensim aankan"),
    ))


def skip_reason(reason: str) -> str:
    """The Dutch sentence for the English ``reason`` a sweep variant was skipped (as in sweep.csv)."""
    for pattern, text in _KINDS:
        m = pattern.search(reason)
        if m:
            return text(m)
    return GENERAL
