"""Robust comparisons (P(B better), verdict, what flips it) and Sobol indices (`ketensim sensitivity`), end to end."""

from __future__ import annotations

import csv
import html
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.experiment.robust import best_split, robustness

DOMINANT = """
[behaviour.aanbieder]
deadline_compliance = { low = 0.0, high = 1.0 }

[hubs.ib]
transit_minutes = { low = 1, high = 3 }
"""


def _scenario(writer: Callable[..., Path], folder: Path, extra: str, name: str,
              edit: tuple[str, str] | None = None) -> Path:
    path = writer(folder, name, edit)
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


class TestRobustness:
    def test_a_threshold_that_flips_the_sign_is_found(self) -> None:
        """B is better (fewer broken pairs) below x = 0.5 and worse above: the split lies between 0.4 and 0.6."""
        xs = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]
        noise = [0.3, 0.1, 0.4, 0.8, 0.2, 0.5, 0.9, 0.6]  # a second parameter that explains nothing
        diffs = [-2.0, -1.0, -2.0, -1.0, 2.0, 1.0, 2.0, 1.0]
        split = best_split("x", xs, diffs, "higher_is_worse")
        assert split is not None and split.flips and split.threshold == pytest.approx(0.5)
        assert (split.below_b_better, split.above_b_better) == (1.0, 0.0)
        r = robustness("broken_pairs", "higher_is_worse", [5.0] * 8, [5.0 + d for d in diffs],
                       {"x": xs, "noise": noise})
        assert r.verdict == "none" and r.better.p == 0.5
        assert [s.parameter for s in r.flipping()][0] == "x"
        assert r.flipping()[0].gain > r.splits[-1].gain or len(r.flipping()) == 1

    def test_robust_verdict_needs_95_percent_of_draws(self) -> None:
        a = [3.0] * 20
        nineteen = [2.0] * 19 + [3.0]  # B better in 19 of 20 draws: 95%
        eighteen = [2.0] * 18 + [3.0, 3.0]  # 90%
        assert robustness("broken_pairs", "higher_is_worse", a, nineteen, {}).verdict == "b_better"
        assert robustness("broken_pairs", "higher_is_worse", a, eighteen, {}).verdict == "none"
        worse = robustness("broken_pairs", "higher_is_worse", a, [4.0] * 20, {})
        assert worse.verdict == "a_better" and not worse.confirmed  # 20 draws cannot confirm 95% (Wilson)
        assert worse.over.startswith("seeds only")
        one = robustness("broken_pairs", "higher_is_worse", [3.0], [2.0], {})
        assert one.verdict == "too_few" and not one.confirmed  # one draw cannot make a verdict robust

    def test_compare_cli_reports_robustness_and_the_dutch_report_says_it(self, tiny_writer: Callable[..., Path], tmp_path: Path) -> None:
        """B's retours take far longer in the tail (p90 16 -> 60 h): B is never better; no robust difference or A."""
        a = _scenario(tiny_writer, tmp_path, DOMINANT, "a.toml")
        b = _scenario(tiny_writer, tmp_path, DOMINANT.replace("[hubs.ib]", "retour_hours = { median = 2, p90 = 60 }\n\n[hubs.ib]"),
                      "b.toml")
        out = tmp_path / "cmp"
        result = CliRunner().invoke(cli, ["compare", str(a), str(b), "-n", "6", "--workers", "1", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "robust? broken_pairs over seeds and uncertain parameters, 6 joint draws:" in result.output
        assert "P(B better than A) = 0.0% (95% Wilson over replications 0.0% .. 39.0%)" in result.output
        data = json.loads((out / "compare.json").read_text())
        robust = data["robust"]
        assert robust["parameters"] == ["behaviour.aanbieder.deadline_compliance", "behaviour.ib.transit_minutes"]
        assert robust["p_b_better"] == 0.0 and robust["interval_method"].startswith("Wilson")
        rows = list(csv.DictReader((out / "compare_robust.csv").open()))
        assert {r["parameter"] for r in rows} == set(robust["parameters"]) and sum(int(r["n"]) for r in rows) == 12
        page = tmp_path / "r.html"
        assert CliRunner().invoke(cli, ["report", str(out), "-o", str(page)]).exit_code == 0
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert "Is het oordeel robuust?" in text
        assert "Kans dat B beter is dan A, gemeten over 6 trekkingen van de seeds én van de onzekere parameters" in text
        if robust["verdict"] == "none":
            assert "Er is geen robuust verschil" in text
        else:
            assert robust["verdict"] == "a_better" and "scenario A is in minstens 95,0% van de trekkingen beter" in text

    def test_without_ranges_it_says_seeds_only(self, tiny_path: Path, tmp_path: Path) -> None:
        out = tmp_path / "self"
        result = CliRunner().invoke(cli, ["compare", str(tiny_path), str(tiny_path), "-n", "3", "--workers", "1",
                                          "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "over seeds only (no uncertain parameters)" in result.output
        assert "verdict: no robust difference" in result.output
        page = tmp_path / "r.html"
        assert CliRunner().invoke(cli, ["report", str(out), "-o", str(page)]).exit_code == 0
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert "alleen over 3 seeds: deze scenario's hebben geen onzekere parameters" in text
        assert "Er is geen robuust verschil" in text


CLIENTS = ("clients = 300", "clients = { low = 100, high = 900 }")
TRANSIT = """
[hubs.ib]
transit_minutes = { low = 1, high = 3 }
"""


class TestSobol:
    def test_dominant_parameter_has_the_largest_total_index(self, tiny_writer: Callable[..., Path], tmp_path: Path) -> None:
        """100 to 900 clients drive the number of broken pairs; 1 to 3 minutes of IB transit do not."""
        path = _scenario(tiny_writer, tmp_path, TRANSIT, "dominant.toml", CLIENTS)
        out = tmp_path / "sobol"
        result = CliRunner().invoke(cli, ["sensitivity", str(path), "-N", "8", "--seed", "3", "--workers", "2",
                                          "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "2 uncertain parameters, N 8: 32 runs" in result.output
        assert "N 8 is small: these indices are rough estimates" in result.output
        rows = list(csv.DictReader((out / "sobol.csv").open()))
        assert rows[0]["parameter"] == "population.clients"
        assert float(rows[0]["ST"]) > float(rows[1]["ST"]) and float(rows[0]["ST_ci_low"]) > 0
        assert float(rows[0]["ST_ci_low"]) <= float(rows[0]["ST"]) <= float(rows[0]["ST_ci_high"])
        runs = list(csv.DictReader((out / "runs" / "replications.csv").open()))
        assert len(runs) == 32 and len({r["seed"] for r in runs}) == 1
        assert len({r["population.clients"] for r in runs}) > 8
        page = tmp_path / "s.html"
        assert CliRunner().invoke(cli, ["report", str(out), "-o", str(page)]).exit_code == 0
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert "<h2>Wat bepaalt de uitkomst?</h2>" in text and "Sobol-indices per onzekere parameter" in text
        assert "Het meest bepalend voor gebroken berichtparen is populatie: aantal cliënten" in text
        assert "ketensim sensitivity dominant.toml -N 8 --seed 3" in text

    def test_same_seed_same_indices_for_any_workers(self, tiny_writer: Callable[..., Path], tmp_path: Path) -> None:
        path = _scenario(tiny_writer, tmp_path, TRANSIT, "dominant.toml", CLIENTS)
        files = []
        for workers in ("1", "2"):
            out = tmp_path / f"w{workers}"
            result = CliRunner().invoke(cli, ["sensitivity", str(path), "-N", "4", "--workers", workers,
                                              "--out", str(out)])
            assert result.exit_code == 0, result.output
            files.append((out / "sobol.csv").read_bytes() + (out / "runs" / "replications.csv").read_bytes())
        assert files[0] == files[1]

    def test_needs_uncertain_parameters_and_a_power_of_two(self, tiny_path: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "ketensim", "sensitivity", str(tiny_path), "-N", "4"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.strip() == (f"error: {tiny_path}: no uncertain parameters; expected at least one number "
                                       "given as a range, e.g. deadline_compliance = { low = 0.85, high = 0.99 }")
        bad = CliRunner().invoke(cli, ["sensitivity", str(tiny_path), "-N", "6"])
        assert bad.exit_code == 2 and "6 is not a power of two" in bad.output
