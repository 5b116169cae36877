"""Identifiers of the chain: BSN (burgerservicenummer), AGB code and Dutch postcode.

The XSDs only check the shape of these values (9, 8 and free-format digits); the chain's rule
set checks more. A BSN must pass the 11-proof (rule CS002): for the digits ``d1 … d9``,
``9·d1 + 8·d2 + … + 2·d8 − 1·d9`` is divisible by 11. ``000000000`` passes the arithmetic but
is not a number anyone holds, so it is refused as well. A Dutch postcode is four digits not
starting with 0 and two capital letters; PostNL never issues the letter pairs SA, SD and SS.

Every generator takes the run's :class:`random.Random`; none touches global random state.
"""

from __future__ import annotations

import random
import re

__all__ = [
    "is_valid_bsn",
    "new_bsn",
    "unique_bsns",
    "is_valid_agb",
    "unique_agb_codes",
    "is_valid_postcode",
    "new_postcode",
]

_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)
_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_FORBIDDEN_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# every allowed letter pair, so one draw picks a valid one without retrying
_POSTCODE_LETTER_PAIRS = tuple(
    a + b for a in _LETTERS for b in _LETTERS if a + b not in _FORBIDDEN_POSTCODE_LETTERS
)


def is_valid_bsn(bsn: str) -> bool:
    """Return whether ``bsn`` is nine digits, not all zero, and passes the 11-proof."""
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit() or bsn == "000000000":
        return False
    total = sum(w * int(d) for w, d in zip(_BSN_WEIGHTS, bsn, strict=False)) - int(bsn[8])
    return total % 11 == 0


def _weighted_table(weights: tuple[int, ...]) -> tuple[int, ...]:
    """Weighted digit sums of every 4-digit block, so a BSN check costs two look-ups."""
    table = []
    for n in range(10_000):
        digits = f"{n:04d}"
        table.append(sum(w * int(d) for w, d in zip(weights, digits, strict=True)))
    return tuple(table)


_HIGH = _weighted_table(_BSN_WEIGHTS[:4])
_LOW = _weighted_table(_BSN_WEIGHTS[4:])


def new_bsn(rng: random.Random) -> str:
    """Draw one BSN that passes the 11-proof.

    Eight digits are drawn; the ninth is the one digit that makes the weighted sum divisible by
    11. When that digit would have to be 10 (one prefix in eleven) the prefix is drawn again.
    """
    while True:
        # rng.random() is several times cheaper than randrange; 1..99999999, never all zeros
        prefix = int(rng.random() * 99_999_999) + 1
        check = (_HIGH[prefix // 10_000] + _LOW[prefix % 10_000]) % 11
        if check < 10:
            return f"{prefix:08d}{check}"


def unique_bsns(rng: random.Random, count: int) -> list[str]:
    """Draw ``count`` distinct valid BSNs, in draw order."""
    seen: set[str] = set()
    result: list[str] = []
    while len(result) < count:
        bsn = new_bsn(rng)
        if bsn not in seen:
            seen.add(bsn)
            result.append(bsn)
    return result


def is_valid_agb(code: str) -> bool:
    """Return whether ``code`` has the shape of an AGB code: exactly eight ASCII digits."""
    return len(code) == 8 and code.isascii() and code.isdigit()


def unique_agb_codes(rng: random.Random, count: int) -> list[str]:
    """Draw ``count`` distinct eight-digit AGB codes.

    The first two digits of a real AGB code name the kind of care provider; ketensim has no
    reference list of those kinds for Wmo and Jeugdwet aanbieders, so it draws codes from the
    whole eight-digit range above ``01000000``. Sampling without replacement keeps them unique.
    """
    if count > 99_000_000:
        raise ValueError(f"count ({count}) must be at most 99000000 distinct AGB codes")
    return [f"{n:08d}" for n in rng.sample(range(1_000_000, 100_000_000), count)]


def is_valid_postcode(postcode: str) -> bool:
    """Return whether ``postcode`` is a Dutch postcode ``1234AB`` (no space, no SA/SD/SS)."""
    return _POSTCODE.fullmatch(postcode) is not None and postcode[4:] not in _FORBIDDEN_POSTCODE_LETTERS


def new_postcode(rng: random.Random) -> str:
    """Draw a valid Dutch postcode such as ``3511LX``."""
    return f"{rng.randrange(1000, 10000)}{rng.choice(_POSTCODE_LETTER_PAIRS)}"
