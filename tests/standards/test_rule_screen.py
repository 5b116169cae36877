"""The compiled screen never clears a check that would report something, and the engine's findings do not depend on it.

The screen (``ketensim/standards/rules/_screen.pyx``) answers per rule and context element whether
the Python check surely reports nothing there; only then is the check skipped. Here every screen is
held against its check on every context element: of the per-code table's messages (each violating
its rule), and of base messages shaken by hypothesis with texts chosen to hit what C reads
differently from Python (whitespace, CDATA, comments inside a text, non-ASCII digits, numbers that
float() reads but C might not, impossible dates). The engine's findings with and without the screen
must be equal, and on the chain's own traffic the screen must clear nearly every check (else it
would be correct but useless).
"""

from __future__ import annotations

import locale
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from rule_messages import apply, base, drop, dup, message_type, set_
from test_business_rules import ROWS
from test_rule_guards import MESSAGES, TEXTS

from ketensim.standards.rules import rules
from ketensim.standards.rules._doc import Doc
from ketensim.standards.rules.engine import SCREEN, plan, run

pytestmark = pytest.mark.skipif(
    SCREEN is None and bool(os.environ.get("KETENSIM_NO_COMPILE") or os.environ.get("KETENSIM_NO_SCREEN")),
    reason="built without the screen on purpose",
)

# texts where C and Python could part ways, beside the guard tests' ordinary ones
EDGES = TEXTS + [
    " 83", "83 ", "8  3", "\t01", "01\n", "\u00a001", "01\u2003", "\u0661\u0662", "\u00b2", "Ç", "\u00a0", "",
    "0", "0.0", "-0", "-0.0", "00", "1.50", "1.5", "-1.5", "0.5", "0.00001", "0.0001", "1e3", "nan", "inf", "1_0",
    "12.345678901234567", "1234567890123456", "123456789012345", ".5", "5.", "+5", "100", "100.25", "99.99",
    "20231301", "2023-02-29", "2024-02-29", "2023-13-01", "2023-12-31", "2020-12-31", "2021-01-01", "99999999",
    "0001-01-01", "1900-01-01", "2023--06-15", "2023-06-15T10:00:00", "123456782", "12345678", "1234567890",
    "1234AB", "1234 AB", "1234ab", "0123AB", "1234ÄB", "NL", "nl", "C", "c", "D", "11", "14", "16", "84",
]


def _pairs(root: etree._Element, standard: str, number: str):
    """Every (rule, context element) the message's plan checks, guards included (a guard only skips more)."""
    doc = Doc(root, standard, number)
    compiled = plan(message_type(standard, number))

    def walk(node, elements):
        for el in elements:
            for rule in node.rules:
                yield rule, el
            for step, sub in node.below.items():
                yield from walk(sub, doc.children(el, step))

    return doc, walk(compiled, [root])


def _assert_sound(root: etree._Element, standard: str, number: str) -> int:
    """Every check the screen clears reports nothing; returns how many checks it cleared."""
    doc, pairs = _pairs(root, standard, number)
    cleared = 0
    for rule, el in pairs:
        if SCREEN.clears(rule.code, el, root, int(number), standard == "ijw"):
            cleared += 1
            faults = rule.check(doc, el)
            assert not faults, f"the screen of {rule.code} cleared {doc.locaties([el])} where the check finds {faults}"
    return cleared


def _findings(root: etree._Element, standard: str, number: str, screen: bool):
    return [(f.code, f.paths) for f in run(root, message_type(standard, number), screen=screen)]


