"""Uncertain parameters: ranges in the scenario file, checked; draws keyed by seed and name, common to every arm."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.experiment import compare, replicate, sweep
from ketensim.experiment.variants import parse_vary
from ketensim.exceptions import ScenarioError
from ketensim.scenario import load_scenario
from ketensim.scenario.uncertain import Uncertain, draw, unit_draw

RANGES = """
[behaviour.aanbieder]
deadline_compliance = { low = 0.5, high = 0.99 }
retour_hours = { median = { dist = "triangular", low = 1, mode = 2, high = 6 }, p90 = 16 }

[hubs.ib]
transit_minutes = { dist = "lognormal", median = 2, p90 = 10, high = 120 }
"""
NAMES = ["population.clients", "behaviour.aanbieder.retour_hours.median", "behaviour.aanbieder.deadline_compliance",
         "behaviour.ib.transit_minutes"]


def _write(writer: Callable[..., Path], folder: Path, extra: str = RANGES, name: str = "ranges.toml",
           edit: tuple[str, str] = ("clients = 300", "clients = { low = 200, high = 400 }")) -> Path:
    path = writer(folder, name, edit)
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ranged_path(tmp_path_factory: pytest.TempPathFactory, tiny_writer: Callable[..., Path]) -> Path:
    return _write(tiny_writer, tmp_path_factory.mktemp("ranges"))


class TestReading:
    def test_ranges_are_kept_with_their_nominal_value_in_place(self, ranged_path: Path) -> None:
        """The scenario holds the midpoint / mode / median in place and every range by its dotted name."""
        s = load_scenario(ranged_path)
        assert [u.path for u in s.uncertain] == NAMES
        assert s.population.clients == 300 and isinstance(s.population.clients, int)
        assert s.behaviour.aanbieder.deadline_compliance == pytest.approx(0.745)
        assert s.behaviour.aanbieder.retour_hours.median == 2.0 and s.behaviour.aanbieder.retour_hours.p90 == 16.0
        assert s.behaviour.ib.transit_minutes == 2.0
        assert s.uncertain[0] == Uncertain("population.clients", "uniform", low=200.0, high=400.0, whole=True)

    @pytest.mark.parametrize("line, message", [
        # low above high
        ("deadline_compliance = { low = 0.99, high = 0.5 }",
         "behaviour.aanbieder.deadline_compliance.high: 0.5 is not above low 0.99; expected low < high"),
        # a probability above 1
        ("deadline_compliance = { low = 0.5, high = 1.2 }",
         "behaviour.aanbieder.deadline_compliance.high: 1.2 is out of range; expected a number between 0 and 1"),
        # the mode outside the range
        ('deadline_compliance = { dist = "triangular", low = 0.5, mode = 0.95, high = 0.9 }',
         "behaviour.aanbieder.deadline_compliance.mode: 0.95 lies outside low 0.5 .. high 0.9; expected low <= mode <= high"),
        # an unknown distribution
        ('deadline_compliance = { dist = "beta", low = 0.5, high = 0.9 }',
         "behaviour.aanbieder.deadline_compliance.dist: unknown value 'beta'; expected one of uniform, triangular, "
         "lognormal"),
        # a lognormal must be truncated
        ('deadline_compliance = { dist = "lognormal", median = 0.5, p90 = 0.9 }',
         "behaviour.aanbieder.deadline_compliance.high: missing; a lognormal is truncated at high"),
        # an unknown key in the range
        ("deadline_compliance = { low = 0.5, high = 0.9, mean = 0.7 }",
         "behaviour.aanbieder.deadline_compliance.mean: unknown key; expected one of: dist, high, low"),
        # a median range that can pass its p90
        ("retour_hours = { median = { low = 1, high = 30 }, p90 = 16 }",
         "behaviour.aanbieder.retour_hours.median: a median up to 30 can exceed a p90 of 16"),
        # a p90 range that can fall below its median
        ("retour_hours = { median = 4, p90 = { low = 2, high = 20 } }",
         "behaviour.aanbieder.retour_hours.p90: a median up to 4 can exceed a p90 of 2"),
    ])
    def test_bad_range_is_one_clear_line(self, tiny_writer: Callable[..., Path], tmp_path: Path, line: str, message: str) -> None:
        key = line.split(" = ", 1)[0]
        extra = "\n".join(line if row.startswith(key + " =") else row for row in RANGES.splitlines())
        path = _write(tiny_writer, tmp_path, extra)
        result = CliRunner().invoke(cli, ["scenario", "check", str(path)])
        assert result.exit_code != 0
        fails = [row for row in result.output.splitlines() if row.startswith("FAIL")]
        assert len(fails) == 1, result.output
        assert message in fails[0]

    def test_show_lists_the_ranges(self, ranged_path: Path) -> None:
        result = CliRunner().invoke(cli, ["scenario", "show", str(ranged_path)])
        assert result.exit_code == 0, result.output
        assert "  population.clients: uniform 200..400 (300)" in result.output
        assert "  behaviour.ib.transit_minutes: lognormal median 2, p90 10, truncated 0..120 (2)" in result.output

    def test_whole_number_parameter_needs_whole_bounds(self, tiny_writer: Callable[..., Path], tmp_path: Path) -> None:
        path = _write(tiny_writer, tmp_path, edit=("clients = 300", "clients = { low = 200.5, high = 400 }"))
        with pytest.raises(ScenarioError, match=r"population\.clients\.low: 200\.5 is not a whole number"):
            load_scenario(path)

    def test_range_outside_the_world_sections_is_refused(self, tiny_writer: Callable[..., Path], tmp_path: Path) -> None:
        path = _write(tiny_writer, tmp_path, "", edit=("share = 0.3", "share = { low = 0.1, high = 0.3 }"))
        with pytest.raises(ScenarioError, match=r"injection\[1\]\.share: expected a number \(a range is allowed only "
                                                r"in \[population\], \[behaviour\.\*\] and \[hubs\.\*\]\)"):
            load_scenario(path)

    def test_largest_draw_must_stay_runnable(self, tiny_writer: Callable[..., Path], tmp_path: Path) -> None:
        path = _write(tiny_writer, tmp_path, edit=("clients = 300", "clients = { low = 200, high = 4000000 }"))
        with pytest.raises(ScenarioError, match=r"population\.clients: 4000000 is out of range"):
            load_scenario(path)


class TestDraws:
    def test_same_seed_same_draws_and_within_range(self, ranged_path: Path) -> None:
        s = load_scenario(ranged_path)
        first, draws = draw(s, 12345)
        again, draws_again = draw(s, 12345)
        assert draws == draws_again and first == again and not first.uncertain
        assert list(draws) == NAMES
        assert 200 <= draws["population.clients"] <= 400 and isinstance(draws["population.clients"], int)
        assert first.population.clients == draws["population.clients"]
        assert 0.5 <= draws["behaviour.aanbieder.deadline_compliance"] <= 0.99
        assert draw(s, 12346)[1] != draws

    def test_draw_depends_on_seed_and_name_only(self) -> None:
        assert unit_draw(7, "population.clients") == unit_draw(7, "population.clients")
        assert unit_draw(7, "population.clients") != unit_draw(7, "population.aanbieders")
        assert 0 < unit_draw(7, "x") < 1

    def test_distributions_follow_their_shape(self) -> None:
        """Quantiles: uniform is linear, triangular peaks at the mode, lognormal has its median at u = 0.5."""
        uniform = Uncertain("a", "uniform", low=2.0, high=4.0)
        assert uniform.value(0.25) == pytest.approx(2.5)
        triangle = Uncertain("a", "triangular", low=0.0, high=10.0, mode=2.0)
        assert triangle.value(0.2) == pytest.approx(2.0)  # F(mode) = (mode - low) / (high - low)
        lognormal = Uncertain("a", "lognormal", median=4.0, p90=12.0, low=0.0, high=1e9)
        assert lognormal.value(0.5) == pytest.approx(4.0, rel=1e-6)
        assert lognormal.value(0.9) == pytest.approx(12.0, rel=1e-6)
        whole = Uncertain("a", "uniform", low=1.0, high=3.0, whole=True)
        assert sorted({whole.value(u / 100) for u in range(1, 100)}) == [1.0, 2.0, 3.0]

    def test_draws_are_columns_and_identical_for_any_workers(self, ranged_path: Path, tmp_path: Path) -> None:
        """run -n 4 --workers 1 and --workers 2 write byte-identical replications.csv with a column per parameter."""
        outs = []
        for workers in ("1", "2"):
            out = tmp_path / f"w{workers}"
            result = CliRunner().invoke(cli, ["run", str(ranged_path), "-n", "4", "--workers", workers, "--xml", "off",
                                              "--out", str(out)])
            assert result.exit_code == 0, result.output
            outs.append(out)
        one, two = ((o / "replications.csv").read_bytes() for o in outs)
        assert one == two
        rows = list(csv.DictReader((outs[0] / "replications.csv").open()))
        assert list(rows[0])[2:6] == NAMES
        s = load_scenario(ranged_path)
        for row in rows:
            assert draw(s, int(row["seed"]))[1]["population.clients"] == int(row["population.clients"])
        summary = json.loads((outs[0] / "summary.json").read_text())
        assert [u["path"] for u in summary["resolved_scenario"]["uncertain"]] == NAMES

    def test_single_run_records_its_draws_and_the_ranges(self, ranged_path: Path, tmp_path: Path) -> None:
        result = CliRunner().invoke(cli, ["run", str(ranged_path), "--seed", "5", "--xml", "off",
                                          "--out", str(tmp_path / "one")])
        assert result.exit_code == 0, result.output
        assert "parameter draws: population.clients = " in result.output
        data = json.loads((tmp_path / "one" / "result.json").read_text())
        assert data["parameter_draws"] == draw(load_scenario(ranged_path), 5)[1]
        assert data["resolved_scenario"]["uncertain"][0]["high"] == 400.0


class TestCommonDraws:
    def test_both_arms_of_a_comparison_see_the_same_draws(self, tiny_writer: Callable[..., Path], ranged_path: Path, tmp_path: Path) -> None:
        other = _write(tiny_writer, tmp_path, RANGES.replace("p90 = 16", "p90 = 40"), name="b.toml")
        c = compare(load_scenario(ranged_path), load_scenario(other), 3, root_seed=2, workers=1, progress=False)
        assert [o.draws for o in c.a.outcomes] == [o.draws for o in c.b.outcomes]
        assert len({o.draws["population.clients"] for o in c.a.outcomes}) > 1

    def test_every_sweep_point_sees_the_baseline_draws_and_a_swept_parameter_is_fixed(self, ranged_path: Path,
                                                                                       tmp_path: Path) -> None:
        s = load_scenario(ranged_path)
        w = sweep(s, [parse_vary("behaviour.aanbieder.deadline_compliance=0.6,0.9", s),
                      parse_vary("heen_block=-2h", s)], 2, root_seed=4, workers=1, progress=False)
        base = [o.draws for o in w.baseline.outcomes]
        for p in w.points:
            assert p.experiment is not None
            drawn = [o.draws for o in p.experiment.outcomes]
            if p.parameter == "heen_block":
                assert drawn == base
            else:  # the swept parameter no longer draws; the others draw as in the baseline
                assert "behaviour.aanbieder.deadline_compliance" not in drawn[0]
                assert drawn == [{k: v for k, v in d.items() if k != "behaviour.aanbieder.deadline_compliance"}
                                 for d in base]
        w.write(tmp_path)
        rows = list(csv.DictReader((tmp_path / "sweep_replications.csv").open()))
        fixed = [r for r in rows if r["parameter"] == "behaviour.aanbieder.deadline_compliance"]
        assert fixed and all(r["behaviour.aanbieder.deadline_compliance"] == "" for r in fixed)
        assert all(r["population.clients"] for r in rows)

    def test_without_ranges_nothing_is_drawn(self, tiny) -> None:  # type: ignore[no-untyped-def]
        e = replicate(tiny, 2, workers=1, progress=False)
        assert e.draw_names == [] and "population.clients" not in e.records()[0]
