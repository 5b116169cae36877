"""Deterministic, atomic CSV and JSON writing for experiment outputs.

Floats are written with Python's shortest round-trip repr, keys in a fixed order, no wall-clock
times: the same experiment gives byte-identical files whatever the number of workers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ketensim.outdir import atomic_open, atomic_write

__all__ = ["write_csv", "write_json", "cell", "file_sha256", "read_csv"]


def cell(value: Any) -> str:
    """One CSV cell: ints as ints, floats in shortest repr (integral floats keep ``.0``), None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    return str(value)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    with atomic_open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(v) for v in row])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def write_json(path: Path, data: Any) -> Path:
    return atomic_write(path, json.dumps(_clean(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def file_sha256(path: str) -> str | None:
    """SHA-256 of a scenario file, or None when the scenario did not come from a readable file."""
    p = Path(path)
    if not p.is_file():
        return None
    return hashlib.sha256(p.read_bytes()).hexdigest()
