"""Behaviour of the chain simulation (issue 4): exact breaks, releases, time, conservation, determinism."""

from __future__ import annotations

import csv
from datetime import datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ketensim._resources import bundled_scenarios, scenario_path
from ketensim.chain.draaiboek import SimDraaiboek
from ketensim.ledger import PAIR_OUTCOMES
from ketensim.output import write_run
from ketensim.run import run_replication
from ketensim.scenario import load_scenario, load_scenario_text
from ketensim.timeline import AMSTERDAM, WorkCalendar, WorkingHours, dutch_holidays

DEFAULT = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
SMALL = """
[population]
gemeenten = 4
aanbieders = 20
clients = 800
"""


def variant(extra: str, base: str = DEFAULT, name: str = "variant.toml"):
    return load_scenario_text(base + "\n" + extra, name)


def _utc(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


class TestFixedResponseTime:
    """Nobody respects deadlines and every retour takes exactly 6 working hours: the breaks follow by hand."""

    EXTRA = SMALL + """
[behaviour.gemeente]
deadline_compliance = 0.0
retour_hours = 6
answer_hours = 6
portal_share = 0.0
[behaviour.aanbieder]
deadline_compliance = 0.0
retour_hours = 6
answer_hours = 6
portal_share = 0.0
"""

    def test_broken_pairs_are_exactly_the_ones_whose_retour_falls_after_the_block(self) -> None:
        scenario = variant(self.EXTRA)
        result = run_replication(scenario, seed=11, xml=False)
        dr = SimDraaiboek.from_scenario(scenario)
        messages = {m.message_id: m for m in result.messages}
        calendar = WorkCalendar(WorkingHours(time(8, 30), time(17, 0)))
        expected_broken = set()
        for p in result.pairs:
            heen = messages[p.heen_id]
            if heen.release != scenario.from_release or heen.hub_result != "accepted" or not heen.read:
                continue
            hours = 6
            retour_at = calendar.add_working_minutes(_utc(heen.read).astimezone(AMSTERDAM), hours * 60)
            retour_number = p.pair.split("/")[1]
            limit = min(dr.block(retour_number), dr.transition)
            if dr.clock.to_sim(retour_at) >= limit:
                expected_broken.add(p.pair_id)
        actual_broken = {p.pair_id for p in result.pairs if p.outcome == "broken"}
        assert len(expected_broken) > 0
        assert actual_broken == expected_broken

    def test_hand_count_of_declarations(self) -> None:
        """Only monthly declarations on working day 5, answered after 200 working hours: every March 323 breaks."""
        extra = """
[population]
gemeenten = 2
aanbieders = 6
clients = 300
new_per_month = 0
change_per_month = 0
end_per_month = 0
declaration_day = 5
[behaviour.aanbieder]
deadline_compliance = 0.0
[behaviour.gemeente]
deadline_compliance = 0.0
answer_hours = 200
"""
        result = run_replication(variant(extra), seed=5, xml=False)
        march_323 = [m for m in result.messages if m.code.endswith("323") and m.release == "3.0"]
        assert len(march_323) >= 2
        # no other heen exists, so the broken pairs are exactly these declarations
        assert result.summary["heen_messages"] == len([m for m in result.messages if m.code.endswith("323")])
        assert result.summary["broken_pairs"] == len(march_323)
        assert result.summary["broken_by_pair"] == {"323/325": len(march_323)}
        # 200 working hours after the 7 March declarations is after go-live: the 3.0 325 is refused
        assert {p.cause for p in result.pairs if p.outcome == "broken"} == {"retour_after_go_live"}


class TestReleases:
    def test_a_retour_never_crosses_releases(self) -> None:
        result = run_replication(variant(SMALL), seed=3, xml=False)
        release = {m.message_id: m.release for m in result.messages}
        for p in result.pairs:
            if p.retour_id:
                assert release[p.retour_id] == release[p.heen_id], p

    def test_old_release_before_go_live_new_after(self) -> None:
        scenario = variant(SMALL)
        result = run_replication(scenario, seed=3, xml=False)
        go_live = scenario.go_live.at
        for m in result.messages:
            if m.hub_result == "accepted":
                expected = scenario.to_release if _utc(m.submitted) >= go_live else scenario.from_release
                assert m.release == expected, m

    def test_no_broken_pairs_when_everyone_respects_the_draaiboek_with_ample_time(self) -> None:
        # aanbieders stop requesting a day before gemeenten stop answering: ample time for 301/319
        text = DEFAULT.replace(
            'id = "3.1.2"\nweekday = "Wed"\nat = 2022-03-30T17:00:00', 'id = "3.1.2"\nweekday = "Tue"\nat = 2022-03-29T17:00:00'
        )
        extra = SMALL + """
[behaviour.gemeente]
deadline_compliance = 1.0
ready_at_go_live = 1.0
retour_hours = 1
answer_hours = 2
portal_share = 0.0
[behaviour.aanbieder]
deadline_compliance = 1.0
ready_at_go_live = 1.0
retour_hours = 1
answer_hours = 2
portal_share = 0.0
"""
        result = run_replication(variant(extra, base=text), seed=9, xml=False)
        s = result.summary
        assert s["pairs"] > 300
        assert s["broken_pairs"] == 0
        assert s["unread_at_transition"] == 0
        assert s["rejected_at_block"] == 0


class TestTime:
    def test_retours_are_sent_in_local_working_hours_across_the_summer_time_switch(self) -> None:
        extra = SMALL + "\n[behaviour.gemeente]\ndeadline_compliance = 0.0\n[behaviour.aanbieder]\ndeadline_compliance = 0.0\n"
        result = run_replication(variant(extra), seed=2, xml=False)
        amsterdam = ZoneInfo("Europe/Amsterdam")
        checked_after_switch = 0
        for m in result.messages:
            if m.role != "retour" or not m.submitted:
                continue
            local = _utc(m.submitted).astimezone(amsterdam)
            assert local.weekday() < 5 and local.date() not in dutch_holidays(local.year), m
            assert time(8, 30) <= local.time() <= time(17, 0), m
            checked_after_switch += local.date() > datetime(2022, 3, 27).date()
        assert checked_after_switch > 100

    def test_easter_2018_is_not_worked(self) -> None:
        result = run_replication(variant(SMALL, base=scenario_path("2018-2.1-2.2").read_text(encoding="utf-8")),
                                 seed=4, xml=False)
        easter_monday = datetime(2018, 4, 2).date()
        for m in result.messages:
            for stamp in (m.submitted, m.read):
                if stamp and m.hub_result == "accepted":
                    assert _utc(stamp).astimezone(AMSTERDAM).date() != easter_monday, m


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_conservation_on_every_bundled_scenario(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # the real-size national population (1.56 million clients) runs at a fiftieth of its size here
    text = text.replace('use = "national-2022"', 'use = "national-2022"\nclients = 30000\naanbieders = 600')
    scenario = load_scenario_text(text + "\n" + SMALL if "[population]" not in text else text, str(path))
    result = run_replication(scenario, seed=1, xml=False)  # freeze() raises ConservationError if unbalanced
    heen = [m.message_id for m in result.messages if m.role == "heen"]
    assert sorted(p.heen_id for p in result.pairs) == sorted(heen)
    assert sum(result.summary[f"outcome_{o}"] for o in PAIR_OUTCOMES) == result.summary["pairs"]


def test_xml_mode_builds_valid_messages_and_simulates_the_same_chain(tmp_path: Path) -> None:
    scenario = variant(SMALL)
    with_xml = run_replication(scenario, seed=8, xml=True)
    counting = run_replication(scenario, seed=8, xml=False)
    assert with_xml.summary["rejected_by_xsd"] == 0
    assert all(m.xml_bytes > 0 for m in with_xml.messages if m.hub_result != "held")
    assert [p.outcome for p in with_xml.pairs] == [p.outcome for p in counting.pairs]


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    scenario = variant(SMALL)
    for name in ("a", "b"):
        write_run(run_replication(scenario, seed=21, xml=True), tmp_path / name)
    for file in ("result.json", "pairs.csv", "messages.csv", "answers.csv", "backlog.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file
    write_run(run_replication(scenario, seed=22, xml=True), tmp_path / "c")
    assert (tmp_path / "a" / "pairs.csv").read_bytes() != (tmp_path / "c" / "pairs.csv").read_bytes()


def test_result_files_have_the_documented_fields(tmp_path: Path) -> None:
    write_run(run_replication(variant(SMALL), seed=1, xml=False), tmp_path)
    import json

    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert {"scenario", "seed", "ketensim_version", "resolved_scenario", "summary"} <= set(result)
    for key in ("pairs", "broken_pairs", "rejected_at_block", "resent_after_go_live", "unread_at_transition",
                "spoed_cases"):
        assert isinstance(result["summary"][key], int), key
    with (tmp_path / "pairs.csv").open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[:4] == ["pair_id", "pair", "standard", "release"]
