"""The bundled draaiboek scenarios: they load, their key instants are exactly right, they are sourced.

Also the time handling they depend on: Dutch holidays around Easter 2018, working time across the
Easter weekend and the switch to summer time, and the simulation clock across DST.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from ketensim._resources import bundled_scenarios
from ketensim.scenario import Scenario, load_scenario
from ketensim.scenario.model import Provenance
from ketensim.standards.releases import RELEASES
from ketensim.timeline import AMSTERDAM, SimClock, WorkCalendar, WorkingHours, dutch_holidays, localize

UTC = timezone.utc
BUNDLED = bundled_scenarios()
EXPECTED_IDS = {
    "2017-2.0-2.1",
    "2018-2.1-2.2",
    "2019-2.2-2.3",
    "2020-2.3-2.4",
    "2021-2.4-3.0",
    "2022-3.0-3.1",
    "2023-3.1-3.2",
}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return localize(datetime(*args))


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Scenario]:
    return {path.stem: load_scenario(path) for path in BUNDLED}


def row(s: Scenario, kind: str, ident: str):
    """The deadline/block/portal/milestone/batch of ``s`` with id ``ident`` (exactly one)."""
    rows = {"deadline": s.deadlines, "block": s.blocks, "portal": s.portals, "milestone": s.milestones,
            "batch": s.batches}[kind]
    found = [r for r in rows if r.provenance.id == ident]
    assert len(found) == 1, f"{s.id}: expected one {kind} with id {ident!r}, found {len(found)}"
    return found[0]


def provenances(s: Scenario) -> list[tuple[str, Provenance]]:
    out = [(f"phases.{p.name}", p.provenance) for p in s.phases] + [("go_live", s.go_live.provenance)]
    for kind, rows in (("deadline", s.deadlines), ("block", s.blocks), ("portal", s.portals),
                       ("batch", s.batches), ("milestone", s.milestones)):
        out += [(f"{kind}[{i}] {r.provenance.id}", r.provenance) for i, r in enumerate(rows)]
    return out


# --- every bundled scenario ----------------------------------------------------------------------


def test_all_migrations_are_bundled() -> None:
    assert {p.stem for p in BUNDLED} >= EXPECTED_IDS


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_bundled_scenario_loads_by_path_and_by_name(path: Path) -> None:
    s = load_scenario(path)
    assert s.id == path.stem
    assert s.path == str(path)
    assert load_scenario(path.stem).id == s.id
    assert str(s).startswith("Scenario(")


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_assumed_row_has_a_dutch_reason(path: Path) -> None:
    """The stuurgroep report shows ``waarom``; the English ``why`` is for the README and English readers."""
    s = load_scenario(path)
    rows = provenances(s) + [("answers", s.answers.provenance)]
    waves = [(f"wave {w.id}", w.assumed, w.why, w.waarom) for w in s.waves]
    for where, assumed, why, waarom in [(where, p.assumed, p.why, p.waarom) for where, p in rows] + waves:
        if assumed:
            assert len(waarom.strip()) >= 20, f"{s.id} {where}: assumed without a Dutch reason (waarom)"
            assert waarom.strip() != why.strip(), f"{s.id} {where}: waarom is the English why"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_why_in_the_file_has_a_waarom(path: Path) -> None:
    """Read the file itself: no table with a ``why`` lacks its ``waarom`` (whatever the loader keeps)."""
    import tomllib

    def tables(node: object, where: str) -> list[tuple[str, dict]]:
        if isinstance(node, dict):
            found = [(where, node)]
            for key, value in node.items():
                found += tables(value, f"{where}.{key}")
            return found
        if isinstance(node, list):
            return [t for i, value in enumerate(node) for t in tables(value, f"{where}[{i + 1}]")]
        return []

    found = tables(tomllib.loads(path.read_text(encoding="utf-8")), path.stem)
    with_why = [(where, t) for where, t in found if "why" in t]
    for where, table in with_why:
        assert str(table.get("waarom", "")).strip(), f"{where}: why without waarom"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_every_row_is_sourced_or_assumed_with_a_reason(path: Path) -> None:
    s = load_scenario(path)
    for where, prov in provenances(s):
        assert prov.source.strip() or prov.assumed, f"{s.id} {where}: no source and not assumed"
        if prov.assumed:
            assert len(prov.why.strip()) >= 20, f"{s.id} {where}: assumed without a real reason"
        if not where.startswith("phases"):
            assert prov.what.strip(), f"{s.id} {where}: no what"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_window_has_four_weeks_before_and_after(path: Path) -> None:
    s = load_scenario(path)
    assert s.phase("afsluiting").start - s.window_start >= timedelta(days=28)
    assert s.window_end - s.go_live.at >= timedelta(days=27)
    assert s.phase("ingebruikname").end == s.window_end


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_go_live_is_a_weekday_at_13_and_opens_ingebruikname(path: Path) -> None:
    s = load_scenario(path)
    live = s.go_live.at.astimezone(AMSTERDAM)
    assert live.time() == time(13, 0)
    assert live.weekday() < 5
    assert s.go_live.at == s.phase("ingebruikname").start
    assert [p.end for p in s.phases[:-1]] == [p.start for p in s.phases[1:]]


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_all_old_release_traffic_is_blocked_before_go_live(path: Path) -> None:
    s = load_scenario(path)
    old, new = RELEASES[s.from_release], RELEASES[s.to_release]
    numbers = old.numbers if "ijw" in s.standards else old.numbers - old.ijw_only
    for number in sorted(numbers):
        block = s.block_of(number)
        assert block is not None, f"{s.id}: {number} is never blocked"
        assert s.window_start < block.at <= s.transition_start < s.go_live.at
        # a message the new release drops is phased out for good; the others resume at go-live
        assert block.phase_out == (number not in new.numbers), f"{s.id}: phase_out of {number}"


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_transition_starts_when_the_retours_are_blocked(path: Path) -> None:
    s = load_scenario(path)
    retour_blocks = {b.at for b in s.blocks if not b.phase_out and any(m in ("302", "306") for m in b.messages)}
    assert retour_blocks == {s.transition_start}
    for p in s.portals:
        assert p.start.date() == s.transition_start.date()
        assert p.start >= s.transition_start


# --- key instants, exactly, in UTC -----------------------------------------------------------------

KEY_INSTANTS = [
    # 2022: summer time starts Sun 27 Mar 2022 inside the afsluiting
    ("2022-3.0-3.1", "block", "3.2.2", utc(2022, 3, 31, 11, 0)),  # Thu 13:00 CEST
    ("2022-3.0-3.1", "block", "3.2.1", utc(2022, 3, 30, 15, 0)),  # Wed 17:00 CEST
    ("2022-3.0-3.1", "go_live", "", utc(2022, 4, 4, 11, 0)),  # Mon 13:00 CEST
    ("2022-3.0-3.1", "deadline", "3.1.1", utc(2022, 3, 23, 22, 0)),  # Wed 23:00 CET
    ("2022-3.0-3.1", "deadline", "3.3.1", utc(2022, 3, 1, 22, 0)),  # Tue 23:00 CET
    # 2018: summer time starts Sun 25 Mar 2018 inside the afsluiting; Easter in the transitie
    ("2018-2.1-2.2", "block", "T1", utc(2018, 3, 27, 15, 0)),  # Tue 17:00 CEST
    ("2018-2.1-2.2", "block", "T2", utc(2018, 3, 29, 11, 0)),  # Thu 13:00 CEST
    ("2018-2.1-2.2", "go_live", "", utc(2018, 4, 3, 11, 0)),  # Tue 13:00 CEST
    ("2018-2.1-2.2", "deadline", "1", utc(2018, 3, 18, 22, 0)),  # Sun 23:00 CET
    ("2018-2.1-2.2", "portal", "6", utc(2018, 3, 29, 12, 0)),  # Thu 14:00 CEST
    # 2017: all summer time
    ("2017-2.0-2.1", "go_live", "", utc(2017, 6, 12, 11, 0)),
    ("2017-2.0-2.1", "deadline", "1", utc(2017, 5, 28, 21, 0)),  # Sun 23:00 CEST
    ("2017-2.0-2.1", "block", "blok-heen", utc(2017, 6, 6, 15, 0)),
    ("2017-2.0-2.1", "block", "blok-retour", utc(2017, 6, 8, 11, 0)),
    # 2019: summer time starts Sun 31 Mar 2019 inside the transitie
    ("2019-2.2-2.3", "go_live", "", utc(2019, 4, 1, 11, 0)),  # Mon 13:00 CEST
    ("2019-2.2-2.3", "milestone", "freeze", utc(2019, 3, 28, 12, 0)),  # Thu 13:00 CET
    # 2020: summer time starts Sun 29 Mar 2020 inside the transitie
    ("2020-2.3-2.4", "go_live", "", utc(2020, 3, 30, 11, 0)),  # Mon 13:00 CEST
    ("2020-2.3-2.4", "deadline", "3.1.1", utc(2020, 3, 18, 22, 0)),  # Wed 23:00 CET
    ("2020-2.3-2.4", "deadline", "3.1.2", utc(2020, 3, 25, 16, 0)),  # Wed 17:00 CET
    ("2020-2.3-2.4", "deadline", "3.1.4", utc(2020, 3, 26, 12, 0)),  # Thu 13:00 CET
    # 2021: winter time throughout
    ("2021-2.4-3.0", "go_live", "", utc(2021, 1, 4, 12, 0)),  # Mon 13:00 CET
    ("2021-2.4-3.0", "block", "3.2.1", utc(2020, 12, 30, 16, 0)),  # Wed 17:00 CET
    # 2023: summer time starts Sun 26 Mar 2023 inside the afsluiting
    ("2023-3.1-3.2", "go_live", "", utc(2023, 4, 3, 11, 0)),  # Mon 13:00 CEST
    ("2023-3.1-3.2", "deadline", "3.1.1", utc(2023, 3, 22, 22, 0)),  # Wed 23:00 CET
    ("2023-3.1-3.2", "block", "3.2.1", utc(2023, 3, 29, 15, 0)),  # Wed 17:00 CEST
]


@pytest.mark.parametrize(("sid", "kind", "ident", "expected"), KEY_INSTANTS,
                         ids=[f"{k[0][:4]}-{k[1]}-{k[2] or 'live'}" for k in KEY_INSTANTS])
def test_key_instant_in_utc(scenarios: dict[str, Scenario], sid: str, kind: str, ident: str,
                            expected: datetime) -> None:
    s = scenarios[sid]
    if kind == "go_live":
        moment = s.go_live.at
    else:
        r = row(s, kind, ident)
        moment = getattr(r, "at", None) or r.start
    assert moment.astimezone(UTC) == expected


def test_2021_first_3_0_traffic_is_monday_4_january_in_winter_time(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2021-2.4-3.0"]
    live = s.go_live.at.astimezone(AMSTERDAM)
    assert live.date() == date(2021, 1, 4)
    assert live.utcoffset() == timedelta(hours=1)
    assert s.release_at(s.go_live.at) == "3.0"
    assert s.release_at(s.go_live.at - timedelta(minutes=1)) == "2.4"


def test_2021_toewijzing_migration_dates_are_milestones(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2021-2.4-3.0"]
    days = {row(s, "milestone", f"migratietabel-{n}").start.date() for n in (1, 2, 3)}
    assert days == {date(2020, 11, 30), date(2020, 12, 30), date(2021, 1, 31)}
    assert row(s, "milestone", "migratietabel-3").start > s.go_live.at
    for n in (1, 2, 3):
        m = row(s, "milestone", f"migratietabel-{n}")
        assert not m.provenance.assumed and m.provenance.source.startswith("Voice-over Migratie naar iWmo 3.0 en iJw 3.0")
        assert m.kind == "procedural"
    # they do not turn into the 301 deadline: that stays at the (assumed) heen block
    assert s.deadline_of("301", "gemeente").at == local(2020, 12, 30, 17, 0)


def test_2018_rows_follow_s002(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2018-2.1-2.2"]
    assert {d.provenance.id for d in s.deadlines} == {"1", "2", "3", "4", "5"}
    assert {p.provenance.id for p in s.portals} == {"6", "7"}
    assert {b.provenance.id for b in s.blocks} == {"T1", "T2"}
    assert s.go_live.provenance.id == "T4"
    assert row(s, "milestone", "T3").end == s.go_live.at
    note = s.batches[0]
    assert (note.hub, note.day, note.visible_from) == ("ib", date(2018, 3, 29), time(16, 0))
    assert not note.provenance.assumed and "Nieuwsbrief MGR Sociaal Domein Limburg-Noord" in note.provenance.source
    # JW321/JW322 are blocked with the rest and resume at go-live
    assert "321" in row(s, "block", "T1").messages and "322" in row(s, "block", "T2").messages
    # only the chain-test start is assumed; every other row is sourced
    assumed = [where for where, prov in provenances(s) if prov.assumed]
    assert assumed == [f"milestone[{[m.provenance.id for m in s.milestones].index('transitie-1')}] transitie-1"]


def test_2018_easter_weekend_lies_inside_the_transitie(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2018-2.1-2.2"]
    transitie = s.phase("transitie")
    for day in (date(2018, 3, 30), date(2018, 3, 31), date(2018, 4, 1), date(2018, 4, 2)):
        assert transitie.start < local(day.year, day.month, day.day, 12, 0) < transitie.end


def test_2017_321_and_322_stay_after_go_live(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2017-2.0-2.1"]
    assert not s.block_of("321").phase_out and not s.block_of("322").phase_out
    # the technical blocks are implied by S001's stop rows and marked assumed
    assert all(b.provenance.assumed and b.provenance.source for b in s.blocks)
    assert not any(d.provenance.assumed for d in s.deadlines)


def test_2019_phases_out_jw321_and_jw322(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2019-2.2-2.3"]
    assert s.block_of("321").phase_out and s.block_of("322").phase_out
    assert s.block_of("321").at == s.block_of("301").at
    assert s.block_of("322").at == s.block_of("302").at == row(s, "milestone", "freeze").start


def test_2020_sourced_and_assumed_rows(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2020-2.3-2.4"]
    sourced = {d.provenance.id for d in s.deadlines if not d.provenance.assumed}
    assert sourced == {"3.1.1", "3.1.2", "3.1.3", "3.1.4"}
    assert row(s, "deadline", "3.1.5").provenance.assumed
    assert s.go_live.provenance.assumed and "hour" in s.go_live.provenance.why


def test_2023_is_fully_assumed_and_has_no_303(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2023-3.1-3.2"]
    assert all(prov.assumed for _, prov in provenances(s))
    numbers = {m for r in (*s.deadlines, *s.blocks, *s.milestones) for m in r.messages}
    assert not numbers & {"303", "304"}
    # the 2022 draaiboek shifted by exactly 52 weeks
    s22 = load_scenario("2022-3.0-3.1")
    for ident in ("3.1.1", "3.1.2", "3.1.4"):
        assert row(s, "deadline", ident).at.replace(tzinfo=None) == \
            row(s22, "deadline", ident).at.replace(tzinfo=None) + timedelta(weeks=52)


# --- holidays and working time ----------------------------------------------------------------------


def test_easter_2018_holidays() -> None:
    days = dutch_holidays(2018)
    assert date(2018, 4, 1) in days  # Eerste paasdag
    assert date(2018, 4, 2) in days  # Tweede paasdag
    assert date(2018, 4, 3) not in days
    assert date(2018, 3, 29) not in days
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2018, 4, 2))
    assert cal.is_working_day(date(2018, 4, 3))


def test_holidays_package_lists_good_friday_for_nl() -> None:
    """Canary: holidays (0.109) lists Goede Vrijdag as a public NL holiday, which is why
    dutch_holidays() has to filter it out. If this starts failing, the filter is merely redundant."""
    import holidays

    assert date(2018, 3, 30) in holidays.country_holidays("NL", years=2018)


def test_good_friday_2018_is_a_working_day() -> None:
    """Good Friday is not a general holiday (Algemene termijnenwet): gemeenten and aanbieders work."""
    assert date(2018, 3, 30) not in dutch_holidays(2018)
    cal = WorkCalendar()
    assert cal.is_working_day(date(2018, 3, 30))
    # Thu 29 Mar 16:30 + 1 working hour: 30 min on Thursday, 30 min on Good Friday morning
    assert cal.add_working_minutes(local(2018, 3, 29, 16, 30), 60) == local(2018, 3, 30, 9, 0)
    # from the retour block to go-live there are two working days: Fri 30 Mar and Tue 3 Apr
    assert cal.working_days_between(date(2018, 3, 29), date(2018, 4, 3)) == 2


def test_working_minutes_across_the_easter_2018_weekend() -> None:
    cal = WorkCalendar()
    # Saturday: nothing until Tuesday 08:30 (Sunday and Easter Monday are off), then one hour
    result = cal.add_working_minutes(local(2018, 3, 31, 10, 0), 60)
    assert result == local(2018, 4, 3, 9, 30)
    assert result.astimezone(UTC) == utc(2018, 4, 3, 7, 30)
    # Easter Monday itself is not working time
    assert not cal.is_working_time(local(2018, 4, 2, 10, 0))
    assert cal.next_working_moment(local(2018, 4, 2, 10, 0)) == local(2018, 4, 3, 8, 30)


def test_working_minutes_across_the_dst_switch_of_27_march_2022() -> None:
    cal = WorkCalendar()
    # Fri 25 Mar 16:00 CET + 90 min: 60 on Friday, 30 on Monday 28 Mar (CEST)
    result = cal.add_working_minutes(local(2022, 3, 25, 16, 0), 90)
    assert result == local(2022, 3, 28, 9, 0)
    assert result.astimezone(UTC) == utc(2022, 3, 28, 7, 0)
    assert result.utcoffset() == timedelta(hours=2)
    # a full working day is 8.5 hours on both sides of the switch
    start = local(2022, 3, 25, 8, 30)
    assert cal.add_working_minutes(start, 2 * 510) == local(2022, 3, 28, 17, 0)


def test_working_minutes_through_the_missing_hour_count_real_time() -> None:
    cal = WorkCalendar(WorkingHours(time(0, 0), time(23, 59)), weekend_work=True)
    # Sun 27 Mar 2022 01:30 CET + 60 real minutes = 03:30 CEST (02:00-03:00 does not exist)
    result = cal.add_working_minutes(local(2022, 3, 27, 1, 30), 60)
    assert result.astimezone(UTC) == utc(2022, 3, 27, 1, 30)
    assert result.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2022, 3, 27, 3, 30)
    # and through the repeated hour in October: 01:30 CEST + 120 min = 02:30 CET (second time)
    autumn = cal.add_working_minutes(datetime(2022, 10, 29, 23, 30, tzinfo=UTC), 120)
    assert autumn.astimezone(UTC) == utc(2022, 10, 30, 1, 30)
    assert autumn.astimezone(AMSTERDAM).utcoffset() == timedelta(hours=1)


# --- the simulation clock -------------------------------------------------------------------------


def test_simclock_counts_absolute_minutes_across_dst(scenarios: dict[str, Scenario]) -> None:
    s = scenarios["2022-3.0-3.1"]
    clock = SimClock(s.window_start)
    assert clock.to_sim(s.window_start) == 0.0
    # Mon 21 Feb 00:00 CET -> Mon 4 Apr 13:00 CEST is 42 days and 12 real hours (not 13)
    assert clock.to_sim(s.go_live.at) == 42 * 1440 + 12 * 60
    heen, retour = row(s, "block", "3.2.1").at, row(s, "block", "3.2.2").at
    assert clock.to_sim(retour) - clock.to_sim(heen) == 20 * 60
    # Wed 23 Mar 23:00 CET -> Wed 30 Mar 17:00 CEST: 6 days 17 wall hours, 16 real hours
    assert clock.to_sim(heen) - clock.to_sim(row(s, "deadline", "3.1.1").at) == 6 * 1440 + 17 * 60


def test_simclock_round_trips_across_both_switches() -> None:
    for origin in (local(2022, 3, 26, 0, 0), local(2022, 10, 29, 0, 0)):
        clock = SimClock(origin)
        for minutes in range(0, 3 * 1440, 15):
            moment = clock.to_utc(float(minutes))
            assert clock.to_sim(moment) == minutes
            assert clock.to_sim(clock.to_local(minutes)) == minutes
            # (compare in UTC: by PEP 495, == between zones is False inside the repeated hour)
            assert clock.to_local(minutes).astimezone(UTC) == moment
            assert clock.to_local(minutes).tzinfo is AMSTERDAM
    # the two 02:30s of 30 Oct 2022 are one hour apart on the sim clock
    clock = SimClock(local(2022, 10, 29, 0, 0))
    first = clock.to_sim(datetime(2022, 10, 30, 2, 30, tzinfo=AMSTERDAM, fold=0))
    second = clock.to_sim(datetime(2022, 10, 30, 2, 30, tzinfo=AMSTERDAM, fold=1))
    assert second - first == 60
    assert (clock.to_local(first).fold, clock.to_local(second).fold) == (0, 1)
    assert clock.to_local(first).replace(tzinfo=None) == clock.to_local(second).replace(tzinfo=None)


def test_simclock_rejects_a_naive_origin() -> None:
    with pytest.raises(ValueError, match="aware"):
        SimClock(datetime(2022, 3, 31, 13, 0))


def test_bundled_scenarios_cite_documents_by_title_not_seed_files() -> None:
    """Sources and reasons name the document itself, never a seed file (S000..S004) outside the repository."""
    import re

    from ketensim._resources import bundled_scenarios

    for path in bundled_scenarios():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\bS00\d\b|seeds?/|domain-facts", text), path.name


def test_2017_rows_follow_the_source_table() -> None:
    """The kennisbank table has six rows: 1-5 are deadlines, 6 is the go-live; the weekend is not a row."""
    s = load_scenario("2017-2.0-2.1")
    assert [d.provenance.id for d in s.deadlines] == ["1", "2", "3", "4", "5"]
    assert s.go_live.provenance.id == "6" and "rij 6" in s.go_live.provenance.source
    assert "weekend" in {m.provenance.id for m in s.milestones}
