"""Strict reading of TOML tables: every key is known, every value has the expected type.

A :class:`Table` wraps one TOML table with its dotted location (``deadline[3]``) so that every
error names the file, the key and what was expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from ketensim.exceptions import ScenarioError
from ketensim.timeline import AmbiguousLocalTime, NonexistentLocalTime, localize

__all__ = ["Table", "MISSING", "describe"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
_NUMBER = re.compile(r"^(?:WMO|JW)?(\d{3})$")


def describe(value: Any) -> str:
    """A short description of a TOML value for error messages: ``'abc' (a string)``."""
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a table",
        datetime: "a date-time",
        date: "a date",
        time: "a time",
    }
    return f"{value!r} ({names.get(type(value), type(value).__name__)})"


class Table:
    """One TOML table being read; unread keys are reported by :meth:`finish`."""

    def __init__(self, data: Any, where: str, path: str, uncertain: list[Any] | None = None) -> None:
        self.path = path
        self.where = where
        self.uncertain = uncertain  # where numbers given as ranges are collected; None: a range is not allowed
        if not isinstance(data, dict):
            self.fail("", f"expected a table, got {describe(data)}")
        self.data: dict[str, Any] = data
        self._read: set[str] = set()

    def fail(self, key: str, problem: str) -> None:
        location = f"{self.where}.{key}" if key and self.where else (key or self.where)
        raise ScenarioError(self.path, location, problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = MISSING) -> Any:
        self._read.add(key)
        if key not in self.data:
            if default is MISSING:
                self.fail(key, "missing; this key is required")
            return default
        return self.data[key]

    def sub(self, key: str, required: bool = True) -> Table | None:
        value = self.raw(key, MISSING if required else None)
        return None if value is None else self.child(value, f"{self.where}.{key}" if self.where else key)

    def child(self, value: Any, where: str) -> Table:
        """A table inside this one (ranges are allowed in it where they are allowed here)."""
        return Table(value, where, self.path, self.uncertain)

    def rows(self, key: str) -> list[Table]:
        """The tables of an array of tables (``[[deadline]]``), each located as ``key[n]`` (1-based, as a reader counts)."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            self.fail(key, f"expected an array of tables ([[{key}]]), got {describe(value)}")
        return [self.child(item, f"{key}[{i}]") for i, item in enumerate(value, start=1)]

    def str(self, key: str, default: Any = MISSING, choices: tuple[str, ...] | None = None) -> Any:
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, str):
            self.fail(key, f"expected a string, got {describe(value)}")
        if choices is not None and value not in choices:
            self.fail(key, f"unknown value {value!r}; expected one of {', '.join(choices)}")
        return value

    def bool(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is not default and not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {describe(value)}")
        return value

    def number(self, key: str, default: Any = MISSING, lo: float | None = None, hi: float | None = None,
               whole: bool = False) -> Any:
        """A number within ``lo``..``hi``; in a section that allows ranges, an uncertain range gives its nominal value."""
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if isinstance(value, dict) and self.uncertain is not None:
            return self._uncertain(key, value, lo, hi, whole)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            allowed = " (a range is allowed only in [population], [behaviour.*] and [hubs.*])" if isinstance(
                value, dict) else ""
            self.fail(key, f"expected a number{allowed}, got {describe(value)}")
        if not math.isfinite(value):
            self.fail(key, f"{value} is not a finite number; expected a number like 2.5")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            bounds = f"between {lo} and {hi}" if lo is not None and hi is not None else (
                f">= {lo}" if lo is not None else f"<= {hi}")
            self.fail(key, f"{value} is out of range; expected a number {bounds}")
        return value

    def _uncertain(self, key: str, value: dict[str, Any], lo: float | None, hi: float | None, whole: bool) -> Any:
        """Read an uncertain range (see :mod:`ketensim.scenario.uncertain`); keep it and return its nominal value."""
        from ketensim.scenario.uncertain import canonical, read_spec

        where = f"{self.where}.{key}" if self.where else key
        spec = read_spec(self.child(value, where), lo, hi, whole)
        assert self.uncertain is not None
        self.uncertain.append(replace(spec, path=canonical(where)))
        return int(spec.nominal) if whole else spec.nominal

    def integer(self, key: str, default: Any = MISSING, lo: int | None = None) -> Any:
        value = self.number(key, default, lo=lo, whole=True)
        if value is not default and not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {describe(value)}")
        return value

    def strings(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, f"expected a list of strings, got {describe(value)}")
        return tuple(value)

    def numbers(self, key: str, default: Any = MISSING) -> Any:
        """A list of message numbers (``["301", "305"]``; 301 and "WMO301" are accepted too)."""
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, list) or not value:
            self.fail(key, f'expected a non-empty list of message numbers like ["301", "302"], got {describe(value)}')
        out = []
        for item in value:
            match = _NUMBER.match(str(item)) if isinstance(item, (str, int)) and not isinstance(item, bool) else None
            if not match:
                self.fail(key, f'{describe(item)} is not a message number; expected three digits like "301"')
            out.append(match.group(1))
        return tuple(out)

    def instant(self, key: str, default: Any = MISSING) -> Any:
        """A local date-time (no offset), interpreted in Europe/Amsterdam."""
        value = self.raw(key, default)
        if value is default and default is not MISSING:
            return value
        if not isinstance(value, datetime):
            self.fail(key, f"expected a local date-time like 2022-03-31T13:00:00, got {describe(value)}")
        if value.tzinfo is not None:
            self.fail(key, f"{value.isoformat()} has a UTC offset; expected a local Europe/Amsterdam time without offset")
        try:
            return localize(value)
        except (NonexistentLocalTime, AmbiguousLocalTime) as err:
            self.fail(key, f"{err}; expected a wall-clock time that exists once")
        raise AssertionError("unreachable")

    def day(self, key: str) -> date:
        value = self.raw(key)
        if isinstance(value, datetime) or not isinstance(value, date):
            self.fail(key, f"expected a date like 2022-03-31, got {describe(value)}")
        return value

    def clock(self, key: str, default: Any = MISSING) -> Any:
        value = self.raw(key, default)
        if value is not default and not isinstance(value, time):
            self.fail(key, f"expected a time of day like 16:00:00, got {describe(value)}")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            known = ", ".join(sorted(self._read))
            self.fail(unknown[0], f"unknown key; expected one of: {known}")
