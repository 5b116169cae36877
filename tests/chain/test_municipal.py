"""Mergers and regional organisations in the chain (issue 15, item 1): Weesp joins Amsterdam, Zeeland's jeugd region."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketensim._resources import scenario_path
from ketensim.chain.world import World
from ketensim.scenario import load_scenario_text
from ketensim.timeline import localize

DEFAULT = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
# the national population at a small size, with a large gemeente merging early in the window so the
# merger moves a lot of traffic (Utrecht into Amsterdam on 10 March; the bundled file has Weesp on 24 March)
POPULATION = """
[population]
use = "national-2022"
clients = 6000
aanbieders = 300

[[population.merger]]
gemeente = "0344"
into = "0363"
at = 2022-03-10T00:00:00

[[population.region]]
id = "zeeland-jeugd"
naam = "Inkoop Jeugdhulp Zeeland"
standards = ["ijw"]
gemeenten = ["0654", "0664", "0677", "0678", "0687", "0703", "0715", "0716", "0717", "0718", "1676", "1695", "1714"]
"""
FOLLOW_UPS = {"answer", "einde", "start", "antwoord"}


@pytest.fixture(scope="module")
def world() -> World:
    scenario = load_scenario_text(DEFAULT + POPULATION, "merger.toml")
    w = World(scenario, seed=4, xml=False)
    w.run()
    return w


def test_the_population_file_supplies_every_gemeente_and_the_scenario_overrides_its_size(world: World) -> None:
    spec = world.scenario.population
    assert (spec.use, spec.gemeenten, spec.clients, spec.aanbieders) == ("national-2022", 345, 6000, 300)
    assert len(world.gemeenten) == 345 and "0457" in world.gemeenten  # Weesp exists until it merges
    assert [(m.gemeente, m.into) for m in spec.mergers] == [("0344", "0363")]  # the scenario's rows replace the file's


def test_after_the_merger_only_follow_ups_of_earlier_messages_involve_the_merged_gemeente(world: World) -> None:
    merged_at = world.clock.to_sim(localize(__import__("datetime").datetime(2022, 3, 10)))
    assert world.merged == [("0344", "0363", merged_at)]
    before = [m for m in world.messages if m.created < merged_at and "0344" in (m.sender.ident, m.receiver.ident)]
    after = [m for m in world.messages if m.created >= merged_at and m.role == "heen"
             and "0344" in (m.sender.ident, m.receiver.ident)]
    assert len(before) > 40
    # new toewijzingen, requests, changes, stops and declarations now go to Amsterdam; what Utrecht had
    # already exchanged still gets its answer (301/319), its start of care (305) or its resend
    for m in after:
        assert m.number in ("301", "305", "319", "323", "303") or m.pair.resent_of is not None, (m.number, m.intent)
        assert m.intent in {"toewijzing", "wijziging", "einde", "start", "declaratie"} or m.number == "319"
        if m.intent == "declaratie":
            pytest.fail(f"a declaration addressed to the merged gemeente after the merger: {m.key}")
    assert len(after) < len(before) / 5
    moved = [c for c in world.caseload.cases if c.client.bsn in world.caseload._moved]
    assert moved and all(c.gemeente.code == "0363" for c in moved)
    amsterdam_declarations = [m for m in world.messages if m.created >= merged_at and m.intent == "declaratie"
                              and m.case in moved]
    assert amsterdam_declarations and all(m.receiver.ident == "0363" for m in amsterdam_declarations)


def test_a_regions_members_send_their_jeugd_traffic_through_one_system(world: World) -> None:
    members = ["0654", "0664", "0677", "0678", "0687", "0703", "0715", "0716", "0717", "0718", "1676", "1695", "1714"]
    parties = [world.regional[(code, "ijw")] for code in members]
    assert all(("%s" % code, "iwmo") not in world.regional for code in members)
    # one system: the same read-in routine, deadline discipline and readiness for every member
    assert len({(p.compliant, p.portal_user, p.poll_offset, p.ready_at) for p in parties}) == 1
    assert [p.ident for p in parties] == members  # each keeps its own gemeentecode in the messages
    own = [world.gemeenten[code] for code in members]
    assert len({(p.compliant, p.portal_user, p.poll_offset) for p in own}) > 1
    jeugd = [m for m in world.messages if m.case.standard == "ijw" and m.case.gemeente.code in members]
    assert jeugd and all((m.sender if m.sender.kind == "gemeente" else m.receiver) is world.regional[
        (m.case.gemeente.code, "ijw")] for m in jeugd if m.pair.resent_of is None)


def test_the_bundled_national_population_has_weesp_joining_amsterdam_on_24_march() -> None:
    from ketensim.scenario import load_scenario

    spec = load_scenario("2022-national-full").population
    assert (spec.gemeenten, spec.clients, spec.year) == (345, 1_557_000, 2022)
    assert round(spec.clients * spec.ijw_share) == 456_980  # about 457 000 jeugdigen, the rest 1.1 million Wmo
    (merger,) = spec.mergers
    assert (merger.gemeente, merger.into, merger.at_text) == ("0457", "0363", "2022-03-24T00:00:00") and merger.source
    (region,) = spec.regions
    assert len(region.gemeenten) == 13 and region.standards == ("ijw",) and region.source
    text = Path(str(scenario_path("populations/national-2022"))).read_text(encoding="utf-8")
    for key in ("clients", "ijw_share", "aanbieders", "gemeenten_per_aanbieder", "gemeenten"):
        assert f"\n{key} = " in text


def test_with_xml_a_moved_clients_messages_carry_the_gemeente_it_joined_in_every_mode() -> None:
    """After the merger the moved clients' heens are built for Amsterdam, with the toewijzing Amsterdam
    issued anew; in-process and with worker processes alike (the XML work once crashed on them)."""
    from ketensim.run import run_replication

    scenario = load_scenario_text(DEFAULT + POPULATION.replace("clients = 6000", "clients = 1500"), "merger.toml")
    inline = run_replication(scenario, 4, keep_xml=True, xml_worker=False)
    forked = run_replication(scenario, 4, keep_xml=True, xml_worker=True)
    assert forked.xml_documents == inline.xml_documents and forked.summary == inline.summary
    merged_at = "2022-03-10"
    moved = [m for m in inline.messages
             if m.role == "heen" and m.created >= merged_at and m.sender_type == "aanbieder" and m.receiver == "0363"
             and m.message_id in inline.xml_documents]
    assert moved
    utrecht_clients = 0
    for m in moved:
        xml = inline.xml_documents[m.message_id].decode()
        assert ">0344<" not in xml, m.message_id  # no message to Amsterdam names Utrecht any more
        utrecht_clients += ">0363<" in xml
    assert utrecht_clients == len(moved)


def test_a_spoed_case_after_the_merger_belongs_to_the_gemeente_it_joined() -> None:
    """Spoed cases are opened outside the caseload's list; they follow the merger all the same."""
    from ketensim.run import run_replication

    spoed = """
[[injection]]
kind = "spoed"
start = 2022-03-11T00:00:00
end = "go_live"

[injection.params]
rate_per_day = 20
"""
    text = DEFAULT + POPULATION.replace("clients = 6000", "clients = 1500") + spoed
    result = run_replication(load_scenario_text(text, "merger-spoed.toml"), 4, xml=False)
    urgent = [m for m in result.messages if m.spoed]
    assert len(urgent) > 50
    assert not [m.message_id for m in urgent if "0344" in (m.sender, m.receiver)]
    assert [m for m in urgent if "0363" in (m.sender, m.receiver)]
