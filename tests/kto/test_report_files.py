"""The KTO conformance report as files: Dutch HTML, JUnit XML and JSON, from hand-built report dicts."""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree

from ketensim.exceptions import KetensimError
from ketensim.kto.conformance import PAIR_CLASSES
from ketensim.kto.report_files import FILE_NAMES, dutch_moment, render_html, render_junit, write_report

SCRIPT = "<script>alert('x')</script>"


def _violation(traceer: str) -> dict[str, Any]:
    return {"traceerId": traceer, "code": "WMO301", "release": "3.0", "role": "heen", "pair_id": "P0000002",
            "at": "2022-03-29T16:46:54+02:00", "problem": "niet op tijd beantwoord"}


def _pair(pair_id: str, cls: str) -> dict[str, Any]:
    return {"pair_id": pair_id, "pair": "301/302", "standard": "iwmo", "release": "3.0", "vendor_role": "ontvanger",
            "counterparty": "0599", "class": cls, "class_text": PAIR_CLASSES[cls], "outcome": cls, "cause": "",
            "heen_submitted": "2022-03-24T10:07:56Z", "retour_submitted": "", "resent_as": "", "resent_of": "",
            "refused_retours": []}


@pytest.fixture
def report() -> dict[str, Any]:
    """One met, one failed and one open requirement; three pairs (one fine, two bad); one refusal with a script."""
    classes = dict.fromkeys(PAIR_CLASSES, 0) | {"closed_in_time": 1, "retour_missing": 1, "closed_after_deadline": 1}
    return {
        "session": {"scenario": "2022-3.0-3.1", "scenario_name": "Migratie 3.0 naar 3.1 (één keer)", "seed": 7,
                    "party": {"kind": "aanbieder", "code": "63790249"}, "handover": "2022-03-27T17:00:00+02:00",
                    "now": "2022-04-02T12:00:00+02:00", "end": "2022-05-02T00:00:00+02:00", "finished": False,
                    "old_release": "3.0", "new_release": "3.1", "go_live": "2022-04-04T13:00:00+02:00",
                    "code_table": "ketensim-kto-1"},
        "summary": {"requirements": 3, "requirements_met": 1, "requirements_failed": 1, "requirements_open": 1,
                    "pairs": 3, "pair_classes": classes, "pairs_needing_attention": 1, "messages_sent": 2,
                    "messages_refused": 1, "messages_received": 1234, "messages_unconfirmed": 1, "conform": False},
        "requirements": [
            {"id": "3.2.1", "kind": "block", "what": "Heenberichten geblokkeerd",
             "at": "2022-03-30T17:00:00+02:00", "verdict": "voldaan", "met": True, "violations": []},
            {"id": "3.1.4", "kind": "deadline", "what": "Alle retourberichten verzonden",
             "at": "2022-03-31T13:00:00+02:00", "verdict": "niet voldaan", "met": False,
             "violations": [_violation("trace-laat-1")]},
            {"id": "3.2.4", "kind": "go_live", "what": "iWmo 3.1 live", "at": "2022-04-04T13:00:00+02:00",
             "verdict": "nog open", "met": None, "violations": []},
        ],
        "pairs": [_pair("P0000001", "closed_in_time"), _pair("P0000002", "retour_missing"),
                  _pair("P0000003", "closed_after_deadline")],
        "refused": [{"traceerId": "trace-fout-1", "subtype": "WMO305", "at": "2022-03-31T10:00:00+02:00",
                     "status": 422, "pair_id": "P0000009",
                     "meldingen": [{"code": "IB103", "omschrijving": "Berichttype tijdelijk geblokkeerd",
                                    "toelichting": f"toelichting {SCRIPT}", "plek": "/Bericht/Header/BerichtCode"}]}],
        "protocol_errors": {"unconfirmed": [{"traceerId": "trace-onbevestigd-1", "code": "WMO301",
                                             "offered": "2022-03-28T11:33:06+02:00",
                                             "problem": "ontvangst niet bevestigd"}],
                            "duplicate_ids": []},
        "timeline": [
            {"at": "2022-03-28T11:33:06+02:00", "event": "ontvangen", "subtype": "WMO301", "status": 0},
            {"at": "2022-03-29T09:00:00+02:00", "event": "verzonden", "subtype": "WMO305", "status": 204},
            {"at": "2022-03-31T10:00:00+02:00", "event": "verzonden", "subtype": "WMO305", "status": 422},
        ],
    }


def _visible_text(page: str) -> str:
    doc = lxml.html.fromstring(page)
    for hidden in doc.xpath("//style | //script"):
        hidden.drop_tree()
    return " ".join(doc.text_content().split())


# ---------------------------------------------------------------- HTML


def test_dutch_moment_in_amsterdam_time() -> None:
    assert dutch_moment("2022-03-30T17:00:00+02:00") == "wo 30 mrt 2022 17:00"
    assert dutch_moment("2022-03-27T01:30:00Z") == "zo 27 mrt 2022 03:30"  # after the switch to summer time
    assert dutch_moment("2022-01-03T08:00:00Z") == "ma 3 jan 2022 09:00"
    assert dutch_moment("") == "–"


