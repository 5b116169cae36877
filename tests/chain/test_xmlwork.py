"""The XML work in worker processes: same results as in the run's own process, and loud when it disagrees."""

from __future__ import annotations

import os

import pytest
from lxml import etree

from ketensim.chain import world, xmlwork
from ketensim.chain.xmlwork import XmlCheckError, worker_available
from ketensim.run import run_replication
from ketensim.scenario import load_scenario

pytestmark = pytest.mark.skipif(not worker_available(), reason="needs the fork start method")


@pytest.fixture(scope="module")
def corrupt_scenario():  # type: ignore[no-untyped-def]
    return load_scenario("whatif-corrupt")


@pytest.mark.parametrize("name,seed", [("2022-3.0-3.1", 1), ("whatif-corrupt", 2), ("2018-2.1-2.2", 4)])
def test_worker_and_in_process_give_identical_ledgers_and_documents(name: str, seed: int) -> None:
    scenario = load_scenario(name)
    inline = run_replication(scenario, seed, keep_xml=True, xml_worker=False)
    forked = run_replication(scenario, seed, keep_xml=True, xml_worker=True)
    assert (inline.xml_worker, forked.xml_worker) == (False, True)
    assert forked.messages == inline.messages
    assert forked.pairs == inline.pairs
    assert forked.answers == inline.answers
    assert forked.summary == inline.summary
    assert forked.xml_documents == inline.xml_documents
    assert sum(1 for m in forked.messages if m.xml_bytes) == len(forked.xml_documents) > 100


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_the_documents_do_not_depend_on_how_many_worker_processes_share_the_cases(
        processes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario("2022-3.0-3.1")
    inline = run_replication(scenario, 1, keep_xml=True, xml_worker=False)
    shared: list[xmlwork.XmlWorker] = []
    start = xmlwork.XmlWorker.__init__

    def counted(self, encoder, n=1):  # type: ignore[no-untyped-def]
        start(self, encoder, n)
        shared.append(self)

    monkeypatch.setattr(world, "worker_processes", lambda: processes)
    monkeypatch.setattr(xmlwork.XmlWorker, "__init__", counted)
    forked = run_replication(scenario, 1, keep_xml=True, xml_worker=True)
    [used] = shared
    assert used.processes == processes
    assert set(used._route) == set(range(processes))  # every process built a share of the messages
    assert forked.xml_documents == inline.xml_documents
    assert forked.summary == inline.summary


def test_corrupted_messages_are_refused_in_both_modes(corrupt_scenario) -> None:  # type: ignore[no-untyped-def]
    forked = run_replication(corrupt_scenario, 2, xml_worker=True)
    assert forked.summary["rejected_by_xsd"] > 0
    refused = [m for m in forked.messages if m.hub_result == "foutmelding"]
    assert refused and all("corrupt" in m.injections for m in refused)


def _break_every(number: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the builder produce invalid XML for every message ``number`` (a builder bug, for the test)."""
    build = xmlwork.build

    def broken(mt, payload):  # type: ignore[no-untyped-def]
        element = build(mt, payload)
        if mt.number == number:
            etree.SubElement(element, "Onbekend")
        return element

    monkeypatch.setattr(xmlwork, "build", broken)


def test_a_worker_result_that_contradicts_the_verdict_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario("2022-3.0-3.1")
    _break_every("305", monkeypatch)
    with pytest.raises(XmlCheckError, match=r"message M\d{7} \(WMO305|JW305 3\.0\) fails its XSD: .*Onbekend"):
        run_replication(scenario, 1, xml_worker=True)


def test_in_process_the_xsd_result_itself_is_the_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = load_scenario("2022-3.0-3.1")
    _break_every("305", monkeypatch)
    result = run_replication(scenario, 1, xml_worker=False)
    refused = {m.code[-3:] for m in result.messages if m.hub_result == "foutmelding"}
    assert refused == {"305"}


def test_a_corruption_that_validates_stops_the_run(monkeypatch, corrupt_scenario) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(xmlwork, "corrupt_element", lambda element: None)
    with pytest.raises(XmlCheckError, match="passes its XSD although it was corrupted"):
        run_replication(corrupt_scenario, 2, xml_worker=True)


def test_an_error_inside_the_worker_is_raised_in_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(self, job):  # type: ignore[no-untyped-def]
        raise ValueError("no payload for this job")

    monkeypatch.setattr(xmlwork.Encoder, "encode", fails)
    with pytest.raises(XmlCheckError, match=r"the XML worker failed: ValueError: no payload for this job"):
        run_replication(load_scenario("2022-3.0-3.1"), 1, xml_worker=True)


def test_a_worker_that_dies_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlwork, "_serve", lambda conn, encoder: os._exit(3))
    with pytest.raises(XmlCheckError, match="the XML worker process stopped unexpectedly"):
        run_replication(load_scenario("2022-3.0-3.1"), 1, xml_worker=True)


def test_counting_mode_never_starts_a_worker() -> None:
    result = run_replication(load_scenario("2022-3.0-3.1"), 1, xml=False, xml_worker=True)
    assert result.xml_worker is False
    assert all(m.xml_bytes == 0 for m in result.messages)


def test_a_ctrl_c_held_over_a_workers_start_leaves_no_worker_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """``starting_children`` raises a Ctrl-C that came during a start once the start is done: the
    half-built pool must still stop the workers it started."""
    import contextlib
    import multiprocessing

    starts = []

    @contextlib.contextmanager
    def interrupted_after_second_start():  # type: ignore[no-untyped-def]
        yield
        starts.append(1)
        if len(starts) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(xmlwork, "starting_children", interrupted_after_second_start)
    with pytest.raises(KeyboardInterrupt):
        xmlwork.XmlWorker(object(), 2)
    assert len(starts) == 2
    assert not multiprocessing.active_children()
