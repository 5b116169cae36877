"""Freeze a finished world into ledger records (the only way results leave the simulation)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from itertools import repeat
from operator import attrgetter

from ketensim.chain.message import Message, Pair, message_ids, pair_ids
from ketensim.chain.world import World
from ketensim.ledger import AnswerRecord, MessageRecord, PairRecord, check_conservation
from ketensim.standards.releases import LAW_PREFIX, RETOUR_OF

__all__ = ["freeze"]

_SEQ = attrgetter("seq")
_REFUSED = ("rejected_block", "rejected_release", "foutmelding", "rejected_rules")


try:  # the same strings, written in C (see ketensim.chain._columns)
    from ketensim.chain import _columns
except ImportError:  # installed with KETENSIM_NO_COMPILE=1, or a source tree that was never built
    _columns = None

_MINUTES_SECONDS = tuple(f"{m:02d}:{s:02d}Z" for m in range(60) for s in range(60))


class _Stamps:
    """Simulation times as ISO 8601 UTC to the second, a column at a time ("" for a time below 0: never).

    A run formats four times per message. Each string is one prefix per hour (``2022-03-31T11:``,
    made once for every hour up to the latest time seen, shared by all columns) and one of the 3600
    suffixes ``MM:SSZ``: one list lookup, one tuple lookup and one concatenation per time.
    """

    def __init__(self, origin: float) -> None:
        if not origin >= 0:
            raise ValueError(f"the simulation clock starts before 1970 ({origin} s): its times have no stamps")
        self.origin = origin
        self.first = int(origin + 0.0005) // 3600  # the hour of time 0
        self.hours: list[str] = []  # the prefix of hour first + i

    def _cover(self, latest: float) -> None:
        last = int(self.origin + latest * 60.0 + 0.0005) // 3600 - self.first
        hours = self.hours
        for hour in range(self.first + len(hours), self.first + last + 1):
            hours.append(datetime.fromtimestamp(hour * 3600, timezone.utc).strftime("%Y-%m-%dT%H:"))

    def __call__(self, times: Sequence[float]) -> list[str]:
        latest = max(times, default=-1.0)
        if latest >= 0:
            self._cover(latest)
        origin, first, hours, suffixes = self.origin, self.first, self.hours, _MINUTES_SECONDS
        if _columns is not None:
            return _columns.stamps(times if type(times) is list else list(times), origin, hours, first)
        return [hours[(s := int(origin + t * 60.0 + 0.0005)) // 3600 - first] + suffixes[s % 3600] if t >= 0 else ""
                for t in times]

    def like(self, times: Sequence[float], other: Sequence[float], stamped: list[str]) -> list[str]:
        """The stamps of ``times``, taking ``stamped`` (of ``other``) where the two times are the same."""
        differ = [i for i, (t, o) in enumerate(zip(times, other)) if t != o]
        result = stamped.copy()
        for i, stamp in zip(differ, self([times[i] for i in differ])):
            result[i] = stamp
        return result


def _message_records(origin: float, live: list[Message]) -> list[MessageRecord]:
    """The records of ``live``, built a column at a time (a national run has over a million)."""
    stamps = _Stamps(origin)
    codes = _Codes()
    created = [m.created for m in live]
    created_at = stamps(created)
    columns = (
        message_ids([m.seq for m in live]),  # what Message.message_id, .pair_id and .code give, without a
        pair_ids([m.pair.seq for m in live]),  # property call per message
        [m.role for m in live],
        [codes[m.standard][m.number] for m in live],  # one string per code, not one per message
        [m.standard for m in live],
        [m.release for m in live],
        [m.sender.kind for m in live],
        [m.sender.ident for m in live],
        [m.receiver.kind for m in live],
        [m.receiver.ident for m in live],
        created_at,
        stamps.like([m.submitted for m in live], created, created_at),  # mostly offered to its hub when made
        [m.hub_result or "held" for m in live],
        stamps([m.delivered for m in live]),
        stamps([m.read for m in live]),
        [m.pair.unread and m.read < 0 and m.hub_result == "accepted" for m in live],
        [m.xml_bytes for m in live],
        [m.spoed for m in live],
        [";".join(sorted(set(m.injections))) if m.injections else "" for m in live],
    )
    # tuple.__new__ is what MessageRecord(...) ends in, without a Python call per record
    return list(map(tuple.__new__, repeat(MessageRecord), zip(*columns, strict=True)))


class _Codes(dict):  # type: ignore[type-arg]
    """BerichtCode by standard and number ("WMO301"), made once each: ``codes[standard][number]``."""

    def __missing__(self, standard: str) -> dict[str, str]:
        prefix = LAW_PREFIX[standard]
        by_number = self[standard] = _ByNumber(prefix)
        return by_number


class _ByNumber(dict):  # type: ignore[type-arg]
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def __missing__(self, number: str) -> str:
        code = self[number] = self.prefix + number
        return code


def _outcome(world: World, p: Pair) -> tuple[str, str]:
    heen, retour = p.heen, p.retour
    assert heen is not None
    if heen.hub_result in _REFUSED:
        return ("rejected_resent" if p.resent_as is not None else "rejected_not_resent"), heen.hub_result
    if heen.hub_result != "accepted":
        return "held_at_end", ""
    if p.unread:
        if heen.read < 0 and heen.release == world.draaiboek.old:
            return "broken", "heen_unread"  # never read in: its retour cannot go in the old release any more
        return "unread_at_transition", "retour_unread"
    if retour is not None and retour.hub_result == "accepted":
        return ("closed_after_deadline" if p.late else "closed_in_time"), ""
    if heen.release == world.draaiboek.old:
        return "broken", p.cause or "no_retour"
    if retour is not None and retour.hub_result in _REFUSED:
        return "retour_refused", p.cause
    return "open_at_end", ""


def _pair_records(world: World, frozen: dict[int, MessageRecord], kept: list[Pair]) -> list[PairRecord]:
    """The records of the pairs ``kept``, a column at a time (their messages' records in ``frozen``, by seq)."""
    heens = [p.heen for p in kept]
    retours = [p.retour for p in kept]
    h = [frozen[m.seq] for m in heens]  # type: ignore[union-attr]
    r = [frozen[m.seq] if m is not None else None for m in retours]
    outcomes = [_outcome(world, p) for p in kept]
    closed = ("closed_in_time", "closed_after_deadline")
    columns = (
        [x.pair_id for x in h],
        [f"{m.number}/{RETOUR_OF[m.number]}" for m in heens],  # type: ignore[union-attr]
        [m.standard for m in heens],  # type: ignore[union-attr]
        [m.release for m in heens],  # type: ignore[union-attr]
        [x.message_id for x in h],
        [x.message_id if x is not None else "" for x in r],
        [x.sender_type for x in h],
        [x.sender for x in h],
        [x.receiver_type for x in h],
        [x.receiver for x in h],
        [x.submitted for x in h],
        [x.submitted if x is not None else "" for x in r],
        [o for o, _ in outcomes],
        [c for _, c in outcomes],
        [round((ret.submitted - heen.submitted) / 60.0, 3) if o in closed and ret is not None else -1.0  # type: ignore[union-attr]
         for (o, _), heen, ret in zip(outcomes, heens, retours)],
        [p.resent_as.pair_id if p.resent_as is not None else "" for p in kept],
        [p.resent_of.pair_id if p.resent_of is not None else "" for p in kept],
        [m.spoed for m in heens],  # type: ignore[union-attr]
    )
    return list(map(tuple.__new__, repeat(PairRecord), zip(*columns, strict=True)))


def freeze(world: World) -> tuple[list[MessageRecord], list[PairRecord], list[AnswerRecord]]:
    """The ledger of a finished world; raises ConservationError if it does not balance."""
    live = [m for m in world.messages if m.hub_result != "withdrawn"]
    messages = _message_records(world.clock.origin.timestamp(), live)
    frozen = dict(zip(map(_SEQ, live), messages))
    pairs = _pair_records(world, frozen, [p for p in world.pairs
                                          if p.heen is not None and p.heen.hub_result != "withdrawn"])
    answers = []
    # everything above ran while an XML worker may still be busy; its sizes and checks come last
    if world.codec.finish():
        messages = [r if r.xml_bytes == m.xml_bytes else r._replace(xml_bytes=m.xml_bytes)
                    for m, r in zip(live, messages)]
    for a in world.answers:
        request_code = a.request.code
        if a.answer is None and not a.forbidden:
            outcome = "outside_traffic" if a.outside else "pending_at_end"
            answer_code = request_code[:-3] + a.number if a.number else ""
            answers.append(AnswerRecord(a.request.pair.pair_id, "", request_code, answer_code, a.request.release, "",
                                        outcome))
            continue
        if a.forbidden or a.answer is None or a.answer.hub_result == "withdrawn":
            answers.append(AnswerRecord(a.request.pair.pair_id, "", request_code, request_code[:-3] + a.number,
                                        a.request.release, "", "cross_release_forbidden"))
            continue
        answer = a.answer
        if answer.hub_result in ("held", ""):
            answers.append(AnswerRecord(a.request.pair.pair_id, answer.pair.pair_id, request_code, answer.code,
                                        a.request.release, "", "pending_at_end"))
            continue
        same = answer.release == a.request.release
        answers.append(AnswerRecord(a.request.pair.pair_id, answer.pair.pair_id, request_code, answer.code,
                                    a.request.release, answer.release,
                                    "same_release" if same else "cross_release_allowed"))
    check_conservation(messages, pairs)
    return messages, pairs, answers
