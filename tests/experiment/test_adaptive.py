"""``-n auto``: batches until every interval meets its target or the cap; identical to a fixed -n of the same size.

Also: with fewer than two replications no interval is claimed in any file or table, and the
interval of a count never goes below zero.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.experiment.adaptive import next_n, parse_precision
from ketensim.experiment.stats import summarize_mean, summarize_proportion


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output


def _same_files(a: Path, b: Path, names: list[str]) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


class TestPrecisionSpec:
    def test_bare_value_is_an_absolute_half_width_of_the_headline(self) -> None:
        p = parse_precision("0.5")
        assert (p.metric, p.value, p.relative, p.target(10)) == ("broken_pairs", 0.5, False, 0.5)

    def test_percent_is_relative_for_a_mean(self) -> None:
        p = parse_precision("outcome_closed_in_time=10%")
        assert p.relative and p.target(3000) == pytest.approx(300)

    def test_percent_is_percentage_points_for_a_proportion(self) -> None:
        p = parse_precision("broken_pairs_gt_0=5%")
        assert p.proportion and not p.relative and p.target(0.5) == pytest.approx(0.05)

    @pytest.mark.parametrize("text, says", [
        ("broken=1", "unknown metric 'broken'"),  # not a metric
        ("0", "must be > 0"),  # a half-width of nothing can never be reached
        ("fast", "is not a precision"),  # not a number
    ])
    def test_bad_precision(self, text: str, says: str) -> None:
        with pytest.raises(ValueError, match=says):
            parse_precision(text)

    def test_next_size_adds_whole_batches_and_at_most_doubles(self) -> None:
        assert next_n(10, 10, 10, 1000) == 20  # nothing estimated: one batch
        assert next_n(10, 95, 10, 1000) == 20  # estimate far ahead: at most double
        assert next_n(40, 53, 10, 1000) == 60  # towards the estimate, in whole batches
        assert next_n(40, 53, 10, 45) == 45  # never past the cap


class TestRunAuto:
    def test_auto_equals_a_fixed_run_of_the_same_size(self, tiny_path: Path, tmp_path: Path) -> None:
        code, text = _run(["run", str(tiny_path), "-n", "auto", "--precision", "0.6", "--batch", "4", "--workers", "1",
                           "--xml", "off", "--out", str(tmp_path / "auto")])
        assert code == 0, text
        stop = json.loads((tmp_path / "auto" / "stopping.json").read_text())
        assert stop["reason"] == "precise" and stop["n"] % 4 == 0 and stop["targets"] == ["0.6"]
        assert (f"-n auto: stopped after {stop['n']} replications: every interval meets its --precision target (0.6); "
                "the precision notes compare with their default targets") in text
        summary = json.loads((tmp_path / "auto" / "summary.json").read_text())
        assert summary["metrics"]["broken_pairs"]["half_width"] <= 0.6
        code, fixed = _run(["run", str(tiny_path), "-n", str(stop["n"]), "--workers", "1", "--xml", "off",
                            "--out", str(tmp_path / "fixed")])
        assert code == 0, fixed
        _same_files(tmp_path / "auto", tmp_path / "fixed",
                    ["summary.json", "summary.csv", "replications.csv", "breakdowns.csv", "series.csv"])

    def test_the_cap_stops_it_and_says_which_intervals_are_wide(self, tiny_path: Path, tmp_path: Path) -> None:
        code, text = _run(["run", str(tiny_path), "-n", "auto", "--precision", "0.01", "--batch", "3",
                           "--max-replications", "5", "--workers", "1", "--xml", "off", "--out", str(tmp_path)])
        assert code == 0, text
        assert "-n auto: stopped at the cap of 5 replications: 1 interval(s) still wider than the target: " \
               "broken_pairs: ±" in text
        stop = json.loads((tmp_path / "stopping.json").read_text())
        assert (stop["reason"], stop["n"]) == ("cap", 5)

    def test_precision_without_auto_is_a_usage_error(self, tiny_path: Path) -> None:
        code, text = _run(["run", str(tiny_path), "-n", "3", "--precision", "0.5"])
        assert code == 2 and "--precision needs -n auto (got -n 3)" in text

    def test_n_must_be_a_number_or_auto(self, tiny_path: Path) -> None:
        code, text = _run(["run", str(tiny_path), "-n", "veel"])
        assert code == 2 and "'veel' is neither a whole number nor 'auto'" in text


class TestCompareAndSweepAuto:
    def test_compare_auto_targets_the_paired_difference(self, tiny_path: Path, tmp_path: Path) -> None:
        code, text = _run(["compare", str(tiny_path), str(tiny_path), "-n", "auto", "--batch", "2", "--workers", "1",
                           "--out", str(tmp_path)])
        assert code == 0, text
        # a scenario against itself: every difference is exactly zero after the first batch
        assert "-n auto: stopped after 2 replications: every interval meets the default target of the notes" in text
        assert json.loads((tmp_path / "stopping.json").read_text())["reason"] == "precise"

    def test_sweep_auto_equals_a_fixed_sweep(self, tiny_path: Path, tmp_path: Path) -> None:
        args = [str(tiny_path), "--vary", "retour_block=-19h,0h", "--workers", "1"]
        code, text = _run(["sweep", *args, "-n", "auto", "--precision", "1.5", "--batch", "3", "--max-replications",
                           "9", "--out", str(tmp_path / "auto")])
        assert code == 0, text
        n = json.loads((tmp_path / "auto" / "stopping.json").read_text())["n"]
        assert "-n auto: stopped " in text and n in (3, 6, 9)
        code, text = _run(["sweep", *args, "-n", str(n), "--out", str(tmp_path / "fixed")])
        assert code == 0, text
        _same_files(tmp_path / "auto", tmp_path / "fixed", ["sweep.json", "sweep.csv", "sweep_replications.csv"])


class TestNoIntervalBelowTwo:
    def test_summaries_claim_no_interval_for_one_value(self) -> None:
        m = summarize_mean([3.0])
        assert (m.ci_low, m.ci_high, m.half_width) == (None, None, None)
        p = summarize_proportion(1, 1)
        assert (p.ci_low, p.ci_high, p.precise_enough) == (None, None, False)

    def test_compare_with_one_replication_prints_and_writes_no_interval(self, tiny_path: Path, tmp_path: Path) -> None:
        code, text = _run(["compare", str(tiny_path), str(tiny_path), "-n", "1", "--workers", "1", "--out",
                           str(tmp_path)])
        assert code == 0, text
        row = next(line for line in text.splitlines() if line.startswith("broken pairs"))
        assert row.split()[-2:] == ["-", "-"] or " - " in row
        data = json.loads((tmp_path / "compare.json").read_text())
        assert data["metrics"]["broken_pairs"]["diff_ci_low"] is None
        summary = json.loads((tmp_path / "A" / "summary.json").read_text())
        assert summary["metrics"]["broken_pairs"]["ci_low"] is None
        assert summary["proportions"]["broken_pairs_gt_0"]["ci_low"] is None
        code, text = _run(["report", str(tmp_path), "-o", str(tmp_path / "r.html")])
        assert code == 0, text
        page = (tmp_path / "r.html").read_text()
        assert "geen interval" in page and "95%-interval" not in page and "95%-betrouwbaarheidsinterval" not in page

    def test_sweep_report_with_one_replication_claims_no_interval(self, tiny_path: Path, tmp_path: Path) -> None:
        code, text = _run(["sweep", str(tiny_path), "--vary", "retour_block=6h", "-n", "1", "--workers", "1", "--out",
                           str(tmp_path)])
        assert code == 0, text
        assert "(95% CI -)" in text
        code, text = _run(["report", str(tmp_path), "-o", str(tmp_path / "r.html")])
        assert code == 0, text
        assert "95%-interval" not in (tmp_path / "r.html").read_text()


class TestCountsNeverNegative:
    def test_a_count_interval_is_clamped_at_zero(self) -> None:
        values = [0.0, 0.0, 0.0, 0.0, 5.0]
        assert summarize_mean(values).ci_low < 0  # a difference may be negative
        m = summarize_mean(values, count=True)
        assert m.ci_low == 0.0 and m.half_width == pytest.approx(summarize_mean(values).half_width)

    def test_summary_json_has_no_negative_bound(self, tiny_path: Path, tmp_path: Path) -> None:
        code, text = _run(["run", str(tiny_path), "-n", "3", "--workers", "1", "--xml", "off", "--out", str(tmp_path)])
        assert code == 0, text
        summary = json.loads((tmp_path / "summary.json").read_text())
        lows = [m["ci_low"] for m in summary["metrics"].values()]
        lows += [m["ci_low"] for rows in summary["breakdowns"].values() for m in rows.values()]
        assert lows and min(lows) >= 0
