"""Reading ``[population]``: its size and turnover, municipal mergers, regional organisations, population files.

A population can live in a file of its own (``scenarios/populations/NAME.toml``, a ``[population]``
table) so every draaiboek can simulate the same country: a scenario writes ``use = "NAME"`` (or a
path relative to the scenario file) in its ``[population]``, and any other key it writes there
overrides the file's.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ketensim._resources import resource_dir
from ketensim.exceptions import ScenarioError
from ketensim.population.gemeenten import load_gemeenten
from ketensim.scenario.reader import Table, describe
from ketensim.scenario.world_model import Merger, Population, Region

__all__ = ["read_population", "population_file"]

_MAX_BYTES = 2_000_000
_STANDARDS = ("iwmo", "ijw")


def population_file(name: str, scenario_path: str) -> Path:
    """The population file ``name``: a path (relative to the scenario's folder) or a bundled one by name."""
    if name.endswith(".toml") or "/" in name:
        path = Path(name)
        return path if path.is_absolute() else Path(scenario_path).parent / path
    return Path(str(resource_dir("scenarios") / "populations" / f"{name}.toml"))


def _file_table(t: Table, name: str) -> Table:
    path = population_file(name, t.path)
    if not path.is_file():
        t.fail("use", f"{name!r}: no population file {path}; expected a bundled population (ketensim scenario "
               "list) or a .toml file with a [population] table")
    try:
        data = path.read_bytes()[: _MAX_BYTES + 1]
        if len(data) > _MAX_BYTES:
            raise ScenarioError(str(path), "", f"file is larger than {_MAX_BYTES} bytes; expected a population file")
        root = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ScenarioError(str(path), "", f"cannot read the population file: {err}") from None
    file_root = Table(root, "", str(path))
    table = file_root.sub("population")
    file_root.finish()
    assert table is not None
    if table.has("use"):
        table.fail("use", "a population file cannot use another one; expected the population written out")
    return table


def read_population(root: Table, window_start: datetime) -> Population:
    t = root.sub("population", required=False)
    if t is None:
        return Population(year=window_start.year)
    use = t.str("use", "")
    if use:
        base = _file_table(t, use)
        # the file's own errors name the file (its ranges are collected below, with the scenario's)
        _read(Table(dict(base.data), "population", base.path, [] if t.uncertain is not None else None), window_start)
        overrides = {k: v for k, v in t.data.items() if k != "use"}
        t = Table({**base.data, **overrides}, "population", t.path, t.uncertain)
    population = _read(t, window_start)
    return replace(population, use=use) if use else population


def _read(t: Table, window_start: datetime) -> Population:
    base = Population()
    year = t.integer("year", window_start.year, lo=2015)
    population = Population(
        year=year,
        gemeenten=t.integer("gemeenten", base.gemeenten, lo=1),
        aanbieders=t.integer("aanbieders", base.aanbieders, lo=1),
        clients=t.integer("clients", base.clients, lo=1),
        ijw_share=t.number("ijw_share", base.ijw_share, lo=0, hi=1),
        gemeenten_per_aanbieder=t.integer("gemeenten_per_aanbieder", base.gemeenten_per_aanbieder, lo=1),
        new_per_month=t.number("new_per_month", base.new_per_month, lo=0, hi=5),
        vot_share=t.number("vot_share", base.vot_share, lo=0, hi=1),
        change_per_month=t.number("change_per_month", base.change_per_month, lo=0, hi=5),
        end_per_month=t.number("end_per_month", base.end_per_month, lo=0, hi=5),
        declaration_day=t.integer("declaration_day", base.declaration_day, lo=0),
        declaration_days=_weights(t, "declaration_days", base.declaration_days),
        mergers=tuple(_merger(r, year) for r in _rows(t, "merger")),
        regions=tuple(_region(r, year) for r in _rows(t, "region")),
    )
    if population.declaration_day and t.has("declaration_days"):
        t.fail("declaration_days", "given together with declaration_day; expected one of the two (a fixed day, "
               "or weights per working day)")
    if t.has("gemeenten_per_aanbieder") and population.gemeenten_per_aanbieder > population.gemeenten:
        # the default (3) is quietly capped for a tiny world; a value written in the file is not ignored
        t.fail("gemeenten_per_aanbieder", f"{population.gemeenten_per_aanbieder} is more than the "
               f"{population.gemeenten} gemeenten simulated; expected at most population.gemeenten")
    if population.declaration_day > 20:
        t.fail("declaration_day", f"{population.declaration_day} is out of range; expected a working day 1..20 "
               "(or 0: spread by declaration_days)")
    every = len(load_gemeenten(year))
    if (population.mergers or population.regions) and population.gemeenten < every:
        key = "merger" if population.mergers else "region"
        t.fail(key, f"needs every gemeente of the {year} list simulated; expected population.gemeenten = {every} "
               f"(got {population.gemeenten})")
    _check_regions(t, population.regions)
    t.finish()
    return population


def _rows(t: Table, key: str) -> list[Table]:
    """The rows of ``[[population.KEY]]``, each located as ``population.KEY[n]``."""
    return [Table(row.data, f"{t.where}.{row.where}", t.path) for row in t.rows(key)]


def _weights(t: Table, key: str, default: tuple[float, ...]) -> tuple[float, ...]:
    """Weights of working days 1..n of the month (at most 20, not all zero)."""
    value = t.raw(key, None)
    if value is None:
        return default
    ok = isinstance(value, list) and 0 < len(value) <= 20 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0 for v in value)
    if not ok or not any(value):
        t.fail(key, f"expected a list of 1 to 20 weights >= 0 for working days 1, 2, ... (not all 0), "
               f"got {describe(value)}")
    return tuple(float(v) for v in value)


