"""The iStandaarden business rules (TR/CD/CS) that a message must obey beyond its XSD.

After the XSD, the Validatiemodule (and VECOZO on submission) runs a rule set over iWmo and iJw
heen messages: BSN 11-proef, dates in order, code combinations, totals, duplicates. ketensim has
its own implementation, written from the project's rule facts: one small rule per code in the
modules of this package, named by its code, over the parsed message.

Public API:
    :func:`check` runs the rules on a message (element, tree or bytes) and returns its findings;
    :class:`Finding` is one violation (code, locations, Dutch explanation, retourcode);
    :func:`rules` and :func:`applicability` describe the rule set (``ketensim catalogue --rules``);
    :func:`applies` says whether a message type has rules at all.

Example:
    >>> from ketensim.standards.rules import check
    >>> check(open("WMO315_0001.xml", "rb").read())  # doctest: +SKIP
    [Finding(code='CD066', paths=('/Bericht/Client/...',), explanation='...', retourcode='')]
"""

from __future__ import annotations

from lxml import etree

from ketensim.exceptions import UnknownMessageType
from ketensim.standards.catalogue import MessageType
from ketensim.standards.rules import client, declaratie, duplicates, persoon, producten, verzoek  # noqa: F401
from ketensim.standards.rules._registry import Finding, Rule
from ketensim.standards.rules.engine import (
    RULE_RELEASES,
    XSLT_VERSIE,
    Applicability,
    applicability,
    plan,
    rules,
    run,
)

__all__ = ["Finding", "Rule", "Applicability", "RULE_RELEASES", "XSLT_VERSIE", "check", "applies", "rules", "applicability"]


def applies(mt: MessageType) -> bool:
    """Whether any rule checks messages of type ``mt`` (3.x heen messages and the 325)."""
    compiled = plan(mt)
    return bool(compiled.rules or compiled.below)


def check(
    message: etree._Element | etree._ElementTree | bytes, message_type: MessageType | str | None = None
) -> list[Finding]:
    """Run the business rules on one message and return every violation (an empty list: none).

    Args:
        message: The message as an lxml element or tree, or as bytes (parsed safely: no DTDs,
            no entities, at most 25 MB).
        message_type: The message's type, or its code as ``"WMO301"``/``"JW323"`` (the release
            then follows from the namespace); by default detected from the root's namespace.

    Raises:
        UnsafeXML: ``message`` is bytes that are not safe, well-formed XML.
        UnknownMessageType: The type cannot be detected or does not match ``message_type``.
    """
    from ketensim.standards.validation import detect, parse_xml  # validation imports this package

    if isinstance(message, bytes):
        message = parse_xml(message, name="message")
    root = message.getroot() if isinstance(message, etree._ElementTree) else message
    if isinstance(message_type, MessageType):
        mt = message_type
    else:
        mt = detect(root)
        if message_type is not None and message_type.upper() != mt.code:
            raise UnknownMessageType(
                f"message is {mt.code} {mt.release} (from its namespace), not {message_type!r} as given"
            )
    return run(root, mt)
