"""Load a scenario file (TOML) into a frozen :class:`~ketensim.scenario.model.Scenario`.

Reading is strict (unknown keys and wrong types are errors) and is followed by the draaiboek
rules in :mod:`ketensim.scenario.rules`. Every problem is a :class:`ScenarioError` whose message
names the file, the key or row, and what was expected.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from ketensim._resources import scenario_path
from ketensim.exceptions import ScenarioError, flatten, raise_all
from ketensim.scenario import rules
from ketensim.scenario.model import (
    ACTORS,
    HUBS,
    AnswerRules,
    PHASE_NAMES,
    BatchNote,
    Block,
    Deadline,
    GoLive,
    Milestone,
    Phase,
    PortalWindow,
    Provenance,
    Scenario,
)
from ketensim.scenario.reader import Table, describe
from ketensim.scenario.uncertain import Uncertain, check_spread
from ketensim.scenario.world_model import Behaviour, Population
from ketensim.scenario.world_sections import read_behaviour, read_injections, read_population, read_waves
from ketensim.standards.drafts import (
    KNOWN,
    DraftRelease,
    ReleaseTable,
    draft_problems,
    release_table,
    version_key,
    version_ok,
)
from ketensim.standards.releases import STANDARDS

__all__ = ["load_scenario", "load_scenario_text", "resolve_scenario_path"]

_MAX_BYTES = 2_000_000
T = TypeVar("T")


def resolve_scenario_path(name: str | Path) -> Path:
    """A path as given if it exists, else a bundled scenario by name (``2022-3.0-3.1``)."""
    path = Path(name)
    if path.exists():
        return path
    if len(path.parts) == 1:
        bundled = scenario_path(path.name)
        if bundled.exists():
            return bundled
    raise ScenarioError(str(name), "", "no such file, and no bundled scenario by that name")


def load_scenario(name: str | Path) -> Scenario:
    """Load and validate a scenario file (a path, or the name of a bundled scenario)."""
    path = resolve_scenario_path(name)
    return load_scenario_text(_read_text(path), str(path))


def _read_text(path: Path) -> str:
    """The text of a regular file of at most ``_MAX_BYTES`` (never a device, FIFO or /proc file)."""
    if path.is_dir():
        raise ScenarioError(str(path), "", "is a directory; expected a scenario .toml file")
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked on the open file
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ScenarioError(str(path), "", "is not a regular file (a device, FIFO or socket); expected a "
                                    "scenario .toml file")
            data = handle.read(_MAX_BYTES + 1)
    except OSError as err:
        raise ScenarioError(str(path), "", f"cannot read: {err.strerror or err}") from None
    if len(data) > _MAX_BYTES:
        raise ScenarioError(str(path), "", f"file is larger than {_MAX_BYTES} bytes; expected a scenario file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(str(path), f"byte {err.start}", "not valid UTF-8; expected a UTF-8 TOML file") from None


def load_scenario_text(text: str, path: str = "<scenario>") -> Scenario:
    """Load and validate a scenario from TOML text; ``path`` names it in errors.

    Every problem is reported: one :class:`ScenarioError`, or :class:`ScenarioErrors` with one line
    per problem. A leading UTF-8 byte order mark (as some Windows editors write) is ignored.
    """
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(path, "", f"not valid TOML: {err}") from None
    except RecursionError:
        raise ScenarioError(path, "", "not valid TOML for a scenario: arrays or tables nested too deeply "
                            "(a scenario is at most a few levels deep)") from None
    scenario = _read(Table(data, "", path))
    # what each injection kind accepts lives with the kinds themselves
    from ketensim.chain.injections import check_injections

    found: list[ScenarioError] = []
    for check in (rules.check, check_injections, check_spread):
        try:
            check(scenario)
        except ScenarioError as err:
            found.extend(flatten(err))
    raise_all(found)
    return scenario


def _provenance(t: Table, default_id: str = "") -> Provenance:
    assumed = t.bool("assumed", False)
    why = t.str("why", "")
    source = t.str("source", "")
    if assumed and not why:
        t.fail("why", "missing; an assumed row must say why it is assumed")
    if not assumed and not source:
        t.fail("source", "missing; every row needs a source, or assumed = true with a why")
    waarom = t.str("waarom", "")  # the Dutch reason, shown in the report; optional
    return Provenance(id=t.str("id", default_id), what=t.str("what", ""), source=source, assumed=assumed, why=why,
                      waarom=waarom)


def _weekday(t: Table, key: str, moment_key: str) -> None:
    """Check the optional ``weekday`` against the date of ``moment_key`` (catches typos in dates)."""
    from ketensim.timeline import weekday_name

    written = t.str("weekday", None, choices=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    if written is None or not t.has(moment_key) or not isinstance(t.data[moment_key], date):
        return  # a missing or mistyped instant is reported by the reader with its own message
    actual = weekday_name(t.data[moment_key])
    if written != actual:
        t.fail("weekday", f"{written!r} does not match {moment_key} {t.data[moment_key]} which is a {actual}; "
               "expected the weekday of the date")


def _hubs(t: Table, key: str) -> tuple[str, ...]:
    value = t.strings(key)
    for hub in value:
        if hub not in HUBS + ("ketenbureau", "zin", "gemeente", "aanbieder"):
            t.fail(key, f"unknown party {hub!r}; expected vecozo, ib, ketenbureau, zin, gemeente or aanbieder")
    return value


class _Collect:
    """Read a scenario part by part, keeping every error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[ScenarioError] = []

    def __call__(self, read: Callable[..., T], *args: Any) -> T | None:
        try:
            return read(*args)
        except ScenarioError as err:
            self.errors.extend(flatten(err))
            return None

    def rows(self, root: Table, key: str, read: Callable[[Table], T]) -> list[T]:
        """Every row of ``[[key]]`` that reads without error (the others' errors are kept)."""
        out = []
        for t in self(root.rows, key) or []:
            row = self.table(t, read)
            if row is not None:
                out.append(row)
        return out

    def table(self, t: Table, read: Callable[[Table], T]) -> T | None:
        """Read ``t``, then report its unknown keys; a table whose only fault is an unknown key still counts.

        If reading stopped at an error, the keys after it were not read: they are not reported as unknown.
        """
        value = self(read, t)
        if value is not None:
            self(t.finish)
        return value

    def section(self, root: Table, key: str, read: Callable[[Table], T]) -> T | None:
        """Read the required table ``[key]`` with ``read``."""
        t = self(root.sub, key)
        return None if t is None else self.table(t, read)


