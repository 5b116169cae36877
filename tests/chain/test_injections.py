"""Fault injection and spoed as scenario data (issue 5): each kind has its effect, and nothing else moves.

Every test runs the 2022 draaiboek with one population and one seed twice: as is (the baseline)
and with ``[[injection]]`` rows appended to the TOML text (the variant), in counting mode
(``xml=False``) except for one XML test of ``corrupt``. Besides the effect of the injection, each
kind has a test that the outcomes it should not touch are identical: every party, the traffic and
each injection draw from their own random streams, so the pairs the injection did not touch must
come out exactly the same (row by row, ignoring the pair and message ids, which are sequence
numbers).

Also here: every bundled what-if scenario copies the 2022 draaiboek, loads, and each of its
injections takes effect; an injection that can touch nothing says so; invalid injections are
scenario errors that name the file and the key.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ketensim._resources import bundled_scenarios, scenario_path
from ketensim.chain.injections import build_faults, check_injections
from ketensim.exceptions import ScenarioError
from ketensim.ledger import PairRecord
from ketensim.run import RunResult, run_replication
from ketensim.scenario import Scenario, load_scenario, load_scenario_text
from ketensim.standards.validation import detect, diagnose, parse_xml

SEED = 1
BASE = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")
POPULATION = """
[population]
gemeenten = 20
aanbieders = 120
clients = 6000
"""
PATH = "whatif-under-test.toml"
UTC = timezone.utc
# draaiboek instants of 2022 in UTC (summer time from Sun 27 Mar)
HEEN_BLOCK = datetime(2022, 3, 30, 15, 0, tzinfo=UTC)  # Wed 17:00 CEST
RETOUR_BLOCK = datetime(2022, 3, 31, 11, 0, tzinfo=UTC)  # Thu 13:00 CEST
PORTAL_CUTOFF = datetime(2022, 3, 31, 21, 0, tzinfo=UTC)  # Thu 23:00 CEST
GO_LIVE = datetime(2022, 4, 4, 11, 0, tzinfo=UTC)  # Mon 13:00 CEST
WHATIFS = [p for p in bundled_scenarios() if p.stem.startswith("whatif-")]
_IDS = frozenset({"pair_id", "heen_id", "retour_id", "resent_as", "resent_of"})

# --- reasons for the expected failures (the fixes are outside injections.py) -------------------

# --- running ---------------------------------------------------------------------------------------


def scenario(injections: str = "", path: str = PATH) -> Scenario:
    return load_scenario_text(BASE + POPULATION + injections, path)


@functools.lru_cache(maxsize=None)
def run(injections: str = "", xml: bool = False, keep_xml: bool = False) -> RunResult:
    return run_replication(scenario(injections), SEED, xml=xml, keep_xml=keep_xml)


@pytest.fixture(scope="module")
def baseline() -> RunResult:
    return run()


def injection(kind: str, start: str, end: str, **keys: object) -> str:
    """One ``[[injection]]`` row as TOML; ``params`` (a dict) becomes ``[injection.params]``."""
    params = keys.pop("params", {})
    lines = ["", "[[injection]]", f'kind = "{kind}"', f'start = "{start}"', f'end = "{end}"']
    for key, value in keys.items():
        if isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        elif isinstance(value, (list, tuple)):
            lines.append(f"{key} = [" + ", ".join(f'"{v}"' for v in value) + "]")
        else:
            lines.append(f"{key} = {value}")
    if params:
        lines.append("[injection.params]")
        lines += [f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in params.items()]
    return "\n".join(lines) + "\n"


# --- comparing a variant with the baseline ---------------------------------------------------------


def utc(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def row(p: PairRecord) -> tuple:
    """A pair as it appears in pairs.csv, without the ids (sequence numbers shift when messages are added)."""
    names = p._fields if hasattr(p, "_fields") else [f.name for f in dataclasses.fields(p)]
    return tuple(getattr(p, name) for name in names if name not in _IDS)


def identities(result: RunResult) -> dict[str, tuple]:
    """What makes a pair the same pair in two runs: which heen (its case's sender, receiver, message
    type and the moment the sender created it), whatever happened to it afterwards."""
    created = {m.message_id: m.created for m in result.messages}
    return {p.pair_id: (p.pair, p.standard, p.sender_type, p.sender, p.receiver_type, p.receiver, created[p.heen_id])
            for p in result.pairs}


def with_resends(result: RunResult, pair_ids: Iterable[str]) -> set[str]:
    """``pair_ids`` and every pair that re-sends one of them, or that one of them re-sends."""
    by_id = {p.pair_id: p for p in result.pairs}
    out, todo = set(), list(pair_ids)
    while todo:
        pid = todo.pop()
        if pid in out or pid not in by_id:
            continue
        out.add(pid)
        todo += [x for x in (by_id[pid].resent_as, by_id[pid].resent_of) if x]
    return out


def tagged(result: RunResult, kind: str) -> set[str]:
    """The pairs (with their resends) of which a message was touched by an injection of ``kind``."""
    return with_resends(result, {m.pair_id for m in result.messages if kind in m.injections.split(";")})


def touched_parties(result: RunResult, kind: str) -> set[tuple[str, str]]:
    keys = {k for i in result.injections if i["kind"] == kind for k in i["touched"]}
    return {tuple(k.split(":", 1)) for k in keys}  # type: ignore[misc]


def involving(result: RunResult, parties: set[tuple[str, str]]) -> set[str]:
    pairs = {p.pair_id for p in result.pairs
             if (p.sender_type, p.sender) in parties or (p.receiver_type, p.receiver) in parties}
    return with_resends(result, pairs)


def between_after(result: RunResult, pair_ids: set[str]) -> Callable[[RunResult], Callable[[PairRecord], bool]]:
    """The pairs between the same two parties as one of ``pair_ids``, from the first of those on.

    Every follow-up in the chain stays between the gemeente and aanbieder of its case (the answer
    to a 315, the 305 after a 301, the 301 after a 307), so when an injection moves a heen its
    follow-ups move with it; they are found in either run by this predicate.
    """
    created = {m.message_id: m.created for m in result.messages}
    first: dict[frozenset, str] = {}
    for p in result.pairs:
        if p.pair_id in pair_ids:
            dyad = frozenset({(p.sender_type, p.sender), (p.receiver_type, p.receiver)})
            first[dyad] = min(first.get(dyad, created[p.heen_id]), created[p.heen_id])

    def predicate(run_: RunResult) -> Callable[[PairRecord], bool]:
        made = {m.message_id: m.created for m in run_.messages}

        def inside(p: PairRecord) -> bool:
            since = first.get(frozenset({(p.sender_type, p.sender), (p.receiver_type, p.receiver)}))
            return since is not None and made[p.heen_id] >= since

        return inside

    return predicate


def assert_rest_unchanged(base: RunResult, variant: RunResult, related: set[str],
                          base_related: Callable[[PairRecord], bool] | None = None) -> None:
    """Every pair that differs between ``base`` and ``variant`` is one the injection touched.

    A row only in ``variant`` must be a ``related`` pair; a row only in ``base`` must be a pair the
    injection changed or replaced: one for which ``base_related`` is true or, by default, whose
    heen is also the heen of a related variant pair (see :func:`identities`).
    """
    if base_related is None:
        ident = identities(variant)
        changed = {ident[pid] for pid in related}
        base_ident = identities(base)
        base_related = lambda p: base_ident[p.pair_id] in changed  # noqa: E731
    rows_variant, rows_base = Counter(row(p) for p in variant.pairs), Counter(row(p) for p in base.pairs)
    related_rows = Counter(row(p) for p in variant.pairs if p.pair_id in related)
    unexplained_variant = (rows_variant - rows_base) - related_rows
    only_base = rows_base - rows_variant
    unexplained_base = [p for p in base.pairs if row(p) in only_base and not base_related(p)]
    assert not unexplained_variant and not unexplained_base, (
        f"untouched pairs moved: {len(unexplained_base)} baseline rows, {sum(unexplained_variant.values())} variant "
        f"rows; first baseline-only: {unexplained_base[:1]}; first variant-only: {sorted(unexplained_variant)[:1]}"
    )
    # the functional answers (301/319 on a 315/317, forbidden ones count as broken) to untouched requests too
    assert answers(variant, lambda p: p.pair_id in related) == answers(base, base_related)


def answers(result: RunResult, related: Callable[[PairRecord], bool]) -> Counter:
    """The functional answers to requests that are not ``related``: which request, which answer, what outcome."""
    ident, pairs = identities(result), {p.pair_id: p for p in result.pairs}
    return Counter((ident[a.request_pair_id], a.answer, a.outcome) for a in result.answers
                   if a.request_pair_id in pairs and not related(pairs[a.request_pair_id]))


def assert_rest_unchanged_around(base: RunResult, variant: RunResult, related: set[str]) -> None:
    """:func:`assert_rest_unchanged`, counting the follow-ups of the ``related`` pairs as related too."""
    around = between_after(variant, related)
    inside_variant, inside_base = around(variant), around(base)
    assert_rest_unchanged(base, variant, {p.pair_id for p in variant.pairs if inside_variant(p)}, base_related=inside_base)


def report(result: RunResult, kind: str) -> dict:
    found = [i for i in result.injections if i["kind"] == kind]
    assert len(found) == 1, result.injections
    return found[0]


def mean_backlog(result: RunResult, start: datetime, end: datetime) -> float:
    values = [n for t, n in result.backlog if start <= utc(t) < end]
    return sum(values) / len(values)


# --- late_send ---------------------------------------------------------------------------------------

LATE = injection("late_send", "heen_block", "go_live", share=0.2)


def test_late_send_raises_rejected_pairs(baseline: RunResult) -> None:
    variant = run(LATE)
    r = report(variant, "late_send")
    assert r["took_effect"] and r["messages_touched"] >= 5
    late = [p for p in variant.pairs if p.pair_id in tagged(variant, "late_send") and not p.resent_of]
    assert len(late) == r["messages_touched"]
    for p in late:
        # the heen deadline is the heen block in 2022: a late heen is refused (IB103) and resent after go-live
        assert utc(p.heen_submitted) >= HEEN_BLOCK
        assert (p.outcome, p.cause, p.release) == ("rejected_resent", "rejected_block", "3.0")
        resend = next(q for q in variant.pairs if q.pair_id == p.resent_as)
        assert resend.release == "3.1" and utc(resend.heen_submitted) >= GO_LIVE
    assert variant.summary["rejected_at_block"] == baseline.summary["rejected_at_block"] + len(late)
    assert variant.summary["broken_pairs"] == baseline.summary["broken_pairs"]


def test_late_send_leaves_the_rest_unchanged(baseline: RunResult) -> None:
    # a compliant party would have held the heen until go-live; refused and resent, it leaves at the same
    # moment, but as a new message (its own draws): its follow-ups between the same two parties may move
    variant = run(LATE)
    assert_rest_unchanged_around(baseline, variant, tagged(variant, "late_send"))


# --- slow_response --------------------------------------------------------------------------------

SLOW = injection("slow_response", "heen_block - 2d", "retour_block", actor="aanbieder", share=0.5,
                 params={"factor": 5})


def test_slow_response_near_the_retour_block_raises_broken_pairs(baseline: RunResult) -> None:
    variant = run(SLOW)
    assert report(variant, "slow_response")["took_effect"]
    slowed = tagged(variant, "slow_response")
    base_ident, ident = identities(baseline), identities(variant)
    before = {base_ident[p.pair_id] for p in baseline.pairs if p.outcome == "broken"}
    new_broken = [p for p in variant.pairs if p.outcome == "broken" and ident[p.pair_id] not in before]
    assert len(new_broken) >= 5
    # refused at the block or after go-live, or not even sent before the window ends
    assert all(p.pair_id in slowed and p.cause in ("retour_blocked", "retour_after_go_live", "no_retour")
               for p in new_broken)
    assert variant.summary["broken_pairs"] >= baseline.summary["broken_pairs"] + 5


def test_slow_response_leaves_the_rest_unchanged(baseline: RunResult) -> None:
    variant = run(SLOW)
    assert_rest_unchanged(baseline, variant, tagged(variant, "slow_response"))


# --- batch_delay -----------------------------------------------------------------------------------

BATCH = injection("batch_delay", "retour_block - 13h", "retour_block + 11h", hub="ib")


def test_batch_delay_on_the_block_day_raises_unread_pairs(baseline: RunResult) -> None:
    variant = run(BATCH)
    r = report(variant, "batch_delay")
    assert r["took_effect"]
    delayed = tagged(variant, "batch_delay")
    unread = [p for p in variant.pairs if p.outcome == "unread_at_transition"]
    assert len(unread) >= baseline.summary["unread_at_transition"] + 10
    assert all(p.pair_id in delayed for p in unread)
    for m in variant.messages:
        if "batch_delay" in m.injections:
            # held by the IB to midnight: visible only after the read-in window closed, so never read in 3.0
            assert m.receiver_type == "gemeente" and utc(m.delivered) >= PORTAL_CUTOFF
            assert m.unread_at_transition and not m.read
    assert variant.summary["broken_pairs"] == baseline.summary["broken_pairs"]


def test_batch_delay_leaves_the_rest_unchanged(baseline: RunResult) -> None:
    variant = run(BATCH)
    assert_rest_unchanged(baseline, variant, tagged(variant, "batch_delay"))


# --- hub_outage --------------------------------------------------------------------------------------

VECOZO_DOWN = injection("hub_outage", "retour_block - 4h", "retour_block", hub="vecozo")
IB_DOWN = injection("hub_outage", "retour_block - 4h", "retour_block", hub="ib")


def _bounced_old_retour_pairs(variant: RunResult, sender_type: str) -> list[PairRecord]:
    """Old-release pairs whose retour the outage kept from the sender's own hub."""
    pairs = {p.pair_id: p for p in variant.pairs}
    return [pairs[m.pair_id] for m in variant.messages
            if m.role == "retour" and "hub_outage" in m.injections and m.sender_type == sender_type
            and pairs[m.pair_id].release == "3.0"]


