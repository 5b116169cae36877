"""What `scenario check` accepts, `run` can run: upper bounds, and files that are not scenario files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim._resources import scenario_path
from ketensim.cli import cli
from ketensim.exceptions import ScenarioError
from ketensim.scenario import load_scenario


def _with(tmp_path: Path, extra: str, old: str = "", new: str = "") -> Path:
    text = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "s.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize(("extra", "old", "new", "expected"), [
    # retour_hours = 2e7 overflowed after 31 s of running
    ("\n[behaviour.aanbieder]\nretour_hours = 2e7\n", "", "",
     r"behaviour.aanbieder.retour_hours: 2e\+07 hours is out of range; expected at most 8760 \(a year\)"),
    ("\n[behaviour.gemeente]\nanswer_hours = {median = 2, p90 = 9000}\n", "", "",
     r"behaviour.gemeente.answer_hours.p90: 9000 hours is out of range"),
    # clients = 10^9 ate 7.7 GB
    ("\n[population]\nclients = 1000000000\n", "", "", r"population.clients: 1000000000 is out of range; expected "
                                                       r"at most 2,000,000"),
    ("\n[population]\naanbieders = 4611686018427387904\n", "", "", r"population.aanbieders: 4611686018427387904 is "
                                                                   r"out of range; expected at most 20,000"),
    # more gemeenten than the year's list has were silently cut to the list
    ("\n[population]\ngemeenten = 5000\n", "", "", r"population.gemeenten: 5000 gemeenten, but the list for 2022 has "
                                                   r"345; expected at most 345"),
    ("\n[population]\nyear = 2099\n", "", "", r"population.year: year 2099 has no CBS gemeente list near it; "
                                              r"expected a year 2015..2027"),
    ("\n[population]\ngemeenten = 3\ngemeenten_per_aanbieder = 4\n", "", "",
     r"population.gemeenten_per_aanbieder: 4 is more than the 3 gemeenten simulated"),
    # a window of 50 years
    ("", "end = 2022-05-02T00:00:00", "end = 2072-05-02T00:00:00",
     r"window.end: the window is 18\d\d\d days long; expected at most 366 days"),
    ("\n[hubs.ib]\ncapacity_per_hour = 1e12\n", "", "", r"hubs.ib.capacity_per_hour: 1e\+12 is out of range"),
])
def test_a_parameter_above_its_bound_is_refused(tmp_path: Path, extra: str, old: str, new: str,
                                                expected: str) -> None:
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(_with(tmp_path, extra, old, new))


def test_a_draw_never_exceeds_a_year() -> None:
    import random

    from ketensim.scenario.world_model import MAX_HOURS, Dist

    rng = random.Random(1)
    assert max(Dist(1.0, 8000.0).sample(rng) for _ in range(2000)) == MAX_HOURS
    assert Dist(8000.0).scaled(100).sample(rng) == MAX_HOURS


def test_a_sweep_variant_above_a_bound_is_skipped(tmp_path: Path) -> None:
    from ketensim.experiment import parse_vary
    from ketensim.experiment.variants import make_variant

    s = load_scenario("2022-3.0-3.1")
    with pytest.raises(ScenarioError, match=r"population.clients: 1000000000 is out of range"):
        make_variant(s, parse_vary("population.clients=1000000000", s), 1e9)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux device files")
def test_files_that_are_not_scenarios_each_get_one_line(tmp_path: Path) -> None:
    """600 levels of TOML nesting, /dev/zero, /proc/self/mem and a FIFO; the next file is still checked."""
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 600 + "]" * 600 + "\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    good = scenario_path("2022-3.0-3.1")
    result = CliRunner().invoke(cli, ["scenario", "check", str(deep), "/dev/zero", "/proc/self/mem", str(fifo),
                                      str(good)])
    lines = result.output.splitlines()
    assert result.exit_code == 2 and result.exception is None or isinstance(result.exception, SystemExit)
    assert lines[0] == (f"FAIL {deep}: not valid TOML for a scenario: arrays or tables nested too deeply (a scenario "
                        "is at most a few levels deep)")
    assert lines[1] == ("FAIL /dev/zero: is not a regular file (a device, FIFO or socket); expected a scenario .toml "
                        "file")
    assert lines[2].startswith("FAIL /proc/self/mem: ")
    assert lines[3].startswith(f"FAIL {fifo}: is not a regular file")
    assert lines[4].startswith(f"OK   {good}")


def test_a_lognormal_draw_beyond_a_double_is_capped_like_one_beyond_a_year() -> None:
    """A tiny median under a large p90 can draw exp(>709): math.exp refuses it, the cap must still apply."""
    from ketensim.chain.keyed import KeyedRandom, PythonKeyedRandom
    from ketensim.scenario.world_model import MAX_HOURS, Dist

    dist = Dist(1e-300, 8000.0)
    for cls in (KeyedRandom, PythonKeyedRandom):
        rng = cls(3)
        draws = [dist.sample(rng) for _ in range(5000)]  # about 0.5 % of them overflow
        assert max(draws) == MAX_HOURS and min(draws) < 1.0  # some overflowed, the rest are ordinary draws
