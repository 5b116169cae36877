"""Plain-text tables for the terminal (fixed width, wraps long cells, safe to paste in a README)."""

from __future__ import annotations

import textwrap

__all__ = ["table"]


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
