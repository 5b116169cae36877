"""The schemas of a draft release: the base release's XSDs with the draft's namespace and version.

A draft release (:mod:`ketensim.standards.drafts`) is validated against schemas derived here from
the project's own XSDs of the release it is derived from: every namespace of the base (message
and basisschema) becomes the draft's, the ``BerichtVersie`` and ``BerichtSubversie`` patterns
carry the draft's version, and each schema's documentation says it is *afgeleid* and from which
file. The structure is the base's, unchanged.

*Built once, cached on disk.* The schemas are written to a cache directory named by a hash of
everything they are made from (the source files' bytes, the draft's name and note, this module's
format version), so a second run, an experiment's worker processes and a later session find
them ready, and a changed base XSD can never be served stale. On disk rather than in memory
because lxml and xmlschema resolve the basisschema import by file, spawned workers share the
result without building it again, and a reader can open the files. A build writes into a
temporary directory and renames it into place: the rename is atomic, so parallel workers racing
to build the same schemas each see either nothing or a complete set; the loser discards its copy.

The cache root is ``$KETENSIM_CACHE_DIR``, else ``$XDG_CACHE_HOME/ketensim``, else
``~/.cache/ketensim``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from ketensim.exceptions import KetensimError
from ketensim.standards.catalogue import MessageType

__all__ = ["cache_root", "derived_schema_root", "derive_schema", "FORMAT"]

FORMAT = "1"
"""Version of the derivation; part of the cache key, so changing how schemas are derived rebuilds them."""

_XS = "http://www.w3.org/2001/XMLSchema"
_LABEL = {"iwmo": "iWmo", "ijw": "iJw"}


def cache_root() -> Path:
    """Where ketensim keeps what it builds once (``$KETENSIM_CACHE_DIR`` or the user's cache directory)."""
    explicit = os.environ.get("KETENSIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ketensim"


def _source(entry: MessageType) -> MessageType:
    from ketensim.standards.catalogue_data import CATALOGUE

    return CATALOGUE.get(entry.standard, entry.derived_from, entry.number)


def _plan(entries: Sequence[MessageType]) -> dict[str, tuple[Path, dict[str, str], MessageType | None]]:
    """Target file -> (source file, namespace replacements, the message or None for a basisschema)."""
    from ketensim.standards.catalogue_data import basis_namespace

    files: dict[str, tuple[Path, dict[str, str], MessageType | None]] = {}
    for entry in entries:
        src = _source(entry)
        basis = {basis_namespace(src.standard, src.release): basis_namespace(entry.standard, entry.release)}
        files[entry.xsd] = (src.xsd_path, {src.namespace: entry.namespace, **basis}, entry)
    for standard in sorted({e.standard for e in entries}):
        mine = [e for e in entries if e.standard == standard]
        # the basisschema of the release most messages come from (the draft's root release)
        root = max(sorted({e.derived_from for e in mine}), key=lambda r: sum(e.derived_from == r for e in mine))
        first = mine[0]
        basis_src = _source(next(e for e in mine if e.derived_from == root))
        target = str(Path(first.xsd).parent / "basisschema.xsd")
        files[target] = (basis_src.xsd_path.parent / "basisschema.xsd",
                         {basis_namespace(standard, root): basis_namespace(standard, first.release)}, None)
    return dict(sorted(files.items()))


def _documentation(entry: MessageType | None, standard: str, release: str, source: str, note: str) -> str:
    what = (f"{entry.code} {entry.name}, {_LABEL[standard]} {release}: BerichtCode {'/'.join(entry.bericht_codes)}, "
            f"BerichtVersie {entry.bericht_versie}, BerichtSubversie {entry.bericht_subversie}."
            if entry is not None else f"Basisschema {_LABEL[standard]} {release}.")
    lines = [what,
             "Written by ketensim for a draft release a scenario declared (not an official iStandaarden schema).",
             f"AFGELEID (derived) from ketensim's {source}: namespace and BerichtVersie/BerichtSubversie of release "
             f"{release}; structure unchanged."]
    if note:
        lines.append(f"Note: {note}")
    return "\n".join(lines)


def derive_schema(data: bytes, namespaces: dict[str, str], versie: tuple[str, str] | None, documentation: str) -> bytes:
    """One schema of the base release rewritten for the draft.

    Args:
        data: The base XSD's bytes.
        namespaces: Old namespace -> new one (the message's and the basisschema's).
        versie: The draft's (BerichtVersie, BerichtSubversie); None for a basisschema.
        documentation: The new ``xs:documentation`` text.

    Raises:
        KetensimError: The base schema does not look as expected (a namespace or pattern missing).
    """
    text = data
    for old, new in namespaces.items():
        quoted = f'"{old}"'.encode()
        if quoted not in text:
            raise KetensimError(f"base schema does not declare namespace {old!r}; cannot derive a draft schema")
        text = text.replace(quoted, f'"{new}"'.encode())
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)
    root = etree.fromstring(text, parser)
    if versie is not None:
        for name, value in zip(("BerichtVersie", "BerichtSubversie"), versie, strict=True):
            patterns = root.findall(f".//{{{_XS}}}element[@name='{name}']//{{{_XS}}}pattern")
            for pattern in patterns:
                pattern.set("value", value)
    doc = root.find(f"{{{_XS}}}annotation/{{{_XS}}}documentation")
    if doc is not None:
        doc.text = documentation
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _render(entries: Sequence[MessageType], note: str) -> dict[str, bytes]:
    out = {}
    for target, (source, namespaces, entry) in _plan(entries).items():
        standard, release_dir = Path(target).parts[:2]
        release = release_dir.replace("_", ".")
        source_name = f"{source.parent.parent.name}/{source.parent.name}/{source.name}"
        versie = (entry.bericht_versie, entry.bericht_subversie) if entry is not None else None
        out[target] = derive_schema(source.read_bytes(), namespaces, versie,
                                    _documentation(entry, standard, release, source_name, note))
    return out


def _key(name: str, entries: Sequence[MessageType], note: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{name}\0{note}\0".encode())
    for target, (source, namespaces, _) in _plan(entries).items():
        digest.update(f"{target}\0{sorted(namespaces.items())}\0".encode())
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()[:16]


def derived_schema_root(name: str, entries: Sequence[MessageType], note: str = "") -> Path:
    """The directory holding the derived schemas of draft ``name`` (built now if the cache lacks them).

    ``entries`` are the draft's messages (:attr:`MessageType.derived_from` set); the files land at
    their :attr:`MessageType.xsd` under the returned directory, a basisschema beside them.
    """
    final = cache_root() / "xsd-afgeleid" / f"{name}-{_key(name, entries, note)}"
    if final.is_dir():
        return final
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=final.parent))
    except OSError as err:
        raise KetensimError(f"cannot write the derived schemas of release {name} under {final.parent}: "
                            f"{err.strerror or err} (set KETENSIM_CACHE_DIR to a writable directory)") from None
    try:
        for target, data in _render(entries, note).items():
            path = building / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.rename(building, final)
    except OSError:
        if not final.is_dir():  # not a lost race with another process: a real failure
            shutil.rmtree(building, ignore_errors=True)
            raise
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return final
