"""The headline definitions on hand-computable worlds: one gemeente, one aanbieder, one scripted message.

Each test switches the caseload traffic off and sends exactly the messages it names on the 2022
draaiboek (heen block Wed 30 Mar 17:00, retour block Thu 31 Mar 13:00, portal read-in Thu 31 Mar
14:00-23:00, go-live Mon 4 Apr 2022 13:00), so every count below can be worked out by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ketensim._resources import scenario_path
from ketensim.chain.injections import build_faults
from ketensim.chain.message import Message
from ketensim.chain.records import freeze
from ketensim.chain.world import World
from ketensim.metrics import summarize
from ketensim.scenario import load_scenario_text
from ketensim.timeline import localize

BASE = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
QUIET = """
[population]
gemeenten = 1
aanbieders = 1
clients = 1
gemeenten_per_aanbieder = 1

[behaviour.gemeente]
deadline_compliance = 1.0
retour_hours = 1
answer_hours = 5000
portal_share = 0

[behaviour.aanbieder]
deadline_compliance = 1.0
retour_hours = 1
start_hours = 5000
portal_share = 0
"""
GEMEENTE_MISSES_READ_IN = """
[[injection]]
kind = "portal_unread"
start = "afsluiting_start"
end = "go_live"
actor = "gemeente"
"""


def _run(extra: str, script: Callable[[World], None]) -> tuple[dict, list, list]:
    """Run the quiet world with ``script`` scheduling its messages; the summary, pairs and answers."""
    scenario = load_scenario_text(BASE + QUIET + extra, "quiet.toml")
    world = World(scenario, 1, xml=False, faults=build_faults(scenario, 1))
    world.traffic.start = lambda: None  # type: ignore[method-assign]  # no caseload events: only the script
    script(world)
    world.run()
    messages, pairs, answers = freeze(world)
    return summarize(messages, pairs, answers), pairs, answers


def _at(world: World, local: datetime) -> float:
    return world.clock.to_sim(localize(local))


def _parties(world: World):  # type: ignore[no-untyped-def]
    case = world.caseload.cases[0]
    gemeente, aanbieder = world.parties_of(case)
    return case, gemeente, aanbieder


def test_a_heen_unread_when_the_read_in_window_closes_is_a_broken_pair() -> None:
    """A 315 the gemeente never reads in before the transition: broken, cause heen_unread, and unread."""
    def script(world: World) -> None:
        case, gemeente, aanbieder = _parties(world)
        world.at(_at(world, datetime(2022, 3, 30, 10)), aanbieder.send_heen, "315", gemeente, case, "vot", "t1")

    summary, pairs, _ = _run(GEMEENTE_MISSES_READ_IN, script)
    assert [(p.pair, p.outcome, p.cause) for p in pairs] == [("315/316", "broken", "heen_unread")]
    assert summary["broken_pairs"] == 1 and summary["broken_unread_heen"] == 1
    assert summary["unread_at_transition"] == 1 and summary["outcome_unread_at_transition"] == 0
    assert summary["broken_by_cause"] == {"heen_unread": 1}


def test_an_unread_retour_is_unread_but_not_broken() -> None:
    """A 301 answered with a 302 the gemeente does not read in: the retour was delivered, the pair is not broken."""
    def script(world: World) -> None:
        case, gemeente, aanbieder = _parties(world)
        world.at(_at(world, datetime(2022, 3, 29, 10)), gemeente.send_heen, "301", aanbieder, case, "toewijzing", "t1")

    summary, pairs, _ = _run(GEMEENTE_MISSES_READ_IN, script)
    assert [(p.pair, p.outcome, p.cause) for p in pairs] == [("301/302", "unread_at_transition", "retour_unread")]
    assert summary["broken_pairs"] == 0 and summary["unread_at_transition"] == 1


def _answer_319_after_go_live(world: World) -> None:
    """A 317 on Wed 30 Mar 10:00, read and retoured in 3.0; the gemeente refuses it with a 319 on Tue 5 Apr."""
    case, gemeente, aanbieder = _parties(world)
    gemeente.answers_itself = lambda request: True  # type: ignore[method-assign]  # the script gives the answer
    sent: list[Message] = []

    def request() -> None:
        msg = aanbieder.send_heen("317", gemeente, case, "vow", "t1")
        assert msg is not None
        sent.append(msg)

    world.at(_at(world, datetime(2022, 3, 30, 10)), request)
    world.at(_at(world, datetime(2022, 4, 5, 10)),
             lambda: world.answer(gemeente, aanbieder, sent[0], "319", "wijziging", "t1>answer"))


def test_a_forbidden_319_is_an_answer_outside_the_traffic_not_a_broken_pair() -> None:
    """The 317/318 pair closes in 3.0; the 319 may not cross into 3.1 (default rule): forced outside, not broken."""
    summary, pairs, answers = _run("", _answer_319_after_go_live)
    assert [(p.pair, p.outcome) for p in pairs] == [("317/318", "closed_in_time")]
    assert [a.outcome for a in answers] == ["cross_release_forbidden"]
    assert summary["broken_pairs"] == 0 and summary["broken_by_pair"] == {}
    assert summary["forbidden_cross_release_answers"] == 1
    assert summary["forbidden_answers_by_pair"] == {"317->319": 1}


def test_the_scenario_decides_which_answers_may_cross_releases() -> None:
    """With 319 allowed across the boundary, the same script sends the 319 in 3.1."""
    rule = '\n[answers]\ncross_release = ["301", "319"]\nassumed = true\nwhy = "test: what if 319 may cross"\n'
    summary, pairs, answers = _run(rule, _answer_319_after_go_live)
    assert [a.outcome for a in answers] == ["cross_release_allowed"]
    assert summary["forbidden_cross_release_answers"] == 0 and summary["allowed_cross_release_answers"] == 1
    assert sorted((p.pair, p.release) for p in pairs) == [("317/318", "3.0"), ("319/320", "3.1")]


def test_the_answer_rule_carries_its_provenance() -> None:
    """Bundled 2021 cites S003 for it; 2022 says it is assumed; a rule without source or why is refused."""
    from ketensim.scenario import load_scenario

    sourced = load_scenario("2021-2.4-3.0").answers
    assert sourced.cross_release == ("301",) and not sourced.provenance.assumed
    assert "Migratie naar iWmo 3.0" in sourced.provenance.source
    assumed = load_scenario("2022-3.0-3.1").answers
    assert assumed.provenance.assumed and "assumes" in assumed.provenance.why
    import pytest

    from ketensim.exceptions import ScenarioError

    with pytest.raises(ScenarioError, match=r"answers\.source: missing; every row needs a source"):
        load_scenario_text(BASE + '\n[answers]\ncross_release = ["301"]\n', "x.toml")
    with pytest.raises(ScenarioError, match=r"answers\.cross_release: '305' is not a functional answer"):
        load_scenario_text(BASE + '\n[answers]\ncross_release = ["305"]\nsource = "x"\n', "x.toml")
