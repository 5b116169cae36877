"""``scenario check`` reports every error of a file, warns about days nobody works, and accepts a BOM."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from ketensim._resources import scenario_path
from ketensim.exceptions import ScenarioError, ScenarioErrors
from ketensim.scenario import load_scenario, load_scenario_text
from ketensim.scenario.lint import scenario_warnings
from ketensim.timeline import localize

BASE = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")


def _three_errors() -> str:
    """A read error in a row, a read error in a section and a draaiboek-rule error in another row."""
    text = BASE.replace('weekday = "Tue"\nat = 2022-03-01T23:00:00', 'weekday = "Wed"\nat = 2022-03-01T23:00:00', 1)
    text = text.replace('messages = ["323"]', 'messages = ["399"]', 1)
    assert text.count('"399"') == 1 and 'weekday = "Wed"\nat = 2022-03-01' in text
    return text + "\n[population]\nclients = -3\n"


def test_three_errors_give_three_lines(tmp_path: Path) -> None:
    """Each error is one line with file, 1-based row and expectation; exit 2."""
    path = tmp_path / "three.toml"
    path.write_text(_three_errors(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "ketensim", "scenario", "check", str(path)], capture_output=True,
                          text=True, timeout=120)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 3 and all(line.startswith(f"FAIL {path}: ") for line in lines), lines
    assert any("deadline[1].weekday: 'Wed' does not match" in line for line in lines)
    assert any("population.clients: -3 is out of range" in line for line in lines)
    assert any(".messages: message 399 does not exist in release 3.0" in line for line in lines)
    run = subprocess.run([sys.executable, "-m", "ketensim", "run", str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 3
    assert all(line.startswith("error: ") for line in run.stderr.strip().splitlines())


def test_the_library_raises_all_errors_at_once() -> None:
    with pytest.raises(ScenarioErrors) as info:
        load_scenario_text(_three_errors(), "x.toml")
    assert len(info.value.errors) == 3 and isinstance(info.value, ScenarioError)


def test_each_behaviour_profile_reports_its_own_error() -> None:
    """An error in [behaviour.gemeente] does not hide one in [behaviour.aanbieder] or [hubs.vecozo]."""
    text = BASE + ("\n[behaviour.gemeente]\ndeadline_compliance = 2\n[behaviour.aanbieder]\n"
                   "deadline_compliance = { low = 0.99, high = 0.8 }\n[hubs.vecozo]\ntransit_minutes = -1\n")
    with pytest.raises(ScenarioErrors) as info:
        load_scenario_text(text, "x.toml")
    places = sorted(e.where for e in info.value.errors)
    assert places == ["behaviour.aanbieder.deadline_compliance.high", "behaviour.gemeente.deadline_compliance",
                      "hubs.vecozo.transit_minutes"], places


def test_rows_are_numbered_from_one() -> None:
    """The first [[deadline]] of the file is deadline[1]."""
    text = BASE.replace('weekday = "Tue"\nat = 2022-03-01T23:00:00', 'weekday = "Wed"\nat = 2022-03-01T23:00:00', 1)
    with pytest.raises(ScenarioError, match=r"^x\.toml: deadline\[1\]\.weekday: 'Wed' does not match"):
        load_scenario_text(text, "x.toml")


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_scenario(path).id == "2022-3.0-3.1"


def _at(year: int, month: int, day: int, hour: int) -> datetime:
    return localize(datetime(year, month, day, hour))


def test_warnings_for_days_off_and_an_impossible_retour_deadline() -> None:
    """A heen block on Friday 17:00 with the retour deadline Monday 08:00, a block on a Saturday, a deadline on Koningsdag."""
    s = load_scenario("2022-3.0-3.1")
    heen_block, retour_block = s.block_of("301"), s.block_of("302")
    retour_deadline = s.deadline_of("302", "aanbieder")
    assert heen_block and retour_block and retour_deadline
    blocks = tuple(replace(b, at=_at(2022, 4, 1, 17)) if b is heen_block else
                   replace(b, at=_at(2022, 4, 2, 12)) if b is retour_block else b for b in s.blocks)
    deadlines = tuple(replace(d, at=_at(2022, 4, 4, 8)) if d is retour_deadline else d for d in s.deadlines)
    deadlines += (replace(s.deadlines[0], at=_at(2022, 4, 27, 12)),)
    warnings = scenario_warnings(replace(s, blocks=blocks, deadlines=deadlines))
    assert any("Sat 2022-04-02 12:00 falls on a Saturday" in w for w in warnings)
    assert any("Wed 2022-04-27 12:00 falls on a Dutch public holiday" in w for w in warnings)
    assert any("no working time of the aanbieder between the block of 301 at Fri 2022-04-01 17:00 and this 302 "
               "deadline Mon 2022-04-04 08:00" in w for w in warnings)
    assert scenario_warnings(s) == []  # the 2022 draaiboek itself: all on working days


def test_check_prints_warnings_and_exits_0() -> None:
    """The 2018 declaration stop (Sun 18 Mar 23:00, as S002 states it) is a warning, not an error."""
    done = subprocess.run([sys.executable, "-m", "ketensim", "scenario", "check", "2018-2.1-2.2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "WARN " in done.stdout and "Sun 2018-03-18 23:00 falls on a Sunday" in done.stdout
