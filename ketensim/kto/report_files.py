"""The conformance report of a KTO rehearsal as files: Dutch HTML, JUnit XML and JSON.

:func:`ketensim.kto.conformance.conformance` builds the report as one JSON-ready dict; this module
only presents it. :func:`render_html` lays it out as one self-contained Dutch page (styles inline,
the traffic chart as an SVG data URI, every text HTML-escaped: traceer-IDs and toelichtingen come
from the vendor). :func:`render_junit` turns the requirements, the pair classes and the protocol
checks into JUnit test cases, so a vendor's CI pipeline can fail on them. :func:`write_report`
writes all three files atomically.

Both renderings also take the report of a chain test of two vendors
(:func:`ketensim.kto.conformance.session_report`, recognised by its ``"parties"`` key): the page
then shows the pairs between the two vendors and one full part per party, and the JUnit file holds
the three suites once per party, named after it.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import matplotlib
import matplotlib.dates as mdates
from lxml import etree
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ketensim.exceptions import KetensimError
from ketensim.kto.conformance import GOOD_CLASSES, PAIR_CLASSES
from ketensim.report.texts import nl
from ketensim.timeline import AMSTERDAM

__all__ = ["render_html", "render_junit", "write_report", "dutch_moment", "KIND_LABELS", "FAILING_CLASSES",
           "FILE_NAMES"]

KIND_LABELS: dict[str, str] = {"deadline": "deadline", "block": "technische blokkade", "portal": "inleesvenster",
                               "go_live": "ingebruikname"}
"""Dutch name of each requirement kind."""
FAILING_CLASSES: frozenset[str] = frozenset(PAIR_CLASSES) - GOOD_CLASSES
"""Pair classes that fail the JUnit suite when they occur (closing after the procedural deadline included)."""
FILE_NAMES: tuple[str, str, str] = ("rapport.json", "rapport.html", "rapport.junit.xml")

_WEEKDAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
_VERDICTS = {True: ("voldaan", "voldaan"), False: ("niet voldaan", "niet-voldaan"), None: ("nog open", "open")}
_PARTY_KINDS = {"aanbieder": "zorgaanbieder", "gemeente": "gemeente"}
_STANDARDS = {"iwmo": "iWmo", "ijw": "iJw"}
_ROLES = {"heen": "heenbericht", "retour": "retourbericht"}
_STATUS = {204: "aangenomen", 422: "geweigerd", 503: "knooppunt niet bereikbaar"}
_SERIES = (("verzonden", "#2e4057"), ("ontvangen", "#00798c"), ("bevestigd", "#66a182"))
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MESSAGE_IDS = 10  # traceer-IDs named in a JUnit failure message; the full list is in its text


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment.astimezone(AMSTERDAM)


def _dutch_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def dutch_moment(text: str) -> str:
    """An ISO 8601 instant as Dutch wall-clock time: ``wo 30 mrt 2022 17:00``; empty → ``–``."""
    if not text:
        return "–"
    local = _moment(text)
    return f"{_dutch_date(local.date())} {local:%H:%M}"


def _yes_no(flag: bool) -> str:
    return "ja" if flag else "nee"


# ---------------------------------------------------------------- HTML: rows the template prints


def _violation(v: dict[str, Any]) -> dict[str, str]:
    """One message that violated a requirement (a late heen, a refused attempt, an unread message)."""
    if v.get("problem"):
        problem = v["problem"]
    else:
        problem = "; ".join(f"{m['code']} {m['omschrijving']}" for m in v.get("meldingen", ()))
        problem = problem or _STATUS.get(v.get("status", 0), f"status {v.get('status', '–')}")
    return {"traceer": v.get("traceerId", ""), "message": v.get("code") or v.get("subtype", ""),
            "release": v.get("release", ""), "role": _ROLES.get(v.get("role", ""), ""),
            "pair_id": v.get("pair_id", ""), "at": dutch_moment(v.get("at") or v.get("submitted", "")),
            "problem": problem}


def _requirement_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for r in report["requirements"]:
        verdict, css = _VERDICTS[r["met"]]
        rows.append({"id": r["id"], "kind": KIND_LABELS.get(r["kind"], "eis"), "what": r["what"],
                     "at": dutch_moment(r["at"]), "verdict": verdict, "css": css,
                     "violations": [_violation(v) for v in r["violations"]]})
    return rows


def _class_texts(pairs: list[dict[str, Any]]) -> dict[str, str]:
    return {**PAIR_CLASSES, **{p["class"]: p["class_text"] for p in pairs}}


def _class_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    texts = _class_texts(report["pairs"])
    owed = {p["class"] for p in report["pairs"] if _attention(p)}
    return [{"text": texts.get(cls, "overige uitkomst"), "count": nl(n), "attention": cls in owed}
            for cls, n in report["summary"]["pair_classes"].items()]


def _attention(pair: dict[str, Any]) -> bool:
    """The vendor's own system owed what went wrong with this pair (older reports: any class but the good ones)."""
    return pair.get("needs_attention", pair["class"] not in GOOD_CLASSES)