def _head(head: Table, table: ReleaseTable = KNOWN,
          rejected: tuple[str, ...] = ()) -> tuple[str, str, tuple[str, ...], str, str, str, str, str]:
    ident = head.str("id")
    name = head.str("name")
    standards = head.strings("standards", ("iwmo", "ijw"))
    for standard in standards:
        if standard not in STANDARDS:
            head.fail("standards", f"unknown standard {standard!r}; expected iwmo and/or ijw")
    if not standards:
        head.fail("standards", "empty; expected at least one of iwmo, ijw")
    releases = table.names() + rejected  # a draft whose [[release]] row failed is reported there, not again here
    from_release, to_release = head.str("from_release"), head.str("to_release")
    for key, value in (("from_release", from_release), ("to_release", to_release)):
        if value not in releases:
            head.fail(key, f"unknown release {value!r}; expected one of {', '.join(releases)}, or a draft release "
                      "declared in a [[release]] row (name, like)")
    if version_key(to_release) <= version_key(from_release):
        head.fail("to_release", f"{to_release} does not follow {from_release}; expected a later release")
    return (ident, name, standards, from_release, to_release, head.str("source", ""),
            head.str("description", "").strip(), head.str("naam", ""))


def _window(window: Table) -> tuple[Any, Any]:
    window_start, window_end = window.instant("start"), window.instant("end")
    if window_end <= window_start:
        window.fail("end", f"{window_end:%Y-%m-%d %H:%M} is not after start; expected end > start")
    return window_start, window_end


def _phase(t: Table) -> Phase:
    name = t.where.rsplit(".", 1)[-1]
    return Phase(name, t.instant("start"), t.instant("end"), _provenance(t, name))


def _go_live(g: Table) -> GoLive:
    _weekday(g, "weekday", "at")
    return GoLive(at=g.instant("at"), by=_hubs(g, "by"), provenance=_provenance(g, "go-live"))


def _deadline(t: Table) -> Deadline:
    _weekday(t, "weekday", "at")
    return Deadline(at=t.instant("at"), actor=t.str("actor", choices=ACTORS + ("all",)),
                    messages=t.numbers("messages"), provenance=_provenance(t))


def _block(t: Table) -> Block:
    _weekday(t, "weekday", "at")
    return Block(at=t.instant("at"), by=_hubs(t, "by"), messages=t.numbers("messages"),
                 phase_out=t.bool("phase_out", False), provenance=_provenance(t))


def _portal(t: Table) -> PortalWindow:
    _weekday(t, "weekday", "start")
    return PortalWindow(start=t.instant("start"), end=t.instant("end"), hub=t.str("hub", choices=HUBS),
                        actor=t.str("actor", choices=ACTORS), provenance=_provenance(t))


def _batch(t: Table) -> BatchNote:
    return BatchNote(hub=t.str("hub", choices=HUBS), day=t.day("date"), visible_from=t.clock("visible_from"),
                     provenance=_provenance(t))


def _milestone(t: Table) -> Milestone:
    _weekday(t, "weekday", "start")
    return Milestone(start=t.instant("start"), end=t.instant("end", None), by=_hubs(t, "by"),
                     kind=t.str("kind", choices=("procedural", "technical")),
                     messages=t.numbers("messages", ()), provenance=_provenance(t))