def test_vecozo_outage_on_the_retour_block_morning_breaks_retours(baseline: RunResult) -> None:
    variant = run(VECOZO_DOWN)
    assert report(variant, "hub_outage")["took_effect"]
    hit = _bounced_old_retour_pairs(variant, "aanbieder")
    assert len(hit) >= 10
    # VECOZO is back at 13:00, when the retour block starts: every retour it bounced is refused
    assert all((p.outcome, p.cause) == ("broken", "retour_blocked") for p in hit), Counter(p.outcome for p in hit)
    assert variant.summary["broken_pairs"] >= baseline.summary["broken_pairs"] + len(hit)


def test_no_pair_closes_with_a_retour_in_another_release() -> None:
    for variant in (run(), run(IB_DOWN), run(LATE), run(BATCH)):
        messages = {m.message_id: m for m in variant.messages}
        for p in variant.pairs:
            if p.outcome.startswith("closed"):
                assert messages[p.retour_id].release == p.release, p


def test_no_pair_closes_with_a_retour_in_another_release_after_a_vecozo_outage() -> None:
    variant = run(VECOZO_DOWN)
    messages = {m.message_id: m for m in variant.messages}
    mixed = [p for p in variant.pairs if p.outcome.startswith("closed") and messages[p.retour_id].release != p.release]
    assert not mixed, f"{len(mixed)} 3.0 pairs closed with a 3.1 retour, e.g. {mixed[0]}"


