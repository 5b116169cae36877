"""Metrics of one replication, computed from the ledger records only.

The ``summary`` is a flat dict of numbers (documented field by field in README.md); breakdowns
are dicts keyed by message pair (``"301/302"``) or actor type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from statistics import mean

from ketensim.ledger import ANSWER_OUTCOMES, PAIR_OUTCOMES, AnswerRecord, MessageRecord, PairRecord

__all__ = ["summarize", "backlog_figures"]

_REJECTED_AT_BLOCK = ("rejected_block", "rejected_release")


def backlog_figures(
    series: Sequence[tuple[float, int]], afsluiting: float, go_live: float, horizon_hours: float = 72.0,
    end: float | None = None,
) -> dict[str, float]:
    """The backlog released at go-live: its peak and the hours until it is back to normal.

    The backlog is every message a sender has created but the receiver has not yet read in
    (held by senders, queued in hubs, waiting on a portal). Normal is its mean before the
    afsluiting; the peak is taken over the first ``horizon_hours`` after go-live; drained is the
    first sample after go-live at or below 1.25 x normal + 1. If that never happens within the
    window, ``backlog_drained`` is 0 and the drain time is the time to the window's ``end``: a
    lower bound, so that averages over replications are not pulled down by a sentinel value.
    """
    before = [n for t, n in series if t < afsluiting] or [series[0][1] if series else 0]
    normal = mean(before)
    after = [(t, n) for t, n in series if t >= go_live]
    if not after:
        return {"backlog_normal": round(normal, 1), "backlog_peak_after_go_live": 0, "backlog_drain_hours": 0.0,
                "backlog_drained": 1}
    peak = max(n for t, n in after if t <= go_live + horizon_hours * 60.0)
    threshold = 1.25 * normal + 1
    drained = next((t for t, n in after if n <= threshold), None)
    last = end if end is not None else after[-1][0]
    return {
        "backlog_normal": round(normal, 1),
        "backlog_peak_after_go_live": peak,
        "backlog_drain_hours": round(((drained if drained is not None else last) - go_live) / 60.0, 2),
        "backlog_drained": int(drained is not None),
    }


def summarize(
    messages: Sequence[MessageRecord], pairs: Sequence[PairRecord], answers: Sequence[AnswerRecord]
) -> dict[str, object]:
    """The run summary: counts per outcome and the headline figures."""
    outcomes = Counter(p.outcome for p in pairs)
    answer_outcomes = Counter(a.outcome for a in answers)
    forbidden = answer_outcomes["cross_release_forbidden"]
    heen_results = Counter(m.hub_result for m in messages if m.role == "heen")
    release_of = {p.pair_id: p.release for p in pairs}
    # a resend that crossed into the new release: refused before go-live, sent again after it
    resent_after_go_live = sum(
        1 for p in pairs if p.resent_of and p.heen_submitted and p.release != release_of[p.resent_of]
    )
    broken_by_pair: Counter[str] = Counter()
    broken_by_actor: Counter[str] = Counter()
    broken_by_cause: Counter[str] = Counter()
    for p in pairs:
        if p.outcome == "broken":
            broken_by_pair[p.pair] += 1
            broken_by_actor[p.sender_type] += 1
            broken_by_cause[p.cause] += 1
    forbidden_by_pair = Counter(f"{a.request[-3:]}->{a.answer[-3:]}" for a in answers
                                if a.outcome == "cross_release_forbidden")
    closed = [p.latency_hours for p in pairs if p.latency_hours >= 0]
    summary: dict[str, object] = {
        "messages": len(messages),
        "heen_messages": sum(1 for m in messages if m.role == "heen"),
        "retour_messages": sum(1 for m in messages if m.role == "retour"),
        "pairs": len(pairs),
        "broken_pairs": outcomes["broken"],
        "broken_unread_heen": broken_by_cause["heen_unread"],
        "rejected_at_block": heen_results["rejected_block"] + heen_results["rejected_release"],
        "rejected_by_xsd": heen_results["foutmelding"],
        "rejected_by_rules": heen_results["rejected_rules"],
        "resent_after_go_live": resent_after_go_live,
        # heen unread (a broken pair) or retour unread: either way not read in before the transition
        "unread_at_transition": outcomes["unread_at_transition"] + broken_by_cause["heen_unread"],
        "spoed_cases": 0,
        "forbidden_cross_release_answers": forbidden,
        "allowed_cross_release_answers": answer_outcomes["cross_release_allowed"],
        "mean_pair_latency_hours": round(mean(closed), 3) if closed else 0.0,
        "xml_bytes": sum(m.xml_bytes for m in messages),
    }
    for outcome in PAIR_OUTCOMES:
        summary[f"outcome_{outcome}"] = outcomes[outcome]
    for outcome in ANSWER_OUTCOMES:
        summary[f"answers_{outcome}"] = answer_outcomes[outcome]
    summary["broken_by_pair"] = dict(sorted(broken_by_pair.items()))
    summary["broken_by_actor_type"] = dict(sorted(broken_by_actor.items()))
    summary["broken_by_cause"] = dict(sorted(broken_by_cause.items()))
    summary["forbidden_answers_by_pair"] = dict(sorted(forbidden_by_pair.items()))
    summary["messages_by_code"] = dict(sorted(Counter(m.code for m in messages).items()))
    return summary