def _read(root: Table) -> Scenario:
    """Read every part of the file; raise one error per problem found (in file order)."""
    c = _Collect()
    drafts, rejected = _drafts(root, c)
    table = release_table(drafts)
    head = c.section(root, "scenario", lambda t: _head(t, table, rejected))
    window = c.section(root, "window", _window)
    phases: list[Phase] = []
    phases_table = c(root.sub, "phases")
    if phases_table is not None:
        phases = [p for p in (c.section(phases_table, name, _phase) for name in PHASE_NAMES) if p is not None]
        c(phases_table.finish)
    go_live = c.section(root, "go_live", _go_live)
    deadlines = c.rows(root, "deadline", _deadline)
    blocks = c.rows(root, "block", _block)
    portals = c.rows(root, "portal", _portal)
    batches = c.rows(root, "batch", _batch)
    milestones = c.rows(root, "milestone", _milestone)
    answers = c(_answer_rules, root)
    uncertain: list[Uncertain] = []
    root.uncertain = uncertain  # ranges are allowed in [population], [behaviour.*] and [hubs.*] only
    population = c(read_population, root, window[0]) if window else None
    behaviour = c(read_behaviour, root, c)
    root.raw("hubs", None)  # read with [behaviour]: not an unknown key when [behaviour] stopped at an error
    root.uncertain = None
    injections: tuple = ()
    waves: tuple = ()
    if head and window and go_live and len(phases) == len(PHASE_NAMES) and not c.errors:
        scenario_head = dict(go_live=go_live.at, window_start=window[0], window_end=window[1])
        injections = c(read_injections, root, scenario_head, phases, blocks, (head[3], head[4]), table) or ()
        waves = c(read_waves, root, scenario_head, phases, blocks, (head[3], head[4]), table) or ()
    else:  # read once the draaiboek is sound: their anchors need the timeline
        root.raw("injection", None)
        root.raw("traffic", None)
    c(root.finish)
    if not (head and window and go_live and len(phases) == 3):
        raise_all(c.errors)
        raise AssertionError("a part failed to read without an error")  # pragma: no cover
    ident, name, standards, from_release, to_release, source, description, naam = head
    scenario = Scenario(
        id=ident, name=name, path=root.path, standards=standards, from_release=from_release,
        to_release=to_release, window_start=window[0], window_end=window[1],
        phases=(phases[0], phases[1], phases[2]), go_live=go_live, deadlines=tuple(deadlines),
        blocks=tuple(blocks), portals=tuple(portals), batches=tuple(batches), milestones=tuple(milestones),
        population=population or Population(year=window[0].year), behaviour=behaviour or Behaviour(),
        injections=injections, source=source, description=description, naam=naam, answers=answers or AnswerRules(),
        waves=waves, uncertain=tuple(uncertain), drafts=drafts,
    )
    if c.errors:
        # the rows that did read are still checked against the draaiboek rules: report those too
        if from_release in table and to_release in table:
            c(rules.check, scenario)
        raise_all(c.errors)
    return scenario


def _draft(t: Table) -> DraftRelease:
    return DraftRelease(name=t.str("name"), like=t.str("like"), added=t.numbers("added", ()),
                        removed=t.numbers("removed", ()), source=t.str("source", ""), note=t.str("note", ""))


def _drafts(root: Table, c: _Collect) -> tuple[tuple[DraftRelease, ...], tuple[str, ...]]:
    """The ``[[release]]`` rows: draft releases, each checked against the releases known and declared above it.

    Returns the sound drafts and the names of the rejected ones (their errors are in ``c``).
    """
    rejected: list[str] = []
    declared: dict[str, DraftRelease] = {}
    for t in c(root.rows, "release") or []:
        draft = c.table(t, _draft)
        if draft is None:
            continue
        problems = draft_problems(draft, declared)
        for key, problem in problems:
            c.errors.append(ScenarioError(t.path, f"{t.where}.{key}", problem))
        if not problems:
            declared[draft.name] = draft
        elif draft.name not in declared and version_ok(draft.name):
            rejected.append(draft.name)
    return tuple(declared.values()), tuple(rejected)


def _answer_rules(root: Table) -> AnswerRules:
    """The ``[answers]`` section: which functional answers may cross the release boundary."""
    t = root.sub("answers", required=False)
    if t is None:
        return AnswerRules()
    numbers = t.raw("cross_release")
    if not isinstance(numbers, list):
        t.fail("cross_release", f'expected a list of answer numbers like ["301"] (may be empty), got {describe(numbers)}')
    allowed = t.numbers("cross_release") if numbers else ()
    for number in allowed:
        if number not in ("301", "319"):
            t.fail("cross_release", f"{number!r} is not a functional answer; expected 301 and/or 319")
    rules_ = AnswerRules(cross_release=tuple(sorted(set(allowed))), provenance=_provenance(t, "answers"))
    t.finish()
    return rules_