def test_ib_outage_queues_gemeente_retours_until_the_block(baseline: RunResult) -> None:
    variant = run(IB_DOWN)
    assert report(variant, "hub_outage")["took_effect"]
    hit = _bounced_old_retour_pairs(variant, "gemeente")
    assert len(hit) >= 10
    messages = {m.message_id: m for m in variant.messages}
    for p in hit:
        # the IB keeps what it gets (guaranteed delivery) and checks it when it is back: at the retour block
        assert (p.outcome, p.cause) == ("broken", "retour_blocked")
        assert messages[p.retour_id].submitted == "2022-03-31T11:00:00Z"
    assert variant.summary["broken_pairs"] == baseline.summary["broken_pairs"] + len(hit)


def test_nothing_reaches_the_side_of_a_hub_that_is_down() -> None:
    variant = run(VECOZO_DOWN)
    down = (RETOUR_BLOCK - timedelta(hours=4), RETOUR_BLOCK)
    through = [m for m in variant.messages if m.receiver_type == "aanbieder" and m.delivered
               and down[0] <= utc(m.delivered) < down[1]]
    assert not through, f"{len(through)} messages reached aanbieders while VECOZO was down, e.g. {through[0]}"
    assert any(m.receiver_type == "aanbieder" and "hub_outage" in m.injections for m in variant.messages)


