"""The technical check a hub makes on submission: the XSD, then (where the hub does so) the business rules.

A message that fails its XSD gets a foutmelding; one that passes the XSD but breaks a business rule
(TR/CD/CS, see :mod:`ketensim.standards.rules`) is refused just as technically, counted apart as
``rejected_rules``. Which hub checks the rules is scenario data (``[hubs.vecozo] rules``, on by
default; ``[hubs.ib] rules``, off). Only 3.x heen messages and the 325 have rules, so a hub never
refuses another message on them, and counting mode (``--xml off``) checks nothing: there a refusal
follows from a ``corrupt`` injection alone, as it does for the XSD.

The simulated parties' own messages break no rule (their builders are tested for it), so a
``corrupt`` injection with ``check = "rules"`` breaks one on purpose: :func:`corrupt_rules`.
"""

from __future__ import annotations

import functools

from lxml import etree

from ketensim.standards import rules as business_rules
from ketensim.standards.catalogue import MessageType

__all__ = ["FOUTMELDING", "REJECTED_RULES", "REFUSALS", "has_rules", "expected_refusal", "corrupt_rules"]

FOUTMELDING = "foutmelding"
"""The hub result of a message that fails its XSD."""
REJECTED_RULES = "rejected_rules"
"""The hub result of an XSD-valid message that breaks a business rule."""
REFUSALS = (FOUTMELDING, REJECTED_RULES)
"""The technical refusals: the sender repairs the message and sends it again."""


@functools.cache
def has_rules(mt: MessageType) -> bool:
    """Whether the business rules check messages of type ``mt``."""
    return business_rules.applies(mt)


def expected_refusal(corrupt: str, checks_rules: bool) -> str:
    """The hub's verdict on a simulated message: ``""`` (passes), or the refusal its corruption earns.

    Args:
        corrupt: What a ``corrupt`` injection broke: ``""``, ``"xsd"`` or ``"rules"``.
        checks_rules: Whether this hub checks the rules on this message (the hub's setting and
            :func:`has_rules` of its type).
    """
    if corrupt == "xsd":
        return FOUTMELDING
    if corrupt == "rules" and checks_rules:
        return REJECTED_RULES
    return ""


def _local(el: etree._Element) -> str:
    return str(el.tag).rpartition("}")[2]


def _first(root: etree._Element, name: str) -> etree._Element | None:
    return next((el for el in root.iter() if isinstance(el.tag, str) and _local(el) == name), None)


def corrupt_rules(element: etree._Element) -> None:
    """Break a business rule the way a faulty export does, keeping the message XSD-valid.

    The client's BSN gets a wrong last digit, which always fails the 11-proef (CS002); a 319 has
    no BSN, so its answer loses the reason of a rejection (CD085) or gains one it must not have
    (CD086).
    """
    bsn = _first(element, "Bsn")
    if bsn is not None and bsn.text and bsn.text[-1].isdigit():
        bsn.text = bsn.text[:-1] + str((int(bsn.text[-1]) + 1) % 10)
        return
    antwoord = _first(element, "VerzoekAntwoord")
    if antwoord is None:
        raise ValueError(f"no rule to break in a {_local(element)} without Bsn or VerzoekAntwoord")
    reden = next((el for el in antwoord.itersiblings() if _local(el) == "RedenAfwijzingVerzoek"), None)
    if reden is not None:
        reden.getparent().remove(reden)
    else:
        added = etree.Element(antwoord.tag.replace("VerzoekAntwoord", "RedenAfwijzingVerzoek"))
        added.text = "1"
        antwoord.addnext(added)
