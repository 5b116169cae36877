"""`validate` on hostile files: never a crash, and work bounded by counting (not by timing)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.standards import limits, validation
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.samples import generate_samples


@pytest.fixture(scope="module")
def message() -> bytes:
    """A valid WMO301 3.1 message."""
    return next(s.data for s in generate_samples("iwmo", "3.1", "301", 1, seed=7) if s.filename.startswith("WMO301"))


def _insert(data: bytes, after: bytes, text: bytes) -> bytes:
    i = data.index(after) + len(after)
    return data[:i] + text + data[i:]


def _no_detailed_diagnosis(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(mt: Any) -> Any:
        raise AssertionError("xmlschema was asked to diagnose a document beyond the bounds")

    monkeypatch.setattr(validation, "_diagnostic_schema", refuse)


def _check(tmp_path: Path, data: bytes) -> validation.FileReport:
    path = tmp_path / "m.xml"
    path.write_bytes(data)
    return validation.check_file(path)


XSI = b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def test_an_unknown_xsi_type_is_a_finding_and_the_batch_goes_on(message: bytes, tmp_path: Path) -> None:
    bad = _insert(message, b"<wmo301:Afzender", XSI + b' xsi:type="wmo301:Nope"')
    (tmp_path / "a.xml").write_bytes(bad)
    (tmp_path / "b.xml").write_bytes(message)
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "a.xml"), str(tmp_path / "b.xml")])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "xsi:type 'wmo301:Nope' is not a type of this message's schema" in result.output
    assert f"PASS {tmp_path / 'b.xml'}" in result.output and "1 passed, 1 failed" in result.output


@pytest.mark.parametrize(("name", "edit", "expected"), [
    ("attributes", lambda d: _insert(d, b"<wmo301:Header", b"".join(b' a%d="x"' % i for i in range(4000))),
     r"4,000 attributes on one element; at most 32"),
    ("children", lambda d: _insert(d, b"</wmo301:Header>", b"<x/>" * (limits.MAX_CHILDREN + 1)),
     r"100,003 child elements; at most 100,000"),  # with the Header and the Client
    ("depth", lambda d: _insert(d, b"</wmo301:Header>", b"<x>" * 100 + b"</x>" * 100),
     r"elements nested more than 32 deep"),
    ("elements", lambda d: _insert(d, b"</wmo301:Header>", (b"<x>" + b"<y/>" * 90_000 + b"</x>") * 6),
     r"more than 500,000 elements"),
])
def test_an_absurd_document_is_refused_without_diagnosis(message: bytes, tmp_path: Path, name: str, edit: Any,
                                                        expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_detailed_diagnosis(monkeypatch)
    report = _check(tmp_path, edit(message))
    assert len(report.findings) == 1
    assert re.search(expected, report.findings[0].reason)


def test_a_big_document_is_explained_by_lxml(message: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above DETAILED_ELEMENTS, xmlschema is not asked; lxml's findings are listed, at most MAX_FINDINGS."""
    _no_detailed_diagnosis(monkeypatch)
    report = _check(tmp_path, _insert(message, b"</wmo301:Header>", b"<x/>" * (limits.DETAILED_ELEMENTS + 1)))
    assert 1 <= len(report.findings) <= limits.MAX_FINDINGS + 1
    assert "Element 'x'" in report.findings[0].reason


def test_findings_are_capped_and_counted_work_stops(message: bytes, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """xmlschema's findings are pulled lazily: after MAX_FINDINGS + 1 the diagnosis stops."""
    pulled = []

    def errors(tree: Any) -> Any:
        for i in range(10_000):
            pulled.append(i)
            yield SimpleNamespace(sourceline=3, reason=f"finding {i}", message="", path="/a")

    monkeypatch.setattr(validation, "_diagnostic_schema", lambda mt: SimpleNamespace(iter_errors=errors))
    report = _check(tmp_path, _insert(message, b"</wmo301:Header>", b"<x/>"))
    assert len(report.findings) == limits.MAX_FINDINGS + 1
    assert report.findings[-1].reason == f"more findings not listed (the first {limits.MAX_FINDINGS} are)"
    assert len(pulled) == limits.MAX_FINDINGS + 1


@pytest.mark.parametrize("standard", ["iwmo", "ijw"])
def test_real_messages_are_far_inside_the_bounds(standard: str) -> None:
    from lxml import etree

    releases = sorted({mt.release for mt in get_catalogue().select(standard)})
    for release in releases:
        for sample in generate_samples(standard, release, "all", 1, seed=3):
            tree = etree.ElementTree(etree.fromstring(sample.data))
            assert limits.absurdity(tree) is None
            depth = max(len(list(e.iterancestors())) + 1 for e in tree.iter())
            assert depth <= 9, (sample.filename, depth)
