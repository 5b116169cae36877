"""A rule's ``when`` (the child it cannot fire without) keeps its promise, so the engine may skip it.

The engine calls a rule that names a ``when`` child only on context elements that have that child,
and walks each context path once for all rules. Both must leave the findings as they would be if
every check ran on every context element: here a plain reference (each rule, each context element,
no guard) is compared with the engine, on the per-code table's violating messages and on base
messages whose context elements get arbitrary texts and lose children (hypothesis). And the checks
with a ``when``, called directly on a context element without that child, report nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from rule_messages import apply, base, message_type
from test_business_rules import ROWS

from ketensim.standards.rules import check, rules
from ketensim.standards.rules._doc import Doc
from ketensim.standards.rules.engine import plan

GUARDED = [r for r in rules() if r.when]
MESSAGES = sorted({(s, n) for r in rules() for s in r.standards for n in r.contexts})
TEXTS = ["", "0", "01", "02", "03", "04", "1", "2", "3", "6", "8", "13", "83", "84", "C", "D", "NL", "BE",
         "1234AB", "2019-12-31", "2023-06-15", "2023-07-01", "1900-01-01", " 2023-01-01 ", "x"]


def _contexts(doc: Doc, rule, number: str) -> list[etree._Element]:
    return [el for steps in rule.contexts[number] for el in doc.select(steps)]


def _planned(node) -> list:
    """Every rule in a compiled plan, once."""
    found = list(node.rules)
    for sub in node.below.values():
        found += [r for r in _planned(sub) if r not in found]
    return found


def _reference(root: etree._Element, standard: str, number: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every rule of the message's plan on every context element, no guard, no shared walk."""
    doc = Doc(root, standard, number)
    found = []
    for rule in _planned(plan(message_type(standard, number))):
        for el in _contexts(doc, rule, number):
            for fault in rule.check(doc, el) or ():
                found.append((rule.code, doc.locaties(fault)))
    return sorted(found)


def _engine(root: etree._Element, standard: str, number: str) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((f.code, f.paths) for f in check(root, message_type(standard, number)))


def test_some_rules_are_guarded():
    assert len(GUARDED) >= 10
    assert {"CD009", "CS139", "CD075", "CS335"} <= {r.code for r in GUARDED}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in ROWS])
def test_engine_equals_every_check_everywhere_on_the_table(row):
    code, standard, number, ops, _ = row
    root = apply(base(standard, number), standard, number, ops)
    assert _engine(root, standard, number) == _reference(root, standard, number)


@pytest.mark.parametrize("rule", GUARDED, ids=[r.code for r in GUARDED])
def test_a_guarded_check_reports_nothing_without_its_child(rule):
    rows = [r for r in ROWS if r[0] == rule.code]
    assert rows, f"{rule.code} has no row in the per-code table"
    for _, standard, number, ops, _ in rows:
        root = apply(base(standard, number), standard, number, ops)
        assert any(c == rule.code for c, _ in _engine(root, standard, number))  # the row does fire it
        for el in _contexts(Doc(root, standard, number), rule, number):
            for child in [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == rule.when]:
                el.remove(child)
        doc = Doc(root, standard, number)
        assert all(not rule.check(doc, el) for el in _contexts(doc, rule, number))


def _shake(elements: list[etree._Element], data: st.DataObject) -> None:
    """Keep, retext, drop or duplicate each of ``elements`` (and what lies below them), as drawn."""
    for el in elements:
        parent = el.getparent()
        if parent is None or el.getroottree().getroot() is el:
            continue
        action = data.draw(st.sampled_from(["keep", "keep", "text", "drop", "dup"]))
        if action == "text" and len(el) == 0:
            el.text = data.draw(st.sampled_from(TEXTS))
        elif action == "drop" and parent.getparent() is not None:
            parent.remove(el)
        elif action == "dup" and parent.getparent() is not None:
            el.addnext(etree.fromstring(etree.tostring(el)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message=st.sampled_from(MESSAGES), data=st.data())
def test_engine_equals_every_check_everywhere_on_arbitrary_texts(message, data):
    standard, number = message
    root = base(standard, number)
    _shake([el for el in root.iter() if isinstance(el.tag, str)], data)
    assert _engine(root, standard, number) == _reference(root, standard, number)


@pytest.mark.parametrize("rule", GUARDED, ids=[r.code for r in GUARDED])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_guarded_check_reports_nothing_without_its_child_whatever_else(rule, data):
    standard = data.draw(st.sampled_from(rule.standards))
    number = data.draw(st.sampled_from(rule.messages))
    root = base(standard, number)
    contexts = _contexts(Doc(root, standard, number), rule, number)
    _shake([el for ctx in contexts for el in ctx.iter() if el is not ctx and isinstance(el.tag, str)], data)
    for el in contexts:
        for child in [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == rule.when]:
            el.remove(child)
    doc = Doc(root, standard, number)
    assert all(not rule.check(doc, el) for el in _contexts(doc, rule, number))
