"""The experiment commands: compare, sweep, report, and the `run -n` entry point."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ketensim.cli import experiment_cmd
from ketensim.cli.experiment_cmd import run_replications_cli
from ketensim.scenario.model import Scenario


@pytest.mark.parametrize("command", experiment_cmd.COMMANDS, ids=lambda c: c.name)
def test_every_command_has_help_with_an_example(command: click.Command) -> None:
    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_run_replications_prints_and_writes(tiny: Scenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ketensim.outdir import OutputTarget

    with OutputTarget(tmp_path / "out") as target:
        run_replications_cli(tiny, 3, 1, 11, target, False)
    out = capsys.readouterr().out
    assert "3 replications  root seed 11  workers 1  xml off" in out
    assert "broken pairs (gebroken berichtparen)" in out and "95% CI" in out
    assert "P(broken pairs > 0) = " in out
    assert "injection 2 corrupt: took effect in 0 of 3 replications" in out and "touched nothing" in out
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["root_seed"] == 11


def test_compare_command(tiny_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(experiment_cmd.compare, [str(tiny_path), str(tiny_path), "-n", "2", "--workers",
                                                         "1", "--xml", "off", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "2 replications each on the same seeds" in result.output
    assert "P(B worse)" in result.output
    assert (tmp_path / "compare.json").is_file() and (tmp_path / "A" / "series.csv").is_file()


def test_sweep_command_writes_charts(tiny_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(experiment_cmd.sweep, [str(tiny_path), "--vary", "retour_block=0h,6h", "--vary",
                                                       "block:3.2.2=-1h", "-n", "1", "--workers", "1", "--out",
                                                       str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "skipped: deadline[6] (3.1.4).at" in result.output
    for name in ("sweep.json", "sweep.csv", "sweep_replications.csv", "sweep_line.png", "sweep_tornado.png"):
        assert (tmp_path / name).is_file(), name
    assert (tmp_path / "sweep_line.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_unknown_path_is_a_usage_error(tiny_path: Path) -> None:
    result = CliRunner().invoke(experiment_cmd.sweep, [str(tiny_path), "--vary", "behaviour.aanbieder.snelheid=1"])
    assert result.exit_code == 2
    assert "Invalid value for --vary: unknown name 'behaviour.aanbieder.snelheid'" in result.output
    assert "behaviour.aanbieder.retour_hours.median" in result.output


def test_sweep_unknown_metric_is_a_usage_error(tiny_path: Path) -> None:
    result = CliRunner().invoke(experiment_cmd.sweep, [str(tiny_path), "--vary", "retour_block=0h", "--metric", "x"])
    assert result.exit_code == 2 and "Invalid value for '--metric': 'x' is not one of 'messages'" in result.output


def test_report_on_a_directory_that_is_not_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(experiment_cmd.report, [str(tmp_path)])
    assert result.exit_code == 1
    assert "no summary.json, compare.json, sweep.json, sobol.json, optimize.json or result.json" in str(result.exception)