def test_the_screen_is_built_and_covers_every_rule():
    assert SCREEN is not None, "the compiled screen is missing: pip install . builds it (hatch_build.py)"
    assert SCREEN.codes() == {r.code for r in rules()}
    assert SCREEN.LXML_BUILT == etree.__version__


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in ROWS])
def test_no_screen_clears_a_violation_of_the_table(row):
    code, standard, number, ops, expected = row
    clean = base(standard, number)
    assert _assert_sound(clean, standard, number) > 0
    assert _findings(clean, standard, number, screen=True) == []
    root = apply(base(standard, number), standard, number, ops)
    _assert_sound(root, standard, number)
    doc, pairs = _pairs(root, standard, number)
    fired = [el for rule, el in pairs if rule.code == code and rule.check(doc, el)]
    assert fired and not any(SCREEN.clears(code, el, root, int(number), standard == "ijw") for el in fired)
    assert _findings(root, standard, number, screen=True) == _findings(root, standard, number, screen=False)


def _retext(el: etree._Element, text: str, how: str) -> None:
    """Give ``el`` a text the way a hostile sender might: plain, as CDATA, or split by a comment."""
    if how == "cdata":
        el.text = etree.CDATA(text)
    elif how == "comment" and len(text) > 1:
        el.text = text[:1]
        comment = etree.Comment("x")
        el.insert(0, comment)
        comment.tail = text[1:]
    elif how == "lead" and text:
        el.text = None
        comment = etree.Comment("x")
        el.insert(0, comment)
        comment.tail = text
    else:
        el.text = text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=st.sampled_from(MESSAGES), data=st.data())
def test_no_screen_clears_a_violation_of_a_shaken_message(message, data):
    standard, number = message
    root = base(standard, number)
    for el in [e for e in root.iter() if isinstance(e.tag, str)]:
        parent = el.getparent()
        if parent is None or parent.getparent() is None:
            continue
        action = data.draw(st.sampled_from(["keep", "keep", "keep", "text", "drop", "dup", "dup"]))
        if action == "text" and len(el) == 0:
            how = data.draw(st.sampled_from(["plain", "plain", "cdata", "comment", "lead"]))
            _retext(el, data.draw(st.sampled_from(EDGES)), how)
        elif action == "drop":
            parent.remove(el)
        elif action == "dup":
            el.addnext(etree.fromstring(etree.tostring(el)))
    _assert_sound(root, standard, number)
    assert _findings(root, standard, number, screen=True) == _findings(root, standard, number, screen=False)


_BOUNDARY = ("", "0", "-0", "0.0", "83", "C", "D", "NL", "1", "2", "3", "6", "8", "13", "01", "02", "04", "²",
             "1900-01-01", "2023-06-15", "2023-06-150", "2023-05-3100", "2020-12-31", "123456782")


def _variants(text: str, boundary: bool) -> list[tuple[str, str]]:
    """(text, how) a leaf's own text can be turned into, and (``boundary``) the constants that sit on
    a rule's boundary, bare and with the whitespace that Python's value() trims but C must not ignore."""
    found = [(f"{text} ", "plain"), (f" {text}", "plain"), (f"{text[:1]}  {text[1:]}", "plain"),
             (f"{text}\u00a0", "plain"), (text, "cdata"), (text, "comment"), (text, "lead"), (f"{text}0", "plain")]
    if boundary:
        found += [(t, "plain") for c in _BOUNDARY for t in (c, f"{c} ", f" {c}")]
    return found


def _leaves(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter() if isinstance(el.tag, str) and len(el) == 0]


def _each_changed_text(make, standard: str, number: str, boundary: bool) -> None:
    for i, leaf in enumerate(_leaves(make())):
        for text, how in _variants(leaf.text or "", boundary):
            root = make()
            _retext(_leaves(root)[i], text, how)
            _assert_sound(root, standard, number)
            assert _findings(root, standard, number, screen=True) == _findings(root, standard, number, screen=False)


@pytest.mark.parametrize("message", MESSAGES, ids=[f"{s}-{n}" for s, n in MESSAGES])
def test_no_screen_clears_a_violation_after_one_changed_text(message):
    """Every leaf of the base message, turned into every variant and boundary text, one at a time."""
    standard, number = message
    _each_changed_text(lambda: base(standard, number), standard, number, boundary=True)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in ROWS])
