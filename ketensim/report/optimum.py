"""The report section of ``ketensim optimize``: the latest safe instant of a draaiboek row, in Dutch.

Reads only ``optimize.json``; the rest of the report (headline, timeline, breakdowns) is about the
replications at the answer (or, when no instant was safe, at the safest instant tested).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ketensim.report.skips import skip_reason
from ketensim.report.texts import metric_label, nl, pct, vary_label
from ketensim.timeline import format_dutch

__all__ = ["optimum_section", "MOVE_LABELS"]

MOVE_LABELS = {"heen_block": "de blokkade van de heenberichten", "retour_block": "de blokkade van de retourberichten",
               "go_live": "de ingebruikname van de nieuwe release", "gap": "de blokkade van de heenberichten"}
_OPS = {"<=": "hooguit", "<": "kleiner dan", ">=": "minstens", ">": "groter dan"}
_EVENT = {">": "meer dan", ">=": "minstens"}
_VERDICT = {"meets": "voldoet", "fails": "voldoet niet", "undecided": "onbeslist: het maximum aantal replicaties "
            "gaf geen uitsluitsel", "skipped": "overgeslagen"}
_RISKIER = {"later": "later", "earlier": "eerder"}


def _moment(row: dict[str, Any]) -> str:
    return format_dutch(datetime.fromisoformat(row["instant"]))


def _move(name: str) -> str:
    return MOVE_LABELS.get(name) or vary_label(name)


def target_text(target: dict[str, Any], xml: bool) -> str:
    """As a subordinate clause: ``de kans op meer dan 0 gebroken berichtparen hooguit 5,0% is``."""
    metric = metric_label(target["metric"], xml).lower()
    if target["kind"] == "probability":
        return (f"de kans op {_EVENT[target['event_op']]} {nl(target['event_value'])} {metric} "
                f"{_OPS[target['op']]} {pct(target['bound'])} is")
    counted = "uur" not in metric and "uren" not in metric  # a count reads as "aantal"; a duration is quoted
    what = f"het gemiddelde aantal {metric}" if counted else f"het gemiddelde voor ‘{metric}’"
    return f"{what} {_OPS[target['op']]} {nl(target['bound'])} is"


def _value(kind: str, row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return "–"
    return pct(value) if kind == "probability" else nl(value)


def _interval(kind: str, row: dict[str, Any]) -> str:
    if row.get("ci_low") is None:
        return ""
    return f"{_value(kind, row, 'ci_low')} tot {_value(kind, row, 'ci_high')}"


def optimum_section(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the template prints for an optimize directory (None for every other kind)."""
    if data is None:
        return None
    kind = data["target"]["kind"]
    xml = bool(data.get("xml", True))
    move = _move(data["move"])
    target = target_text(data["target"], xml)
    confidence = f"{nl(100 * data['confidence'], 0)}%"
    later = _RISKIER[data["riskier"]]
    word = "laatste" if data["riskier"] == "later" else "vroegste"
    answer = data.get("answer")
    if answer is None:
        text = (f"Geen enkel onderzocht moment voor {move} voldoet met {confidence} zekerheid aan de eis dat "
                f"{target}. Het veiligste geteste moment staat hieronder; het draaiboek moet ruimer, of de eis "
                "is met deze aannames niet haalbaar.")
    else:
        how = f"{_value(kind, answer, 'estimate')} (interval {_interval(kind, answer)}, {answer['n']} replicaties)"
        text = (f"Het {word} veilige moment voor {move} is {_moment(answer)}: daar geldt met {confidence} zekerheid "
                f"dat {target}; gemeten {how}.")
        if data["move"] == "gap":
            text += f" De tijd tot de blokkade van de retourberichten is dan {nl(answer['gap_hours'])} uur."
        if data["status"] == "whole_range_safe":
            text += " Dat is het uiterste onderzochte moment: het hele onderzochte bereik voldoet."
    neighbours = [r for r in data.get("neighbours", []) if not r.get("answer")]
    evidence = [f"{_moment(r)}: {_VERDICT[r['status']]}, gemeten {_value(kind, r, 'estimate')} (interval "
                f"{_interval(kind, r)}, {r['n']} replicaties)" for r in neighbours]
    rows = [{"moment": _moment(r), "verdict": _VERDICT.get(r["status"], r["status"]), "answer": r["answer"],
             "estimate": _value(kind, r, "estimate"), "ci": _interval(kind, r), "n": r["n"] or "–",
             "reason": skip_reason(r["reason"]) if r["status"] == "skipped" else ""}
            for r in data["candidates"] if r["status"] != "not tested"]
    step = data["step"]
    look = next((r["look_confidence"] for r in data["candidates"] if r.get("look_confidence")), data["confidence"])
    unit = "werkdag" if step.endswith("d") else "werkuur"
    return {
        "text": text,
        "evidence": evidence,
        "method": (f"Onderzocht is {move}, in stappen van {step[:-1]} {unit} rond het moment uit het draaiboek "
                   f"({format_dutch(datetime.fromisoformat(data['scenario_instant']))}). Momenten die een regel van "
                   "het draaiboek breken, zijn overgeslagen. Elk moment is gedraaid op dezelfde seeds, telkens "
                   f"{data['batch']} replicaties erbij tot hooguit {data['max_replications']}, totdat het interval "
                   "de eis bevestigt of verwerpt; een moment dat ook dan onbeslist is, telt als niet veilig. "
                   f"Aangenomen is dat {move} {later} leggen het risico nooit kleiner maakt; daarom is gezocht door "
                   f"halvering. Elk interval is een {'Clopper-Pearson-interval' if kind == 'probability' else 't-interval'} "
                   f"met {nl(100 * look, 2)}% betrouwbaarheid per keer dat een moment wordt beoordeeld, zodat alle "
                   f"beoordelingen van een moment samen {confidence} houden. In totaal {data['replications_total']} "
                   "replicaties."),
        "estimate_label": "Kans" if kind == "probability" else "Gemiddeld",
        "rows": rows,
        "shown": None if data.get("shown") is None else {
            "moment": format_dutch(datetime.fromisoformat(data["shown"]["instant"])), "move": move,
            "answer": data["shown"]["dir"] == "answer"},
    }