@pytest.mark.parametrize("rows", [IB_DOWN, VECOZO_DOWN], ids=["ib", "vecozo"])
def test_hub_outage_leaves_the_rest_unchanged(baseline: RunResult, rows: str) -> None:
    variant = run(rows)
    assert_rest_unchanged(baseline, variant, tagged(variant, "hub_outage"))


# --- not_ready ----------------------------------------------------------------------------------------

NOT_READY = injection("not_ready", "go_live", "go_live + 3d", actor="aanbieder", share=0.05)
READY = GO_LIVE + timedelta(days=3)


def test_not_ready_delays_new_release_traffic_and_raises_the_backlog(baseline: RunResult) -> None:
    variant = run(NOT_READY)
    r = report(variant, "not_ready")
    assert r["took_effect"] and r["actors_touched"] >= 3
    late = touched_parties(variant, "not_ready")
    assert {kind for kind, _ in late} == {"aanbieder"}
    held = 0
    for m in variant.messages:
        if m.release != "3.1":
            continue
        if (m.sender_type, m.sender) in late and m.submitted:
            assert utc(m.submitted) >= READY, m  # nothing leaves before the party is ready
            held += utc(m.created) < READY
        if (m.receiver_type, m.receiver) in late and m.read:
            assert utc(m.read) >= READY, m  # nothing in 3.1 is read in before it is ready
    assert held >= 3
    assert mean_backlog(variant, GO_LIVE, READY) > mean_backlog(baseline, GO_LIVE, READY)


