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


ENGLISH = [*PAIR_CLASSES, "go_live", "block", "portal", "deadline_", "True", "False", "None", "queued", "iwmo",
           "heen_submitted", "verdict", "summary", "parties", "between", "party"]
"""Keys and values of the report dict that must not show on the page."""


def _assert_no_english(text: str) -> None:
    for word in ENGLISH:
        assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), word


def test_html_visible_text_is_dutch(report: dict[str, Any]) -> None:
    text = _visible_text(render_html(report))
    _assert_no_english(text)
    assert "aanbieder 63790249" not in text.replace("zorgaanbieder 63790249", "")
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


# ---------------------------------------------------------------- a chain test of two vendors


def _clean_gemeente_report(first: dict[str, Any]) -> dict[str, Any]:
    """The gemeente's report: one met requirement, one pair closed in time with the aanbieder, nothing refused."""
    classes = dict.fromkeys(PAIR_CLASSES, 0) | {"closed_in_time": 1}
    pair = _pair("P0000001", "closed_in_time") | {"vendor_role": "verzender", "counterparty": "12345678"}
    return {
        "session": first["session"] | {"party": {"kind": "gemeente", "code": "0599"},
                                       "handover": "2022-03-28T09:00:00+02:00"},
        "summary": {"requirements": 1, "requirements_met": 1, "requirements_failed": 0, "requirements_open": 0,
                    "pairs": 1, "pair_classes": classes, "pairs_needing_attention": 0, "messages_sent": 1,
                    "messages_refused": 0, "messages_received": 1, "messages_unconfirmed": 0, "conform": True},
        "requirements": [first["requirements"][0]],
        "pairs": [pair],
        "refused": [],
        "protocol_errors": {"unconfirmed": [], "duplicate_ids": []},
        "timeline": [{"at": "2022-03-29T09:00:00+02:00", "event": "verzonden", "subtype": "WMO301", "status": 204}],
    }


@pytest.fixture
def chain(report: dict[str, Any]) -> dict[str, Any]:
    """The shape of ``session_report`` with two vendors: the aanbieder of ``report`` and a clean gemeente."""
    first = copy.deepcopy(report)
    first["session"]["party"] = {"kind": "aanbieder", "code": "12345678"}
    second = _clean_gemeente_report(first)
    session = {k: v for k, v in first["session"].items() if k != "party"}
    return {"session": session | {"parties": [first["session"]["party"], second["session"]["party"]]},
            "summary": {"conform": False, "requirements_failed": 1, "pairs_between": 3},
            "parties": [first, second],
            "between": [p for p in first["pairs"] if p["counterparty"] == "0599"]}


