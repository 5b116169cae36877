"""Every way a scenario file can be wrong has a test that pins its message.

Each case edits the text of a bundled, valid scenario (the 2022 draaiboek unless stated), writes it
to a temporary file and loads it. The message must start with that file's path, then name the key
or row (``deadline[4] (3.1.2).at``), then say what is wrong and what was expected.

Row indices refer to the order of rows in ``scenarios/2022-3.0-3.1.toml``: deadline[1] = 3.3.1,
deadline[2] = 3.3.2, deadline[3] = 3.1.1, deadline[4] = 3.1.2, ...; block[1] = 3.3.3,
block[2] = 3.2.1, block[3] = 3.2.2; portal[1] = 3.1.6; batch[1]; milestone[1] = 3.2.3.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ketensim.exceptions import KetensimError, ScenarioError, flatten
from ketensim.scenario import load_scenario, load_scenario_text
from ketensim.timeline import AMSTERDAM, localize

UTC = timezone.utc

# row anchors in the 2022 file
R311, R312, R321, R322, R323 = ('id = "3.1.1"', 'id = "3.1.2"', 'id = "3.2.1"', 'id = "3.2.2"', 'id = "3.2.3"')
BATCH = "[[batch]]"

INJECTION = """
[[injection]]
kind = "late_send"
start = "heen_block - 2h"
end = "heen_block"
"""


def inj(*edits: tuple[str, str]) -> str:
    """The injection above with text edits applied."""
    text = INJECTION
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def expect_error(path: Path, where: str, problem: str) -> ScenarioError:
    """Load ``path``; assert a ScenarioError ``<path>: <where>: <problem...>`` (problem is a regex)."""
    prefix = f"{path}: {where}: " if where else f"{path}: "
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    errors = flatten(info.value)  # a file reports every problem; the one this row is about is among them
    matching = [e for e in errors if re.match("^" + re.escape(prefix) + problem, str(e))]
    assert matching, [str(e) for e in errors]
    err = matching[0]
    assert (err.path, err.where) == (str(path), where)
    assert all("\n" not in str(e) for e in errors)
    return err


def E(where: str, problem: str, *edits: Any, base: str = "2022-3.0-3.1", prepend: str = "", append: str = "",
      id: str) -> Any:  # noqa: A002 - pytest.param's own name
    return pytest.param(dict(edits=edits, base=base, prepend=prepend, append=append), where, problem, id=id)


CASES = [
    # --- strict reading: unknown keys ----------------------------------------------------------
    E("colour", "unknown key; expected one of: .*scenario", prepend='colour = "blauw"\n', id="unknown-top-level-key"),
    E("extra", "unknown key; expected one of: ", append="\n[extra]\nx = 1\n", id="unknown-top-level-table"),
    E("scenario.titel", "unknown key; expected one of: description, from_release, id, naam, name, source, standards, "
      "to_release$", ('[scenario]\n', '[scenario]\ntitel = "x"\n'), id="unknown-key-in-scenario"),
    E("deadline[4].actr", "unknown key; expected one of: actor, assumed, at, id, messages, source, waarom, weekday, "
      "what, why$", (R312, 'actor = "aanbieder"', 'actor = "aanbieder"\nactr = "aanbieder"'), id="unknown-key-in-row"),
    E("batch[1].waaroom", "unknown key; expected one of: .*waarom", (BATCH, 'waarom = "', 'waaroom = "'),
      id="misspelt-waarom-is-unknown"),
    E("block[2].phaseout", "unknown key", (R321, "what =", "phaseout = true\nwhat ="), id="unknown-key-in-block"),
    E("phases.nazorg", "unknown key; expected one of: afsluiting, ingebruikname, transitie$",
      ("[go_live]", "[phases.nazorg]\nstart = 2022-04-04T13:00:00\n\n[go_live]"), id="unknown-phase"),
    E("phases.transitie.note", "unknown key", ("[phases.transitie]\n", '[phases.transitie]\nnote = "x"\n'),
      id="unknown-key-in-phase"),
    E("batch[1].weekday", "unknown key", (BATCH, 'hub = "ib"', 'hub = "ib"\nweekday = "Thu"'),
      id="unknown-key-in-batch"),
    # --- strict reading: missing keys and wrong types -------------------------------------------
    E("go_live", "missing; this key is required", ("[go_live]", "[golive]"), id="missing-table"),
    E("deadline[4].actor", "missing; this key is required", (R312, 'actor = "aanbieder"\n', ""),
      id="missing-key-in-row"),
    E("window.start", r"expected a local date-time like 2022-03-31T13:00:00, got '2022-02-21' \(a string\)",
      ("start = 2022-02-21T00:00:00", 'start = "2022-02-21"'), id="wrong-type-string-for-instant"),
    E("deadline[4].at", r"expected a local date-time like 2022-03-31T13:00:00, got datetime.date\(2022, 3, 30\) "
      r"\(a date\)", (R312, "at = 2022-03-30T17:00:00", "at = 2022-03-30"), id="wrong-type-date-for-instant"),
    E("deadline[4].actor", r"expected a string, got 1 \(an integer\)", (R312, 'actor = "aanbieder"', "actor = 1"),
      id="wrong-type-int-for-string"),
    E("deadline[4].actor", "unknown value 'zorgaanbieder'; expected one of gemeente, aanbieder, all$",
      (R312, 'actor = "aanbieder"', 'actor = "zorgaanbieder"'), id="unknown-actor"),
    E("deadline[4].messages", r"expected a non-empty list of message numbers like \[\"301\", \"302\"\], "
      r"got '305' \(a string\)", (R312, 'messages = ["305", "307", "315", "317"]', 'messages = "305"'),
      id="wrong-type-messages"),
    E("deadline[4].messages", "expected a non-empty list of message numbers",
      (R312, 'messages = ["305", "307", "315", "317"]', "messages = []"), id="empty-messages"),
    E("deadline[4].messages", r"'3O5' \(a string\) is not a message number; expected three digits like \"301\"",
      (R312, '"305"', '"3O5"'), id="malformed-message-number"),
    E("batch[1].assumed", r"expected true or false, got 'ja' \(a string\)",
      (BATCH, "assumed = true", 'assumed = "ja"'), id="wrong-type-bool"),
    E("block[2].by", r"expected a list of strings, got 'vecozo' \(a string\)",
      (R321, 'by = ["vecozo", "ib"]', 'by = "vecozo"'), id="wrong-type-list"),
    E("block[2].by", "unknown party 'rinis'; expected vecozo, ib, ketenbureau, zin, gemeente or aanbieder",
      (R321, 'by = ["vecozo", "ib"]', 'by = ["vecozo", "rinis"]'), id="unknown-party"),
    E("batch", r"expected an array of tables \(\[\[batch\]\]\), got \{", ("[[batch]]", "[batch]"),
      id="table-instead-of-array"),
    E("injection[1]", r"expected a table, got 1 \(an integer\)", prepend="injection = [1]\n",
      id="row-is-not-a-table"),
    E("batch[1].date", r"expected a date like 2022-03-31, got datetime.datetime",
      (BATCH, "date = 2022-03-31", "date = 2022-03-31T00:00:00"), id="wrong-type-batch-date"),
    E("batch[1].visible_from", r"expected a time of day like 16:00:00, got '16:00' \(a string\)",
      (BATCH, "visible_from = 16:00:00", 'visible_from = "16:00"'), id="wrong-type-clock"),
    # --- instants ------------------------------------------------------------------------------
    E("deadline[4].at", "2022-03-30T17:00:00\\+02:00 has a UTC offset; expected a local Europe/Amsterdam time "
      "without offset", (R312, "at = 2022-03-30T17:00:00", "at = 2022-03-30T17:00:00+02:00"), id="utc-offset"),
    E("deadline[3].at", r"2022-03-27 02:30 does not exist in Europe/Amsterdam \(summer-time switch\); expected a "
      "wall-clock time that exists once", (R311, 'weekday = "Wed"\nat = 2022-03-23T23:00:00',
                                             'weekday = "Sun"\nat = 2022-03-27T02:30:00'), id="nonexistent-local-time"),
    E("window.end", r"2022-10-30 02:30 occurs twice in Europe/Amsterdam \(winter-time switch\)",
      ("end = 2022-05-02T00:00:00", "end = 2022-10-30T02:30:00"), id="ambiguous-local-time"),
    E("", r"not valid TOML: Invalid date or datetime \(at line \d+, column \d+\)",
      ("start = 2022-02-21T00:00:00", "start = 2022-02-30T00:00:00"), id="impossible-date"),
    E("", "not valid TOML: ", ('name = "Migratie', 'name = "Migratie\n'), id="invalid-toml"),
    E("deadline[4].weekday", "'Thu' does not match at 2022-03-30 17:00:00 which is a Wed; expected the weekday of "
      "the date$", (R312, 'weekday = "Wed"', 'weekday = "Thu"'), id="weekday-mismatch"),
    E("deadline[4].weekday", "unknown value 'Wo'; expected one of Mon, Tue, Wed, Thu, Fri, Sat, Sun$",
      (R312, 'weekday = "Wed"', 'weekday = "Wo"'), id="weekday-unknown"),
    E("window.end", "2022-02-21 00:00 is not after start; expected end > start",
      ("end = 2022-05-02T00:00:00", "end = 2022-02-21T00:00:00"), id="window-end-before-start"),
    # --- provenance ----------------------------------------------------------------------------
    E("block[2].source", "missing; every row needs a source, or assumed = true with a why$",
      (R321, 'source = "Landelijk draaiboek migratie iWmo 3.0/iJw 3.0 naar 3.1 (2022) §3.2"\n', ""), id="missing-source"),
    E("phases.afsluiting.source", "missing; every row needs a source",
      ("[phases.afsluiting]", 'source = "Landelijk draaiboek migratie iWmo 3.0/iJw 3.0 naar 3.1 (2022) §1.1"\n', ""),
      id="missing-source-phase"),
    E("batch[1].why", "missing; an assumed row must say why it is assumed$",
      (BATCH, 'why = "Only the 2018', 'whom = "Only the 2018'), (BATCH, "whom", "why"),
      (BATCH, 'why = "', 'why = ""\nnote = "'), id="assumed-with-empty-why"),
    # --- [scenario] ----------------------------------------------------------------------------
    E("scenario.standards", "unknown standard 'iwlz'; expected iwmo and/or ijw$",
      ('standards = ["iwmo", "ijw"]', 'standards = ["iwmo", "iwlz"]'), id="unknown-standard"),
    E("scenario.standards", "empty; expected at least one of iwmo, ijw$",
      ('standards = ["iwmo", "ijw"]', "standards = []"), id="empty-standards"),
    E("scenario.from_release", "unknown release '3.9'; expected one of 2.0, 2.1, .*, 3.2, or a draft release declared "
      r"in a \[\[release\]\] row \(name, like\)$",
      ('from_release = "3.0"', 'from_release = "3.9"'), id="unknown-release"),
    E("scenario.to_release", "3.0 does not follow 3.0; expected a later release$",
      ('to_release = "3.1"', 'to_release = "3.0"'), id="to-release-equal"),
    E("scenario.to_release", "2.4 does not follow 3.0; expected a later release$",
      ('to_release = "3.1"', 'to_release = "2.4"'), id="to-release-earlier"),
    # --- draaiboek rules: phases and go-live ---------------------------------------------------
    E("phases.afsluiting.end", "Wed 2022-03-23 23:00 is not after start Wed 2022-03-23 23:00; expected end > start$",
      ("[phases.afsluiting]", "end = 2022-03-31T13:00:00", "end = 2022-03-23T23:00:00"), id="phase-end-not-after-start"),
    E("phases.transitie.start", "overlap: transitie starts Thu 2022-03-31 12:00 before afsluiting ends "
      "Thu 2022-03-31 13:00; expected transitie to start when afsluiting ends$",
      ("[phases.transitie]", "start = 2022-03-31T13:00:00", "start = 2022-03-31T12:00:00"), id="overlapping-phases"),
    E("phases.transitie.start", "gap: afsluiting ends Thu 2022-03-31 13:00 but transitie starts Thu 2022-03-31 "
      "14:00; expected transitie to start when afsluiting ends$",
      ("[phases.transitie]", "start = 2022-03-31T13:00:00", "start = 2022-03-31T14:00:00"), id="gapped-phases"),
    E("go_live.at", "Mon 2022-04-04 14:00 is not the start of ingebruikname Mon 2022-04-04 13:00; expected go-live "
      "to open the ingebruikname phase$", ("[go_live]", "at = 2022-04-04T13:00:00", "at = 2022-04-04T14:00:00"),
      id="go-live-not-ingebruikname-start"),
    # --- draaiboek rules: window -----------------------------------------------------------------
    E("deadline[1] (3.3.1).at", "Tue 2022-03-01 23:00 is outside the window Wed 2022-03-02 00:00 .. Mon 2022-05-02 "
      r"00:00; expected an instant inside \[window\]$",
      ("start = 2022-02-21T00:00:00", "start = 2022-03-02T00:00:00"), id="instant-outside-window"),
    E("batch[1].date", r"2022-05-03 is outside the window; expected a day inside \[window\]$",
      (BATCH, "date = 2022-03-31", "date = 2022-05-03"), id="batch-outside-window"),
    E("milestone[1] (3.2.3).end", "Thu 2022-03-31 12:00 is before start; expected end >= start$",
      (R323, "end = 2022-04-04T13:00:00", "end = 2022-03-31T12:00:00"), id="milestone-end-before-start"),
    E("portal[1] (3.1.6).end", "Thu 2022-03-31 14:00 is not after start Thu 2022-03-31 14:00; expected end > start$",
      ('id = "3.1.6"', "end = 2022-03-31T23:00:00", "end = 2022-03-31T14:00:00"), id="portal-end-not-after-start"),
    # --- draaiboek rules: messages ---------------------------------------------------------------
    E("block[2] (3.2.1).messages", r"message 321 does not exist in release 3.0 \(iwmo/ijw\); expected one of 301, ",
      (R321, '"301", ', '"301", "321", '), id="message-not-in-release"),
    E("block[1] (T1).messages", r"message 317 does not exist in release 2.1 \(iwmo/ijw\); expected one of 301, ",
      ('id = "T1"', '"315", ', '"315", "317", '), base="2018-2.1-2.2", id="317-not-in-2.1"),
    E("deadline[1] (1).messages", r"message 321 does not exist in release 2.1 \(iwmo\); expected one of 301, ",
      ('standards = ["iwmo", "ijw"]', 'standards = ["iwmo"]'), base="2018-2.1-2.2", id="ijw-only-in-iwmo"),
    E("milestone[1] (3.2.3).messages", r"message 399 does not exist in release 3.0",
      (R323, 'kind = "technical"', 'kind = "technical"\nmessages = ["399"]'), id="milestone-message-not-in-release"),
    E("block[2] (3.2.1).phase_out", "message 301 still exists in release 3.1; expected phase_out only for messages "
      "the new release drops$", (R321, "what =", "phase_out = true\nwhat ="), id="phase-out-of-existing-message"),
    # --- draaiboek rules: deadlines and blocks ---------------------------------------------------
    E("deadline[4] (3.1.2).at", r"Wed 2022-03-30 17:01 is after the technical block of 305 at Wed 2022-03-30 17:00 "
      r"\(block 3.2.1\); expected a deadline at or before its block$",
      (R312, "at = 2022-03-30T17:00:00", "at = 2022-03-30T17:01:00"), id="deadline-after-block"),
    E("block[3] (3.2.2).at", "retour 302 is blocked at Thu 2022-03-31 13:00, before its heen 301 at Thu 2022-03-31 "
      "14:00; expected the retour block at or after the heen block$",
      (R321, 'weekday = "Wed"\nat = 2022-03-30T17:00:00', 'weekday = "Thu"\nat = 2022-03-31T14:00:00'),
      id="retour-block-before-heen-block"),
    E("block[3] (3.2.2).at", "Mon 2022-04-04 13:00 is not before go-live Mon 2022-04-04 13:00; expected every block "
      "before go-live$", (R322, 'weekday = "Thu"\nat = 2022-03-31T13:00:00', 'weekday = "Mon"\nat = 2022-04-04T13:00:00'),
      id="block-at-go-live"),
    E("block[3] (3.2.2).at", "Tue 2022-04-05 09:00 is not before go-live", (R322, 'weekday = "Thu"\nat = 2022-03-31T13:00:00',
                                                                           'weekday = "Tue"\nat = 2022-04-05T09:00:00'),
      id="block-after-go-live"),
    # --- injections ------------------------------------------------------------------------------
    E("injection[1].kind", "unknown value 'meteoriet'; expected one of late_send, slow_response, ",
      append=inj(('kind = "late_send"', 'kind = "meteoriet"')), id="injection-unknown-kind"),
    E("injection[1].start", "2022-02-20 00:00 is outside the scenario window 2022-02-21 00:00 .. 2022-05-02 00:00$",
      append=inj(('"heen_block - 2h"', '"window_start - 1d"')), id="injection-outside-window"),
    E("injection[1].end", "2022-05-02 01:00 is outside the scenario window",
      append=inj(('end = "heen_block"', 'end = "window_end + 60m"')), id="injection-end-outside-window"),
    E("injection[1].share", "1.5 is out of range; expected a number between 0 and 1$",
      append=inj(("kind", "share = 1.5\nkind")), id="injection-share-above-1"),
    E("injection[1].share", "-0.1 is out of range; expected a number between 0 and 1$",
      append=inj(("kind", "share = -0.1\nkind")), id="injection-share-below-0"),
    E("injection[1].share", r"expected a number, got True \(a boolean\)",
      append=inj(("kind", "share = true\nkind")), id="injection-share-bool"),
    E("injection[1].start", r"'heen_blok - 2h' is not a time expression; expected <anchor> \[\+\|- N m\|h\|d\]\.\.\. "
      "with anchor one of window_start, window_end, afsluiting_start, transitie_start, heen_block, retour_block, "
      "go_live$", append=inj(('"heen_block - 2h"', '"heen_blok - 2h"')), id="injection-unknown-anchor"),
    E("injection[1].start", "'go_live - 2w' is not a time expression",
      append=inj(('"heen_block - 2h"', '"go_live - 2w"')), id="injection-bad-unit"),
    E("injection[1].start", r"expected a local date-time or an expression like \"go_live \+ 1d\", got 5 "
      r"\(an integer\)", append=inj(('"heen_block - 2h"', "5")), id="injection-start-wrong-type"),
    E("injection[1].end", r"'go_live - 1h' \(2022-04-04 12:00\) is not after start 'go_live'; expected end > start$",
      append=inj(('"heen_block - 2h"', '"go_live"'), ('end = "heen_block"', 'end = "go_live - 1h"')),
      id="injection-end-before-start"),
    E("injection[1].actor", "unknown value 'burger'; expected one of gemeente, aanbieder$",
      append=inj(("kind", 'actor = "burger"\nkind')), id="injection-unknown-actor"),
    E("injection[1].hub", "unknown value 'rinis'; expected one of vecozo, ib$",
      append=inj(("kind", 'hub = "rinis"\nkind')), id="injection-unknown-hub"),
    E("injection[1].params.delay", r"expected a number, string or boolean, got \[1, 2\] \(a list\)",
      append=inj(('end = "heen_block"', 'end = "heen_block"\nparams = { delay = [1, 2] }')),
      id="injection-param-not-scalar"),
    E("injection[1].reason", "unknown key", append=inj(("kind", 'reason = "x"\nkind')), id="injection-unknown-key"),
    # --- population, behaviour, hubs ---------------------------------------------------------------
    E("population.gemeenten", "0 is out of range; expected a number >= 1$",
      append="\n[population]\ngemeenten = 0\n", id="population-below-minimum"),
    E("population.clients", r"expected a whole number, got 2000.5 \(a number\)",
      append="\n[population]\nclients = 2000.5\n", id="population-not-whole"),
    E("population.gemeenten", r"expected a number, got '12' \(a string\)",
      append='\n[population]\ngemeenten = "12"\n', id="population-wrong-type"),
    E("population.ijw_share", "1.2 is out of range; expected a number between 0 and 1$",
      append="\n[population]\nijw_share = 1.2\n", id="population-share-out-of-range"),
    E("population.declaration_day", r"21 is out of range; expected a working day 1..20 \(or 0: spread by declaration_days\)$",
      append="\n[population]\ndeclaration_day = 21\n", id="population-declaration-day"),
    E("population.inwoners", "unknown key", append="\n[population]\ninwoners = 1\n", id="population-unknown-key"),
    E("behaviour.gemeente.work_end", "08:00:00 is not after work_start 08:30:00; expected a later time$",
      append="\n[behaviour.gemeente]\nwork_end = 08:00:00\n", id="behaviour-work-end-before-start"),
    E("behaviour.gemeente.retour_hours", "-1 is negative; expected hours >= 0$",
      append="\n[behaviour.gemeente]\nretour_hours = -1\n", id="behaviour-negative-hours"),
    E("behaviour.gemeente.retour_hours.p90", "1.0 is below the median 2.0; expected p90 >= median$",
      append="\n[behaviour.gemeente]\nretour_hours = { median = 2.0, p90 = 1.0 }\n", id="behaviour-p90-below-median"),
    E("behaviour.gemeente.retour_hours.mean", "unknown key",
      append="\n[behaviour.gemeente]\nretour_hours = { median = 2.0, mean = 3.0 }\n", id="behaviour-dist-unknown-key"),
    E("behaviour.gemeente.deadline_compliance", "1.5 is out of range; expected a number between 0 and 1$",
      append="\n[behaviour.gemeente]\ndeadline_compliance = 1.5\n", id="behaviour-share-out-of-range"),
    E("behaviour.burger", "unknown key", append="\n[behaviour.burger]\npoll_minutes = 5\n",
      id="behaviour-unknown-actor"),
    E("hubs.rinis", "unknown key", append="\n[hubs.rinis]\ntransit_minutes = 5\n", id="hubs-unknown-hub"),
    E("hubs.ib.batch_minutes", "2000 is out of range; expected a number between 0 and 1440$",
      append="\n[hubs.ib]\nbatch_minutes = 2000\n", id="hubs-out-of-range"),
]


@pytest.mark.parametrize(("edit", "where", "problem"), CASES)
def test_error_names_file_key_and_problem(variant: Callable[..., Path], edit: dict[str, Any], where: str,
                                          problem: str) -> None:
    path = variant(*edit["edits"], base=edit["base"], prepend=edit["prepend"], append=edit["append"])
    expect_error(path, where, problem)


def test_unedited_copy_loads(variant: Callable[..., Path]) -> None:
    """The control: the variant machinery itself does not break a valid file."""
    for base in ("2022-3.0-3.1", "2018-2.1-2.2"):
        assert load_scenario(variant(base=base)).id == base


def test_iwmo_only_scenario_without_ijw_messages_loads(variant: Callable[..., Path]) -> None:
    """321/322 are refused for iwmo only because they are iJw-only; 2022 has none, so iwmo alone is fine."""
    s = load_scenario(variant(('standards = ["iwmo", "ijw"]', 'standards = ["iwmo"]')))
    assert s.standards == ("iwmo",)


def test_deadline_exactly_at_its_block_is_allowed(variant: Callable[..., Path]) -> None:
    # 3.1.2 and 3.2.1 are both Wed 30 Mar 17:00 in the draaiboek itself; one minute earlier is fine too
    s = load_scenario(variant((R312, "at = 2022-03-30T17:00:00", "at = 2022-03-30T16:59:00")))
    assert s.deadline_of("305", "aanbieder").at == localize(datetime(2022, 3, 30, 16, 59))


def test_valid_injection_resolves_its_anchors(variant: Callable[..., Path]) -> None:
    s = load_scenario(variant(append=inj(('end = "heen_block"', 'end = "go_live + 1d"'))))
    (i,) = s.injections
    assert i.start == localize(datetime(2022, 3, 30, 15, 0))
    assert (i.start_text, i.end_text) == ("heen_block - 2h", "go_live + 1d")
    # days are calendar days: 13:00 the next day
    assert i.end.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2022, 4, 5, 13, 0)
    # days stay calendar days across the switch to summer time (Sun 27 Mar 2022)
    s = load_scenario(variant(append=inj(('"heen_block - 2h"', '"go_live - 14d"'))))
    assert s.injections[0].start.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2022, 3, 21, 13, 0)


def test_injection_hours_are_real_hours_across_dst(variant: Callable[..., Path]) -> None:
    s = load_scenario(variant(append=inj(('"heen_block - 2h"', '"heen_block - 96h"'))))
    i = s.injections[0]
    assert i.end.astimezone(UTC) - i.start.astimezone(UTC) == timedelta(hours=96)


def test_wrong_type_instant_in_a_row_with_weekday(variant: Callable[..., Path]) -> None:
    path = variant((R312, "at = 2022-03-30T17:00:00", 'at = "2022-03-30 17:00"'))
    expect_error(path, "deadline[4].at", r"expected a local date-time like 2022-03-31T13:00:00, got "
                 r"'2022-03-30 17:00' \(a string\)")


def test_injection_message_must_exist(variant: Callable[..., Path]) -> None:
    path = variant(append=inj(("kind", 'messages = ["399"]\nkind')))
    expect_error(path, "injection[1].messages", "message 399 does not exist")


# --- file-level errors -------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    name = str(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="^" + re.escape(f"{name}: no such file, and no bundled scenario by "
                                                            "that name") + "$"):
        load_scenario(name)
    with pytest.raises(ScenarioError, match="^2099-9.9-9.9: no such file"):
        load_scenario("2099-9.9-9.9")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="^" + re.escape(f"{tmp_path}: is a directory; expected a scenario "
                                                            ".toml file")):
        load_scenario(tmp_path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    data = 'name = "Migratie"\nwhat = "geblokkeerd \u00e9"\n'.encode("latin-1")
    path.write_bytes(data)
    offset = data.index(b"\xe9")
    with pytest.raises(ScenarioError, match="^" + re.escape(f"{path}: byte {offset}: not valid UTF-8; expected a "
                                                            "UTF-8 TOML file")):
        load_scenario(path)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_text("#" * 2_000_001, encoding="utf-8")
    with pytest.raises(ScenarioError, match="^" + re.escape(f"{path}: file is larger than 2000000 bytes")):
        load_scenario(path)


def test_text_errors_name_the_given_path() -> None:
    with pytest.raises(ScenarioError, match=r"^<mijn scenario>: not valid TOML"):
        load_scenario_text("[scenario", "<mijn scenario>")
    with pytest.raises(ScenarioError, match=r"^<scenario>: scenario: missing; this key is required\n") as info:
        load_scenario_text("")
    assert [e.where for e in flatten(info.value)] == ["scenario", "window", "phases", "go_live"]


def test_scenario_error_is_a_ketensim_and_value_error(variant: Callable[..., Path]) -> None:
    path = variant(('to_release = "3.1"', 'to_release = "3.0"'))
    with pytest.raises(KetensimError):
        load_scenario(path)
    with pytest.raises(ValueError):
        load_scenario(path)
