"""Dutch wording and Dutch number formatting for the stuurgroep report.

Numbers follow Dutch practice: a decimal comma and a point between thousands (``1.234,5``),
percentages with one decimal and without a space (``63,4%``), intervals as ``0,9 tot 1,5``.
"""

from __future__ import annotations

import math

from ketensim.textutil import decimals as shown_decimals

__all__ = [
    "METRIC_LABELS",
    "KEY_METRICS",
    "INJECTION_LABELS",
    "ACTOR_LABELS",
    "DIRECTION_LABELS",
    "PROPORTION_LABELS",
    "NONNEGATIVE_EXCEPT",
    "floor_at_zero",
    "nl",
    "pct",
    "interval",
    "signed",
    "metric_label",
    "proportion_label",
    "COUNTING_LABELS",
    "vary_label",
]

METRIC_LABELS: dict[str, str] = {
    "messages": "Berichten",
    "heen_messages": "Heenberichten",
    "retour_messages": "Retourberichten",
    "pairs": "Berichtparen",
    "broken_pairs": "Gebroken berichtparen",
    "broken_unread_heen": "Gebroken: heenbericht niet ingelezen bij de transitie",
    "rejected_at_block": "Heenberichten geweigerd bij een blokkade of verkeerde release",
    "rejected_by_xsd": "Heenberichten afgekeurd door de XSD-controle",
    "rejected_by_rules": "Heenberichten afgekeurd door de bedrijfsregels (TR/CD/CS)",
    "resent_after_go_live": "Opnieuw verzonden na go-live",
    "unread_at_transition": "Niet ingelezen bij de transitie (heen of retour)",
    "spoed_cases": "Spoedgevallen tijdens de stop",
    "forbidden_cross_release_answers": "Antwoorden buiten het berichtenverkeer (verboden over de releasegrens)",
    "allowed_cross_release_answers": "Toegestane antwoorden over de releasegrens",
    "mean_pair_latency_hours": "Gemiddelde doorlooptijd van een paar (uren)",
    "xml_bytes": "XML-volume (bytes)",
    "outcome_closed_in_time": "Op tijd afgesloten paren",
    "outcome_closed_after_deadline": "Na de procedurele deadline afgesloten paren",
    "outcome_broken": "Gebroken paren (retour niet afleverbaar)",
    "outcome_unread_at_transition": "Paren waarvan de retour niet is ingelezen bij de transitie",
    "outcome_rejected_resent": "Geweigerd en opnieuw verzonden",
    "outcome_rejected_not_resent": "Geweigerd en niet opnieuw verzonden",
    "outcome_held_at_end": "Aan het eind nog vastgehouden door de verzender",
    "outcome_open_at_end": "Aan het eind nog open (nieuwe release)",
    "outcome_retour_refused": "Retour geweigerd door de XSD-controle (nieuwe release)",
    "answers_same_release": "Antwoorden in dezelfde release",
    "answers_cross_release_allowed": "Antwoorden over de releasegrens, toegestaan",
    "answers_cross_release_forbidden": "Antwoorden over de releasegrens, verboden",
    "answers_pending_at_end": "Verzoeken zonder antwoord aan het eind",
    "backlog_drained": "Achterstand binnen het venster weggewerkt (1 = ja)",
    "answers_outside_traffic": "Afwijzingen buiten het berichtenverkeer (2.x kent geen 319)",
    "backlog_normal": "Normale achterstand vóór de afsluiting (berichten)",
    "backlog_peak_after_go_live": "Piek van de achterstand na go-live (berichten)",
    "backlog_drain_hours": "Uren tot de achterstand na go-live weer normaal is",
}

KEY_METRICS: tuple[str, ...] = (
    "broken_pairs", "forbidden_cross_release_answers", "outcome_closed_in_time", "outcome_closed_after_deadline",
    "unread_at_transition", "rejected_at_block", "rejected_by_xsd", "rejected_by_rules",
    "resent_after_go_live", "outcome_rejected_not_resent", "outcome_held_at_end", "spoed_cases", "backlog_peak_after_go_live",
    "backlog_drain_hours", "pairs", "messages",
)
"""The metrics the report shows first; the rest are in the full table."""

PROPORTION_LABELS: dict[str, str] = {
    "broken_pairs_gt_0": "Minstens één gebroken berichtpaar",
    "forbidden_cross_release_answers_gt_0": "Minstens één verboden antwoord over de releasegrens",
    "unread_at_transition_gt_0": "Minstens één paar niet ingelezen bij de transitie",
    "outcome_rejected_not_resent_gt_0": "Minstens één geweigerd bericht niet opnieuw verzonden",
    "outcome_held_at_end_gt_0": "Minstens één bericht aan het eind nog vastgehouden",
    "rejected_by_xsd_gt_0": "Minstens één bericht afgekeurd door de XSD-controle",
    "rejected_by_rules_gt_0": "Minstens één bericht afgekeurd door de bedrijfsregels",
}

INJECTION_LABELS: dict[str, str] = {
    "late_send": "Te laat verzenden",
    "slow_response": "Trage verwerking",
    "batch_delay": "Vertraagde batch",
    "hub_outage": "Storing bij een knooppunt",
    "not_ready": "Niet klaar bij go-live",
    "corrupt": "Verminkte berichten",
    "portal_unread": "Portaal niet ingelezen",
    "spoed": "Spoedgevallen tijdens de stop",
}

ACTOR_LABELS: dict[str, str] = {"gemeente": "gemeenten", "aanbieder": "zorgaanbieders", "": "alle partijen",
                                "vecozo": "VECOZO", "ib": "Inlichtingenbureau"}

