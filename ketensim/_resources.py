"""Find the data that ships with ketensim: bundled scenarios, the project's XSDs, reference CSVs.

In a wheel, ``scenarios/`` and ``xsd/`` are installed inside the package; in a source checkout
(or an editable install) they sit at the repository root. Both are found the same way.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ketensim.exceptions import KetensimError


def resource_dir(name: str) -> Traversable:
    """Return the directory ``name`` (``scenarios``, ``xsd`` or ``data``) that ships with ketensim."""
    packaged = resources.files("ketensim") / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise KetensimError(f"ketensim installation is incomplete: data directory {name!r} not found")


def scenario_path(name: str) -> Path:
    """Return the path of a bundled scenario, by file name with or without ``.toml``."""
    file = name if name.endswith(".toml") else f"{name}.toml"
    return Path(str(resource_dir("scenarios") / file))


def bundled_scenarios() -> list[Path]:
    """All bundled scenario files, sorted by name."""
    root = Path(str(resource_dir("scenarios")))
    return sorted(root.glob("*.toml"))


def xsd_dir() -> Path:
    """The root of the project's own XSDs (``xsd/<standard>/<release>/``)."""
    return Path(str(resource_dir("xsd")))


def data_file(name: str) -> Path:
    """A reference CSV shipped in ``ketensim/data``."""
    return Path(str(resource_dir("data") / name))
