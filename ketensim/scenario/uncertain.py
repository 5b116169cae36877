"""Uncertain parameters: a behaviour, population or hub number given as a range or distribution.

Any number of ``[population]``, ``[behaviour.<actor>]`` or ``[hubs.<hub>]`` (including the
``median`` / ``p90`` of an hours distribution) may be written as a table instead of a number::

    deadline_compliance = { low = 0.85, high = 0.99 }                          # uniform
    declaration_day = { dist = "triangular", low = 3, mode = 5, high = 12 }     # triangular
    retour_hours = { dist = "lognormal", median = 4, p90 = 12, high = 72 }      # lognormal, truncated

``uniform`` (the default ``dist``) needs ``low < high``; ``triangular`` needs ``low <= mode <= high``
and ``low < high``; ``lognormal`` is given by its ``median`` and ``p90`` (``p90 > median > 0``) and
is truncated to ``low`` (optional, default 0) .. ``high`` (required, so every draw stays runnable). Every bound must lie within the parameter's own range, and whole numbers are required
where the parameter is whole (a whole-number parameter draws whole numbers).

Each replication draws one value per uncertain parameter by the inverse of its distribution
function at ``u = uniform(seed, name)``: a stream keyed by the replication seed and the parameter's
dotted name only (:func:`unit_draw`), so two scenarios run on the same seeds see the same draws.
The scenario keeps a nominal value in place (uniform: the midpoint; triangular: the mode;
lognormal: the median), which is what ``scenario check``'s rules and a sweep's baseline see.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import Any

from ketensim.exceptions import ScenarioError
from ketensim.scenario.reader import MISSING

__all__ = ["Uncertain", "DISTS", "read_spec", "unit_draw", "set_path", "canonical", "is_spec", "draw", "with_values",
           "check_spread"]

DISTS: tuple[str, ...] = ("uniform", "triangular", "lognormal")
_Z90 = NormalDist().inv_cdf(0.9)
_EPS = 1e-12


@dataclass(frozen=True)
class Uncertain:
    """One uncertain parameter: its dotted name (``behaviour.gemeente.deadline_compliance``) and distribution."""

    path: str
    dist: str
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    median: float | None = None
    p90: float | None = None
    whole: bool = False

    def _lognormal(self) -> tuple[NormalDist, float, float]:
        assert self.median is not None and self.p90 is not None
        mu = math.log(self.median)
        normal = NormalDist(mu, (math.log(self.p90) - mu) / _Z90)
        lo = 0.0 if self.low is None or self.low <= 0 else normal.cdf(math.log(self.low))
        hi = 1.0 if self.high is None else normal.cdf(math.log(self.high))
        return normal, lo, hi

    def value(self, u: float) -> float:
        """The parameter's value at quantile ``u`` (0..1) of its distribution."""
        u = min(max(u, _EPS), 1 - _EPS)
        if self.dist == "uniform":
            assert self.low is not None and self.high is not None
            if self.whole:  # every whole number low..high equally likely
                return float(min(int(self.low + math.floor(u * (self.high - self.low + 1))), int(self.high)))
            x = self.low + u * (self.high - self.low)
        elif self.dist == "triangular":
            assert self.low is not None and self.high is not None and self.mode is not None
            a, b, c = self.low, self.high, self.mode
            cut = (c - a) / (b - a)
            x = a + math.sqrt(u * (b - a) * (c - a)) if u < cut else b - math.sqrt((1 - u) * (b - a) * (b - c))
        else:
            normal, lo, hi = self._lognormal()
            x = math.exp(normal.inv_cdf(min(max(lo + u * (hi - lo), _EPS), 1 - _EPS)))
        if self.low is not None:
            x = max(x, self.low)
        if self.high is not None:
            x = min(x, self.high)
        return float(round(x)) if self.whole else x

    @property
    def nominal(self) -> float:
        """The value the scenario holds in place: the midpoint, the mode or the median."""
        if self.dist == "triangular":
            assert self.mode is not None
            return self.mode
        if self.dist == "lognormal":
            assert self.median is not None
            return self.median
        assert self.low is not None and self.high is not None
        middle = (self.low + self.high) / 2
        return float(math.floor(middle)) if self.whole else middle

    @property
    def support(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take (``inf`` for an untruncated lognormal)."""
        return (self.low if self.low is not None else 0.0, self.high if self.high is not None else math.inf)

    def describe(self) -> str:
        """A short English description: ``uniform 0.85..0.99``."""
        if self.dist == "lognormal":
            return f"lognormal median {self.median:g}, p90 {self.p90:g}, truncated {self.support[0]:g}..{self.high:g}"
        middle = f" mode {self.mode:g}" if self.dist == "triangular" else ""
        return f"{self.dist} {self.low:g}..{self.high:g}{middle}"


def is_spec(value: Any) -> bool:
    """True if a TOML value is an uncertainty table rather than a number (or an hours distribution)."""
    return isinstance(value, dict) and bool({"low", "high", "dist"} & set(value))


def canonical(location: str) -> str:
    """The parameter name of a scenario location: ``hubs.ib.x`` is ``behaviour.ib.x`` (as ``--vary`` names it)."""
    return "behaviour." + location[len("hubs."):] if location.startswith("hubs.") else location


def read_spec(table: Any, lo: float | None, hi: float | None, whole: bool) -> Uncertain:
    """Read an uncertainty table (a :class:`~ketensim.scenario.reader.Table`) for a number bounded by ``lo``/``hi``."""
    dist = table.str("dist", "uniform", choices=DISTS)

    def bound(key: str, default: Any = None) -> float | None:
        value = table.number(key, default, lo=lo, hi=hi)
        if value is not None and whole and value != int(value):
            table.fail(key, f"{value} is not a whole number; expected a whole number for this parameter")
        return None if value is None else float(value)

    if dist == "lognormal":
        median = table.number("median", lo=0)
        p90 = table.number("p90", lo=0)
        low, high = bound("low"), bound("high")
        if median <= 0:
            table.fail("median", f"{median} is not above 0; expected a positive median for a lognormal")
        if p90 <= median:
            table.fail("p90", f"{p90} is not above the median {median}; expected p90 > median")
        if high is None:
            table.fail("high", "missing; a lognormal is truncated at high (so that every draw stays a runnable value)")
        spec = Uncertain("", dist, low=low, high=high, median=float(median), p90=float(p90), whole=whole)
        if low is not None and high is not None and low >= high:
            table.fail("high", f"{high} is not above low {low}; expected low < high")
        if not (spec.support[0] <= median <= spec.support[1]):
            table.fail("median", f"{median} lies outside low..high; expected the median within the truncation")
    else:
        low, high = bound("low", MISSING), bound("high", MISSING)
        assert low is not None and high is not None
        if low >= high:
            table.fail("high", f"{high:g} is not above low {low:g}; expected low < high")
        mode = bound("mode", MISSING if dist == "triangular" else None)
        if dist == "triangular" and mode is not None and not low <= mode <= high:
            table.fail("mode", f"{mode:g} lies outside low {low:g} .. high {high:g}; expected low <= mode <= high")
        spec = Uncertain("", dist, low=low, high=high, mode=mode, whole=whole)
    table.finish()
    return spec


def unit_draw(seed: int, name: str) -> float:
    """The uniform draw in (0, 1) of parameter ``name`` in the replication with ``seed``.

    A hash of ``seed`` and ``name`` alone, independent of the simulation's own streams, of the
    other parameters and of the order they are drawn in: the same seed and name give the same ``u``
    in every scenario, on every worker and platform.
    """
    digest = hashlib.sha256(f"ketensim-uncertain:{seed}:{name}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / 2**64


def set_path(obj: Any, parts: list[str], value: float) -> Any:
    """``obj`` (a frozen dataclass) with the number at dotted ``parts`` set to ``value`` (``.median``/``.p90`` of a Dist)."""
    from ketensim.scenario.world_model import Dist

    head = parts[0]
    current = getattr(obj, head)
    if len(parts) == 1:
        if isinstance(current, int) and not isinstance(current, bool):
            if value != int(value):
                raise ValueError(f"{head} = {value:g} is not a whole number")
            value = int(value)
        return replace(obj, **{head: value})
    if isinstance(current, Dist) and parts[1:] == ["p90"]:
        return replace(obj, **{head: Dist(current.median, float(value))})
    if isinstance(current, Dist) and parts[1:] == ["median"]:
        return replace(obj, **{head: Dist(float(value), current.p90)})
    return replace(obj, **{head: set_path(current, parts[1:], value)})


def with_values(scenario: Any, values: dict[str, float]) -> Any:
    """``scenario`` with every named parameter set and its uncertainty removed (it is now fixed)."""
    for path, value in values.items():
        section, *rest = path.split(".")
        scenario = replace(scenario, **{section: set_path(getattr(scenario, section), rest, value)})
    return replace(scenario, uncertain=tuple(u for u in scenario.uncertain if u.path not in values))


def draw(scenario: Any, seed: int) -> tuple[Any, dict[str, float]]:
    """The scenario of the replication with ``seed`` (every uncertain parameter drawn) and the draws by name."""
    if not scenario.uncertain:
        return scenario, {}
    values: dict[str, float] = {}
    for u in scenario.uncertain:
        value = u.value(unit_draw(seed, u.path))
        values[u.path] = int(value) if u.whole else value
    return with_values(scenario, values), values


def check_spread(scenario: Any) -> None:
    """Raise :class:`ScenarioError` where a draw could break a rule the nominal value keeps.

    Checked: an hours distribution's ``p90`` stays at or above its ``median`` for every draw, and an
    uncertain ``gemeenten_per_aanbieder`` stays at most ``gemeenten``; the upper bounds on the size of a
    run (:mod:`ketensim.scenario.bounds`) hold at the largest draws.
    """
    from ketensim.scenario.bounds import check_bounds

    by_path = {u.path: u for u in scenario.uncertain}
    hours = {u.path.rsplit(".", 1)[0] for u in scenario.uncertain if u.path.endswith((".median", ".p90"))}
    for prefix in sorted(hours):
        median, p90 = by_path.get(prefix + ".median"), by_path.get(prefix + ".p90")
        stored = _stored(scenario, prefix)
        if stored.p90 is None and p90 is None:
            continue  # fixed hours: no p90 to stay above
        largest_median = median.support[1] if median is not None else stored.median
        smallest_p90 = p90.support[0] if p90 is not None else stored.p90
        if largest_median > smallest_p90:
            raise ScenarioError(scenario.path, prefix + (".p90" if p90 is not None else ".median"),
                                f"a median up to {largest_median:g} can exceed a p90 of {smallest_p90:g}; "
                                "expected every median draw <= every p90 draw")
    gpa = by_path.get("population.gemeenten_per_aanbieder")
    gemeenten = by_path.get("population.gemeenten")
    if gpa is not None:  # (an unwritten default is capped at the gemeenten of a tiny world, as without ranges)
        most = gpa.support[1]
        fewest = gemeenten.support[0] if gemeenten else scenario.population.gemeenten
        if most > fewest:
            raise ScenarioError(scenario.path, "population.gemeenten_per_aanbieder",
                                f"up to {most:g} gemeenten per aanbieder, but as few as {fewest:g} gemeenten; "
                                "expected gemeenten_per_aanbieder <= gemeenten for every draw")
    highest = {u.path: u.support[1] for u in scenario.uncertain if math.isfinite(u.support[1])}
    if highest:
        check_bounds(with_values(scenario, highest))


def _stored(scenario: Any, prefix: str) -> Any:
    """The hours distribution (:class:`~ketensim.scenario.world_model.Dist`) the scenario holds at ``prefix``."""
    obj = scenario
    for part in prefix.split("."):
        obj = getattr(obj, part)
    return obj
