"""Fixtures of the KTO tests: ``serve(args)`` starts a real ``ketensim kto serve`` (see ``kto_helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kto_helpers import start_server

from ketensim.kto.launch import ServerProcess


@pytest.fixture
def serve(tmp_path: Path) -> Iterator:
    """``serve(args)`` starts a server in a fresh data directory; every server is stopped after the test."""
    started: list[ServerProcess] = []

    def _start(args: list[str], data: Path | None = None, token: str | None = None) -> ServerProcess:
        server = start_server(args, data or tmp_path / "data", token)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()
