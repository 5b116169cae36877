"""The two fictional draft timelines of the README's worked example: they load, pass `scenario check`,
carry the same uncertain parties, and differ only in the timeline (B's heen block a working day earlier)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.scenario import load_scenario
from ketensim.timeline import localize

ROOT = Path(__file__).resolve().parents[2]
SECTION = "### Worked example: from two draft timelines to the latest safe heen block"


def test_both_drafts_pass_scenario_check() -> None:
    result = CliRunner().invoke(cli, ["scenario", "check", "draft-2022-a", "draft-2022-b"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [["OK", "draft-2022-a:"], ["OK", "draft-2022-b:"]]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split(SECTION, 1)[1].split("\n### ", 1)[0]
    shown = example.split("$ ketensim scenario check draft-2022-a draft-2022-b\n", 1)[1].split("```", 1)[0]
    assert shown.strip().splitlines() == lines, "the README's worked example shows what scenario check prints"


def test_drafts_are_labelled_fictional_and_share_their_uncertain_parties() -> None:
    a, b = load_scenario("draft-2022-a"), load_scenario("draft-2022-b")
    for s in (a, b):
        assert "fictional" in s.name.lower() and "fictief" in s.naam.lower()
        assert "not a real draft" in s.description
    assert a.uncertain == b.uncertain
    names = {u.path for u in a.uncertain}
    assert {"behaviour.aanbieder.deadline_compliance", "behaviour.gemeente.deadline_compliance",
            "behaviour.aanbieder.retour_hours.median", "behaviour.gemeente.retour_hours.median",
            "behaviour.aanbieder.portal_share"} <= names
    assert all(u.support[0] < u.support[1] for u in a.uncertain)


def test_draft_b_moves_the_heen_block_and_deadlines_a_working_day_earlier_and_nothing_else() -> None:
    a, b = load_scenario("draft-2022-a"), load_scenario("draft-2022-b")
    wed, tue = localize(datetime(2022, 3, 30, 17)), localize(datetime(2022, 3, 29, 17))
    thu = localize(datetime(2022, 3, 31, 13))
    assert a.block_of("301").at == wed and b.block_of("301").at == tue
    assert a.block_of("302").at == b.block_of("302").at == thu
    assert a.deadline_of("305", "aanbieder").at == wed and b.deadline_of("305", "aanbieder").at == tue
    assert a.deadline_of("301", "gemeente").at == wed and b.deadline_of("301", "gemeente").at == tue
    assert a.go_live == b.go_live and a.phases == b.phases and a.portals == b.portals

    def timeline(s):
        return [(r.at, r.messages) for r in (*s.deadlines, *s.blocks)]

    moved = {(at, msgs) for at, msgs in timeline(a)} ^ {(at, msgs) for at, msgs in timeline(b)}
    assert {at for at, _ in moved} == {wed, tue}
    same = [f.name for f in dataclasses.fields(a) if f.name not in ("id", "name", "naam", "description",
                                                                    "path", "deadlines", "blocks")]
    assert [name for name in same if getattr(a, name) != getattr(b, name)] == []