def test_no_screen_clears_a_violation_of_the_table_after_one_changed_text(row):
    """Every leaf of each table row's violating message, turned into every variant of its own text."""
    _, standard, number, ops, _ = row
    _each_changed_text(lambda: apply(base(standard, number), standard, number, ops), standard, number, boundary=False)


AMOUNTS = [  # (each line's Bedrag, the TotaalBedrag), around what _canonical writes
    ("0.00001", "0.00001"), ("0.0001", "0.0001"), ("0.00015", "0.00015"), ("1.10", "1.1"), ("1.1", "1.10"),
    ("1.1", "1.1"), ("0", "-0"), ("0", "0"), ("100.0", "100"), ("100", "100.0"), ("0.1", "0.10"),
    ("123456789012345", "123456789012345"), ("1234567890123456", "1234567890123456"), ("1e3", "1000"),
    ("0.1", "0.1"), ("0.3", "0.30000000000000004"), ("12345678.9", "12345678.9"), ("5", "05"), ("5", "+5"),
]


@pytest.mark.parametrize("bedrag,totaal", AMOUNTS)
@pytest.mark.parametrize("lines", [1, 3])
def test_no_screen_clears_a_total_that_python_writes_otherwise(bedrag, totaal, lines):
    """TR358 and CS339 compare amounts as Python writes and reads them; the screen agrees or steps aside."""
    ops = [set_("Declaratie/Clienten/Client/Prestaties/Prestatie/IngediendBedrag/Bedrag", bedrag),
           set_("Declaratie/TotaalIngediendBedrag/TotaalBedrag", totaal),
           set_("Declaratie/Clienten/Client/Prestaties/Prestatie/GeleverdVolume", totaal),
           set_("Declaratie/Clienten/Client/Prestaties/Prestatie/Eenheid", "83")]
    ops += [dup("Declaratie/Clienten/Client/Prestaties/Prestatie")] * (lines - 1)
    root = apply(base("iwmo", "323"), "iwmo", "323", tuple(ops))
    _assert_sound(root, "iwmo", "323")
    assert _findings(root, "iwmo", "323", screen=True) == _findings(root, "iwmo", "323", screen=False)


def test_the_screen_clears_nearly_every_check_of_the_chains_traffic():
    from ketensim.run import run_replication
    from ketensim.scenario import load_scenario
    from ketensim.standards.validation import detect

    result = run_replication(load_scenario("2022-3.0-3.1"), 1, keep_xml=True, xml_worker=False)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    checks = cleared = 0
    for document in result.xml_documents.values():
        root = etree.fromstring(document, parser)
        mt = detect(root)
        if mt.structure not in ("3.0", "3.1", "3.2"):
            continue
        cleared += _assert_sound(root, mt.standard, mt.number)
        checks += sum(1 for _ in _pairs(root, mt.standard, mt.number)[1])
    assert checks > 20_000
    assert cleared / checks > 0.999, f"the screen cleared only {cleared} of {checks} checks"


@pytest.mark.parametrize("mine,theirs", [("A  B", "A B"), (" A", "A"), ("A ", "A"), ("A\u00a0", "A"), ("A", "A")])
def test_no_screen_clears_a_double_equal_only_after_trimming(mine, theirs):
    """Two debit lines whose product codes are equal once value() has trimmed them are the same line (TR416)."""
    line = "Declaratie/Clienten/Client/Prestaties/Prestatie"
    ops = (dup(line), set_(f"{line}/ProductCode", mine), set_(f"{line}[2]/ProductCode", theirs))
    root = apply(base("iwmo", "323"), "iwmo", "323", ops)
    assert "TR416" in {code for code, _ in _findings(root, "iwmo", "323", screen=False)}
    _assert_sound(root, "iwmo", "323")
    assert _findings(root, "iwmo", "323", screen=True) == _findings(root, "iwmo", "323", screen=False)


