"""The CLI shows the numbers the report shows: same rounding, no interval below two replications, no negative counts."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.textutil import figure


def test_figure_uses_the_rounding_of_the_report() -> None:
    from ketensim.report.texts import nl

    for value in (0.0547, 6.25, 14.3, 3488.4, 1234567.0, -0.4, 0.0):
        assert figure(value).replace(",", "_").replace(".", ",").replace("_", ".") == nl(value).replace("−", "-")


def test_compare_with_one_replication_claims_no_interval(tiny_path: Path) -> None:
    result = CliRunner().invoke(cli, ["compare", str(tiny_path), str(tiny_path), "-n", "1", "--workers", "1"])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("broken pairs")]
    assert rows and " .. " not in rows[0]


def test_intervals_of_counts_are_not_negative(tiny_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", str(tiny_path), "-n", "3", "--workers", "1", "--xml", "off"])
    assert result.exit_code == 0, result.output
    lows = re.findall(r"\s(-?[\d.,]+) \.\. ", result.output)
    assert lows and all(not low.startswith("-") for low in lows)
