"""Bounds on the work of explaining an invalid message file, whatever the file holds.

Checking a file against its XSD with lxml is linear in the file, but the detailed diagnosis
(:mod:`xmlschema`, which names element paths and rules) is not: 4 000 attributes on one element or
a long run of unexpected children take it minutes. Three bounds keep ``ketensim validate`` linear:

* a document that is absurd for an iWmo/iJw message (deeper than :data:`MAX_DEPTH`, an element with
  more than :data:`MAX_ATTRIBUTES` attributes, more than :data:`MAX_ELEMENTS` elements, or an element
  with more than :data:`MAX_CHILDREN` children) is refused with one finding and not diagnosed;
* a document with more than :data:`DETAILED_ELEMENTS` elements is explained from lxml's own error
  log instead of by xmlschema;
* at most :data:`MAX_FINDINGS` findings are listed per file, followed by how many were left out.

The real messages are far inside these bounds: the deepest is 9 levels, no element carries an
attribute besides namespace declarations, and the largest element lists hold one entry per client.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["MAX_DEPTH", "MAX_ATTRIBUTES", "MAX_ELEMENTS", "MAX_CHILDREN", "DETAILED_ELEMENTS", "MAX_FINDINGS",
           "absurdity", "element_count"]

MAX_DEPTH = 32
"""Deepest element nesting accepted (iWmo/iJw messages are at most 9 deep)."""
MAX_ATTRIBUTES = 32
"""Most attributes on one element (iWmo/iJw elements carry none besides namespace declarations)."""
MAX_ELEMENTS = 500_000
"""Most elements in one file: a 25 MB message of real content has fewer."""
MAX_CHILDREN = 100_000
"""Most child elements of one element (a 25 MB declaratie holds fewer clients or prestaties)."""
DETAILED_ELEMENTS = 5_000
"""Largest document explained by xmlschema; bigger ones are explained from lxml's error log."""
MAX_FINDINGS = 20
"""Findings listed per file; the rest are counted."""


def _where(element: etree._Element) -> tuple[str, int | None]:
    return element.getroottree().getpath(element), element.sourceline


def absurdity(tree: etree._ElementTree) -> tuple[str, int | None, str] | None:
    """The first bound ``tree`` breaks, as ``(element path, line, reason)``; None if within every bound.

    One pass over the elements, so linear in the document.
    """
    count = depth = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        count += 1
        depth += 1
        if count > MAX_ELEMENTS:
            return "/", None, (f"more than {MAX_ELEMENTS:,} elements; an iWmo/iJw message has far fewer (refused "
                               "without a detailed diagnosis)")
        if depth > MAX_DEPTH:
            path, line = _where(element)
            return path, line, (f"elements nested more than {MAX_DEPTH} deep; an iWmo/iJw message is at most 9 "
                                "deep (refused without a detailed diagnosis)")
        if len(element.attrib) > MAX_ATTRIBUTES:
            path, line = _where(element)
            return path, line, (f"{len(element.attrib):,} attributes on one element; at most {MAX_ATTRIBUTES} are "
                                "accepted (refused without a detailed diagnosis)")
        if len(element) > MAX_CHILDREN:
            path, line = _where(element)
            return path, line, (f"{len(element):,} child elements; at most {MAX_CHILDREN:,} are accepted (refused "
                                "without a detailed diagnosis)")
    return None


def element_count(tree: etree._ElementTree) -> int:
    """The number of elements in ``tree``."""
    return sum(1 for _ in tree.iter())
