"""Behaviour defaults the standards team asked about: 5 May, the declaration day, hurrying within working hours."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest

from ketensim.chain.injections import build_faults
from ketensim.chain.records import freeze
from ketensim.chain.world import World
from ketensim.exceptions import ScenarioError
from ketensim.run import run_replication
from ketensim.scenario import load_scenario_text
from ketensim.timeline import WorkCalendar, dutch_holidays, localize
from test_definitions import BASE, QUIET, _at, _parties

SMALL = "\n[population]\ngemeenten = 3\naanbieders = 30\nclients = 600\n"


@pytest.mark.parametrize("year", [2018, 2021, 2022, 2023, 2025])
def test_fifth_of_may_is_a_holiday_every_year(year: int) -> None:
    """The Algemene termijnenwet lists 5 May every year, not only in lustrum years."""
    assert date(year, 5, 5) in dutch_holidays(year)
    assert not WorkCalendar().is_working_day(date(2022, 5, 5))  # a Thursday, not a lustrum year
    assert date(2022, 4, 15) not in dutch_holidays(2022)  # Goede Vrijdag is not in the Algemene termijnenwet


def _working_day_of_month(day: date) -> int:
    calendar = WorkCalendar()
    return sum(calendar.is_working_day(date(day.year, day.month, d)) for d in range(1, day.day + 1))


def _declaration_days(extra: str) -> Counter[int]:
    result = run_replication(load_scenario_text(BASE + SMALL + extra, "x.toml"), seed=1, xml=False)
    days: Counter[int] = Counter()
    for m in result.messages:
        if m.code.endswith("323") and m.created.startswith("2022-03"):
            days[_working_day_of_month(date.fromisoformat(m.created[:10]))] += 1
    return days


def test_the_declaration_day_is_spread_over_the_first_working_days_by_default() -> None:
    """Default: aanbieders draw their day from working days 1-5; nobody declares later."""
    days = _declaration_days("")
    assert len(days) >= 3 and max(days) <= 5


def test_declaration_weights_and_a_fixed_day() -> None:
    """Weights put every declaration on the days they allow; a fixed day puts them all on one."""
    assert set(_declaration_days("declaration_days = [0, 0, 1, 1]\n")) <= {3, 4}
    assert set(_declaration_days("declaration_day = 2\n")) == {2}
    with pytest.raises(ScenarioError, match=r"population\.declaration_days: given together with declaration_day"):
        load_scenario_text(BASE + SMALL + "declaration_day = 2\ndeclaration_days = [1]\n", "x.toml")
    with pytest.raises(ScenarioError, match=r"population\.declaration_days: expected a list of 1 to 20 weights"):
        load_scenario_text(BASE + SMALL + "declaration_days = [0, 0]\n", "x.toml")


def _retour_submitted(extra: str) -> str:
    """A 301 on Wed 30 Mar 2022 10:00 to an aanbieder that would need 40 working hours for its 302."""
    text = BASE + QUIET.replace("retour_hours = 1\nstart_hours", "retour_hours = 40\nstart_hours") + extra
    scenario = load_scenario_text(text, "quiet.toml")
    world = World(scenario, 1, xml=False, faults=build_faults(scenario, 1))
    world.traffic.start = lambda: None  # type: ignore[method-assign]
    case, gemeente, aanbieder = _parties(world)
    world.at(_at(world, datetime(2022, 3, 30, 10)), gemeente.send_heen, "301", aanbieder, case, "toewijzing", "t1")
    world.run()
    _, pairs, _ = freeze(world)
    assert [(p.pair, p.outcome) for p in pairs] == [("301/302", "closed_in_time")]
    return pairs[0].retour_submitted


def test_a_hurried_retour_leaves_within_working_hours() -> None:
    """Retour deadline Thu 31 Mar 13:00, margin 30 min: 12:30 CEST in hours, 12:00 if the day ends at 12:00."""
    assert _retour_submitted("") == "2022-03-31T10:30:00Z"
    assert _retour_submitted('work_end = 12:00:00\n') == "2022-03-31T10:00:00Z"
    # an explicit overtime setting lets it work up to 30 minutes past its day: 12:30 again
    assert _retour_submitted('work_end = 12:00:00\novertime_minutes = 30\n') == "2022-03-31T10:30:00Z"


def test_last_working_moment() -> None:
    """The latest working instant at or before a moment: the moment itself, or the end of the last working day."""
    world = World(load_scenario_text(BASE + QUIET, "quiet.toml"), 1, xml=False)
    cal, t = world.calendar, _at(world, datetime(2022, 4, 2, 12))  # a Saturday
    assert cal.last_working(t, 510.0, 1020.0) == world.clock.to_sim(localize(datetime(2022, 4, 1, 17)))
    inside = _at(world, datetime(2022, 4, 1, 11))
    assert cal.last_working(inside, 510.0, 1020.0) == inside
