"""``ketensim optimize``: targets, the sequential test, the grid of instants and a search with a known answer.

The known answer: ``known_boundary_tail.toml`` puts a small world on the 2022 draaiboek (retour
block Thu 31 Mar 2022 13:00) in which aanbieders answer every 301 in exactly 16 working hours
(08:30-17:00, 8.5 h a day), nobody hurries before a deadline, and gemeenten send a steady wave of
301s every working day. A heen read in just before a heen block on Mon 28 Mar 17:00 is answered by
Wed 30 Mar ~16:30, before the retour block: no pair breaks. With the heen block on Tue 29 Mar 17:00
a heen read in at Tue 16:00 is answered Thu 15:00, after the retour block: pairs break in every
replication. So the latest safe heen block on a grid of working days is Mon 28 Mar 2022 17:00.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim._resources import scenario_path
from ketensim.cli import cli
from ketensim.experiment.moves import candidates, parse_move, parse_step
from ketensim.experiment.targets import FAILS, MEETS, UNDECIDED, clopper_pearson, decide, parse_target
from ketensim.scenario import load_scenario
from ketensim.scenario.model import Scenario
from ketensim.timeline import AMSTERDAM

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def known_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
    text = text.replace('id = "2022-3.0-3.1"', 'id = "known-boundary"', 1)
    path = tmp_path_factory.mktemp("known") / "known.toml"
    path.write_text(text + (HERE / "known_boundary_tail.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def draaiboek() -> Scenario:
    return load_scenario("2022-3.0-3.1")


class TestTarget:
    def test_probability_target(self) -> None:
        t = parse_target("P(broken_pairs > 0) <= 5%")
        assert (t.kind, t.metric, t.event_op, t.event_value, t.op, t.bound) == ("probability", "broken_pairs", ">",
                                                                                0.0, "<=", 0.05)
        assert t.event(1) and not t.event(0)

    def test_mean_target(self) -> None:
        t = parse_target("broken_pairs<=2")
        assert (t.kind, t.metric, t.op, t.bound) == ("mean", "broken_pairs", "<=", 2.0)

    @pytest.mark.parametrize("text, says", [
        ("broken <= 2", "unknown metric 'broken'"),  # a metric that does not exist
        ("P(broken_pairs > 0) <= 1.5", "outside 0..1"),  # a probability above 1
        ("broken_pairs == 2", "is not a target"),  # no such comparison
    ])
    def test_bad_target_says_what_was_expected(self, text: str, says: str) -> None:
        with pytest.raises(ValueError, match=says):
            parse_target(text)


class TestDecide:
    def test_clopper_pearson_zero_of_n(self) -> None:
        low, high = clopper_pearson(0, 59, 0.90)
        assert low == 0.0 and high == pytest.approx(1 - 0.05 ** (1 / 59))

    def test_meets_fails_and_undecided(self) -> None:
        t = parse_target("P(broken_pairs > 0) <= 0.2")
        assert decide(t, [0.0] * 40, 0.95, 1).verdict == MEETS
        assert decide(t, [3.0] * 10, 0.95, 1).verdict == FAILS
        assert decide(t, [0.0] * 5, 0.95, 1).verdict == UNDECIDED

    def test_more_looks_widen_each_interval(self) -> None:
        t = parse_target("P(broken_pairs > 0) <= 0.2")
        one, ten = decide(t, [0.0] * 20, 0.95, 1), decide(t, [0.0] * 20, 0.95, 10)
        assert ten.confidence == pytest.approx(0.995) and ten.ci_high > one.ci_high  # type: ignore[operator]

    def test_mean_target_with_one_value_claims_no_interval(self) -> None:
        e = decide(parse_target("broken_pairs <= 2"), [1.0], 0.95, 1)
        assert e.verdict == UNDECIDED and e.ci_low is None


class TestGrid:
    def test_working_days_keep_the_clock_time_and_skip_the_weekend(self, draaiboek: Scenario) -> None:
        move = parse_move("heen_block", draaiboek)
        grid = candidates(draaiboek, move, 3, parse_step("1d"))
        got = [(c.at.strftime("%a %d %H:%M"), c.scenario is not None) for c in grid]
        assert got == [("Fri 25 17:00", True), ("Mon 28 17:00", True), ("Tue 29 17:00", True),
                       ("Wed 30 17:00", True), ("Thu 31 17:00", False), ("Fri 01 17:00", False),
                       ("Mon 04 17:00", False)]
        assert "expected the retour block at or after the heen block" in grid[4].reason

    def test_the_variant_moves_the_heen_block_to_the_candidate(self, draaiboek: Scenario) -> None:
        grid = candidates(draaiboek, parse_move("heen_block", draaiboek), 1, parse_step("1d"))
        first = grid[0]
        assert first.scenario is not None
        blocks = [b.at for b in first.scenario.blocks if "301" in b.messages]
        assert blocks == [datetime(2022, 3, 29, 17, 0, tzinfo=AMSTERDAM)]

    def test_working_hours_stay_in_office_time(self, draaiboek: Scenario) -> None:
        grid = candidates(draaiboek, parse_move("heen_block", draaiboek), 10, parse_step("4h"))
        for c in grid:
            local = c.at.astimezone(AMSTERDAM)
            assert local.weekday() < 5 and (8, 30) <= (local.hour, local.minute) <= (17, 0), c.label

    def test_retour_block_gets_riskier_earlier(self, draaiboek: Scenario) -> None:
        move = parse_move("retour_block", draaiboek)
        grid = candidates(draaiboek, move, 2, parse_step("1d"))
        assert move.riskier == "earlier" and grid[0].at > grid[-1].at

    def test_unknown_move_and_deadline(self, draaiboek: Scenario) -> None:
        with pytest.raises(ValueError, match="unknown move 'blok'"):
            parse_move("blok", draaiboek)
        with pytest.raises(ValueError, match="no deadline with id '9.9'"):
            parse_move("deadline:9.9", draaiboek)


def _optimize(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["optimize", *args], standalone_mode=True)
    return result.exit_code, result.stdout, result.stderr if hasattr(result, "stderr") else ""


class TestKnownAnswer:
    def test_latest_safe_heen_block_end_to_end(self, known_path: Path, tmp_path: Path) -> None:
        """The CLI finds Mon 28 Mar 17:00 and shows the failing Tue 29 Mar next to it."""
        out = tmp_path / "opt"
        code, text, _ = _optimize([str(known_path), "--move", "heen_block", "--target", "P(broken_pairs > 0) <= 0.2",
                                   "--steps", "2", "--batch", "10", "--max-replications", "40", "--workers", "1",
                                   "--out", str(out)])
        assert code == 0, text
        assert "latest safe heen_block: Mon 28 Mar 2022 17:00, meets P(broken_pairs > 0) <= 0.2" in text
        assert "evidence at Tue 29 Mar 2022 17:00: fails, P 100.0%" in text
        assert "skipped: block[3] (3.2.2).at" in text
        data = json.loads((out / "optimize.json").read_text())
        assert data["status"] == "found" and data["answer"]["label"] == "Mon 28 Mar 2022 17:00"
        assert data["answer"]["n"] == 30 and data["answer"]["k"] == 0
        assert data["replications_total"] == 50 and f"{data['replications_total']} replications in total" in text
        rows = list(csv.DictReader((out / "optimize.csv").open()))
        assert [r["status"] for r in rows] == ["meets", "fails", "fails", "skipped", "skipped"]
        reps = list(csv.DictReader((out / "optimize_replications.csv").open()))
        seeds = {i: [r["seed"] for r in reps if r["instant"] == i] for i in {r["instant"] for r in reps}}
        first_ten = {tuple(s[:10]) for s in seeds.values()}
        assert len(first_ten) == 1, "every candidate runs on the same seeds"
        summary = json.loads((out / "answer" / "summary.json").read_text())
        assert summary["n"] == 30 and summary["metrics"]["broken_pairs"]["max"] == 0
        result = CliRunner().invoke(cli, ["report", str(out), "-o", str(tmp_path / "r.html")])
        assert result.exit_code == 0, result.output
        page = (tmp_path / "r.html").read_text()
        assert ("Het laatste veilige moment voor de blokkade van de heenberichten is ma 28 mrt 2022 17:00: daar "
                "geldt met 95% zekerheid dat de kans op meer dan 0 gebroken berichtparen hooguit 20,0% is") in page
        assert "di 29 mrt 2022 17:00: voldoet niet" in page

    def test_replications_file_lists_the_draws(self, known_path: Path, tmp_path: Path) -> None:
        """With an uncertain parameter every row shows its draw, the same for replication i at every instant."""
        text = known_path.read_text(encoding="utf-8").replace(
            "clients = 200", "clients = 200\nijw_share = { low = 0.2, high = 0.8 }", 1)
        ranged = tmp_path / "ranged.toml"
        ranged.write_text(text, encoding="utf-8")
        out = tmp_path / "opt"
        code, output, _ = _optimize([str(ranged), "--move", "heen_block", "--target", "broken_pairs <= 1000",
                                     "--steps", "1", "--batch", "2", "--max-replications", "2", "--workers", "1",
                                     "--out", str(out)])
        assert code == 0, output
        reps = list(csv.DictReader((out / "optimize_replications.csv").open()))
        assert reps and "population.ijw_share" in reps[0]
        by_index: dict[str, set[str]] = {}
        for r in reps:
            assert 0.2 <= float(r["population.ijw_share"]) <= 0.8
            by_index.setdefault(r["index"], set()).add(r["population.ijw_share"])
        assert len({r["instant"] for r in reps}) >= 2
        assert all(len(v) == 1 for v in by_index.values()), "replication i draws the same value at every instant"
        assert len({next(iter(v)) for v in by_index.values()}) == len(by_index), "replications draw apart"

    def test_mean_target_and_gap(self, known_path: Path) -> None:
        code, text, _ = _optimize([str(known_path), "--move", "gap", "--target", "broken_pairs <= 0.5", "--steps", "2",
                                   "--batch", "4", "--max-replications", "8", "--workers", "1"])
        assert code == 0, text
        assert "smallest safe gap: 68 h (heen block Mon 28 Mar 2022 17:00)" in text

    def test_bad_target_is_one_line_and_exit_2(self, known_path: Path) -> None:
        result = CliRunner().invoke(cli, ["optimize", str(known_path), "--move", "heen_block", "--target", "x < 1"])
        assert result.exit_code == 2
        assert "Invalid value for --target: 'x < 1': unknown metric 'x'" in result.output
