"""Sweep variants: parsing --vary, shifting draaiboek instants, setting parameters, skipping impossible ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ketensim.exceptions import ScenarioError
from ketensim.experiment.variants import make_variant, parameter_paths, parse_vary
from ketensim.scenario.model import Block, Deadline, Scenario

H = timedelta(hours=1)


def block(s: Scenario, ident: str) -> Block:
    return next(b for b in s.blocks if b.provenance.id == ident)


def deadline(s: Scenario, ident: str) -> Deadline:
    return next(d for d in s.deadlines if d.provenance.id == ident)


class TestParse:
    @pytest.mark.parametrize(("text", "values", "labels"), [
        ("retour_block=0h:48h:6h", (0, 6, 12, 18, 24, 30, 36, 42, 48), ("0h", "+6h", "+12h", "+18h", "+24h", "+30h",
                                                                        "+36h", "+42h", "+48h")),
        ("heen_block=-1d,30m,2", (-24, 0.5, 2), ("-24h", "+30m", "+2h")),  # days, minutes, bare hours
        ("go_live=6h", (6,), ("+6h",)),
        ("block:3.2.2=-90m:90m:90m", (-1.5, 0, 1.5), ("-90m", "0h", "+90m")),
    ])
    def test_instants(self, tiny: Scenario, text: str, values: tuple[float, ...], labels: tuple[str, ...]) -> None:
        v = parse_vary(text, tiny)
        assert (v.kind, v.values, v.labels, v.baseline) == ("instant", values, labels, 0.0)

    def test_parameter_with_baseline(self, tiny: Scenario) -> None:
        v = parse_vary("behaviour.aanbieder.retour_hours.median=1:8:1", tiny)
        assert v.kind == "parameter" and v.values == (1, 2, 3, 4, 5, 6, 7, 8) and v.baseline == 2.0

    def test_hubs_alias(self, tiny: Scenario) -> None:
        assert parse_vary("hubs.ib.batch_minutes=0,30", tiny).name == "behaviour.ib.batch_minutes"

    def test_unknown_path_names_it_and_lists_valid_ones(self, tiny: Scenario) -> None:
        with pytest.raises(ValueError) as info:
            parse_vary("behaviour.aanbieder.retour_hour.median=1:2:1", tiny)
        message = str(info.value)
        assert "\n" not in message
        assert message.startswith("unknown name 'behaviour.aanbieder.retour_hour.median'; expected")
        for valid in ("retour_block", "block:<id>", "behaviour.aanbieder.retour_hours.median", "population.clients"):
            assert valid in message

    @pytest.mark.parametrize(("text", "match"), [
        ("retour_block", "expected NAME=VALUES"),
        ("block:9.9=1h", r"no block with id '9.9' in .*; known: 3.3.3, 3.2.1, 3.2.2"),
        ("retour_block=1x", "'1x' is not an offset"),
        ("retour_block=0h:6h:0h", "step '0h' must be > 0"),
        ("retour_block=6h:0h:1h", "expected lo <= hi"),
        ("retour_block=0h:1000h:1h", "gives 1001 values; at most 100"),
        ("population.clients=veel", "'veel' is not a number"),
    ])
    def test_bad_values(self, tiny: Scenario, text: str, match: str) -> None:
        with pytest.raises(ValueError, match=match):
            parse_vary(text, tiny)

    def test_parameter_paths_are_numeric_leaves(self, tiny: Scenario) -> None:
        paths = parameter_paths(tiny)
        assert paths["population.clients"] == 300
        assert paths["behaviour.vecozo.capacity_per_hour"] == 60000.0
        assert "population.year" not in paths


class TestShift:
    def test_retour_block_moves_what_coincides(self, tiny: Scenario) -> None:
        """The retour block, its procedural deadlines and the start of the transition move together."""
        v = make_variant(tiny, parse_vary("retour_block=6h", tiny), 6.0)
        assert block(v, "3.2.2").at == block(tiny, "3.2.2").at + 6 * H
        assert deadline(v, "3.1.4").at == deadline(tiny, "3.1.4").at + 6 * H
        assert v.phase("transitie").start == tiny.phase("transitie").start + 6 * H
        assert v.phase("afsluiting").end == v.phase("transitie").start
        assert block(v, "3.3.3") == block(tiny, "3.3.3")  # the 303/304 phase-out stays
        assert deadline(v, "3.3.2") == deadline(tiny, "3.3.2")
        assert block(v, "3.2.1") == block(tiny, "3.2.1") and v.go_live == tiny.go_live

    def test_heen_block_moves_its_deadlines(self, tiny: Scenario) -> None:
        v = make_variant(tiny, parse_vary("heen_block=-6h", tiny), -6.0)
        assert block(v, "3.2.1").at == block(tiny, "3.2.1").at - 6 * H
        assert deadline(v, "3.1.2").at == deadline(v, "3.1.3").at == block(v, "3.2.1").at
        assert v.transition_start == tiny.transition_start

    def test_go_live_moves_the_phase_boundary(self, tiny: Scenario) -> None:
        v = make_variant(tiny, parse_vary("go_live=1d", tiny), 24.0)
        assert v.go_live.at == v.phase("ingebruikname").start == v.phase("transitie").end == tiny.go_live.at + 24 * H

    def test_injection_windows_follow_their_anchor(self, tiny: Scenario) -> None:
        """An injection written as "heen_block - 2d" .. "retour_block" moves with the retour block at its end."""
        v = make_variant(tiny, parse_vary("retour_block=6h", tiny), 6.0)
        slow_old, slow_new = tiny.injections[1], v.injections[1]
        assert slow_new.start == slow_old.start and slow_new.end == slow_old.end + 6 * H
        assert v.injections[2] == tiny.injections[2]  # anchored to go-live, which did not move

    def test_zero_offset_is_the_baseline(self, tiny: Scenario) -> None:
        assert make_variant(tiny, parse_vary("retour_block=0h", tiny), 0.0) == tiny

    @pytest.mark.parametrize(("text", "value", "where", "problem"), [
        ("block:3.2.2=-1h", -1.0, "deadline[6] (3.1.4).at", "is after the technical block of 302"),
        ("deadline:3.1.2=1h", 1.0, "deadline[4] (3.1.2).at", "is after the technical block of 305"),
        ("heen_block=30h", 30.0, "block[3] (3.2.2).at", "before its heen"),
        ("go_live=-4d", -96.0, "phases.transitie.end", "is not after start"),
    ])
    def test_impossible_draaiboek_is_a_scenario_error(self, tiny: Scenario, text: str, value: float, where: str,
                                                      problem: str) -> None:
        with pytest.raises(ScenarioError, match=problem) as info:
            make_variant(tiny, parse_vary(text, tiny), value)
        assert info.value.where == where


class TestParameter:
    def test_set_a_dist_median(self, tiny: Scenario) -> None:
        v = make_variant(tiny, parse_vary("behaviour.aanbieder.retour_hours.median=4", tiny), 4.0)
        assert v.behaviour.aanbieder.retour_hours.median == 4.0
        assert v.behaviour.aanbieder.retour_hours.p90 == tiny.behaviour.aanbieder.retour_hours.p90
        assert v.behaviour.gemeente == tiny.behaviour.gemeente

    def test_population_counts_stay_integers(self, tiny: Scenario) -> None:
        v = make_variant(tiny, parse_vary("population.clients=400", tiny), 400.0)
        assert v.population.clients == 400 and isinstance(v.population.clients, int)

    @pytest.mark.parametrize(("text", "value", "match"), [
        ("behaviour.gemeente.deadline_compliance=1.5", 1.5, r"deadline_compliance = 1.5 is outside 0..1"),
        ("population.clients=10.5", 10.5, "clients = 10.5 is not a whole number"),
        ("behaviour.aanbieder.retour_hours.median=17", 17.0, r"p90 \(16.0\) must be >= median \(17.0\)"),
        ("behaviour.ib.transit_minutes=-1", -1.0, "outside 0..1440"),
    ])
    def test_impossible_values(self, tiny: Scenario, text: str, value: float, match: str) -> None:
        with pytest.raises(ValueError, match=match):
            make_variant(tiny, parse_vary(text, tiny), value)
