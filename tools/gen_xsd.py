"""Regenerate the project's own XSDs under ``xsd/<standard>/<release>/`` from the message catalogue.

The catalogue (:mod:`ketensim.standards.catalogue_data`) says which messages exist, with their
namespace, BerichtCodes and file; :mod:`xsdgen` holds the trees and types written from the
reference facts. The XSD files are committed data; rerun this after changing either side.

Usage::

    python tools/gen_xsd.py            # write xsd/
    python tools/gen_xsd.py --check    # exit 1 if xsd/ differs from what would be written
    python tools/gen_xsd.py --out DIR  # write elsewhere
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from xsdgen.basis import basis_schema  # noqa: E402
from xsdgen.messages import message_tree  # noqa: E402
from xsdgen.provenance import basis_documentation, message_documentation  # noqa: E402
from xsdgen.render import render_basis, render_message  # noqa: E402

from ketensim.standards.catalogue import Catalogue  # noqa: E402
from ketensim.standards.catalogue_data import CATALOGUE, basis_namespace, release_dir  # noqa: E402

__all__ = ["render_all", "main"]


def render_all(catalogue: Catalogue = CATALOGUE) -> dict[str, bytes]:
    """Every XSD file of the catalogue, by path relative to the xsd root.

    Args:
        catalogue: The catalogue whose entries get a schema.

    Returns:
        ``{"iwmo/3_2/WMO301.xsd": b"<?xml …", "iwmo/3_2/basisschema.xsd": …}``.
    """
    files: dict[str, bytes] = {}
    groups = sorted({(e.standard, e.release) for e in catalogue})
    for standard, release in groups:
        basis = basis_schema(standard, release)
        basis_ns = basis_namespace(standard, release)
        files[f"{standard}/{release_dir(release)}/basisschema.xsd"] = render_basis(
            basis, basis_ns, standard, basis_documentation(standard, release, basis)
        )
        for entry in catalogue.select(standard=standard, release=release):
            tree = message_tree(standard, release, entry.number, entry.bericht_codes)
            files[entry.xsd] = render_message(
                tree,
                entry.namespace,
                entry.code.lower(),
                basis_ns,
                standard,
                message_documentation(entry),
            )
    return files


def main(argv: list[str] | None = None) -> int:
    """Write (or check) the XSD tree; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "xsd", help="xsd root to write (default: xsd/)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on any difference")
    args = parser.parse_args(argv)
    files = render_all()
    stale = [
        rel
        for rel, data in files.items()
        if not (args.out / rel).is_file() or (args.out / rel).read_bytes() != data
    ]
    if args.check:
        for rel in stale:
            print(f"out of date: {rel}")
        return 1 if stale else 0
    for rel in stale:
        target = args.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data := files[rel])
        print(f"wrote {rel} ({len(data)} bytes)")
    print(f"{len(files)} schemas, {len(stale)} written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
