"""A long single run shows its progress (simulated day, messages so far) and the results do not change."""

from __future__ import annotations

import pytest

from ketensim.scenario.model import Scenario


def test_progress_shows_day_and_messages_and_changes_nothing(tiny: Scenario, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from ketensim import progress
    from ketensim.run import run_replication

    monkeypatch.setattr(progress, "_INTERVAL", 0.001)
    shown = run_replication(tiny, 3, xml=False, progress=True)
    err = capsys.readouterr().err
    assert "simulated days" in err and " messages" in err and "2022" in err
    plain = run_replication(tiny, 3, xml=False)
    assert shown.summary == plain.summary and shown.pairs == plain.pairs
    assert capsys.readouterr().err == ""
