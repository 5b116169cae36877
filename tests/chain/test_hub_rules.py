"""The hubs' business-rule check: a refusal of its own, switched per hub, and the corrupt injection that trips it."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ketensim._resources import scenario_path
from ketensim.chain.hubcheck import corrupt_rules, expected_refusal
from ketensim.chain.xmlwork import XmlCheckError, worker_available
from ketensim.exceptions import ScenarioError
from ketensim.run import run_replication
from ketensim.scenario import load_scenario
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.rules import check
from ketensim.standards.samples import generate_samples

_RULES_CHECK = ('repair_hours = 4\n', 'repair_hours = 4\ncheck = "rules"\n')


def _corrupt_scenario(folder: Path, *edits: tuple[str, str], name: str = "rules.toml") -> Path:
    """whatif-corrupt with text edits (the injection's check, the hubs' setting)."""
    text = scenario_path("whatif-corrupt").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


class TestHubRefusal:
    def test_a_rule_corruption_is_refused_by_vecozo_on_its_own_counter(self, tmp_path: Path) -> None:
        """check = "rules" keeps the XSD; VECOZO refuses on the rules; the sender repairs and resends."""
        result = run_replication(load_scenario(_corrupt_scenario(tmp_path, _RULES_CHECK)), 2, xml_worker=False)
        assert result.summary["rejected_by_rules"] > 0
        assert result.summary["rejected_by_xsd"] == 0
        refused = [m for m in result.messages if m.hub_result == "rejected_rules"]
        assert refused and all("corrupt" in m.injections and m.sender_type == "aanbieder" for m in refused)
        assert {p.outcome for p in result.pairs if p.heen_id in {m.message_id for m in refused}} == {"rejected_resent"}

    def test_a_hub_without_the_rule_check_accepts_the_same_messages(self, tmp_path: Path) -> None:
        """With [hubs.vecozo] rules = false the corrupted messages pass: nobody checks the rules."""
        edits = (_RULES_CHECK, ("[population]\n", "[hubs.vecozo]\nrules = false\n\n[population]\n"))
        result = run_replication(load_scenario(_corrupt_scenario(tmp_path, *edits)), 2, xml_worker=False)
        assert result.summary["rejected_by_rules"] == 0 == result.summary["rejected_by_xsd"]

    @pytest.mark.skipif(not worker_available(), reason="needs the fork start method")
    def test_worker_and_in_process_agree_on_rule_refusals(self, tmp_path: Path) -> None:
        """The worker checks the rules too, and its ledger equals the in-process one."""
        scenario = load_scenario(_corrupt_scenario(tmp_path, _RULES_CHECK))
        inline = run_replication(scenario, 3, xml_worker=False)
        forked = run_replication(scenario, 3, xml_worker=True)
        assert forked.xml_worker and forked.messages == inline.messages and forked.summary == inline.summary
        assert inline.summary["rejected_by_rules"] > 0

    def test_counting_mode_counts_the_injected_refusals_without_xml(self, tmp_path: Path) -> None:
        """--xml off checks nothing; the injection's refusals are the model's, as for the XSD."""
        scenario = load_scenario(_corrupt_scenario(tmp_path, _RULES_CHECK))
        counted = run_replication(scenario, 2, xml=False)
        built = run_replication(scenario, 2, xml_worker=False)
        assert counted.summary["rejected_by_rules"] == built.summary["rejected_by_rules"] > 0
        assert counted.summary["xml_bytes"] == 0

    def test_rules_is_a_boolean(self, tmp_path: Path) -> None:
        """A non-boolean rules setting is a scenario error naming the key."""
        path = _corrupt_scenario(tmp_path, ("[population]\n", '[hubs.ib]\nrules = "yes"\n\n[population]\n'))
        with pytest.raises(ScenarioError, match=r"hubs\.ib\.rules: expected true or false"):
            load_scenario(path)

    def test_an_unknown_check_is_a_scenario_error(self, tmp_path: Path) -> None:
        """The corrupt injection's check must be xsd or rules."""
        path = _corrupt_scenario(tmp_path, ('repair_hours = 4\n', 'repair_hours = 4\ncheck = "semantics"\n'))
        with pytest.raises(ScenarioError, match=r"params\.check: unknown value 'semantics'; expected one of xsd, rules"):
            load_scenario(path)


class TestCorruptRules:
    @pytest.mark.parametrize("standard", ["iwmo", "ijw"])
    @pytest.mark.parametrize("number", ["301", "305", "307", "315", "317", "319", "323"])
    def test_the_corruption_breaks_a_rule_and_keeps_the_xsd(self, standard: str, number: str) -> None:
        """Every 3.x heen type: still XSD-valid, now breaking exactly one rule."""
        from ketensim.standards.validation import is_valid

        mt = get_catalogue().get(standard, "3.1", number)
        for sample in generate_samples(standard, "3.1", number, 4, seed=9):
            if sample.message_type != mt:
                continue
            element = etree.fromstring(sample.data)
            corrupt_rules(element)
            assert is_valid(mt, element)
            assert [f.code for f in check(element, mt)] in (["CS002"], ["CD085"], ["CD086"])

    def test_expected_refusal(self) -> None:
        """An XSD corruption is always a foutmelding; a rules corruption only where rules are checked."""
        assert expected_refusal("", True) == ""
        assert expected_refusal("xsd", False) == "foutmelding"
        assert expected_refusal("rules", True) == "rejected_rules"
        assert expected_refusal("rules", False) == ""


@pytest.mark.skipif(not worker_available(), reason="needs the fork start method")
def test_a_builder_that_breaks_a_rule_stops_a_worker_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A simulated message that breaks a rule VECOZO checks is a bug in ketensim: the run stops, naming it."""
    from ketensim.chain import xmlwork

    build = xmlwork.build

    def broken(mt, payload):  # type: ignore[no-untyped-def]
        element = build(mt, payload)
        if mt.number == "305":
            corrupt_rules(element)
        return element

    monkeypatch.setattr(xmlwork, "build", broken)
    with pytest.raises(XmlCheckError, match=r"\((WMO|JW)305 3\.[01]\) breaks business rules CS002; the hub treated it as valid"):
        run_replication(load_scenario("2022-3.0-3.1"), 1, xml_worker=True)


@pytest.mark.parametrize("name", ["2022-3.0-3.1", "2023-3.1-3.2"])
def test_the_simulated_parties_break_no_rule_in_either_hub(name: str, tmp_path: Path) -> None:
    """With both hubs checking the rules, a run without injections has no rule refusal in 3.x traffic."""
    text = scenario_path(name).read_text(encoding="utf-8") + "\n[hubs.ib]\nrules = true\n"
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    result = run_replication(load_scenario(path), 1, xml_worker=False)
    assert result.summary["rejected_by_rules"] == 0
    assert result.summary["messages"] > 1000