def _code(t: Table, key: str, value: str, year: int) -> str:
    if value not in {g.code for g in load_gemeenten(year)}:
        t.fail(key, f"{value!r} is not a gemeentecode of the {year} list; expected a CBS code like \"0363\"")
    return value


def _merger(t: Table, year: int) -> Merger:
    gemeente = _code(t, "gemeente", t.str("gemeente"), year)
    into = _code(t, "into", t.str("into"), year)
    if into == gemeente:
        t.fail("into", f"{into!r} is the merging gemeente itself; expected the gemeente it joins")
    at = t.instant("at")
    merger = Merger(gemeente, into, at, t.raw("at").isoformat(), t.str("source", ""))
    t.finish()
    return merger


def _region(t: Table, year: int) -> Region:
    ident, naam = t.str("id"), t.str("naam")
    codes = t.strings("gemeenten")
    if len(codes) < 2 or len(set(codes)) != len(codes):
        t.fail("gemeenten", f"expected at least two distinct gemeentecodes, got {describe(list(codes))}")
    for code in codes:
        _code(t, "gemeenten", code, year)
    standards = t.strings("standards", _STANDARDS)
    if not standards or any(s not in _STANDARDS for s in standards):
        t.fail("standards", f"expected a non-empty list of {', '.join(_STANDARDS)}, got {describe(list(standards))}")
    region = Region(ident, naam, codes, tuple(sorted(set(standards))), t.str("source", ""))
    t.finish()
    return region


def _check_regions(t: Table, regions: tuple[Region, ...]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for i, region in enumerate(regions, start=1):
        if sum(r.id == region.id for r in regions) > 1:
            t.fail(f"region[{i}].id", f"{region.id!r} is used twice; expected a unique id per region")
        for code in region.gemeenten:
            for standard in region.standards:
                other = seen.setdefault((code, standard), region.id)
                if other != region.id:
                    t.fail(f"region[{i}].gemeenten", f"{code} sends {standard} through {other!r} already; "
                           "expected each gemeente in at most one region per law")
