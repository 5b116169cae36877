"""Edge cases found in review: non-finite numbers, far offsets, one law only, answers, refused retours."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ketensim._resources import scenario_path
from ketensim.exceptions import ScenarioError
from ketensim.output import write_run
from ketensim.run import run_replication
from ketensim.scenario import load_scenario_text

BASE = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
SMALL = "\n[population]\ngemeenten = 4\naanbieders = 20\nclients = 800\n"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_refused(value: str) -> None:
    with pytest.raises(ScenarioError, match=rf"^x\.toml: behaviour\.gemeente\.retour_hours: {value} is not a finite"):
        load_scenario_text(BASE + f"\n[behaviour.gemeente]\nretour_hours = {value}\n", "x.toml")
    with pytest.raises(ScenarioError, match=r"^x\.toml: population\.new_per_month: nan is not a finite number"):
        load_scenario_text(BASE + "\n[population]\nnew_per_month = nan\n", "x.toml")


def test_an_offset_beyond_any_date_is_a_scenario_error() -> None:
    rows = '\n[[injection]]\nkind = "spoed"\nstart = "go_live - 1d"\nend = "go_live + 99999999d"\n'
    with pytest.raises(ScenarioError, match=r"^x\.toml: injection\[1\].end: 'go_live \+ 99999999d' lies beyond"):
        load_scenario_text(BASE + rows, "x.toml")


def test_a_portal_window_must_close_before_go_live() -> None:
    text = BASE.replace("start = 2022-03-31T14:00:00\nend = 2022-03-31T23:00:00",
                        "start = 2022-03-31T14:00:00\nend = 2022-04-05T23:00:00", 1)
    with pytest.raises(ScenarioError, match=r"portal\[1\] \(3\.1\.6\)\.end: .* is after go-live"):
        load_scenario_text(text, "x.toml")


def test_a_scenario_for_one_law_simulates_only_that_law() -> None:
    text = BASE.replace('standards = ["iwmo", "ijw"]', 'standards = ["ijw"]', 1) + SMALL
    result = run_replication(load_scenario_text(text, "x.toml"), seed=1, xml=False)
    assert result.pairs and {p.standard for p in result.pairs} == {"ijw"}


def test_every_request_that_was_read_gets_an_answer_record() -> None:
    result = run_replication(load_scenario_text(BASE + SMALL, "x.toml"), seed=2, xml=False)
    read_requests = {m.pair_id for m in result.messages if m.role == "heen" and m.code[-3:] in ("315", "317")
                     and m.read}
    assert {a.request_pair_id for a in result.answers} == read_requests
    assert result.summary["answers_pending_at_end"] > 0  # requests read in the last days of the window


def test_a_refused_retour_in_the_new_release_is_its_own_outcome() -> None:
    rows = ('\n[[injection]]\nkind = "corrupt"\nstart = "go_live"\nend = "go_live + 7d"\nshare = 0.5\n'
            'messages = ["302", "306"]\n')
    result = run_replication(load_scenario_text(BASE + SMALL + rows, "x.toml"), seed=3, xml=False)
    refused = [p for p in result.pairs if p.outcome == "retour_refused"]
    assert refused and {p.release for p in refused} == {"3.1"} and {p.cause for p in refused} == {"retour_foutmelding"}
    assert result.summary["outcome_retour_refused"] == len(refused)


def test_report_refuses_a_directory_with_a_foreign_ledger(tmp_path: Path) -> None:
    write_run(run_replication(load_scenario_text(BASE + SMALL, "x.toml"), seed=1, xml=False), tmp_path / "run")
    (tmp_path / "run" / "pairs.csv").write_text("x,y\n", encoding="utf-8")
    from ketensim.outdir import write_marker

    write_marker(tmp_path / "run", "run")  # foreign content, not a truncated file
    done = subprocess.run([sys.executable, "-m", "ketensim", "report", str(tmp_path / "run")], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "pairs.csv: columns x, y; expected the ketensim ledger columns pair_id" in done.stderr
