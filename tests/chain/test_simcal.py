"""The hot-path calendar in simulation minutes agrees with the datetime-based WorkCalendar."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketensim.chain.simcal import SimCalendar, minute_of_day
from ketensim.timeline import AMSTERDAM, SimClock, WorkCalendar, WorkingHours, localize

ORIGIN = localize(datetime(2022, 2, 21))
CLOCK = SimClock(ORIGIN)
HOURS = WorkingHours(time(8, 30), time(17, 0))
REFERENCE = WorkCalendar(HOURS)
CAL = SimCalendar(CLOCK, date(2022, 2, 20), date(2023, 6, 1))
START, END = minute_of_day(HOURS.start), minute_of_day(HOURS.end)

# minutes since the origin up to ~60 days: spans the switch to summer time (Sun 27 Mar 2022) and Easter
moments = st.floats(min_value=0, max_value=60 * 1440, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(t=moments, hours=st.floats(min_value=0, max_value=80))
def test_add_working_matches_the_reference(t: float, hours: float) -> None:
    expected = REFERENCE.add_working_minutes(CLOCK.to_local(t), hours * 60)
    assert CAL.add_working(t, hours * 60, START, END) == pytest.approx(CLOCK.to_sim(expected), abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(t=moments)
def test_next_working_matches_the_reference(t: float) -> None:
    expected = REFERENCE.next_working_moment(CLOCK.to_local(t))
    assert CAL.next_working(t, START, END) == pytest.approx(CLOCK.to_sim(expected), abs=1e-6)


def test_wall_clock_minutes_are_exact_on_the_summer_time_day_and_after() -> None:
    for day in (date(2022, 3, 25), date(2022, 3, 27), date(2022, 3, 28)):
        i = CAL.dates.index(day)
        for minute in (180, 510, 780, 1020, 1380):
            wall = localize(datetime.combine(day, time(0, 0)).replace(hour=minute // 60, minute=minute % 60))
            assert CAL.at(i, minute) == CLOCK.to_sim(wall)
            assert CAL.minute(i, CLOCK.to_sim(wall)) == minute


def test_polls_and_daily_reads_fall_on_working_days_in_hours() -> None:
    rng = random.Random(3)
    for _ in range(500):
        t = rng.uniform(0, 60 * 1440)
        poll = CAL.next_poll(t, START + 17, 60.0, END)
        read = CAL.next_daily(t, minute_of_day(time(9, 0)))
        for moment in (poll, read):
            local = CLOCK.to_local(moment)
            assert moment >= t - 1e-9
            assert REFERENCE.is_working_day(local.date())
            assert HOURS.start <= local.time() < HOURS.end
        assert CLOCK.to_local(read).astimezone(AMSTERDAM).time() == time(9, 0)
        assert (CLOCK.to_local(poll) - localize(datetime.combine(CLOCK.to_local(poll).date(), time(8, 47)))) % timedelta(
            minutes=60) == timedelta(0)


def test_the_calendar_grows_for_work_planned_far_beyond_its_end() -> None:
    short = SimCalendar(CLOCK, date(2022, 2, 20), date(2022, 3, 1))
    t = short.add_working(100.0, 500 * 60.0, START, END)  # 500 working hours: months past the last day
    assert t == pytest.approx(CAL.add_working(100.0, 500 * 60.0, START, END))
    assert short.dates[-1] > date(2022, 6, 1)
