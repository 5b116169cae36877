"""The stuurgroep report: every section for every kind of output, Dutch formatting, no external assets."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from ketensim.output import scenario_dict
from ketensim.report import ReportInputError, render_report, write_report
from ketensim.report.revive import scenario_from_dict
from ketensim.report.texts import floor_at_zero, interval, nl, pct, signed, vary_label
from ketensim.scenario import load_scenario

COMMON = ("kop", "draaiboek", "verloop", "uitsplitsing", "verstoringen", "kengetallen", "verantwoording")


def section(page: str, ident: str) -> str:
    match = re.search(rf'<section id="{ident}">(.*?)</section>', page, re.S)
    assert match, f"section {ident!r} missing"
    return match.group(1)


class TestSections:
    @pytest.mark.parametrize("kind", ["replications", "compare", "sweep", "single"])
    def test_common_sections(self, pages: dict[str, str], kind: str) -> None:
        for ident in COMMON:
            section(pages[kind], ident)

    def test_comparison_has_every_section(self, pages: dict[str, str]) -> None:
        page = pages["compare"]
        for ident in (*COMMON, "vergelijking"):
            section(page, ident)
        assert 'id="gevoeligheid"' not in page
        kern = section(page, "kop")
        assert "Scenario A:" in kern and "Scenario B:" in kern and "Scenario B geeft gemiddeld" in kern
        assert "95%-betrouwbaarheidsinterval" in kern and "Kans op minstens één gebroken berichtpaar" in kern
        cmp = section(page, "vergelijking")
        assert "Verschil B − A" in cmp and "Kans B slechter" in cmp and "dezelfde seeds" in cmp
        assert cmp.count("<img") == 1  # the histogram of per-seed differences
        assert section(page, "draaiboek").count("<img") == 2  # A and B have different draaiboeken

    def test_sweep_has_every_section(self, pages: dict[str, str]) -> None:
        page = pages["sweep"]
        for ident in (*COMMON, "gevoeligheid"):
            section(page, ident)
        assert 'id="vergelijking"' not in page
        sweep = section(page, "gevoeligheid")
        assert sweep.count("<img") == 2  # line chart and tornado
        assert "blokkade retourberichten" in sweep and "zorgaanbieders: tijd tot retourbericht" in sweep
        # block:3.2.2=-1h puts the 3.1.4 deadline after the block of 302: its Dutch reason, not the English rule
        assert ("overgeslagen: met deze waarde ligt een uiterste verzendmoment na de technische blokkade van "
                "bericht 302") in sweep
        assert "is after the technical block" not in page and "expected a deadline" not in page
        assert "De grootste invloed op gebroken berichtparen heeft" in section(page, "kop")

    def test_headline_and_breakdowns(self, pages: dict[str, str]) -> None:
        page = pages["replications"]
        assert "Verwacht aantal gebroken berichtparen voor het scenario:" in section(page, "kop")
        assert "gemiddeld over 3 replicaties" in section(page, "kop")
        assert "Per berichtpaar" in section(page, "uitsplitsing")
        assert "Per type verzender" in section(page, "uitsplitsing")

    def test_risk_table_per_injection(self, pages: dict[str, str]) -> None:
        risk = section(pages["replications"], "verstoringen")
        assert "Te laat verzenden" in risk and "Trage verwerking" in risk and "Verminkte berichten" in risk
        assert "(geen effect)" in risk  # the Sunday corruption touches nothing

    def test_appendix(self, pages: dict[str, str], outputs: dict[str, Path]) -> None:
        appendix = section(pages["compare"], "verantwoording")
        assert "ketensim-versie" in appendix and "Rootseed" in appendix and "SeedSequence" in appendix
        assert "ketensim compare " in appendix and "-n 3 --seed 2" in appendix
        assert "SHA-256" in appendix
        single = section(pages["single"], "verantwoording")
        assert "ketensim run " in single and "--seed 4" in single

    def test_single_run_says_it_has_no_interval(self, pages: dict[str, str]) -> None:
        assert "Minder dan twee replicaties geven geen verwachting en geen betrouwbaarheidsinterval" in section(
            pages["single"], "kop")


class TestSelfContained:
    @pytest.mark.parametrize("kind", ["replications", "compare", "sweep", "single"])
    def test_no_external_assets(self, pages: dict[str, str], kind: str) -> None:
        page = pages[kind]
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", page)
        assert "<script" not in page and "<link" not in page and "@import" not in page and "url(" not in page

    def test_images_are_valid_png_data_uris(self, pages: dict[str, str]) -> None:
        uris = re.findall(r'<img src="data:image/png;base64,([^"]+)"', pages["sweep"])
        assert len(uris) >= 5
        for data in uris:
            assert base64.b64decode(data, validate=True)[:8] == b"\x89PNG\r\n\x1a\n"

    def test_is_utf8_dutch(self, pages: dict[str, str]) -> None:
        assert '<html lang="nl">' in pages["compare"] and '<meta charset="utf-8">' in pages["compare"]


class TestInputs:
    def test_write_report(self, outputs: dict[str, Path], tmp_path: Path) -> None:
        out = write_report(outputs["replications"], tmp_path / "rapport.html")
        assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]  # no temporary file left behind

    def test_write_report_into_a_missing_directory(self, outputs: dict[str, Path], tmp_path: Path) -> None:
        """As `scenario plot`: the directory of the report must exist."""
        with pytest.raises(ReportInputError, match=r"rapport.html: directory .*sub does not exist; create it first"):
            write_report(outputs["replications"], tmp_path / "sub" / "rapport.html")

    def test_not_an_output_directory(self, tmp_path: Path) -> None:
        with pytest.raises(ReportInputError, match=r"no summary.json, compare.json, sweep.json, sobol.json, optimize.json or result.json"):
            render_report(tmp_path)

    def test_scenario_revived_from_results(self) -> None:
        """The report's Gantt comes from resolved_scenario; the round trip is exact for every bundled scenario."""
        from ketensim._resources import bundled_scenarios

        for path in bundled_scenarios():
            s = load_scenario(path)
            assert scenario_from_dict(scenario_dict(s)) == s, path.name


