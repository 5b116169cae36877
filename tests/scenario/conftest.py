"""Fixtures for the scenario tests: broken variants of a bundled scenario, written to tmp_path.

Broken scenarios are never committed: each test states the text edit that breaks a known-good
bundled file (by default the 2022 draaiboek) and loads the result from a temporary file, so the
error message can be checked to start with that file's path.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ketensim._resources import scenario_path

Edit = tuple[str, str] | tuple[str, str, str]
"""``(old, new)``, or ``(anchor, old, new)``: replace the first ``old`` found after ``anchor``."""


def apply_edits(text: str, edits: tuple[Edit, ...] | list[Edit]) -> str:
    """Apply text edits in order; every anchor and every ``old`` must be present."""
    for edit in edits:
        if len(edit) == 2:
            anchor, (old, new) = "", edit
        else:
            anchor, old, new = edit
        start = 0
        if anchor:
            start = text.find(anchor)
            assert start >= 0, f"anchor {anchor!r} not found in the scenario text"
        at = text.find(old, start)
        assert at >= 0, f"{old!r} not found after {anchor!r} in the scenario text"
        text = text[:at] + new + text[at + len(old):]
    return text


@pytest.fixture
def variant(tmp_path: Path) -> Callable[..., Path]:
    """Write an edited copy of a bundled scenario and return its path.

    ``variant(("old", "new"), ("anchor", "old", "new"), base="2018-2.1-2.2", prepend=..., append=...)``
    """

    def make(*edits: Edit, base: str = "2022-3.0-3.1", prepend: str = "", append: str = "") -> Path:
        text = scenario_path(base).read_text(encoding="utf-8")
        text = prepend + apply_edits(text, edits) + append
        path = tmp_path / f"{base}-variant.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return make