def test_not_ready_breaks_no_old_pair(baseline: RunResult) -> None:
    # readiness only matters from go-live: every 3.0 pair ends exactly as in the baseline
    variant = run(NOT_READY)
    assert Counter(row(p) for p in variant.pairs if p.release == "3.0") == Counter(
        row(p) for p in baseline.pairs if p.release == "3.0")
    assert variant.summary["outcome_broken"] == baseline.summary["outcome_broken"]


def test_not_ready_leaves_other_parties_alone(baseline: RunResult) -> None:
    variant = run(NOT_READY)
    # also the 319s on 3.0 requests answered after go-live (forbidden, counted as broken) stay the same
    assert variant.summary["broken_pairs"] == baseline.summary["broken_pairs"]
    late = touched_parties(variant, "not_ready")
    assert_rest_unchanged(baseline, variant, involving(variant, late),
                          base_related=lambda p: p.pair_id in involving(baseline, late))


# --- corrupt ---------------------------------------------------------------------------------------------

CORRUPT = injection("corrupt", "go_live", "go_live + 7d", actor="aanbieder", share=0.02)


def _check_corrupted(variant: RunResult) -> list[PairRecord]:
    r = report(variant, "corrupt")
    refused = [m for m in variant.messages if m.hub_result == "foutmelding"]
    assert r["took_effect"] and len(refused) == r["messages_touched"] == variant.summary["rejected_by_xsd"] >= 5
    pairs = {p.pair_id: p for p in variant.pairs}
    out = []
    for m in refused:
        assert "corrupt" in m.injections and m.role == "heen" and m.sender_type == "aanbieder"
        p = pairs[m.pair_id]
        assert (p.outcome, p.cause) == ("rejected_resent", "foutmelding")
        resend = pairs[p.resent_as]
        # repaired by hand in about four working hours (not corrupted again), accepted in the same release
        assert resend.release == p.release == "3.1" and not resend.resent_as
        assert utc(resend.heen_submitted) - utc(p.heen_submitted) >= timedelta(hours=4)
        assert resend.outcome in ("closed_in_time", "open_at_end")
        out.append(p)
    return out


