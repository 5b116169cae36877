"""The pair ledger: an immutable record of every message and every message pair, and their fate.

The simulation keeps mutable working state while it runs; :func:`freeze` turns it into the flat
records below when the run ends, and :func:`check_conservation` proves the books balance: every
heen has exactly one outcome and every retour belongs to exactly one heen.

Records are named tuples: immutable, flat, and cheap to create by the hundred thousand.

Pair outcomes (``PairRecord.outcome``):

``closed_in_time``
    the retour was accepted by the chain, and neither the heen nor the retour was sent after its
    procedural deadline.
``closed_after_deadline``
    closed, but the heen or the retour went out after its procedural deadline (before the block).
``broken``
    an old-release heen was accepted but its retour could not be delivered in the old release
    (``cause``: ``retour_blocked``, ``retour_after_go_live``, ``retour_foutmelding``, ``no_retour``, or
    ``heen_unread``: the heen still sat unread on a hub when the read-in window before the transition
    closed, so no retour can follow in the old release) — a gebroken berichtpaar.
``unread_at_transition``
    the retour was delivered but still sat unread on a hub when the read-in window closed.
``rejected_resent``
    the heen was refused (IB103 at a block, the wrong release, an XSD foutmelding, or a business-rule
    refusal) and the
    sender sent it again; ``resent_as`` names the new pair.
``rejected_not_resent``
    refused and not sent again within the window.
``held_at_end``
    the sender still held the heen when the window ended (not ready, or holding past a deadline).
``open_at_end``
    a new-release pair still waiting for its retour when the window ended (the horizon, not a fault).
``retour_refused``
    a new-release pair whose retour the hub refused (an XSD foutmelding); the simulated parties
    do not resend a refused retour. (In the old release the same pair is ``broken`` with cause
    ``retour_foutmelding``.)

Functional answers (``AnswerRecord``) link a request (315/317) to its 301 or 319. Whether an answer
may go in the new release on an old-release request is the scenario's ``[answers]`` rule (by default
a 301 may and a 319 may not, sourced for 2.4 -> 3.0 from S003 and assumed elsewhere). A forbidden one
is given outside the berichtenverkeer (``cross_release_forbidden``); it is not a broken pair, since
the request's own pair closed.
"""

from __future__ import annotations

from collections import Counter
from itertools import compress
from operator import attrgetter, countOf
from typing import NamedTuple

from ketensim.exceptions import ConservationError

__all__ = [
    "MessageRecord",
    "PairRecord",
    "AnswerRecord",
    "PAIR_OUTCOMES",
    "ANSWER_OUTCOMES",
    "check_conservation",
]

PAIR_OUTCOMES: tuple[str, ...] = (
    "closed_in_time",
    "closed_after_deadline",
    "broken",
    "unread_at_transition",
    "rejected_resent",
    "rejected_not_resent",
    "held_at_end",
    "open_at_end",
    "retour_refused",
)
ANSWER_OUTCOMES: tuple[str, ...] = (
    "same_release",
    "cross_release_allowed",
    "cross_release_forbidden",
    "pending_at_end",
    "outside_traffic",
)


class MessageRecord(NamedTuple):
    """One message offered to (or held back from) the chain.

    Times are ISO 8601 in UTC (``2022-03-31T11:00:00Z``); empty when the event did not happen.
    """

    message_id: str  # unique in the run: "M000123"
    pair_id: str  # the pair it belongs to: "P000045"
    role: str  # heen | retour
    code: str  # WMO301, JW302, ...
    standard: str
    release: str
    sender_type: str  # gemeente | aanbieder
    sender: str  # CBS gemeentecode or AGB code
    receiver_type: str
    receiver: str
    created: str  # when the sender decided to send it
    submitted: str  # when it was offered to the sender's hub
    hub_result: str  # accepted | rejected_block | rejected_release | foutmelding | rejected_rules | held
    delivered: str  # when it became visible to the receiver
    read: str  # when the receiver read it in
    unread_at_transition: bool
    xml_bytes: int  # serialized size, 0 in counting mode
    spoed: bool
    injections: str  # kinds of the injections that touched it, ';'-separated


class PairRecord(NamedTuple):
    """One heen and its retour (323 with its 325, 303 with its 304), and what became of them."""

    pair_id: str
    pair: str  # "301/302"
    standard: str
    release: str  # release of the heen
    heen_id: str
    retour_id: str  # empty if no retour was sent
    sender_type: str  # who sent the heen
    sender: str
    receiver_type: str
    receiver: str
    heen_submitted: str
    retour_submitted: str
    outcome: str  # one of PAIR_OUTCOMES
    cause: str  # for broken / rejected outcomes
    latency_hours: float  # heen submitted -> retour accepted, -1 if not closed
    resent_as: str  # pair_id of the resend, if any
    resent_of: str  # pair_id this pair re-sends, if any
    spoed: bool