def test_chain_html_has_a_part_per_party_under_its_name(chain: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(render_html(chain))
    assert [h.text_content() for h in doc.xpath("//section[@class='partij']/h2")] == ["Zorgaanbieder 12345678",
                                                                                    "Gemeente 0599"]
    for n in (1, 2):  # every part of the single-party report, under ids of its own
        for part in ("kop", "samenvatting", "eisen", "berichtparen", "geweigerd", "protocolfouten", "tijdlijn"):
            assert doc.xpath(f"//section[@id='partij-{n}']/section[@id='partij-{n}-{part}']"), (n, part)
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    links = {a.get("href")[1:] for a in doc.xpath("//nav/a")}
    assert links <= set(ids)
    verdicts = doc.xpath("//section[@id='partij-2-eisen']//span[contains(@class, 'oordeel')]")
    assert [v.text_content() for v in verdicts] == ["voldaan"]
    assert "trace-fout-1" in doc.xpath("string(//section[@id='partij-1-geweigerd'])")
    assert "Geen: elk aangeboden bericht is aangenomen." in doc.xpath("string(//section[@id='partij-2-geweigerd'])")


def test_chain_html_kop_is_overall_and_dutch(chain: dict[str, Any]) -> None:
    page = render_html(chain)
    kop = lxml.html.fromstring(page).xpath("//section[@id='kop']")[0]
    assert "Conform: nee" in kop.text_content()
    rows = {row.findtext("th"): row.xpath("string(td)") for row in kop.xpath(".//tr")}
    assert rows["Partijen"] == "zorgaanbieder 12345678 en gemeente 0599"
    assert rows["Scenario"].startswith("Migratie 3.0 naar 3.1 (één keer)")
    assert rows["Berichtparen tussen de twee leveranciers"] == "3"
    assert rows["Eisen niet voldaan (beide partijen)"] == "1"
    text = _visible_text(page)
    _assert_no_english(text)
    assert "Conform: ja" in text  # the gemeente on its own
    assert "<script" not in page and f"toelichting {SCRIPT}" in text
    chain["summary"]["conform"] = True
    assert "Conform: ja" in _visible_text(render_html(chain)).split("Berichtparen tussen de twee leveranciers")[0]


def test_chain_html_between_table_lists_every_pair_in_dutch(chain: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(render_html(chain))
    rows = doc.xpath("//section[@id='tussen']/table/tr[td]")
    assert [[c.text_content() for c in row][:7] for row in rows] == [
        ["P0000001", "301/302", "iWmo", "3.0", "ontvanger", "0599", "op tijd gesloten"],
        ["P0000002", "301/302", "iWmo", "3.0", "ontvanger", "0599", "retourbericht ontbreekt"],
        ["P0000003", "301/302", "iWmo", "3.0", "ontvanger", "0599", "gesloten na de procedurele deadline"]]
    assert [row.get("class") for row in rows] == [None, "attention", "attention"]
    assert doc.xpath("//section[@id='tussen']//th[5]")[0].text_content() == "Rol van zorgaanbieder 12345678"
    chain["between"] = []
    empty = lxml.html.fromstring(render_html(chain)).xpath("//section[@id='tussen']")[0].text_content()
    assert "Geen: de twee leveranciers hebben nog geen berichten met elkaar uitgewisseld." in empty


def test_chain_junit_has_three_suites_per_party(chain: dict[str, Any]) -> None:
    root, suites = _suites(chain)
    assert list(suites) == [f"{party}: {suite}" for party in ("zorgaanbieder 12345678", "gemeente 0599")
                            for suite in ("draaiboek", "berichtparen", "protocol")]
    assert _counts(suites["zorgaanbieder 12345678: draaiboek"]) == (3, 1, 1)
    assert _counts(suites["zorgaanbieder 12345678: berichtparen"]) == (len(PAIR_CLASSES), 2, 0)
    assert _counts(suites["zorgaanbieder 12345678: protocol"]) == (3, 2, 0)
    assert _counts(suites["gemeente 0599: draaiboek"]) == (1, 0, 0)
    assert _counts(suites["gemeente 0599: berichtparen"]) == (len(PAIR_CLASSES), 0, 0)
    assert _counts(suites["gemeente 0599: protocol"]) == (3, 0, 0)
    assert _counts(root) == (3 + 1 + 2 * (len(PAIR_CLASSES) + 3), 5, 1)
    assert {c.get("classname") for c in suites["gemeente 0599: protocol"]} == {"kto.gemeente-0599.protocol"}
    # the same case in both parties stays apart in a CI tool that keys on classname and name
    keys = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(keys) == len(set(keys))


def test_chain_write_report_writes_three_files(chain: dict[str, Any], tmp_path: Path) -> None:
    paths = write_report(chain, tmp_path / "keten")
    assert [p.name for p in paths] == list(FILE_NAMES)
    assert sorted(p.name for p in (tmp_path / "keten").iterdir()) == sorted(FILE_NAMES)
    assert json.loads(paths[0].read_text(encoding="utf-8")) == chain
    assert paths[1].read_text(encoding="utf-8") == render_html(chain)
    assert paths[2].read_bytes() == render_junit(chain)
    assert len(etree.fromstring(paths[2].read_bytes()).findall("testsuite")) == 6