@pytest.fixture
def decimal_comma(tmp_path: Path):
    """The process's numbers in a Dutch locale (decimal comma), as a host program may set them."""
    if not shutil.which("localedef") or not Path("/usr/share/i18n/locales/nl_NL").is_file():
        pytest.skip("no localedef or nl_NL locale source to build a decimal-comma locale from")
    subprocess.run(["localedef", "-i", "nl_NL", "-f", "UTF-8", str(tmp_path / "nl_NL.UTF-8")], capture_output=True)
    before, path = locale.setlocale(locale.LC_NUMERIC), os.environ.get("LOCPATH")
    os.environ["LOCPATH"] = str(tmp_path)
    try:
        try:
            locale.setlocale(locale.LC_NUMERIC, "nl_NL.UTF-8")
        except locale.Error:
            pytest.skip("localedef made no usable nl_NL.UTF-8 locale")
        assert locale.localeconv()["decimal_point"] == ","
        yield
    finally:
        locale.setlocale(locale.LC_NUMERIC, before)
        if path is None:
            os.environ.pop("LOCPATH", None)
        else:
            os.environ["LOCPATH"] = path


@pytest.mark.parametrize("bedrag,totaal,volume", [("1.5", "2", "1.5"), ("1.5", "3", "1.7"), ("0.5", "1", "0.5")])
def test_the_screen_reads_numbers_as_python_does_in_any_locale(decimal_comma, bedrag, totaal, volume):
    """C's strtod reads "1.5" as 1 under a decimal comma; float() does not, and neither may the screen."""
    line = "Declaratie/Clienten/Client/Prestaties/Prestatie"
    ops = (set_(f"{line}/Eenheid", "83"), drop(f"{line}/ProductTarief"), set_(f"{line}/IngediendBedrag/Bedrag", bedrag),
           set_(f"{line}/GeleverdVolume", volume), dup(line), set_("Declaratie/TotaalIngediendBedrag/TotaalBedrag", totaal))
    root = apply(base("iwmo", "323"), "iwmo", "323", ops)
    _assert_sound(root, "iwmo", "323")
    assert _findings(root, "iwmo", "323", screen=True) == _findings(root, "iwmo", "323", screen=False)


def test_a_missing_message_is_a_type_error_not_a_crash():
    """The compiled walk refuses None like Python does, instead of reading memory through it."""
    code = ("from ketensim.standards.rules.engine import run\n"
            "from ketensim.standards.catalogue import get_catalogue\n"
            "run(None, get_catalogue().get('iwmo', '3.1', '301'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "TypeError" in done.stderr, done.stderr[-500:]


def test_a_screen_built_for_another_lxml_is_not_used_and_says_so():
    """Installed beside another lxml, the screen stays unused (its C view of lxml's objects may not fit),
    the main process warns once, and every check runs in Python with the same findings."""
    code = (
        "import warnings, lxml.etree as etree\n"
        "etree.__version__ = '0.0.0'\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from ketensim.standards.rules import check, engine\n"
        "import sys; sys.path.insert(0, 'tests/standards')\n"
        "from rule_messages import apply, base, set_\n"
        "root = apply(base('iwmo', '301'), 'iwmo', '301', (set_('Client/Bsn', '123456789'),))\n"
        "print(engine.SCREEN is None, len([w for w in caught if w.category is RuntimeWarning]))\n"
        "print(engine.SCREEN_STATUS)\n"
        "print([f.code for f in check(root)])\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root)
    assert done.returncode == 0, done.stderr[-800:]
    unused, status, codes = done.stdout.strip().splitlines()
    assert unused == "True 1"
    assert status.startswith(f"built against lxml {etree.__version__}, but lxml 0.0.0 is installed; "
                             f"'pip install lxml=={etree.__version__}'")
    assert codes == "['CS002']"
