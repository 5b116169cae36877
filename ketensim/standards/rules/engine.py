"""Running the rules on a message: which rules apply to a message type, in what order, with what fidelity.

The rule set is written for iWmo and iJw 3.2 (*documented*). Releases 3.0 and 3.1 are *derived*:
a rule applies there when every element it reads at its context paths exists in that release's
XSD (ketensim's 3.0 and 3.1 schemas are derived from 3.2, so today every rule does). Retour
messages (302, 306, 308, 316, 318, 320), the legacy 303/304 and all 2.x messages are not checked:
the rule set has no rules for them.

For speed the rules of a message type are compiled once into a *plan*: a tree of the context
paths' steps with, at each node, the rules that run on the elements found there; a check walks
each step once however many rules share it, and indexes an element's children by name once for
all rules. A rule that names a ``when`` child (the child it cannot fire without) is not called on
an element that lacks it: most products have no budget, most contacts no period, so most of those
checks never run. The plan is found by the message type's identity, not by hashing it per check.

Reading the message through lxml's Python objects still costs more than validating it against its
XSD, so when the compiled screen (``_screen.pyx``, built at install) is present, the walk runs in C
first: each rule's screen proves on libxml2's nodes that its check would report nothing, and only
the checks it cannot clear run in Python. The findings are the same either way
(``tests/standards/test_rule_screen.py``); ``run(..., screen=False)`` takes the Python walk alone.
"""

from __future__ import annotations

import functools
import multiprocessing
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from lxml import etree

from ketensim.standards.catalogue import Catalogue, MessageType, get_catalogue
from ketensim.standards.drafts import KNOWN, ReleaseTable
from ketensim.standards.rules._doc import Doc, Element
from ketensim.standards.rules._registry import Check, Finding, Rule, registry

__all__ = ["RULE_RELEASES", "XSLT_VERSIE", "Applicability", "rules", "applicability", "plan", "run", "SCREEN", "SCREEN_STATUS"]

RULE_RELEASES: tuple[str, ...] = ("3.0", "3.1", "3.2")
"""The releases the rule engine knows; 3.2 is documented, the others derived."""
XSLT_VERSIE = "2.10.5"
"""The version of the official rule set (its XSLT stylesheets) that these rules follow."""

_XS = "{http://www.w3.org/2001/XMLSchema}element"


def _load_screen():  # type: ignore[no-untyped-def]
    """The compiled screen, a line saying whether it is in use (and if not, why), and whether that is a fault."""
    try:
        from ketensim.standards.rules import _screen  # type: ignore[attr-defined]
    except ModuleNotFoundError:
        return None, "not built (installed with KETENSIM_NO_COMPILE=1, or a source tree that was never built)", False
    except Exception as exc:  # built for another Python, or an lxml whose C API no longer fits
        return None, f"not loadable ({exc}); reinstall ketensim to rebuild it", True
    if _screen.LXML_BUILT != etree.__version__:
        return None, (f"built against lxml {_screen.LXML_BUILT}, but lxml {etree.__version__} is installed; "
                      f"'pip install lxml=={_screen.LXML_BUILT}', or reinstall ketensim with "
                      "--no-build-isolation to build it against this lxml"), True
    return _screen, f"compiled, in use (built against lxml {_screen.LXML_BUILT})", False


SCREEN, SCREEN_STATUS, _STALE = _load_screen()
"""The compiled screen module (``_screen``), or None: then every check runs in Python (the same
findings, more slowly). ``SCREEN_STATUS`` says which, and why."""
if _STALE and multiprocessing.parent_process() is None:  # said once, by the main process, not by every worker
    warnings.warn(f"ketensim: the business rules' compiled screen is {SCREEN_STATUS}; until then every rule check "
                  "runs in Python (the same findings, more slowly)", RuntimeWarning, stacklevel=2)


@dataclass(frozen=True)
class Applicability:
    """Where one rule applies in one standard and release, and how faithfully."""

    standard: str
    release: str
    messages: tuple[str, ...]
    fidelity: str  # documented | derived


def rules() -> list[Rule]:
    """Every rule, sorted by code."""
    return [r for _, r in sorted(registry().items())]


@functools.cache
def _element_names(mt: MessageType) -> frozenset[str]:
    """Every element name declared in the message's XSD and the basisschema beside it."""
    names: set[str] = set()
    message_xsd = mt.xsd_path
    for path in (message_xsd, message_xsd.parent / "basisschema.xsd"):
        if path.is_file():
            tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
            names.update(el.get("name") for el in tree.iter(_XS) if el.get("name"))
    return frozenset(names)


def _fits(rule: Rule, mt: MessageType) -> bool:
    """Whether every element on the rule's context paths exists in ``mt``'s schema."""
    if not rule.applies_to(mt.standard, mt.number):
        return False
    names = _element_names(mt)
    return all(step in names for steps in rule.contexts[mt.number] for step in steps)


def _message_type(catalogue: Catalogue, standard: str, release: str, number: str) -> MessageType | None:
    if number not in {e.number for e in catalogue.select(standard, release)}:
        return None
    return catalogue.get(standard, release, number)


