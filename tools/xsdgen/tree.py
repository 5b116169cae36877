"""Element trees in the notation of the schema fact sheets, and the edits that derive one from another.

A tree is written as indented text, one element per line, children indented by two spaces and in
sequence order::

    Client
      Bsn L.BurgerServicenummer
      Relaties?/Relatie+
        Nummer L.Persoonsid
      BerichtCode L.BerichtCode=414
      Commentaar? L.Commentaar

Cardinality suffix: none = 1, ``?`` = 0..1, ``+`` = 1..n, ``*`` = 0..n. ``A?/B+`` is a wrapper
``A`` holding one or more ``B``. The type is ``L.X`` (basisschema simple type ``LDT_X``) or ``C.X``
(complex type ``CDT_X``); an element without a type is a complex element defined by its children.
``=v`` fixes the value by pattern, ``=v1|v2`` restricts it to an enumeration, ``~regex`` adds a
pattern. A line ``%name`` inserts the fragment ``name`` (see :func:`parse`). ``#`` starts a comment.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

__all__ = ["Node", "parse", "find", "insert_after", "retour_codes", "to_retour", "walk"]

_CARDINALITY = {"": (1, 1), "?": (0, 1), "+": (1, None), "*": (0, None)}
_LINE = re.compile(
    r"^(?P<name>[A-Za-z0-9]+)(?P<card>[?+*]?)"
    r"(?:/(?P<item>[A-Za-z0-9]+)(?P<item_card>[?+*]?))?"
    r"(?:\s+(?P<type>[LC]\.[A-Za-z0-9]+))?"
    r"(?:=(?P<fixed>\S+)|~(?P<pattern>\S+))?$"
)


@dataclass
class Node:
    """One element declaration: name, cardinality, type or children."""

    name: str
    min_occurs: int = 1
    max_occurs: int | None = 1  # None = unbounded
    type: str | None = None  # "L.Datum" / "C.Product"; None = complex, defined by children
    fixed: tuple[str, ...] = ()  # one value: fixed by pattern; several: enumeration
    pattern: str | None = None  # extra pattern on top of the basis type
    children: list[Node] = field(default_factory=list)
    wrapper: bool = False  # only holds a repeating item (``A/B+``): gets no RetourCodes in a retour

    @property
    def is_complex(self) -> bool:
        """True for an element whose type is defined by its own children."""
        return self.type is None


def _node_from_match(m: re.Match[str]) -> tuple[Node, Node]:
    """Return (outer, innermost) node of one line; they differ for ``A/B`` wrappers."""
    lo, hi = _CARDINALITY[m["card"]]
    outer = Node(m["name"], lo, hi)
    inner = outer
    if m["item"]:
        ilo, ihi = _CARDINALITY[m["item_card"]]
        inner = Node(m["item"], ilo, ihi)
        outer.children.append(inner)
        outer.wrapper = True
    inner.type = m["type"]
    inner.fixed = tuple(m["fixed"].split("|")) if m["fixed"] else ()
    inner.pattern = m["pattern"]
    return outer, inner


def parse(text: str, fragments: Mapping[str, str] | None = None) -> list[Node]:
    """Parse an indented tree into its top-level nodes.

    Args:
        text: The tree in the notation of the module docstring.
        fragments: Named sub-trees that a line ``%name`` inserts at that indentation.

    Returns:
        The top-level nodes, in order.

    Raises:
        ValueError: On a line that does not follow the notation or is indented wrongly.
    """
    lines = _expand(text, fragments or {})
    roots: list[Node] = []
    stack: list[tuple[int, Node]] = []  # (indent, innermost node of that line)
    for indent, body in lines:
        m = _LINE.match(body)
        if not m:
            raise ValueError(f"cannot parse tree line {body!r}")
        outer, inner = _node_from_match(m)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack:
            parent = stack[-1][1]
            if parent.type is not None:
                raise ValueError(f"element {parent.name!r} has a type and children")
            parent.children.append(outer)
        elif indent:
            raise ValueError(f"first line of a tree is indented: {body!r}")
        else:
            roots.append(outer)
        stack.append((indent, inner))
    return roots


def _expand(text: str, fragments: Mapping[str, str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if body.startswith("%"):
            for sub_indent, sub_body in _expand(fragments[body[1:]], fragments):
                out.append((indent + sub_indent, sub_body))
        else:
            out.append((indent, body))
    return out


def walk(nodes: list[Node]) -> Iterator[Node]:
    """Every node of the trees, depth first, parents before children."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def find(root: Node, path: str) -> Node:
    """The descendant of ``root`` at ``path`` (``"Client/Naam"``); raise ``KeyError`` if absent."""
    node = root
    for name in path.split("/"):
        matches = [c for c in node.children if c.name == name]
        if not matches:
            raise KeyError(f"{path!r}: no element {name!r} under {node.name!r}")
        node = matches[0]
    return node


def insert_after(root: Node, path: str, new: Node) -> None:
    """Insert ``new`` right after the element at ``path`` (in the same parent)."""
    parent_path, _, name = path.rpartition("/")
    parent = find(root, parent_path) if parent_path else root
    index = next(i for i, c in enumerate(parent.children) if c.name == name)
    parent.children.insert(index + 1, new)


def _retour_codes(min_occurs: int) -> Node:
    """``RetourCodes/RetourCode+ L.RetourCode`` with the given outer cardinality."""
    item = Node("RetourCode", 1, None, type="L.RetourCode")
    return Node("RetourCodes", min_occurs, 1, children=[item], wrapper=True)


def retour_codes(optional: bool = False) -> Node:
    """The RC block: mandatory in every data class of a retour, optional in a retour header."""
    return _retour_codes(0 if optional else 1)


def to_retour(body: Node) -> Node:
    """Derive the body of a retour from the body of its heen.

    The body element becomes optional and every data class defined in the message (a complex
    element that is not a wrapper) gets a mandatory ``RetourCodes`` as its last child; wrappers
    and basisschema types get none. This is the documented retour rule of 2.1 and 3.2.

    Args:
        body: The top body element of the heen (``Client``, ``Clienten``, ``Antwoord`` …).

    Returns:
        A new tree; ``body`` is left unchanged.
    """
    retour = copy.deepcopy(body)
    retour.min_occurs = 0
    for node in list(walk([retour])):
        if node.is_complex and not node.wrapper:
            node.children.append(retour_codes())
    return retour
