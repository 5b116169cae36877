"""Shared fixtures: a tiny 2022 world (3 gemeenten, 10 aanbieders, 300 clients) for experiment and report tests.

The tiny world keeps a replication at a few tenths of a second in counting mode (``xml=False``),
so experiments of a handful of replications stay fast. Two injections make pairs break and show in
the per-injection summary; a third falls on a Sunday and touches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ketensim._resources import scenario_path
from ketensim.scenario import load_scenario
from ketensim.scenario.model import Scenario

TINY = """
[population]
gemeenten = 3
aanbieders = 10
clients = 300

[[injection]]
kind = "late_send"
start = "heen_block"
end = "go_live"
share = 0.3
note = "senders ignore the deadline"
toelichting = "verzenders negeren de deadline"

[[injection]]
kind = "slow_response"
start = "heen_block - 2d"
end = "retour_block"
actor = "aanbieder"
share = 0.3
[injection.params]
factor = 5

[[injection]]
kind = "corrupt"
start = "go_live - 26h"
end = "go_live - 20h"
share = 1.0
note = "Sunday: nothing is submitted"
toelichting = "zondag: er wordt niets verzonden"
"""


def write_tiny(folder: Path, name: str = "tiny.toml", edit: tuple[str, str] | None = None) -> Path:
    """The 2022 draaiboek with the tiny world appended (and an optional text edit)."""
    text = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8") + TINY
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny(tmp_path_factory.mktemp("scenarios"))


@pytest.fixture(scope="session")
def tiny(tiny_path: Path) -> Scenario:
    return load_scenario(tiny_path)


@pytest.fixture(scope="session")
def tiny_writer() -> Callable[..., Path]:
    """:func:`write_tiny`, for tests that write variants of the tiny world (a test module cannot import conftest)."""
    return write_tiny
