"""Turn basisschema definitions and message trees into XSD documents (lxml, pretty-printed UTF-8).

Conventions of the generated schemas, after the documented iWmo/iJw sets: ``elementFormDefault=
"qualified"``; every type an ``xs:sequence``; the only global element is ``Bericht`` of the named
type ``Root``; complex elements of a message get named types in the message namespace; a value
fixed for one message (BerichtCode, release markers) is an anonymous restriction of the basis type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from xsdgen.basis import BasisSchema, SimpleType
from xsdgen.messages import MessageTree
from xsdgen.tree import Node

__all__ = ["render_basis", "render_message"]

XS = "http://www.w3.org/2001/XMLSchema"


def _xs(parent: etree._Element | None, tag: str, **attrs: str) -> etree._Element:
    if parent is None:
        return etree.Element(f"{{{XS}}}{tag}", attrs)
    return etree.SubElement(parent, f"{{{XS}}}{tag}", attrs)


def _schema(target: str, nsmap: dict[str, str], documentation: str) -> etree._Element:
    schema = etree.Element(
        f"{{{XS}}}schema",
        {"targetNamespace": target, "elementFormDefault": "qualified", "attributeFormDefault": "unqualified"},
        nsmap={"xs": XS, **nsmap},
    )
    _xs(_xs(schema, "annotation"), "documentation").text = documentation
    return schema


def _occurs(node: Node) -> dict[str, str]:
    attrs = {}
    if node.min_occurs != 1:
        attrs["minOccurs"] = str(node.min_occurs)
    if node.max_occurs != 1:
        attrs["maxOccurs"] = "unbounded" if node.max_occurs is None else str(node.max_occurs)
    return attrs


def _basis_ref(type_ref: str, prefix: str) -> str:
    """``"L.Datum"`` -> ``"iwmo:LDT_Datum"``; ``"C.Product"`` -> ``"iwmo:CDT_Product"``."""
    kind, name = type_ref.split(".")
    return f"{prefix}:{'LDT' if kind == 'L' else 'CDT'}_{name}"


def _restriction(parent: etree._Element, base: str, facets: list[tuple[str, str]]) -> None:
    restriction = _xs(_xs(parent, "simpleType"), "restriction", base=base)
    for facet, value in facets:
        _xs(restriction, facet, value=value)


def _simple_facets(st: SimpleType) -> list[tuple[str, str]]:
    facets: list[tuple[str, str]] = []
    if st.min_length is not None:
        facets.append(("minLength", str(st.min_length)))
    if st.max_length is not None:
        facets.append(("maxLength", str(st.max_length)))
    if st.min_inclusive is not None:
        facets.append(("minInclusive", str(st.min_inclusive)))
    if st.max_inclusive is not None:
        facets.append(("maxInclusive", str(st.max_inclusive)))
    if st.pattern is not None:
        facets.append(("pattern", st.pattern))
    facets += [("enumeration", value) for value in st.enumeration]
    return facets


def _leaf(parent: etree._Element, node: Node, prefix: str) -> None:
    """A typed element; a fixed value or extra pattern becomes an anonymous restriction."""
    assert node.type is not None
    base = _basis_ref(node.type, prefix)
    if not node.fixed and node.pattern is None:
        _xs(parent, "element", name=node.name, type=base, **_occurs(node))
        return
    element = _xs(parent, "element", name=node.name, **_occurs(node))
    if len(node.fixed) == 1:
        facets = [("pattern", node.fixed[0])]
    else:
        facets = [("enumeration", value) for value in node.fixed]
    if node.pattern is not None:
        facets.append(("pattern", node.pattern))
    _restriction(element, base, facets)


def _signature(node: Node) -> tuple[object, ...]:
    """The content of a complex type (its children), independent of the element's own name."""
    return tuple(
        (c.name, c.min_occurs, c.max_occurs, c.type, c.fixed, c.pattern, _signature(c)) for c in node.children
    )


@dataclass
class _TypeNames:
    """Gives each distinct complex content one type name, reusing it for identical content."""

    by_name: dict[str, tuple[object, ...]] = field(default_factory=dict)
    order: list[tuple[str, Node]] = field(default_factory=list)

    def name_for(self, node: Node, parent_name: str) -> str:
        signature = _signature(node)
        candidates = [node.name, parent_name + node.name]
        candidates += [f"{parent_name}{node.name}{i}" for i in range(2, 100)]
        for candidate in candidates:
            if candidate not in self.by_name:
                self.by_name[candidate] = signature
                self.order.append((candidate, node))
                return candidate
            if self.by_name[candidate] == signature:
                return candidate
        raise ValueError(f"too many different types named {node.name!r}")


def _sequence(parent: etree._Element, node: Node, prefix: str, names: _TypeNames, own: str) -> None:
    """Declare the children of ``node`` as an ``xs:sequence``; complex children get named types."""
    sequence = _xs(parent, "sequence")
    for child in node.children:
        if child.is_complex:
            type_name = names.name_for(child, node.name)
            _xs(sequence, "element", name=child.name, type=f"{own}:{type_name}", **_occurs(child))
        else:
            _leaf(sequence, child, prefix)


def render_message(
    tree: MessageTree,
    namespace: str,
    prefix: str,
    basis_namespace: str,
    basis_prefix: str,
    documentation: str,
) -> bytes:
    """Render one message XSD.

    Args:
        tree: Header and body of the message.
        namespace: The message namespace (target namespace).
        prefix: Its prefix, e.g. ``wmo301``.
        basis_namespace: Namespace of the basisschema, imported from ``basisschema.xsd``.
        basis_prefix: Its prefix, ``iwmo`` or ``ijw``.
        documentation: Text of the schema's ``xs:documentation``.

    Returns:
        The XSD document as UTF-8 bytes.
    """
    schema = _schema(namespace, {prefix: namespace, basis_prefix: basis_namespace}, documentation)
    _xs(schema, "import", namespace=basis_namespace, schemaLocation="basisschema.xsd")
    _xs(schema, "element", name="Bericht", type=f"{prefix}:Root")
    root = Node("Root", children=[tree.header, tree.body])
    names = _TypeNames()
    names.name_for(root, "")
    done = 0
    while done < len(names.order):  # types are appended while their parents are rendered
        type_name, node = names.order[done]
        _sequence(_xs(schema, "complexType", name=type_name), node, basis_prefix, names, prefix)
        done += 1
    return _serialise(schema)


def render_basis(basis: BasisSchema, namespace: str, prefix: str, documentation: str) -> bytes:
    """Render one ``basisschema.xsd``: the ``CDT_*`` complex and ``LDT_*`` simple types."""
    schema = _schema(namespace, {prefix: namespace}, documentation)
    for node in basis.complex:
        complex_type = _xs(schema, "complexType", name=f"CDT_{node.name}")
        sequence = _xs(complex_type, "sequence")
        for child in node.children:
            _leaf(sequence, child, prefix)
    for name in sorted(basis.simple):
        simple = basis.simple[name]
        restriction = _xs(
            _xs(schema, "simpleType", name=f"LDT_{name}"), "restriction", base=f"xs:{simple.base}"
        )
        for facet, value in _simple_facets(simple):
            _xs(restriction, facet, value=value)
    return _serialise(schema)


def _serialise(schema: etree._Element) -> bytes:
    etree.indent(schema, space="  ")
    data: bytes = etree.tostring(schema, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