def applicability(rule: Rule, releases: ReleaseTable | None = None) -> list[Applicability]:
    """Per standard and release, the messages the rule checks there and the fidelity.

    With ``releases`` (a scenario's), its draft releases derived from a rule release are
    included, each *derived* (afgeleid) as the release it comes from is.
    """
    table = releases or KNOWN
    catalogue = table.catalogue if table.drafts else get_catalogue()
    drafts = tuple(d.name for d in table.drafts if table.root(d.name) in RULE_RELEASES)
    found = []
    for standard in rule.standards:
        for release in RULE_RELEASES + drafts:
            messages = tuple(
                n for n in rule.messages
                if (mt := _message_type(catalogue, standard, release, n)) is not None and _fits(rule, mt)
            )
            if messages:
                fidelity = "documented" if release == "3.2" else "derived"
                found.append(Applicability(standard, release, messages, fidelity))
    return found


class Plan(NamedTuple):
    """A node of the compiled rules of a message type: the rules that run on the elements here, and the steps below.

    ``walk`` is the same node as the engine walks it, in plain tuples: the checks to call on every
    element found here, the checks to call only on an element that has the rule's ``when`` child,
    and the steps below with their nodes.
    """

    rules: tuple[Rule, ...]
    below: dict[str, Plan]
    walk: Walk = ((), (), ())


Walk: TypeAlias = tuple[
    tuple[tuple[Check, Rule], ...],  # (check, rule): called on every element here
    tuple[tuple[str, Check, Rule], ...],  # (when, check, rule): called when the element has that child
    tuple[tuple[str, "Walk"], ...],  # (step, node below)
]

_NOTHING = Plan((), {})


@functools.cache
def plan(mt: MessageType) -> Plan:
    """The compiled rules of ``mt``: a tree of context steps, each path walked once per check."""
    if mt.structure not in RULE_RELEASES:  # a draft has the rules of the release it is derived from
        return _NOTHING
    root: tuple[list[Rule], dict] = ([], {})
    for rule in rules():
        if _fits(rule, mt):
            for steps in rule.contexts[mt.number]:
                node = root
                for step in steps:
                    node = node[1].setdefault(step, ([], {}))
                node[0].append(rule)

    def freeze(node: tuple[list[Rule], dict]) -> Plan:
        here = tuple(node[0])
        below = {step: freeze(sub) for step, sub in node[1].items()}
        walk = (
            tuple((r.check, r) for r in here if not r.when),
            tuple((r.when, r.check, r) for r in here if r.when),
            tuple((step, sub.walk) for step, sub in below.items()),
        )
        return Plan(here, below, walk)

    return freeze(root)


# id(mt) -> (mt, its plan, the plan in C or None, the screen's arguments: message number, iJw)
_PLANS: dict[int, tuple[MessageType, Plan, object, int, bool]] = {}
_ORDER: dict[str, int] = {}  # rule code -> its index, for ordering findings on one element

Hit = tuple[Element, Rule, Iterable[Element | None]]


def _visit(doc: Doc, el: Element, node: Walk, hits: list[Hit]) -> None:
    plain, guarded, below = node
    for check, rule in plain:
        faults = check(doc, el)
        if faults:
            for fault in faults:
                hits.append((el, rule, fault))
    if guarded or below:
        kids = doc._kids.get(el)  # the index itself: no method call on the hot path
        if kids is None:
            kids = doc.kids(el)
        for when, check, rule in guarded:
            if when in kids:
                faults = check(doc, el)
                if faults:
                    for fault in faults:
                        hits.append((el, rule, fault))
        for step, sub in below:
            found = kids.get(step)
            if found:
                for child in found:
                    _visit(doc, child, sub, hits)


def _screened(compiled: Plan) -> object:
    """The plan's walk compiled for the screen, every rule with its screen (None without the screen)."""
    if SCREEN is None:
        return None
    codes = SCREEN.codes()
    return SCREEN.compile_walk(compiled.walk, lambda rule: rule.code if rule.code in codes else None)


def run(root: Element, mt: MessageType, *, screen: bool = True) -> list[Finding]:
    """Every finding of the rules of ``mt`` on the message ``root``, in document order of the elements checked.

    ``screen=False`` runs every check in Python, without the compiled screen (the same findings).
    """
    known = _PLANS.get(id(mt))
    if known is None or known[0] is not mt:
        if len(_PLANS) > 1000:  # message types made on the fly, not the catalogue's own
            _PLANS.clear()
        compiled = plan(mt)
        known = _PLANS[id(mt)] = (mt, compiled, _screened(compiled), int(mt.number), mt.standard == "ijw")
    _, compiled, in_c, number, ijw = known
    if not (compiled.rules or compiled.below):
        return []
    hits: list[Hit] = []
    if screen and in_c is not None:
        maybe = SCREEN.walk(root, in_c, number, ijw)
        if not maybe:
            return []
        doc = Doc(root, mt.standard, mt.number)
        for el, (check, rule) in maybe:
            faults = check(doc, el)
            if faults:
                for fault in faults:
                    hits.append((el, rule, fault))
    else:
        doc = Doc(root, mt.standard, mt.number)
        _visit(doc, root, compiled.walk, hits)
    if not hits:
        return []
    if not _ORDER:
        _ORDER.update({r.code: i for i, r in enumerate(rules())})
    if len(hits) > 1:
        indexed = sorted(
            enumerate(hits), key=lambda ih: (doc.position(ih[1][0]), _ORDER[ih[1][1].code], ih[0])
        )
        hits = [h for _, h in indexed]
    return [Finding(rule.code, doc.locaties(fault), rule.explanation, rule.retourcode) for _, rule, fault in hits]