class AnswerRecord(NamedTuple):
    """A functional answer (301 or 319) to a request (315 or 317)."""

    request_pair_id: str
    answer_pair_id: str
    request: str  # "WMO315"
    answer: str  # "WMO301"
    request_release: str
    answer_release: str
    outcome: str  # one of ANSWER_OUTCOMES


def check_conservation(messages: list[MessageRecord], pairs: list[PairRecord]) -> None:
    """Raise :class:`ConservationError` unless every heen has one outcome and every retour one heen."""
    if not _balances(messages, pairs):
        _find_imbalance(messages, pairs)


def _balances(messages: list[MessageRecord], pairs: list[PairRecord]) -> bool:
    """Whether the ledger balances, asked as a few comparisons of whole sets (a national ledger has millions of rows).

    True is the same verdict :func:`_find_imbalance` gives; False sends the ledger there, to name what is wrong.
    """
    roles = list(map(_ROLE, messages))
    heen_ids = set(compress(map(_MESSAGE_ID, messages), map("heen".__eq__, roles)))
    pair_heens = set(map(_HEEN_ID, pairs))
    pair_ids = set(map(_PAIR_ID, pairs))
    if not (len(pair_heens) == len(pairs) == len(pair_ids) and pair_heens == heen_ids):
        return False  # a heen with no outcome or with more than one, an outcome of no heen, or a pair id twice
    is_retour = list(map("retour".__eq__, roles))
    retour_of = dict(zip(compress(map(_PAIR_ID, messages), is_retour), compress(map(_MESSAGE_ID, messages), is_retour)))
    if len(retour_of) != countOf(is_retour, True):
        return False  # a pair with two retours
    retour_ids = list(map(_RETOUR_ID, pairs))
    # every retour is the one its pair names, and every retour a pair names is there
    if dict(zip(compress(map(_PAIR_ID, pairs), retour_ids), compress(retour_ids, retour_ids))) != retour_of:
        return False
    resent = set(map(_RESENT_AS, pairs))
    resent.discard("")
    return resent <= pair_ids and set(map(_OUTCOME, pairs)) <= _OUTCOMES


def _find_imbalance(messages: list[MessageRecord], pairs: list[PairRecord]) -> None:
    """Raise :class:`ConservationError` naming the first imbalance found, if there is one."""
    heen_ids = {m.message_id for m in messages if m.role == "heen"}
    pair_heen = Counter(p.heen_id for p in pairs)
    if len(pair_heen) != len(pairs):
        duplicated = next(h for h, n in pair_heen.items() if n != 1)
        raise ConservationError(f"heen {duplicated} has {pair_heen[duplicated]} pair outcomes; expected exactly 1")
    missing = heen_ids.difference(pair_heen)
    if missing:
        raise ConservationError(f"heen {min(missing)} has no pair outcome ({len(missing)} heen without outcome)")
    if len(pair_heen) != len(heen_ids):  # as many distinct ids on either side and none missing: the same ids
        unknown = set(pair_heen).difference(heen_ids)
        raise ConservationError(f"pair outcome for unknown heen {min(unknown)}")
    by_pair = {p.pair_id: p for p in pairs}
    retour_of_pair: dict[str, str] = {}
    for m in messages:
        if m.role != "retour":
            continue
        pair = by_pair.get(m.pair_id)
        if pair is None or pair.retour_id != m.message_id:
            raise ConservationError(f"retour {m.message_id} does not belong to exactly one heen (pair {m.pair_id})")
        if m.pair_id in retour_of_pair:
            raise ConservationError(f"pair {m.pair_id} has more than one retour; expected at most 1")
        retour_of_pair[m.pair_id] = m.message_id
    outcomes = _OUTCOMES
    for p in pairs:
        if p.resent_as and p.resent_as not in by_pair:
            raise ConservationError(f"pair {p.pair_id} says it was resent as {p.resent_as}, which is not in the ledger")
    for p in pairs:
        if p.outcome not in outcomes:
            raise ConservationError(f"pair {p.pair_id} has unknown outcome {p.outcome!r}")
        if p.retour_id and retour_of_pair.get(p.pair_id) != p.retour_id:
            raise ConservationError(f"pair {p.pair_id} names retour {p.retour_id} that is not in the ledger")


_ROLE, _MESSAGE_ID, _PAIR_ID = attrgetter("role"), attrgetter("message_id"), attrgetter("pair_id")
_HEEN_ID, _RETOUR_ID, _RESENT_AS, _OUTCOME = (attrgetter("heen_id"), attrgetter("retour_id"), attrgetter("resent_as"),
                                              attrgetter("outcome"))
_OUTCOMES = frozenset(PAIR_OUTCOMES)