def test_corrupt_produces_foutmeldingen_and_resends(baseline: RunResult) -> None:
    variant = run(CORRUPT)
    refused = _check_corrupted(variant)
    assert baseline.summary["rejected_by_xsd"] == 0
    # the share is a share of the aanbieder heenberichten submitted in the window (2 % of several hundred)
    week = (GO_LIVE, GO_LIVE + timedelta(days=7))
    offered = [m for m in variant.messages if m.role == "heen" and m.sender_type == "aanbieder" and m.submitted
               and week[0] <= utc(m.submitted) < week[1]]
    assert 0.005 * len(offered) <= len(refused) <= 0.05 * len(offered)


def test_corrupt_foutmeldingen_are_real_xsd_failures_in_xml_mode() -> None:
    variant = run(CORRUPT, xml=True, keep_xml=True)
    refused = _check_corrupted(variant)
    assert refused and run(CORRUPT).summary["rejected_by_xsd"] == variant.summary["rejected_by_xsd"]
    for m in variant.messages:
        if m.hub_result != "foutmelding":
            continue
        tree = parse_xml(variant.xml_documents[m.message_id], name=m.message_id)
        findings = diagnose(detect(tree), tree)
        assert findings and any("BerichtCode" in str(f) for f in findings), findings


def test_corrupt_leaves_the_rest_unchanged(baseline: RunResult) -> None:
    variant = run(CORRUPT)
    assert_rest_unchanged_around(baseline, variant, tagged(variant, "corrupt"))


# --- portal_unread --------------------------------------------------------------------------------------

UNREAD = injection("portal_unread", "heen_block", "go_live", actor="gemeente", share=1.0)


def test_portal_unread_leaves_the_block_days_messages_unread(baseline: RunResult) -> None:
    variant = run(UNREAD)
    assert report(variant, "portal_unread")["took_effect"]
    missed = {("gemeente", m.receiver) for m in variant.messages if m.receiver_type == "gemeente"}  # all of them
    assert len(touched_parties(variant, "portal_unread")) >= 5
    # everything that reached a gemeente that stopped reading in after the heen block stays unread
    for m in variant.messages:
        if (m.receiver_type, m.receiver) in missed and m.delivered and HEEN_BLOCK <= utc(m.delivered) < PORTAL_CUTOFF:
            assert m.unread_at_transition and not m.read, m
    assert variant.summary["unread_at_transition"] >= baseline.summary["unread_at_transition"] + 5


def test_portal_unread_leaves_the_rest_unchanged(baseline: RunResult) -> None:
    # an unread heen gets no follow-up (no 301 on an unread 315, ...): compare around the touched pairs
    variant = run(UNREAD)
    assert_rest_unchanged_around(baseline, variant, tagged(variant, "portal_unread"))


# --- spoed --------------------------------------------------------------------------------------------

SPOED = injection("spoed", "transitie_start", "go_live", params={"rate_per_day": 3})


def test_spoed_produces_catch_up_toewijzingen_after_go_live(baseline: RunResult) -> None:
    variant = run(SPOED)
    r = report(variant, "spoed")
    cases = variant.summary["spoed_cases"]
    assert r["took_effect"] and r["spoed_cases"] == cases >= 4 and baseline.summary["spoed_cases"] == 0
    spoed = [p for p in variant.pairs if p.spoed]
    toewijzingen = [p for p in spoed if p.pair == "301/302"]
    assert len(toewijzingen) == cases and r["messages_touched"] == cases
    for p in spoed:
        assert p.release == "3.1" and utc(p.heen_submitted) >= GO_LIVE
        assert p.outcome in ("closed_in_time", "open_at_end"), p
    assert {p.sender_type for p in toewijzingen} == {"gemeente"}
    assert 0 < r["catch_up_lag_hours_mean"] <= r["catch_up_lag_hours_max"]
    assert not any(p.spoed for p in baseline.pairs)


def test_spoed_start_of_care_is_a_catch_up_message_too() -> None:
    variant = run(SPOED)
    starts = [p for p in variant.pairs if p.spoed and p.pair == "305/306"]
    assert len(starts) == variant.summary["spoed_cases"]


