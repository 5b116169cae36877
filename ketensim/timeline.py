"""Time in the chain: Europe/Amsterdam wall clock, simulation minutes, working time.

The simulation clock counts minutes since the start of the scenario window, in absolute (UTC)
time, so an afternoon across the switch to summer time is one hour shorter on the wall clock
than on the simulation clock would suggest if we counted naively. All conversions go through
:class:`SimClock`; nothing else in ketensim does time-zone arithmetic.

Working time follows Dutch office practice: weekdays, ``WorkingHours`` (default 08:30-17:00),
and no work on the Dutch general public holidays of the Algemene termijnenwet (Nieuwjaar, Pasen,
Koningsdag, Bevrijdingsdag 5 May every year, Hemelvaart, Pinksteren, Kerst; not Goede Vrijdag),
taken from the ``holidays`` package plus 5 May, which the package has only in lustrum years.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "AMSTERDAM",
    "SimTime",
    "SimClock",
    "WorkingHours",
    "WorkCalendar",
    "localize",
    "dutch_holidays",
    "format_local",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SimTime = float
"""Minutes since the start of the scenario window (absolute time)."""

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class NonexistentLocalTime(ValueError):
    """A wall-clock time that does not exist (skipped by the switch to summer time)."""


class AmbiguousLocalTime(ValueError):
    """A wall-clock time that occurs twice (the repeated hour at the switch to winter time)."""


def localize(naive: datetime) -> datetime:
    """Attach Europe/Amsterdam to a naive wall-clock time, refusing times that do not exist or repeat."""
    if naive.tzinfo is not None:
        return naive.astimezone(AMSTERDAM)
    first = naive.replace(tzinfo=AMSTERDAM, fold=0)
    second = naive.replace(tzinfo=AMSTERDAM, fold=1)
    roundtrip = first.astimezone(timezone.utc).astimezone(AMSTERDAM).replace(tzinfo=None)
    if roundtrip != naive:
        raise NonexistentLocalTime(f"{naive:%Y-%m-%d %H:%M} does not exist in Europe/Amsterdam (summer-time switch)")
    if first.utcoffset() != second.utcoffset():
        raise AmbiguousLocalTime(f"{naive:%Y-%m-%d %H:%M} occurs twice in Europe/Amsterdam (winter-time switch)")
    return first


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def weekday_name(moment: date) -> str:
    """English three-letter weekday (``Mon`` ... ``Sun``), as scenario files write it."""
    return _WEEKDAYS[moment.weekday()]


DUTCH_WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
DUTCH_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def format_dutch(moment: datetime, with_time: bool = True) -> str:
    """``do 31 mrt 2022 13:00`` in Europe/Amsterdam (Dutch names written out, whatever the locale)."""
    local = moment.astimezone(AMSTERDAM)
    text = f"{DUTCH_WEEKDAYS[local.weekday()]} {local.day} {DUTCH_MONTHS[local.month - 1]} {local.year}"
    return f"{text} {local:%H:%M}" if with_time else text


def format_local(moment: datetime, with_time: bool = True) -> str:
    """``Thu 31 Mar 2022 13:00`` in Europe/Amsterdam."""
    local = moment.astimezone(AMSTERDAM)
    text = f"{weekday_name(local)} {local.day} {local:%b %Y}"
    return f"{text} {local:%H:%M}" if with_time else text


@dataclass(frozen=True)
class SimClock:
    """Converts between aware datetimes and simulation minutes since ``origin``."""

    origin: datetime

    def __post_init__(self) -> None:
        if self.origin.tzinfo is None:
            raise ValueError("SimClock origin must be an aware datetime")
        # Subtracting two datetimes that share a tzinfo ignores their offsets (wall-clock
        # arithmetic), which is wrong across the summer-time switch: keep everything in UTC.
        object.__setattr__(self, "origin", self.origin.astimezone(timezone.utc))

    def to_sim(self, moment: datetime) -> SimTime:
        return (moment.astimezone(timezone.utc) - self.origin).total_seconds() / 60.0

    def to_utc(self, t: SimTime) -> datetime:
        return (self.origin + timedelta(minutes=t)).astimezone(timezone.utc)

    def to_local(self, t: SimTime) -> datetime:
        return (self.origin + timedelta(minutes=t)).astimezone(AMSTERDAM)


# Goede Vrijdag is in the holidays package's NL calendar, but it is not a general holiday under
# the Algemene termijnenwet: gemeenten and aanbieders work that day.
_WORKING_HOLIDAYS = frozenset({"Good Friday"})


@lru_cache(maxsize=None)
def dutch_holidays(year: int) -> frozenset[date]:
    """Dutch general public holidays of ``year`` (Algemene termijnenwet art. 3; Good Friday excluded).

    The Algemene termijnenwet lists "de vijfde mei" every year; the holidays package has
    Bevrijdingsdag only in lustrum years (when it is a day off for most employers), so it is added.
    """
    calendar = holidays.country_holidays("NL", years=year, language="en_US")
    days = {day for day, name in calendar.items() if name not in _WORKING_HOLIDAYS}
    days.add(date(year, 5, 5))
    return frozenset(days)


@dataclass(frozen=True)
class WorkingHours:
    """The daily working window of an organisation (local time)."""

    start: time = time(8, 30)
    end: time = time(17, 0)

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(f"working hours start {self.start} must be before end {self.end}")


@dataclass(frozen=True)
class WorkCalendar:
    """Working days and hours in Europe/Amsterdam, with Dutch public holidays off."""

    hours: WorkingHours = field(default_factory=WorkingHours)
    weekend_work: bool = False

    def is_working_day(self, day: date) -> bool:
        if not self.weekend_work and day.weekday() >= 5:
            return False
        return day not in dutch_holidays(day.year)

    def is_working_time(self, moment: datetime) -> bool:
        local = moment.astimezone(AMSTERDAM)
        return self.is_working_day(local.date()) and self.hours.start <= local.time() < self.hours.end

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` if it is working time, else the start of the next working period."""
        local = moment.astimezone(AMSTERDAM)
        day = local.date()
        if self.is_working_day(day):
            if local.time() < self.hours.start:
                return localize(datetime.combine(day, self.hours.start))
            if local.time() < self.hours.end:
                return local
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return localize(datetime.combine(day, self.hours.start))

    def add_working_minutes(self, moment: datetime, minutes: float) -> datetime:
        """The instant after ``minutes`` of working time have passed from ``moment``."""
        if minutes < 0:
            raise ValueError(f"minutes must be >= 0 (got {minutes})")
        current = self.next_working_moment(moment)
        remaining = timedelta(minutes=minutes)
        while True:
            end_of_day = localize(datetime.combine(current.date(), self.hours.end))
            available = _utc(end_of_day) - _utc(current)
            if remaining <= available:
                return (_utc(current) + remaining).astimezone(AMSTERDAM)
            remaining -= available
            current = self.next_working_moment(end_of_day)

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count