def test_html_shows_dutch_verdicts_with_their_colour(report: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(render_html(report))
    verdicts = [(s.text_content(), s.get("class")) for s in doc.xpath("//span[contains(@class, 'oordeel')]")]
    assert verdicts == [("voldaan", "oordeel voldaan"), ("niet voldaan", "oordeel niet-voldaan"),
                        ("nog open", "oordeel open")]
    style = doc.xpath("//style")[0].text
    assert re.search(r"\.oordeel\.voldaan \{[^}]*#2e7d32", style)  # green
    assert re.search(r"\.oordeel\.niet-voldaan \{[^}]*#d1495b", style)  # red
    assert re.search(r"\.oordeel\.open \{[^}]*#8a8f96", style)  # grey


def test_html_lists_the_violating_message_under_its_requirement(report: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(render_html(report))
    failed = doc.xpath("//section[@id='eisen']//tr[td[1]='3.1.4']")[0]
    beneath = failed.getnext()
    assert beneath.get("class") == "violations"
    assert "trace-laat-1" in beneath.text_content() and "niet op tijd beantwoord" in beneath.text_content()


def test_html_escapes_vendor_text(report: dict[str, Any]) -> None:
    report["refused"][0]["traceerId"] = '"><img src=x onerror=alert(1)>'
    page = render_html(report)
    assert "<script" not in page
    assert "toelichting &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert f"toelichting {SCRIPT}" in _visible_text(page)  # shown as text, not run


def test_html_visible_text_is_dutch(report: dict[str, Any]) -> None:
    text = _visible_text(render_html(report))
    english = [*PAIR_CLASSES, "go_live", "block", "portal", "deadline_", "True", "False", "None", "queued",
               "aanbieder 63790249", "iwmo", "heen_submitted"]
    for word in english:
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), word
    for dutch in ("zorgaanbieder 63790249", "technische blokkade", "ingebruikname", "retourbericht ontbreekt",
                  "gesloten na de procedurele deadline", "op tijd gesloten", "wo 30 mrt 2022 17:00",
                  "do 24 mrt 2022 11:07", "Conform: nee", "3.0 → 3.1", "iWmo", "loopt nog"):
        assert dutch in text, dutch
    assert "1.234" in text  # Dutch thousands separator


@pytest.mark.parametrize(("kind", "label"), [("deadline", "deadline"), ("block", "technische blokkade"),
                                             ("portal", "inleesvenster"), ("go_live", "ingebruikname")])
def test_html_names_each_requirement_kind_in_dutch(report: dict[str, Any], kind: str, label: str) -> None:
    report["requirements"] = [report["requirements"][0] | {"kind": kind}]
    doc = lxml.html.fromstring(render_html(report))
    assert doc.xpath("//section[@id='eisen']//tr[td]/td[2]")[0].text_content() == label


def test_html_pair_table_holds_only_pairs_needing_attention(report: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(render_html(report))
    table = doc.xpath("//section[@id='berichtparen']/table")[1]
    shown = [row.xpath("td[1]")[0].text_content() for row in table.xpath("tr[td]")]
    assert shown == ["P0000002", "P0000003"]


def test_html_refusal_and_protocol_rows(report: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(render_html(report))
    refusal = [c.text_content() for c in doc.xpath("//section[@id='geweigerd']//tr[td]")[0]]
    assert refusal == ["IB103", "Berichttype tijdelijk geblokkeerd", f"toelichting {SCRIPT}",
                       "/Bericht/Header/BerichtCode", "do 31 mrt 2022 10:00", "trace-fout-1", "WMO305", "geweigerd"]
    protocol = doc.xpath("//section[@id='protocolfouten']")[0].text_content()
    assert "trace-onbevestigd-1" in protocol and "ma 28 mrt 2022 11:33" in protocol
    assert "elk id is maar één keer gebruikt" in protocol


def test_html_timeline_has_an_svg_chart_and_a_day_table(report: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(render_html(report))
    src = doc.xpath("//section[@id='tijdlijn']//img/@src")[0]
    prefix = "data:image/svg+xml;base64,"
    assert src.startswith(prefix)
    svg = etree.fromstring(base64.b64decode(src[len(prefix):]))
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    rows = [[c.text_content() for c in row] for row in doc.xpath("//section[@id='tijdlijn']//tr[td]")]
    assert rows == [["ma 28 mrt 2022", "0", "0", "1", "0"], ["di 29 mrt 2022", "1", "0", "0", "0"],
                    ["do 31 mrt 2022", "1", "1", "0", "0"]]


def test_html_without_traffic_or_requirements(report: dict[str, Any]) -> None:
    report["timeline"], report["requirements"] = [], []
    text = _visible_text(render_html(report))
    assert "Nog geen berichtenverkeer" in text and "geen eisen voor deze partij" in text


# ---------------------------------------------------------------- JUnit


def _suites(report: dict[str, Any]) -> tuple[etree._Element, dict[str, etree._Element]]:
    root = etree.fromstring(render_junit(report))
    return root, {s.get("name"): s for s in root.findall("testsuite")}


def _counts(element: etree._Element) -> tuple[int, int, int]:
    return int(element.get("tests")), int(element.get("failures")), int(element.get("skipped"))


def test_junit_counts_per_suite_and_in_total(report: dict[str, Any]) -> None:
    root, suites = _suites(report)
    assert root.tag == "testsuites" and list(suites) == ["draaiboek", "berichtparen", "protocol"]
    assert _counts(suites["draaiboek"]) == (3, 1, 1)
    assert _counts(suites["berichtparen"]) == (len(PAIR_CLASSES), 2, 0)  # retour missing, closed after deadline
    assert _counts(suites["protocol"]) == (3, 2, 0)  # refused and unconfirmed; no duplicate ids
    assert _counts(root) == (3 + len(PAIR_CLASSES) + 3, 5, 1)
    for suite in suites.values():  # the attributes agree with the elements
        cases = suite.findall("testcase")
        assert _counts(suite) == (len(cases), sum(c.find("failure") is not None for c in cases),
                                  sum(c.find("skipped") is not None for c in cases))


def test_junit_failure_names_the_violating_message(report: dict[str, Any]) -> None:
    _, suites = _suites(report)
    cases = {c.get("name"): c for c in suites["draaiboek"].findall("testcase")}
    assert set(cases) == {"3.2.1 Heenberichten geblokkeerd", "3.1.4 Alle retourberichten verzonden",
                          "3.2.4 iWmo 3.1 live"}
    assert cases["3.2.1 Heenberichten geblokkeerd"].find("*") is None
    assert "trace-laat-1" in cases["3.1.4 Alle retourberichten verzonden"].find("failure").get("message")
    assert cases["3.2.4 iWmo 3.1 live"].find("skipped").get("message") == "nog open"
    pairs = {c.get("name"): c for c in suites["berichtparen"].findall("testcase")}
    assert "P0000002" in pairs["retourbericht ontbreekt"].find("failure").get("message")
    assert pairs["op tijd gesloten"].find("failure") is None


def test_junit_survives_hostile_vendor_text(report: dict[str, Any]) -> None:
    report["refused"][0]["traceerId"] = 'id-<&>"\x00\x0b'
    report["refused"][0]["meldingen"][0]["toelichting"] = "nul\x00byte"
    _, suites = _suites(report)
    failure = suites["protocol"].find("testcase[@name='geweigerde berichten']/failure")
    assert 'id-<&>"' in failure.get("message") and 'id-<&>"' in failure.text


def test_junit_all_good_has_no_failures(report: dict[str, Any]) -> None:
    report["requirements"] = report["requirements"][:1]
    report["summary"]["pair_classes"] = dict.fromkeys(PAIR_CLASSES, 0) | {"closed_in_time": 1, "in_progress": 4}
    report["pairs"], report["refused"] = [_pair("P0000001", "closed_in_time")], []
    report["protocol_errors"]["unconfirmed"] = []
    root, _ = _suites(report)
    assert _counts(root) == (1 + len(PAIR_CLASSES) + 3, 0, 0)


# ---------------------------------------------------------------- files


def test_write_report_writes_three_files(report: dict[str, Any], tmp_path: Path) -> None:
    directory = tmp_path / "nieuw" / "rapport"
    paths = write_report(report, directory)
    assert paths == [directory / name for name in FILE_NAMES]
    assert sorted(p.name for p in directory.iterdir()) == sorted(FILE_NAMES)  # no temporary files left
    text = paths[0].read_text(encoding="utf-8")
    assert json.loads(text) == report
    assert "Migratie 3.0 naar 3.1 (één keer)" in text  # UTF-8, not \\u escapes
    assert text.startswith('{\n  "pairs": [')  # indent 2, keys sorted
    assert paths[1].read_text(encoding="utf-8") == render_html(report)
    assert paths[2].read_bytes() == render_junit(report)


def test_write_report_replaces_earlier_files(report: dict[str, Any], tmp_path: Path) -> None:
    write_report(report, tmp_path)
    later = copy.deepcopy(report)
    later["summary"]["conform"] = True
    write_report(later, tmp_path)
    assert json.loads((tmp_path / "rapport.json").read_text(encoding="utf-8"))["summary"]["conform"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILE_NAMES)


def test_write_report_into_a_file_raises_ketensim_error(report: dict[str, Any], tmp_path: Path) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map", encoding="utf-8")
    with pytest.raises(KetensimError) as caught:
        write_report(report, blocker)
    message = str(caught.value)
    assert str(blocker) in message and "\n" not in message
    assert blocker.read_text(encoding="utf-8") == "geen map"