DIRECTION_LABELS: dict[str, str] = {"higher_is_worse": "hoger is slechter", "higher_is_better": "hoger is beter",
                                    "neutral": "neutraal"}

_VARY_LABELS = {"heen_block": "blokkade heenberichten", "retour_block": "blokkade retourberichten",
                "go_live": "go-live"}
_OWNER = {"gemeente": "gemeenten", "aanbieder": "zorgaanbieders", "vecozo": "VECOZO", "ib": "Inlichtingenbureau"}
_FIELD = {
    "retour_hours": "tijd tot retourbericht (werkuren)", "answer_hours": "tijd tot functioneel antwoord (werkuren)",
    "start_hours": "tijd tot startbericht (werkuren)", "not_ready_hours": "uren tot klaar na go-live",
    "deadline_compliance": "aandeel dat de deadlines volgt", "deadline_margin_minutes": "marge vóór de deadline (min.)",
    "ready_at_go_live": "aandeel klaar bij go-live", "poll_minutes": "minuten tussen twee keer ophalen",
    "portal_share": "aandeel dat via het portaal inleest", "transit_minutes": "doorlooptijd (min.)",
    "batch_minutes": "batch-interval (min.)", "capacity_per_hour": "capaciteit per uur",
    "gemeenten": "aantal gemeenten", "aanbieders": "aantal zorgaanbieders", "clients": "aantal cliënten",
    "ijw_share": "aandeel Jeugdwet", "gemeenten_per_aanbieder": "gemeenten per zorgaanbieder",
    "new_per_month": "nieuwe toewijzingen per cliënt per maand", "vot_share": "aandeel met verzoek om toewijzing",
    "change_per_month": "wijzigingen per cliënt per maand", "end_per_month": "beëindigingen per cliënt per maand",
    "declaration_day": "werkdag van de declaratie",
}
NONNEGATIVE_EXCEPT: frozenset[str] = frozenset()
"""Metrics that can be negative: none; every metric is a count or a duration >= 0 (the drain time included:
if the backlog never drains it is the time to the window's end)."""


def nl(value: float | None, decimals: int | None = None) -> str:
    """``1234.56`` → ``1.234,6``, ``-0.04`` → ``−0,04``; ``None`` → ``–``.

    Without ``decimals``: none for whole numbers and from 100 up, one from 1 up, two below 1.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if decimals is None:
        decimals = shown_decimals(value)
    text = f"{value:,.{decimals}f}"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    if text.lstrip("-").strip("0,.") == "":
        return "0"
    return text.replace("-", "−")


def pct(p: float | None) -> str:
    """``0.634`` → ``63,4%``: every percentage with one decimal, as the CLI shows it."""
    if p is None:
        return "–"
    text = nl(100 * p, 1)
    return f"{'0,0' if text == '0' else text}%"


def interval(low: float | None, high: float | None, decimals: int | None = None, percent: bool = False) -> str:
    """``0,9 tot 1,5`` (or ``56% tot 70%``)."""
    if percent:
        return f"{pct(low)} tot {pct(high)}"
    return f"{nl(low, decimals)} tot {nl(high, decimals)}"


def signed(value: float, decimals: int | None = None) -> str:
    """A difference with its sign: ``+1,2``, ``−0,4``, ``0``."""
    text = nl(value, decimals)
    if text == "0":
        return "0"
    return text if value < 0 else f"+{text}"


COUNTING_LABELS: dict[str, str] = {
    "rejected_by_xsd": "Heenberichten technisch geweigerd (verminkt; telmodus, geen XSD-controle)",
    "rejected_by_rules": "Heenberichten technisch geweigerd (bedrijfsregel verminkt; telmodus, geen regelcontrole)",
    "outcome_retour_refused": "Retour technisch geweigerd (verminkt; nieuwe release)",
    "rejected_by_xsd_gt_0": "Minstens één bericht technisch geweigerd (verminkt)",
}
"""Labels in counting mode (``--xml off``): no XML is built, so a corrupt message is a technical refusal."""


def metric_label(name: str, xml: bool = True) -> str:
    """The Dutch label of a metric; in counting mode (``xml`` false) no XSD check is claimed."""
    if not xml and name in COUNTING_LABELS:
        return COUNTING_LABELS[name]
    return METRIC_LABELS.get(name, name)


def proportion_label(name: str, xml: bool = True) -> str:
    """The Dutch label of a proportion (``broken_pairs_gt_0``); see :func:`metric_label`."""
    if not xml and name in COUNTING_LABELS:
        return COUNTING_LABELS[name]
    return PROPORTION_LABELS.get(name, name)


def vary_label(name: str) -> str:
    """Dutch name of a sweep parameter (``retour_block`` → ``blokkade retourberichten``)."""
    if name in _VARY_LABELS:
        return _VARY_LABELS[name]
    kind, _, ident = name.partition(":")
    if ident:
        return {"block": "blokkade", "deadline": "deadline", "portal": "portaalvenster"}.get(kind, kind) + f" {ident}"
    parts = name.split(".")
    if parts[0] == "population" and len(parts) == 2:
        return "populatie: " + _FIELD.get(parts[1], parts[1])
    if parts[0] == "behaviour" and len(parts) >= 3:
        text = f"{_OWNER.get(parts[1], parts[1])}: {_FIELD.get(parts[2], parts[2])}"
        if len(parts) == 4:
            text += ", mediaan" if parts[3] == "median" else ", 90e percentiel"
        return text
    return name


def floor_at_zero(metric: str, value: float | None) -> float | None:
    """A lower interval bound as shown: never below 0 for a metric that cannot be negative."""
    if value is None or metric in NONNEGATIVE_EXCEPT:
        return value
    return max(0.0, value)
