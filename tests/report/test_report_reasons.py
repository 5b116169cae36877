"""The reasons a stuurgroep reader sees are Dutch: an assumed row's ``waarom``, a skipped sweep variant's rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from ketensim._resources import scenario_path
from ketensim.exceptions import ScenarioError
from ketensim.experiment import parse_vary
from ketensim.experiment.variants import make_variant
from ketensim.output import write_run
from ketensim.report import render_report
from ketensim.report.skips import GENERAL, skip_reason
from ketensim.run import run_replication
from ketensim.scenario import load_scenario
from ketensim.scenario.model import Scenario

POINTER = "de reden staat in het scenariobestand bij"


def _draaiboek(page: str) -> str:
    match = re.search(r'<section id="draaiboek">(.*?)</section>', page, re.S)
    assert match
    return match.group(1)


def _report(s: Scenario, folder: Path) -> str:
    write_run(run_replication(s, 1, xml=False), folder)
    return render_report(folder)


def _edited(tiny_path: Path, folder: Path, old: str, new: str) -> Path:
    text = tiny_path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = folder / "edited.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _waarom_line() -> str:
    lines = [line for line in scenario_path("2022-3.0-3.1").read_text(encoding="utf-8").splitlines()
             if line.startswith("waarom = ")]
    assert len(lines) == 1  # the batch row
    return lines[0]


class TestAssumedRows:
    def test_the_report_shows_the_dutch_reason_not_the_english_one(self, tmp_path: Path) -> None:
        s = load_scenario("2022-3.0-3.1")
        batch = s.batches[0].provenance
        assert batch.assumed and batch.waarom and batch.why
        page = _report(s, tmp_path / "run")
        rows = _draaiboek(page)
        assert f"aangenomen: {escape(batch.waarom)}" in rows
        assert batch.why not in page and str(escape(batch.why)) not in page
        assert POINTER not in page

    def test_without_waarom_the_report_points_to_the_row(self, tiny_path: Path, tmp_path: Path) -> None:
        s = load_scenario(_edited(tiny_path, tmp_path, _waarom_line() + "\n", ""))
        assert s.batches[0].provenance.assumed and not s.batches[0].provenance.waarom
        page = _report(s, tmp_path / "run")
        assert f"aangenomen; {POINTER} {s.batches[0].provenance.id or 'batch'}" in _draaiboek(page)
        assert s.batches[0].provenance.why not in page

    def test_the_reason_is_escaped(self, tiny_path: Path, tmp_path: Path) -> None:
        s = load_scenario(_edited(tiny_path, tmp_path, 'waarom = "Alleen', 'waarom = "<b>Alleen</b> & '))
        rows = _draaiboek(_report(s, tmp_path / "run"))
        assert "aangenomen: &lt;b&gt;Alleen&lt;/b&gt; &amp; " in rows and "<b>Alleen" not in rows


# (vary, value, the Dutch reason it must give); each variant of the tiny 2022 world breaks one rule
SKIPS = [
    ("block:3.2.2=-1h", -1.0, "ligt een uiterste verzendmoment na de technische blokkade van bericht 302"),
    ("block:3.2.2=100h", 100.0, "ligt een technische blokkade niet vóór go-live"),
    ("retour_block=200h", 200.0, "eindigt een fase of inleesvenster niet na het begin ervan"),
    ("retour_block=-2000h", -2000.0, "valt een ingestelde verstoring buiten het tijdvenster"),
    ("behaviour.aanbieder.retour_hours.median=-1", -1.0, "de waarde -1 ligt onder het minimum 0"),
    ("behaviour.aanbieder.retour_hours.p90=1e9", 1e9, "groter dan de grens van 8760 uur (een jaar)"),
]


@pytest.mark.parametrize(("spec", "value", "dutch"), SKIPS, ids=[s[0] for s in SKIPS])
def test_every_kind_of_skip_has_its_dutch_reason(tiny: Scenario, spec: str, value: float, dutch: str) -> None:
    with pytest.raises((ScenarioError, ValueError)) as caught:
        make_variant(tiny, parse_vary(spec, tiny), value)
    err = caught.value
    english = (f"{err.where}: {err.problem}" if err.where else err.problem) if isinstance(err, ScenarioError) \
        else str(err)
    assert dutch in skip_reason(english)
    assert not re.search(r"\b(expected|is after|outside|before|the|block)\b", skip_reason(english))


def test_a_reason_of_an_unknown_kind_is_still_dutch() -> None:
    assert skip_reason("something nobody foresaw; expected nothing") == GENERAL
    assert skip_reason("phases.transitie.start: gap: afsluiting ends X but transitie starts Y").startswith(
        "met deze waarde ontstaat een gat tussen twee fasen")