class TestDutchNumbers:
    @pytest.mark.parametrize(("value", "decimals", "text"), [
        (12.345, None, "12,3"),
        (1234.6, None, "1.235"),
        (1234.56, 1, "1.234,6"),
        (0.04, None, "0,04"),
        (-0.4, None, "−0,40"),
        (3.0, None, "3"),
        (-0.001, None, "0"),
        (None, None, "–"),
    ])
    def test_nl(self, value: float | None, decimals: int | None, text: str) -> None:
        assert nl(value, decimals) == text

    def test_percentages_and_intervals(self) -> None:
        # every percentage with the same precision, as the CLI shows them
        assert (pct(0.634), pct(0.045), pct(0.0), pct(0.995), pct(1.0)) == ("63,4%", "4,5%", "0,0%", "99,5%", "100,0%")
        assert interval(0.9, 1.5) == "0,90 tot 1,5"
        assert interval(0.052, 0.36, percent=True) == "5,2% tot 36,0%"
        assert (signed(1.2), signed(-0.5), signed(0.0)) == ("+1,2", "−0,50", "0")

    def test_counts_are_not_shown_below_zero(self) -> None:
        assert floor_at_zero("broken_pairs", -0.2) == 0.0
        assert floor_at_zero("backlog_drain_hours", -1.0) == 0.0  # a duration from go-live, never negative

    def test_vary_labels(self) -> None:
        assert vary_label("retour_block") == "blokkade retourberichten"
        assert vary_label("block:3.2.2") == "blokkade 3.2.2"
        assert vary_label("population.clients") == "populatie: aantal cliënten"
        assert vary_label("behaviour.ib.batch_minutes") == "Inlichtingenbureau: batch-interval (min.)"


class TestAssumptions:
    """The report marks which figures rest on assumed parameters."""

    def test_each_headline_names_its_assumptions(self, pages: dict[str, str]) -> None:
        """Every kind of report says, under its headline, what its numbers assume."""
        for kind, page in pages.items():
            assert "Dit cijfer rust op aangenomen parameters (geen bron):" in page, kind
            assert "welke antwoorden over de releasegrens mogen" in page, kind  # the tiny world uses the 2022 rule

    def test_a_sourced_parameter_is_not_listed(self) -> None:
        """2021 cites S003 for its answer rule: not an assumption; its waves' volumes are."""
        from ketensim.report.html import assumptions

        text_2021 = assumptions(load_scenario("2021-2.4-3.0"))
        assert "antwoorden over de releasegrens" not in text_2021
        assert "golf-1-toewijzing" in text_2021 and "draaiboekregels" in text_2021
        assert "antwoorden over de releasegrens" in assumptions(load_scenario("2022-3.0-3.1"))
