"""`scenario show` and `scenario plot` work on every bundled scenario."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim._resources import bundled_scenarios
from ketensim.cli import cli
from ketensim.scenario import load_scenario
from ketensim.scenario.rows import timeline_rows


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_show_lists_every_row(path: Path) -> None:
    result = CliRunner().invoke(cli, ["scenario", "show", str(path)])
    assert result.exit_code == 0, result.output
    scenario = load_scenario(path)
    rows = timeline_rows(scenario)
    assert len(rows) == 3 + 1 + len(scenario.deadlines) + len(scenario.blocks) + len(scenario.portals) + len(
        scenario.batches) + len(scenario.milestones)
    header = result.output.splitlines()[3]
    assert header.split() == ["phase", "what", "when", "actor", "messages", "kind", "origin"]
    # every row's weekday + date + time appears
    for row in rows:
        assert row.when in result.output
    assert ("assumed rows:" in result.output) == any(r.provenance.assumed for r in rows)


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_plot_draws_a_png(path: Path, tmp_path: Path) -> None:
    out = tmp_path / f"{path.stem}.png"
    result = CliRunner().invoke(cli, ["scenario", "plot", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 20_000  # a real chart, not an empty canvas