def test_spoed_leaves_everything_else_identical(baseline: RunResult) -> None:
    variant = run(SPOED)
    assert variant.summary["broken_pairs"] == baseline.summary["broken_pairs"]
    assert_rest_unchanged(baseline, variant, {p.pair_id for p in variant.pairs if p.spoed},
                          base_related=lambda p: False)


# --- the bundled what-if scenarios -------------------------------------------------------------------


def _timeline(s: Scenario) -> tuple:
    return (s.from_release, s.to_release, s.standards, s.window_start, s.window_end, s.phases, s.go_live,
            s.deadlines, s.blocks, s.portals, s.batches, s.milestones)


def test_every_kind_has_a_what_if_and_there_is_a_mix() -> None:
    from ketensim.scenario.world_sections import INJECTION_KINDS

    kinds = {i.kind for p in WHATIFS for i in load_scenario(p).injections if p.stem != "whatif-mix"}
    assert kinds == set(INJECTION_KINDS)
    mix = load_scenario("whatif-mix")
    assert {i.kind for i in mix.injections} == set(INJECTION_KINDS)
    assert not load_scenario("whatif-baseline").injections


@pytest.mark.parametrize("path", WHATIFS, ids=[p.stem for p in WHATIFS])
def test_what_if_copies_the_2022_draaiboek(path: Path) -> None:
    s, base = load_scenario(path), load_scenario("2022-3.0-3.1")
    assert s.id == path.stem and s.name != base.name
    assert _timeline(s) == _timeline(base)
    assert s.population == load_scenario("whatif-baseline").population
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# What-if {s.id}: ")  # the header says what it represents
    assert bool(s.injections) == (s.id != "whatif-baseline")


@pytest.mark.parametrize("path", WHATIFS, ids=[p.stem for p in WHATIFS])
def test_what_if_runs_and_every_injection_takes_effect(path: Path) -> None:
    s = load_scenario(path)
    result = run_replication(s, SEED, xml=False)
    assert len(result.injections) == len(s.injections)
    for r in result.injections:
        assert r["took_effect"], r
    assert result.wall_seconds < 20


# --- injections that cannot touch anything ------------------------------------------------------------


@pytest.mark.parametrize("rows", [
    injection("late_send", "heen_block - 2d", "go_live", messages=["303"]),  # 3.0 senders declare with 323
    injection("hub_outage", "go_live - 26h", "go_live - 20h", hub="vecozo"),  # Sunday 11:00-17:00: nobody sends
    injection("batch_delay", "transitie_start + 1d", "transitie_start + 2d", hub="ib"),  # Fri-Sat in the transition
    injection("slow_response", "transitie_start", "go_live", actor="gemeente"),  # nothing is read in the stop
    injection("portal_unread", "go_live", "go_live + 2d", actor="gemeente"),  # after the read-in window
    injection("corrupt", "go_live - 26h", "go_live - 20h", share=1.0),  # Sunday: nothing is submitted
], ids=["late-303", "outage-sunday", "batch-transition", "slow-in-stop", "unread-after-window", "corrupt-sunday"])
def test_injection_that_touches_nothing_says_so_and_changes_nothing(baseline: RunResult, rows: str) -> None:
    variant = run(rows)
    (r,) = variant.injections
    assert r["took_effect"] is False and r["actors_touched"] == r["messages_touched"] == 0, r
    assert [row(p) for p in variant.pairs] == [row(p) for p in baseline.pairs]
    assert variant.summary == baseline.summary


# --- invalid injections are scenario errors naming file and key --------------------------------------

