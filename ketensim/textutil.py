"""Plain-text tables for the terminal (fixed width, wraps long cells, safe to paste in a README), and numbers.

:func:`decimals` is the one rounding rule for figures: the CLI (:func:`figure`, ``1,234.5``) and the
Dutch report (``ketensim.report.texts.nl``, ``1.234,5``) both use it, so they show the same numbers.
"""

from __future__ import annotations

import math
import textwrap

__all__ = ["table", "decimals", "figure"]


def decimals(value: float) -> int:
    """Decimals a figure is shown with: none for whole numbers and from 100 up, one from 1 up, two below 1."""
    size = abs(value)
    return 0 if float(value).is_integer() or size >= 100 else 1 if size >= 1 else 2


def figure(value: float | None, places: int | None = None) -> str:
    """A figure for the terminal: ``1,234``, ``6.3``, ``0.05``; ``None`` → ``-``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{decimals(value) if places is None else places}f}"
    return "0" if text.lstrip("-").strip("0,.") == "" else text


def table(header: list[str], rows: list[list[str]], wrap: dict[int, int] | None = None) -> str:
    """Render ``rows`` under ``header`` as aligned columns; ``wrap`` maps a column index to a width."""
    wrap = wrap or {}
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    lines_per_cell = [
        [textwrap.wrap(c, wrap[i]) or [""] if i in wrap else [c] for i, c in enumerate(row)] for row in cells
    ]
    widths = [max(len(line) for row in lines_per_cell for line in row[i]) for i in range(len(header))]
    out = []
    for n, row in enumerate(lines_per_cell):
        height = max(len(c) for c in row)
        for k in range(height):
            parts = [(c[k] if k < len(c) else "").ljust(widths[i]) for i, c in enumerate(row)]
            out.append("  ".join(parts).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)
