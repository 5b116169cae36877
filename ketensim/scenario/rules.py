"""The draaiboek rules a scenario must satisfy before anything runs.

Every violation is reported (one :class:`ScenarioError` per problem) naming the row, numbered from
1 as in the file (``deadline[2] (3.1.2)``), and what was expected. The rules encode how a landelijke migratie works: phases follow each other without gap
or overlap, go-live opens the last phase, a procedural deadline is not after the technical block
of its messages, a retour is not blocked before its heen, every block is before go-live, and
every instant lies inside the simulated window.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

from ketensim.exceptions import ScenarioError, flatten, raise_all
from ketensim.scenario.bounds import check_bounds
from ketensim.scenario.model import Scenario
from ketensim.standards.releases import RETOUR_OF

__all__ = ["check"]


def _fmt(moment: datetime) -> str:
    return f"{moment:%a %Y-%m-%d %H:%M}"


def _row(kind: str, index: int, ident: str) -> str:
    """A row as the file numbers it: ``deadline[1] (3.1.1)`` is the first ``[[deadline]]`` (1-based)."""
    return f"{kind}[{index + 1}] ({ident})" if ident else f"{kind}[{index + 1}]"


_FOUND: ContextVar[list[ScenarioError]] = ContextVar("_FOUND")


def check(s: Scenario) -> None:
    """Raise :class:`ScenarioError` (one) or :class:`ScenarioErrors` (several) for every rule ``s`` violates."""
    found: list[ScenarioError] = []
    token = _FOUND.set(found)
    try:
        for rule in (_phases, _window, _messages, _deadlines_before_blocks, _blocks, _portals):
            rule(s)
    finally:
        _FOUND.reset(token)
    try:
        check_bounds(s)
    except ScenarioError as err:
        found.extend(flatten(err))
    raise_all(found)


def _fail(s: Scenario, where: str, problem: str) -> None:
    """Note a violation and go on: every rule is checked, each row on its own."""
    _FOUND.get().append(ScenarioError(s.path, where, problem))


def _phases(s: Scenario) -> None:
    for phase in s.phases:
        if phase.end <= phase.start:
            _fail(s, f"phases.{phase.name}.end", f"{_fmt(phase.end)} is not after start {_fmt(phase.start)}; "
                  "expected end > start")
    for before, after in zip(s.phases, s.phases[1:]):
        if before.end < after.start:
            _fail(s, f"phases.{after.name}.start", f"gap: {before.name} ends {_fmt(before.end)} but {after.name} "
                  f"starts {_fmt(after.start)}; expected {after.name} to start when {before.name} ends")
        if before.end > after.start:
            _fail(s, f"phases.{after.name}.start", f"overlap: {after.name} starts {_fmt(after.start)} before "
                  f"{before.name} ends {_fmt(before.end)}; expected {after.name} to start when {before.name} ends")
    live = s.phase("ingebruikname").start
    if s.go_live.at != live:
        _fail(s, "go_live.at", f"{_fmt(s.go_live.at)} is not the start of ingebruikname {_fmt(live)}; "
              "expected go-live to open the ingebruikname phase")


def _instants(s: Scenario) -> list[tuple[str, datetime]]:
    out: list[tuple[str, datetime]] = [("go_live.at", s.go_live.at)]
    out += [(f"phases.{p.name}.start", p.start) for p in s.phases]
    out += [(f"phases.{p.name}.end", p.end) for p in s.phases]
    out += [(f"{_row('deadline', i, d.provenance.id)}.at", d.at) for i, d in enumerate(s.deadlines)]
    out += [(f"{_row('block', i, b.provenance.id)}.at", b.at) for i, b in enumerate(s.blocks)]
    for i, p in enumerate(s.portals):
        out += [(f"{_row('portal', i, p.provenance.id)}.start", p.start), (f"{_row('portal', i, p.provenance.id)}.end", p.end)]
    for i, m in enumerate(s.milestones):
        out.append((f"{_row('milestone', i, m.provenance.id)}.start", m.start))
        if m.end is not None:
            out.append((f"{_row('milestone', i, m.provenance.id)}.end", m.end))
    return out


def _window(s: Scenario) -> None:
    for where, moment in _instants(s):
        if not s.window_start <= moment <= s.window_end:
            _fail(s, where, f"{_fmt(moment)} is outside the window {_fmt(s.window_start)} .. {_fmt(s.window_end)}; "
                  "expected an instant inside [window]")
    for i, b in enumerate(s.batches):
        if not s.window_start.date() <= b.day <= s.window_end.date():
            _fail(s, f"batch[{i + 1}].date", f"{b.day} is outside the window; expected a day inside [window]")
    for i, m in enumerate(s.milestones):
        if m.end is not None and m.end < m.start:
            _fail(s, f"{_row('milestone', i, m.provenance.id)}.end", f"{_fmt(m.end)} is before start; expected end >= start")


def _messages(s: Scenario) -> None:
    info = s.releases.info(s.from_release)
    allowed = info.numbers if "ijw" in s.standards else info.numbers - info.ijw_only
    rows = [("deadline", i, d.provenance.id, d.messages) for i, d in enumerate(s.deadlines)]
    rows += [("block", i, b.provenance.id, b.messages) for i, b in enumerate(s.blocks)]
    rows += [("milestone", i, m.provenance.id, m.messages) for i, m in enumerate(s.milestones)]
    for kind, i, ident, messages in rows:
        for number in messages:
            if number not in allowed:
                _fail(s, f"{_row(kind, i, ident)}.messages", f"message {number} does not exist in release "
                      f"{s.from_release}{_removed_note(s, s.from_release, number)} ({'/'.join(s.standards)}); "
                      f"expected one of {', '.join(sorted(allowed))}")
    new = s.releases.info(s.to_release).numbers
    for i, b in enumerate(s.blocks):
        if b.phase_out:
            for number in b.messages:
                if number in new:
                    _fail(s, f"{_row('block', i, b.provenance.id)}.phase_out", f"message {number} still exists in "
                          f"release {s.to_release}; expected phase_out only for messages the new release drops")


def _removed_note(s: Scenario, release: str, number: str) -> str:
    """`` (removed by draft release 3.3)`` when a draft of the scenario removed ``number``, else empty."""
    table = s.releases
    while table.is_draft(release):
        draft = table.draft(release)
        if number in draft.removed:
            return f" (removed by draft release {draft.name})"
        release = draft.like
    return ""


def _deadlines_before_blocks(s: Scenario) -> None:
    for i, d in enumerate(s.deadlines):
        for number in d.messages:
            block = s.block_of(number)
            if block is not None and d.at > block.at:
                _fail(s, f"{_row('deadline', i, d.provenance.id)}.at", f"{_fmt(d.at)} is after the technical block of "
                      f"{number} at {_fmt(block.at)} (block {block.provenance.id or '?'}); expected a deadline at or "
                      "before its block")


def _blocks(s: Scenario) -> None:
    for i, b in enumerate(s.blocks):
        if b.at >= s.go_live.at:
            _fail(s, f"{_row('block', i, b.provenance.id)}.at", f"{_fmt(b.at)} is not before go-live "
                  f"{_fmt(s.go_live.at)}; expected every block before go-live")
    for heen, retour in RETOUR_OF.items():
        heen_block, retour_block = s.block_of(heen), s.block_of(retour)
        if heen_block is None or retour_block is None:
            continue
        if retour_block.at < heen_block.at:
            index = s.blocks.index(retour_block)
            _fail(s, f"{_row('block', index, retour_block.provenance.id)}.at", f"retour {retour} is blocked at "
                  f"{_fmt(retour_block.at)}, before its heen {heen} at {_fmt(heen_block.at)}; expected the retour "
                  "block at or after the heen block")


def _portals(s: Scenario) -> None:
    for i, p in enumerate(s.portals):
        if p.end <= p.start:
            _fail(s, f"{_row('portal', i, p.provenance.id)}.end", f"{_fmt(p.end)} is not after start {_fmt(p.start)}; "
                  "expected end > start")
        if p.end > s.go_live.at:
            _fail(s, f"{_row('portal', i, p.provenance.id)}.end", f"{_fmt(p.end)} is after go-live {_fmt(s.go_live.at)}; "
                  "expected the read-in window to close before the new release goes live")
