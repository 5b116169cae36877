"""Working time in simulation minutes: the hot-path twin of :class:`ketensim.timeline.WorkCalendar`.

The chain asks "when is the next working moment?" and "when are six working hours over?" for
every message. Answering with timezone-aware datetimes costs more than the rest of the
simulation, so this calendar precomputes, per local day of the run, the simulation time of its
06:00 and whether it is a working day. A wall-clock minute ``m`` of day ``i`` (from 03:00 on) is
then ``anchor[i] + m - 360`` simulation minutes — exact on every day, including the two days a
year the clock changes (the switch happens between 02:00 and 03:00, always on a Sunday).
Tests check it against ``WorkCalendar``.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta

from ketensim.timeline import SimClock, WorkCalendar, localize

__all__ = ["SimCalendar", "minute_of_day"]

_ANCHOR = 360.0  # 06:00, safely after any summer-time switch


def minute_of_day(moment: time) -> float:
    return moment.hour * 60.0 + moment.minute + moment.second / 60.0


class SimCalendar:
    """Local days, working days and wall-clock minutes of a run, in simulation minutes."""

    def __init__(self, clock: SimClock, first: date, last: date, calendar: WorkCalendar | None = None) -> None:
        self.clock = clock
        self.calendar = calendar or WorkCalendar()
        self.dates: list[date] = []
        self.starts: list[float] = []
        self.anchors: list[float] = []
        self.working: list[bool] = []
        self._last = 0
        self._extend(first, last)

    def _extend(self, first: date, last: date) -> None:
        day = first
        while day <= last:
            self.dates.append(day)
            self.starts.append(self.clock.to_sim(localize(datetime.combine(day, time(0, 0)))))
            self.anchors.append(self.clock.to_sim(localize(datetime.combine(day, time(6, 0)))))
            self.working.append(self.calendar.is_working_day(day))
            day += timedelta(days=1)

    def index(self, t: float) -> int:
        """The index of the local day that contains simulation time ``t``.

        The calendar grows when a party plans work beyond its end (a very long processing time
        drawn from a heavy-tailed distribution); it never starts before its first day.
        """
        i = self._last
        starts = self.starts
        if starts[i] <= t < starts[i + 1]:  # most lookups fall on the same day as the previous one
            return i
        i = bisect_right(starts, t) - 1
        if i < 0:
            raise ValueError(f"simulation time {t} is before the calendar of this run")
        while i >= len(self.starts) - 1:
            self._extend(self.dates[-1] + timedelta(days=1), self.dates[-1] + timedelta(days=366))
            i = bisect_right(self.starts, t) - 1
        self._last = i
        return i

    def _next(self, i: int) -> int:
        """The index of the day after day ``i``, growing the calendar if needed."""
        i += 1
        if i >= len(self.starts) - 1:
            self._extend(self.dates[-1] + timedelta(days=1), self.dates[-1] + timedelta(days=366))
        return i

    def at(self, i: int, minute: float) -> float:
        """Simulation time of wall-clock ``minute`` (since midnight, >= 03:00) on day ``i``."""
        return self.anchors[i] + minute - _ANCHOR

    def minute(self, i: int, t: float) -> float:
        """Wall-clock minute of day ``i`` at simulation time ``t`` (monotonic; exact from 03:00)."""
        return _ANCHOR + t - self.anchors[i]

    def date_of(self, t: float) -> date:
        return self.dates[self.index(t)]

    def next_working(self, t: float, start: float, end: float) -> float:
        """``t`` if it is inside working hours [start, end) of a working day, else the next start."""
        i = self.index(t)
        while True:
            if self.working[i]:
                m = self.minute(i, t)
                if m < start:
                    return self.at(i, start)
                if m < end:
                    return t
            i = self._next(i)
            t = self.starts[i]

    def last_working(self, t: float, start: float, end: float) -> float | None:
        """The latest moment at or before ``t`` inside working hours [start, end] of a working day.

        None if there is none since the calendar's first day.
        """
        i = self.index(t)
        while i >= 0:
            if self.working[i] and self.at(i, start) <= t:
                return min(t, self.at(i, end))
            i -= 1
        return None

    def add_working(self, t: float, minutes: float, start: float, end: float) -> float:
        """The simulation time after ``minutes`` of working time from ``t``."""
        t = self.next_working(t, start, end)
        while True:
            day_end = self.at(self.index(t), end)
            available = day_end - t
            if minutes <= available:
                return t + minutes
            minutes -= available
            t = self.next_working(day_end, start, end)

    def next_daily(self, t: float, minute: float) -> float:
        """The first ``minute`` o'clock on a working day at or after ``t``."""
        i = self.index(t)
        while True:
            if self.working[i]:
                moment = self.at(i, minute)
                if moment >= t:
                    return moment
            i = self._next(i)

    def next_poll(self, t: float, first: float, every: float, end: float) -> float:
        """The next poll at or after ``t`` when polls run at ``first`` + k*``every`` before ``end`` on working days."""
        i = self.index(t)
        while True:
            if self.working[i]:
                start = self.at(i, first)
                if t <= start:
                    return start
                stop = self.at(i, end)
                if t < stop:
                    steps = -(-(t - start) // every)
                    moment = start + steps * every
                    if moment < stop:
                        return moment
            i = self._next(i)
            t = self.starts[i]
