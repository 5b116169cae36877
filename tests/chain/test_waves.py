"""Migration waves as data (``[[traffic]]``): the 2021 toewijzing waves and period-13 303s are real traffic."""

from __future__ import annotations

import re

import pytest

from ketensim._resources import scenario_path
from ketensim.exceptions import ScenarioError
from ketensim.chain.injections import build_faults
from ketensim.chain.records import freeze
from ketensim.chain.waves import WAVE_INTENT, wave_size
from ketensim.chain.world import World
from ketensim.metrics import summarize
from ketensim.scenario import load_scenario, load_scenario_text

TEXT_2021 = scenario_path("2021-2.4-3.0").read_text(encoding="utf-8")
SMALL = "\n[population]\ngemeenten = 3\naanbieders = 20\nclients = 500\n"


def _without_waves(text: str) -> str:
    return re.sub(r"\n\[\[traffic\]\]\n(?:[^\[\n][^\n]*\n|\n(?!\[))*", "\n", text)


def _run(text: str) -> tuple[World, dict]:
    scenario = load_scenario_text(text, "x.toml")
    world = World(scenario, 1, xml=False, faults=build_faults(scenario, 1))
    world.run()
    messages, pairs, answers = freeze(world)
    return world, summarize(messages, pairs, answers)


@pytest.fixture(scope="module")
def runs():  # type: ignore[no-untyped-def]
    return _run(TEXT_2021 + SMALL), _run(_without_waves(TEXT_2021) + SMALL)


def test_the_2021_scenario_has_its_waves_with_provenance() -> None:
    waves = {w.id: w for w in load_scenario("2021-2.4-3.0").waves}
    assert set(waves) == {"golf-1-toewijzing", "golf-1-stop", "golf-2-varianten", "golf-3-budget-stuks",
                          "periode-13-303"}
    assert all(w.assumed and "Voice-over Migratie naar iWmo 3.0 en iJw 3.0" in w.why for w in waves.values())
    assert waves["golf-1-toewijzing"].release == "old" and waves["golf-3-budget-stuks"].release == "new"


def test_waves_show_in_messages_by_code_in_their_windows(runs) -> None:  # type: ignore[no-untyped-def]
    """Each wave sends share x active cases messages, all in its window and release; messages_by_code grows."""
    (world, summary), (_, baseline) = runs
    assert not load_scenario_text(_without_waves(TEXT_2021), "n.toml").waves
    active = sum(1 for c in world.caseload.cases if c.started and c.active)  # cases end during the run: recount
    clock = world.draaiboek.clock
    go_live = world.draaiboek.go_live
    added: dict[str, int] = {}
    for wave in world.scenario.waves:
        sent = [m for m in world.messages if m.intent == WAVE_INTENT + wave.id]
        assert sent, wave.id
        assert all(clock.to_sim(wave.start) <= m.created < clock.to_sim(wave.end) for m in sent), wave.id
        if wave.release == "old":
            assert {m.release for m in sent} == {"2.4"} and all(m.created < go_live for m in sent)
        if wave.release == "new":
            assert {m.release for m in sent} == {"3.0"}
        # the share is of the cases active when the run started; some have ended since
        assert len(sent) >= wave_size(wave, active) * len(wave.messages) > 0
        for m in sent:
            added[m.code] = added.get(m.code, 0) + 1
    assert {code[-3:] for code in added} == {"301", "303", "307"}
    by_code, before = summary["messages_by_code"], baseline["messages_by_code"]
    for code, n in added.items():
        assert by_code[code] >= before[code] + n, code


def test_a_wave_row_is_checked() -> None:
    base = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
    row = ('\n[[traffic]]\nid = "x"\nactor = "gemeente"\nmessages = ["301"]\nstart = "go_live - 3d"\n'
           'end = "go_live + 1d"\nrelease = "old"\nshare = 0.1\nsource = "test"\n')
    with pytest.raises(ScenarioError, match=r"traffic\[1\]\.end: .* is after go-live .*release = \"old\""):
        load_scenario_text(base + row, "x.toml")
    with pytest.raises(ScenarioError, match=r"traffic\[1\]\.messages: message 303 does not exist in release 3\.1"):
        load_scenario_text(base + row.replace('"301"', '"303"').replace('"old"', '"any"'), "x.toml")
    with pytest.raises(ScenarioError, match=r"traffic\[1\]\.share: expected exactly one of share"):
        load_scenario_text(base + row.replace('"old"', '"any"') + "count = 4\n", "x.toml")
    scenario = load_scenario_text(base + row.replace('"old"', '"any"').replace("share = 0.1", "count = 7"), "x.toml")
    assert scenario.waves[0].count == 7 and scenario.waves[0].release == "any"