def _pair_row(p: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    return {"pair_id": p["pair_id"], "pair": p["pair"], "standard": _STANDARDS.get(p["standard"], p["standard"]),
            "release": p["release"], "role": p["vendor_role"], "counterparty": p["counterparty"],
            "class": texts.get(p["class"], "overige uitkomst"), "attention": _attention(p),
            "heen": dutch_moment(p["heen_submitted"]), "retour": dutch_moment(p["retour_submitted"]),
            "resent": " ".join(t for t in (f"opnieuw als {p['resent_as']}" if p["resent_as"] else "",
                                           f"opnieuw van {p['resent_of']}" if p["resent_of"] else "") if t),
            "refused": ", ".join(a["traceerId"] for a in p["refused_retours"])}


def _pair_rows(pairs: list[dict[str, Any]], only_attention: bool = True) -> list[dict[str, Any]]:
    """The rows of a pair table: by default only the pairs needing attention."""
    texts = _class_texts(pairs)
    return [row for row in (_pair_row(p, texts) for p in pairs) if row["attention"] or not only_attention]


def _refusal_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    rows = []
    for a in report["refused"]:
        base = {"at": dutch_moment(a["at"]), "traceer": a["traceerId"], "message": a["subtype"],
                "status": _STATUS.get(a["status"], f"status {a['status']}")}
        meldingen = a["meldingen"] or [{"code": "–", "omschrijving": base["status"], "toelichting": "", "plek": ""}]
        rows += [{**base, "code": m["code"], "description": m["omschrijving"], "explanation": m["toelichting"],
                  "place": m["plek"]} for m in meldingen]
    return rows


def _summary_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    s = report["summary"]
    return [("Eisen uit het draaiboek", nl(s["requirements"])), ("waarvan voldaan", nl(s["requirements_met"])),
            ("waarvan niet voldaan", nl(s["requirements_failed"])), ("waarvan nog open", nl(s["requirements_open"])),
            ("Berichtparen", nl(s["pairs"])), ("Berichtparen die aandacht vragen", nl(s["pairs_needing_attention"])),
            ("Berichten verzonden", nl(s["messages_sent"])), ("Berichten geweigerd", nl(s["messages_refused"])),
            ("Berichten ontvangen", nl(s["messages_received"])),
            ("Ontvangst niet bevestigd", nl(s["messages_unconfirmed"]))]


def _party_name(party: dict[str, str]) -> str:
    """``zorgaanbieder 12345678``, ``gemeente 0599``."""
    return f"{_PARTY_KINDS.get(party['kind'], party['kind'])} {party['code']}"


def _session_header(s: dict[str, Any]) -> dict[str, str]:
    """What the page kop shows of the session, whichever party's report it is."""
    return {"scenario": s["scenario"], "scenario_name": s["scenario_name"], "seed": str(s["seed"]),
            "now": dutch_moment(s["now"]), "end": dutch_moment(s["end"]),
            "state": "afgelopen" if s["finished"] else "loopt nog (tussenstand)",
            "releases": f"{s['old_release']} → {s['new_release']}", "go_live": dutch_moment(s["go_live"]),
            "code_table": s["code_table"]}


def _header(report: dict[str, Any]) -> dict[str, str]:
    s = report["session"]
    return {**_session_header(s), "party": _party_name(s["party"]), "handover": dutch_moment(s["handover"]),
            "conform": _yes_no(report["summary"]["conform"])}


def _chain_header(report: dict[str, Any]) -> dict[str, str]:
    names = [_party_name(p) for p in report["session"]["parties"]]
    summary = report["summary"]
    return {**_session_header(report["session"]), "parties": " en ".join(names), "first": names[0],
            "conform": _yes_no(summary["conform"]), "requirements_failed": nl(summary["requirements_failed"]),
            "pairs_between": nl(summary["pairs_between"])}


# ---------------------------------------------------------------- HTML: the traffic per day


def _daily(report: dict[str, Any]) -> dict[date, Counter[str]]:
    days: dict[date, Counter[str]] = {}
    for e in report["timeline"]:
        counts = days.setdefault(_moment(e["at"]).date(), Counter())
        counts[e["event"]] += 1
        counts["niet aangenomen"] += e["event"] == "verzonden" and e["status"] != 204
    return dict(sorted(days.items()))


def _marks(report: dict[str, Any]) -> list[tuple[datetime, str]]:
    """Requirement instants (local, naive), ids joined where several share one instant."""
    ids: dict[datetime, list[str]] = {}
    for r in report["requirements"]:
        ids.setdefault(_moment(r["at"]).replace(tzinfo=None), []).append(r["id"])
    return [(at, ", ".join(names)) for at, names in sorted(ids.items())]


def _span(report: dict[str, Any], days: dict[date, Counter[str]], marks: list[tuple[datetime, str]]) -> list[date]:
    """The days the chart shows: from the hand-over (or the first message) to now, a later message or requirement."""
    session = report["session"]
    first = min([_moment(session["handover"]).date(), *days])
    last = max([_moment(session["now"]).date(), *days, *(at.date() for at, _ in marks)])
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _day_number(day: date) -> float:
    return float(mdates.date2num(datetime(day.year, day.month, day.day)))


def _traffic_figure(days: dict[date, Counter[str]], marks: list[tuple[datetime, str]], span: list[date]) -> Figure:
    """Grouped bars per day (sent, received, confirmed) with a dashed line per requirement instant in ``span``."""
    fig = Figure(figsize=(11, 3.8), layout="constrained")  # no pyplot: no global state in the KTO server
    ax = fig.add_subplot()
    width = 0.8 / len(_SERIES)
    for i, (event, colour) in enumerate(_SERIES):
        ax.bar([_day_number(d) + 0.1 + width * (i + 0.5) for d in span],
               [days.get(d, Counter())[event] for d in span], width=width, color=colour, label=event)
    previous, height = -1e9, 0.98
    for at, label in marks:
        x = float(mdates.date2num(at))
        if x < _day_number(span[0]):
            continue
        height = 0.6 if height == 0.98 and x - previous < len(span) / 60 else 0.98  # stagger labels close together
        ax.axvline(x, color="#d1495b", lw=0.9, ls="--")
        ax.text(x, height, label, transform=ax.get_xaxis_transform(), rotation=90, ha="right", va="top", fontsize=7,
                color="#8a1c2b", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
        previous = x
    ax.set_xlim(_day_number(span[0]), _day_number(span[-1]) + 1)
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, -(-len(span) // 14))))  # at most ~14 ticks
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d-%m"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: nl(v)))
    ax.set_ylim(bottom=0, top=max([1, *(max(c[e] for e, _ in _SERIES) for c in days.values())]) * 1.15)
    ax.tick_params(labelsize=8)
    ax.set_ylabel("berichten per dag", fontsize=9)
    ax.grid(axis="y", color="#dddddd", lw=0.5)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=len(_SERIES), fontsize=8, frameon=False)
    return fig


def _svg_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "ketensim-kto", "svg.fonttype": "path"}):  # same input, same bytes
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _timeline(report: dict[str, Any]) -> dict[str, Any]:
    days, marks = _daily(report), _marks(report)
    span = _span(report, days, marks)
    rows = [{"day": _dutch_date(d), **{e: nl(c[e]) for e in ("verzonden", "ontvangen", "bevestigd")},
             "refused": nl(c["niet aangenomen"])} for d, c in days.items()]
    before = [label for at, label in marks if at.date() < span[0]]
    return {"chart": _svg_uri(_traffic_figure(days, marks, span)), "rows": rows, "before": ", ".join(before)}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("ketensim.kto", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _is_chain(report: dict[str, Any]) -> bool:
    """Whether ``report`` is the report of a chain test of two vendors (else of one vendor party)."""
    return "parties" in report


def _party_context(report: dict[str, Any]) -> dict[str, Any]:
    """What the party macro of the templates prints of one party's report."""
    errors = report["protocol_errors"]
    return {"kop": _header(report), "summary": _summary_rows(report), "requirements": _requirement_rows(report),
            "classes": _class_rows(report), "pairs": _pair_rows(report["pairs"]), "refusals": _refusal_rows(report),
            "unconfirmed": [_violation(u | {"at": u["offered"]}) for u in errors["unconfirmed"]],
            "duplicates": [_violation(d) for d in errors["duplicate_ids"]], "timeline": _timeline(report)}


def _chain_part(index: int, report: dict[str, Any]) -> dict[str, Any]:
    name = _party_name(report["session"]["party"])
    return {**_party_context(report), "anchor": f"partij-{index}", "heading": name[:1].upper() + name[1:]}


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


def render_html(report: dict[str, Any]) -> str:
    """The conformance report (of one party, or of a chain test of two) as one self-contained Dutch HTML page."""
    if not _is_chain(report):
        party = _party_context(report)
        return _render("kto_rapport.html.j2", kop=party["kop"], partij=party)
    return _render("kto_rapport_keten.html.j2", kop=_chain_header(report),
                   tussen=_pair_rows(report["between"], only_attention=False),
                   partijen=[_chain_part(i, part) for i, part in enumerate(report["parties"], start=1)])


# ---------------------------------------------------------------- JUnit XML


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (vendor input may contain control characters)."""
    return _NOT_XML.sub("\ufffd", text)


def _case(suite: etree._Element, classname: str, name: str, failure: list[tuple[str, str]] | None = None,
          skipped: str = "") -> None:
    """A test case; ``failure`` holds (id, detail) per offending item: the message names the ids, the text details."""
    case = etree.SubElement(suite, "testcase", classname=classname, name=_xml(name))
    if failure:
        ids = [key for key, _ in failure]
        more = len(ids) - _MESSAGE_IDS
        shown = ", ".join(ids[:_MESSAGE_IDS]) + (f" en {more} meer" if more > 0 else "")
        element = etree.SubElement(case, "failure", message=_xml(f"{len(ids)}× niet in orde: {shown}"),
                                   type="niet voldaan")
        element.text = _xml("\n".join(detail for _, detail in failure))
    elif skipped:
        etree.SubElement(case, "skipped", message=skipped)


def _suite(root: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(root, "testsuite", name=name)


def _count(element: etree._Element, cases: list[etree._Element]) -> None:
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    element.set("errors", "0")
    element.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))


def _item(v: dict[str, Any]) -> tuple[str, str]:
    row = _violation(v)
    details = ", ".join(t for t in (row["message"], row["at"], row["problem"]) if t)
    return row["traceer"], f"{row['traceer']} ({details})"


def _requirement_cases(suite: etree._Element, classname: str, report: dict[str, Any]) -> None:
    for r in report["requirements"]:
        failure = ([_item(v) for v in r["violations"]] or [("eis", "eis niet voldaan")]) if r["met"] is False else None
        _case(suite, classname, f"{r['id']} {r['what']}", failure=failure,
              skipped="nog open" if r["met"] is None else "")


def _pair_cases(suite: etree._Element, classname: str, report: dict[str, Any]) -> None:
    texts = _class_texts(report["pairs"])
    for cls in report["summary"]["pair_classes"]:
        owed = [(p["pair_id"], f"{p['pair_id']} ({p['pair']}, wederpartij {p['counterparty']})")
                for p in report["pairs"] if p["class"] == cls and _attention(p)]
        _case(suite, classname, texts.get(cls, "overige uitkomst"), failure=owed or None)


def _protocol_cases(suite: etree._Element, classname: str, report: dict[str, Any]) -> None:
    errors = report["protocol_errors"]
    _case(suite, classname, "geweigerde berichten", failure=[_item(a) for a in report["refused"]])
    _case(suite, classname, "onbevestigde berichten",
          failure=[_item(u | {"at": u["offered"]}) for u in errors["unconfirmed"]])
    _case(suite, classname, "dubbele id's", failure=[_item(d) for d in errors["duplicate_ids"]])


_SUITES = (("draaiboek", _requirement_cases), ("berichtparen", _pair_cases), ("protocol", _protocol_cases))


def _party_suites(root: etree._Element, report: dict[str, Any], party: str = "") -> None:
    """The three suites of one party's report; with ``party`` (two vendors) its name prefixes suites and classes."""
    for name, cases in _SUITES:
        suite = _suite(root, _xml(f"{party}: {name}" if party else name))
        cases(suite, _xml(f"kto.{party.replace(' ', '-')}.{name}" if party else f"kto.{name}"), report)


def render_junit(report: dict[str, Any]) -> bytes:
    """The conformance report as JUnit XML: suites ``draaiboek``, ``berichtparen`` and ``protocol``.

    For a chain test of two vendors, the three suites per party, named ``zorgaanbieder 12345678: draaiboek`` etc.
    """
    root = etree.Element("testsuites", name=_xml(f"KTO-conformiteit {report['session']['scenario']}"))
    if _is_chain(report):
        for part in report["parties"]:
            _party_suites(root, part, _party_name(part["session"]["party"]))
    else:
        _party_suites(root, report)
    for element in root:
        _count(element, element.findall("testcase"))
    _count(root, root.findall("testsuite/testcase"))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---------------------------------------------------------------- files


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a synced temporary file in the same directory and ``os.replace``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; a report is meant to be read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sync_directory(directory: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):  # POSIX: make the renames durable; Windows cannot open a directory
        handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def write_report(report: dict[str, Any], directory: Path) -> list[Path]:
    """Write ``rapport.json``, ``rapport.html`` and ``rapport.junit.xml`` into ``directory``; their paths.

    Everything is rendered before the first byte is written, and each file replaces its predecessor
    atomically, so a reader never sees a half-written file.
    """
    directory = Path(directory)
    payloads = (json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n",
                render_html(report).encode("utf-8"), render_junit(report))
    paths = [directory / name for name in FILE_NAMES]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path, data in zip(paths, payloads):
            _write_atomic(path, data)
        _sync_directory(directory)
    except OSError as exc:
        reason = " ".join((exc.strerror or str(exc)).split())
        raise KetensimError(f"{directory}: cannot write the KTO conformance report ({reason})") from exc
    return paths