INVALID_AT_LOAD = [
    ("injection[1].kind", "unknown value 'meltdown'", injection("meltdown", "go_live", "go_live + 1d")),
    ("injection[1].start", "outside the scenario window", injection("spoed", "window_start - 1d", "go_live")),
    ("injection[1].end", "outside the scenario window", injection("not_ready", "go_live", "window_end + 1d")),
    ("injection[1].share", "1.5 is out of range", injection("late_send", "heen_block", "go_live", share=1.5)),
    ("injection[1].share", "-0.2 is out of range", injection("late_send", "heen_block", "go_live", share=-0.2)),
    ("injection[1].actor", "unknown value 'zorgkantoor'",
     injection("not_ready", "go_live", "go_live + 1d", actor="zorgkantoor")),
    ("injection[1].hub", "unknown value 'rinis'", injection("hub_outage", "go_live", "go_live + 1h", hub="rinis")),
    ("injection[1].end", "is not after start", injection("hub_outage", "go_live", "go_live - 1h", hub="ib")),
    ("injection[1].messages", "message 999 does not exist",
     injection("late_send", "heen_block", "go_live", messages=["999"])),
]


@pytest.mark.parametrize(("key", "problem", "rows"), INVALID_AT_LOAD, ids=[f"{k}:{p}" for k, p, _ in INVALID_AT_LOAD])
def test_invalid_injection_is_a_scenario_error(key: str, problem: str, rows: str) -> None:
    with pytest.raises(ScenarioError) as err:
        scenario(rows)
    assert str(err.value).startswith(f"{PATH}: {key}: "), str(err.value)
    assert problem in str(err.value)


INVALID_FOR_KIND = [
    ("injection[1].hub", "missing; hub_outage needs hub", injection("hub_outage", "go_live", "go_live + 1h")),
    ("injection[1].hub", "missing; batch_delay needs hub", injection("batch_delay", "go_live", "go_live + 1h")),
    ("injection[1].actor", "hub_outage does not use actor",
     injection("hub_outage", "go_live", "go_live + 1h", hub="ib", actor="gemeente")),
    ("injection[1].share", "spoed does not use share", injection("spoed", "transitie_start", "go_live", share=0.5)),
    ("injection[1].params.facter", "unknown parameter for slow_response; expected one of: factor",
     injection("slow_response", "go_live", "go_live + 1d", params={"facter": 3})),
    ("injection[1].params.factor", "0.5 is out of range",
     injection("slow_response", "go_live", "go_live + 1d", params={"factor": 0.5})),
    ("injection[1].params.mode", "unknown value 'drop'",
     injection("hub_outage", "go_live", "go_live + 1h", hub="vecozo", params={"mode": "drop"})),
    ("injection[1].params.rate_per_day", "expected a number",
     injection("spoed", "transitie_start", "go_live", params={"rate_per_day": "veel"})),
    ("injection[1].messages", "302 is not a heenbericht",
     injection("late_send", "heen_block", "go_live", messages=["302"])),
    ("injection[1].start", "does not contain go-live", injection("not_ready", "go_live + 1d", "go_live + 3d")),
]


@pytest.mark.parametrize(("key", "problem", "rows"), INVALID_FOR_KIND, ids=[f"{k}:{p[:20]}" for k, p, _ in INVALID_FOR_KIND])
def test_injection_its_kind_cannot_honour_is_a_scenario_error(key: str, problem: str, rows: str) -> None:
    # loading already refuses it (so `ketensim scenario check` reports it), and so does every later stage
    with pytest.raises(ScenarioError) as err:
        scenario(rows)
    assert str(err.value).startswith(f"{PATH}: {key}: "), str(err.value)
    assert problem in str(err.value)
    s = load_scenario_text(BASE + POPULATION, PATH)
    s = dataclasses.replace(s, injections=read_injection_rows(rows))
    for check in (check_injections, lambda s: build_faults(s, SEED), lambda s: run_replication(s, SEED, xml=False)):
        with pytest.raises(ScenarioError) as err:
            check(s)
        assert str(err.value).startswith(f"{PATH}: {key}: "), str(err.value)
        assert problem in str(err.value)


def read_injection_rows(rows: str) -> tuple:
    """The injection rows of ``rows`` as the loader reads them, without the kind checks of load time."""
    import tomllib

    from ketensim.scenario.reader import Table
    from ketensim.scenario.world_sections import read_injections

    base = load_scenario_text(BASE + POPULATION, PATH)
    root = Table(tomllib.loads(rows), "", PATH)
    head = {"go_live": base.go_live.at, "window_start": base.window_start, "window_end": base.window_end}
    return read_injections(root, head, list(base.phases), list(base.blocks), (base.from_release, base.to_release))
