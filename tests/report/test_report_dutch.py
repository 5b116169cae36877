"""Everything a reader of the report sees is Dutch, exact and honest about what was measured."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

import pytest

from ketensim.report.dutch import moment, pair_label, plural, window
from ketensim.report.uncertainty import robust_section
from ketensim.report.plots import _DutchTicks
from ketensim.scenario.model import Scenario
from ketensim.timeline import AMSTERDAM


def _section(page: str, ident: str) -> str:
    match = re.search(rf'<section id="{ident}">(.*?)</section>', page, re.S)
    assert match, ident
    return match.group(1)


class TestWords:
    def test_moment(self) -> None:
        assert moment(datetime(2022, 3, 30, 17, 0, tzinfo=AMSTERDAM)) == "wo 30 mrt 2022 17:00"

    @pytest.mark.parametrize(("start", "end", "text"), [
        ("retour_block - 13h", "retour_block + 5h", "van 13 uur vóór de retourblokkade tot 5 uur erna"),
        ("heen_block", "go_live", "van de heenblokkade tot go-live"),
        ("go_live - 26h", "go_live - 20h", "van 26 uur vóór go-live tot 20 uur ervoor"),
        ("heen_block - 2d", "retour_block", "van 2 dagen vóór de heenblokkade tot de retourblokkade"),
        ("2022-03-30 10:00", "go_live + 1d", "van wo 30 mrt 2022 10:00 tot 1 dag na go-live"),
    ])
    def test_window(self, start: str, end: str, text: str) -> None:
        assert window(start, end) == text

    def test_pairs_and_plurals(self) -> None:
        assert pair_label("315->319") == "antwoord (319) op verzoek (315), verboden over de releasegrens"
        assert pair_label("301/302") == "301/302"
        assert (plural(1, "replicatie", "replicaties"), plural(2, "replicatie", "replicaties")) == (
            "replicatie", "replicaties")

    def test_ticks_are_not_rounded_to_wrong_values(self) -> None:
        assert _DutchTicks().format_ticks([0.8, 0.825, 0.85]) == ["0,800", "0,825", "0,850"]
        assert _DutchTicks().format_ticks([0, 1500, 3000]) == ["0", "1.500", "3.000"]


class TestPage:
    def test_dates_are_dutch_and_nothing_english_or_local(self, pages: dict[str, str]) -> None:
        for kind, page in pages.items():
            text = re.sub(r"<[^>]+>|data:image/png;base64,[A-Za-z0-9+/=]+", " ", page)
            assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", text), kind
            assert "`" not in text, kind
            assert "Only the 2018 draaiboek" not in text, kind  # an assumed row's English reason
            assert "/tmp/" not in text and str(Path.home()) + "/" not in text, kind
            assert re.search(r"\b(ma|di|wo|do|vr|za|zo) \d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec) "
                             r"\d{4}", text), kind

    def test_injections_in_words_numbered_from_one_with_their_toelichting(self, pages: dict[str, str]) -> None:
        table = _section(pages["replications"], "verstoringen")
        assert "<td>1</td><td>Te laat verzenden</td><td>van de heenblokkade tot go-live</td>" in table
        assert "verzenders negeren de deadline" in table and "senders ignore" not in table
        assert "<td>0</td>" not in table

    def test_counting_mode_claims_no_xsd_check(self, pages: dict[str, str]) -> None:
        page = pages["replications"]
        assert "technisch geweigerd (verminkt; telmodus, geen XSD-controle)" in page
        assert "afgekeurd door de XSD-controle" not in page
        assert "<th>XML bouwen en valideren</th><td>uit</td>" in page

    def test_no_interval_and_no_verdict_below_two_replications(self, tiny: Scenario, tmp_path: Path) -> None:
        from ketensim.experiment import compare, parse_vary
        from ketensim.experiment.variants import make_variant
        from ketensim.report import render_report

        early = make_variant(tiny, parse_vary("retour_block=-19h", tiny), -19.0)
        compare(tiny, early, 1, root_seed=2, progress=False).write(tmp_path / "c")
        page = render_report(tmp_path / "c")
        assert "Het verschil is duidelijk" not in page and "het verschil kan toeval zijn" not in page
        assert "geen interval te geven" in page
        headline = re.search(r'<div class="headline.*?</div>', page, re.S)
        assert headline and "interval" in headline.group(0) and "95%" not in headline.group(0)

    def test_a_good_result_is_not_alarming(self, outputs: dict[str, Path]) -> None:
        from dataclasses import replace

        from ketensim.report.html import _headline
        from ketensim.report.load import load_output

        block = load_output(outputs["replications"]).blocks[0]
        summary = {**block.summary, "metrics": {**block.summary["metrics"]}}
        summary["metrics"]["broken_pairs"] = {**summary["metrics"]["broken_pairs"], "mean": 0.0, "max": 0.0,
                                              "min": 0.0, "ci_low": 0.0, "ci_high": 0.0}
        assert _headline(replace(block, summary=summary))["good"] is True
        assert _headline(block)["good"] is False


class TestUncertainty:
    def test_sensitivity_page_has_its_section_in_dutch(self, pages: dict[str, str]) -> None:
        page = html.unescape(pages["sensitivity"])
        assert "<h2>Wat bepaalt de uitkomst?</h2>" in page
        assert "zorgaanbieders: aandeel dat de deadlines volgt" in page and "populatie: aantal cliënten" in page
        assert "gelijkverdeeld 0 tot 1" in page and "driehoeksverdeling 200 tot 400, top 300" in page

    def test_sensitivity_headline_claims_no_interval_over_the_sample(self, pages: dict[str, str]) -> None:
        """The runs of a Sobol sample are no independent replications: a mean, no expectation or interval."""
        page = html.unescape(pages["sensitivity"])
        assert "runs van de Sobol-steekproef" in page and "geen betrouwbaarheidsinterval" in page
        assert "Verwacht aantal gebroken berichtparen" not in page

    def test_sensitivity_tables_give_no_interval_over_the_sample(self, pages: dict[str, str]) -> None:
        """Breakdowns, metrics and proportions of a Sobol sample: means, ranges and shares of its runs, no
        confidence interval, no call for more replications, and no talk of replications."""
        page = html.unescape(pages["sensitivity"])
        for ident in ("verloop", "uitsplitsing", "kengetallen"):
            section = _section(page, ident)
            assert "95%-interval" not in section and "replicatie" not in section, ident
        kengetallen = _section(page, "kengetallen")
        assert "min – max" in kengetallen and "aandeel van de runs" in kengetallen
        assert "Nauwkeurigheid" not in kengetallen and "<h3>Kansen</h3>" not in kengetallen
        assert "runs van de Sobol-steekproef" in _section(page, "verloop")
        assert "Een 95%-betrouwbaarheidsinterval" not in page
        assert "De steekproef is klein (N = 2): dit zijn ruwe schattingen" in _section(page, "kop")
        # replications keep their intervals, and their wording
        replications = html.unescape(pages["replications"])
        assert "95%-interval" in _section(replications, "kengetallen")
        assert "gemiddelde over de replicaties" in _section(replications, "verloop")
        assert "De lijn is die ene simulatierun." in html.unescape(pages["single"])

    def test_sensitivity_charts_and_appendix_speak_of_the_sample_not_of_replications(
            self, outputs: dict[str, Path], pages: dict[str, str]) -> None:
        from dataclasses import replace

        from ketensim.report import plots
        from ketensim.report.html import _runs
        from ketensim.report.load import load_output

        sample = load_output(outputs["sensitivity"]).blocks[0]
        replications = load_output(outputs["replications"]).blocks[0]
        single = load_output(outputs["single"]).blocks[0]

        def error_bar_lengths(block) -> list[float]:  # type: ignore[no-untyped-def]
            fig = plots.breakdown_figure([block])
            assert fig is not None
            from matplotlib.container import ErrorbarContainer

            segments = [seg for ax in fig.axes for c in ax.containers if isinstance(c, ErrorbarContainer)
                        for seg in c.lines[2][0].get_segments()]
            return [abs(b[1] - a[1]) for a, b in segments]

        assert max(error_bar_lengths(sample)) == 0  # no interval over the runs of a sample
        assert max(error_bar_lengths(replications)) > 0
        titles = {kind: plots.timeline_figure([b])._suptitle.get_text()
                  for kind, b in (("sample", sample), ("replications", replications), ("single", single))}
        assert "5%–95% van de runs van de steekproef" in titles["sample"]
        assert "5%–95% van de replicaties" in titles["replications"] and "band" not in titles["single"]
        page = html.unescape(pages["sensitivity"])
        appendix = _section(page, "verantwoording")
        assert "Runs van de Sobol-steekproef" in appendix and "Replicaties" not in appendix
        assert "één seed voor alle runs" in appendix and "De seed</summary>" in appendix
        # the small sample is said once in the headline, once (at length) in its own section
        assert _section(page, "kop").count("De steekproef is klein") == 1
        assert _section(page, "wat-bepaalt").count("De steekproef is klein") == 1
        # two scenarios of one run each: a line per scenario
        one = replace(single, label="A")
        assert _runs([one, replace(single, label="B")])["line"] == "Elke lijn is de ene simulatierun van dat scenario."

    def test_compare_without_ranges_is_over_seeds_only(self, pages: dict[str, str]) -> None:
        page = html.unescape(pages["compare"])
        assert "alleen over 3 seeds: deze scenario's hebben geen onzekere parameters" in page

    def test_a_flipping_parameter_is_named_with_its_threshold(self) -> None:
        """The verdict flips at a deadline compliance of 0,9: below it B breaks fewer pairs, above it more."""
        split = {"parameter": "behaviour.aanbieder.deadline_compliance", "threshold": 0.9, "flips": True,
                 "gain": 0.6, "below_n": 10, "below_diff_mean": -2.0, "below_p_b_better": 0.8, "above_n": 10,
                 "above_diff_mean": 1.5, "above_p_b_better": 0.1}
        robust = {"metric": "broken_pairs", "n": 20, "parameters": [split["parameter"]], "p_b_better": 0.45,
                  "p_b_better_ci_low": 0.26, "p_b_better_ci_high": 0.66, "p_b_worse": 0.5, "robust_share": 0.95,
                  "verdict": "none", "confirmed": False, "splits": [split]}
        section = robust_section({"robust": robust}, xml=False)
        assert section is not None and section["verdict"].startswith("Er is geen robuust verschil")
        assert section["flips"] == [
            "Het oordeel draait om bij zorgaanbieders: aandeel dat de deadlines volgt: onder 0,90 geeft B gemiddeld 2 "
            "gebroken berichtparen minder dan A (B beter in 80,0% van 10 trekkingen), daarboven gemiddeld 1,5 gebroken "
            "berichtparen meer (B beter in 10,0% van 10). Deze grens verklaart 60,0% van de spreiding in het verschil."]
