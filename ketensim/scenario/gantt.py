"""A Gantt chart of a draaiboek: phases, deadlines, blocks, portal windows and go-live.

Weekends and Dutch public holidays are shaded so an analyst sees at a glance when a deadline
falls on a Sunday or a transition spans Easter. Times are drawn in Europe/Amsterdam.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402  (after choosing the backend)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ketensim.scenario.model import Scenario  # noqa: E402
from ketensim.scenario.rows import TimelineRow, timeline_rows  # noqa: E402
from ketensim.timeline import (  # noqa: E402
    AMSTERDAM,
    DUTCH_MONTHS,
    DUTCH_WEEKDAYS,
    dutch_holidays,
    format_dutch,
)

__all__ = ["draw_gantt", "save_gantt", "dutch_day_tick"]

_PHASE_COLOURS = {"afsluiting": "#f2c14e", "transitie": "#d1495b", "ingebruikname en nazorg": "#66a182"}
_LANE_COLOURS = {"deadline": "#2e4057", "block": "#d1495b", "portal": "#00798c", "batch": "#8d6a9f",
                 "milestone": "#7a7a7a", "go-live": "#66a182"}


def _naive(moment: datetime) -> datetime:
    """Local wall-clock time without zone, so matplotlib draws Amsterdam time."""
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def _lane(row: TimelineRow) -> str:
    if row.category == "phase":
        return "Fasen"
    if row.category == "deadline":
        return f"Deadline {row.actor}"
    if row.category == "block":
        return "Uitfasering" if row.end is None else f"Blokkade {row.provenance.id}".strip()
    if row.category == "portal":
        return f"Portaal {row.actor}"
    if row.category == "batch":
        return "Batch"
    if row.category == "go-live":
        return "Go-live"
    return "Overig"


def _label(row: TimelineRow) -> str:
    text = ", ".join(row.messages) if row.messages else (row.provenance.id or row.category)
    return text + (" *" if row.provenance.assumed else "")


_LABEL_GAP = timedelta(days=1, hours=12)  # closer labels in one lane alternate above and below it


def dutch_day_tick(value: float, _pos: int | None = None) -> str:
    """Axis tick: ``do`` over ``31 mrt``, whatever the machine's locale."""
    day = mdates.num2date(value)
    return f"{DUTCH_WEEKDAYS[day.weekday()]}\n{day.day} {DUTCH_MONTHS[day.month - 1]}"


_LANE_ORDER = ("Fasen", "Deadline", "Blokkade", "Uitfasering", "Portaal", "Batch", "Overig", "Go-live")


def draw_gantt(s: Scenario, days_before: int = 3, days_after: int = 4) -> Figure:
    """Draw the draaiboek of ``s`` from a few days before the afsluiting to a few days after go-live.

    Rows earlier than that (a procedural declaration stop weeks ahead) are pinned to the left
    edge with their date in the label, so the dense part of the timeline stays readable.
    """
    rows = timeline_rows(s)
    lo = _naive(s.phase("afsluiting").start) - timedelta(days=days_before)
    lo = lo.replace(hour=0, minute=0)
    hi = _naive(s.go_live.at) + timedelta(days=days_after)
    lanes: list[str] = []
    for row in sorted(rows, key=lambda r: next(i for i, p in enumerate(_LANE_ORDER) if _lane(r).startswith(p))):
        lane = _lane(row)
        if lane not in lanes:
            lanes.append(lane)
    y = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}

    fig, ax = plt.subplots(figsize=(15, 1.2 + 0.62 * len(lanes)), dpi=110)
    day = lo.date()
    holiday_seen = weekend_seen = False
    while day <= hi.date():
        start = datetime.combine(day, datetime.min.time())
        if day in dutch_holidays(day.year):
            ax.axvspan(start, start + timedelta(days=1), color="#f7b267", alpha=0.35, lw=0)
            holiday_seen = True
        elif day.weekday() >= 5:
            ax.axvspan(start, start + timedelta(days=1), color="#bbbbbb", alpha=0.3, lw=0)
            weekend_seen = True
        day += timedelta(days=1)

    labels: dict[tuple[int, datetime], list[str]] = {}
    for row in rows:
        lane_y = y[_lane(row)]
        start = max(_naive(row.start), lo)
        if row.category == "phase":
            end = min(_naive(row.end or row.start), hi)
            colour = _PHASE_COLOURS[row.phase]
            ax.barh(lane_y, mdates.date2num(end) - mdates.date2num(start), left=mdates.date2num(start), height=0.6,
                    color=colour, edgecolor="black", lw=0.5)
            ax.text(start + (end - start) / 2, lane_y, row.phase, ha="center", va="center", fontsize=8)
            continue
        colour = _LANE_COLOURS.get(row.category, "#555555")
        if row.end is not None and row.end > row.start:
            end = min(_naive(row.end), hi)
            ax.barh(lane_y, mdates.date2num(end) - mdates.date2num(start), left=mdates.date2num(start), height=0.35,
                    color=colour, alpha=0.55, edgecolor=colour)
        else:
            ax.plot([start], [lane_y], marker="D", color=colour, ms=7)
        label = _label(row)
        if _naive(row.start) < lo:
            label = f"◀ {label} ({format_dutch(row.start)})"
        labels.setdefault((lane_y, start), []).append(label)
    last: dict[int, tuple[datetime, int]] = {}
    for (lane_y, start), texts in sorted(labels.items(), key=lambda item: (item[0][0], item[0][1])):
        # rows at the same instant in the same lane share one label instead of overprinting; a label
        # close after the previous one in its lane goes on the other side of the lane
        previous = last.get(lane_y)
        side = 1
        if previous is not None and start - previous[0] < _LABEL_GAP:
            side = -previous[1]
        last[lane_y] = (start, side)
        ax.annotate(" | ".join(texts), (mdates.date2num(start), lane_y), xytext=(3, 7 * side),
                    textcoords="offset points", fontsize=7, va="bottom" if side > 0 else "top")
    live = _naive(s.go_live.at)
    ax.axvline(live, color=_PHASE_COLOURS["ingebruikname en nazorg"], lw=2, ls="--")

    ax.set_yticks(list(y.values()), list(y.keys()), fontsize=9)
    ax.set_ylim(-0.8, len(lanes) - 0.2)
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, (hi - lo).days // 28)))
    ax.xaxis.set_major_formatter(FuncFormatter(dutch_day_tick))
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", color="#dddddd", lw=0.5)
    ax.set_title(f"{s.dutch_name}: draaiboek (Europe/Amsterdam; * = aangenomen)", fontsize=11)
    handles = [Patch(color=c, label=n) for n, c in _PHASE_COLOURS.items()]
    if weekend_seen:
        handles.append(Patch(color="#bbbbbb", alpha=0.3, label="weekend"))
    if holiday_seen:
        handles.append(Patch(color="#f7b267", alpha=0.35, label="feestdag"))
    ax.legend(handles=handles, loc="upper left", fontsize=7, ncol=len(handles), frameon=False,
              bbox_to_anchor=(0, -0.18))
    fig.tight_layout()
    return fig


def save_gantt(s: Scenario, out: Path) -> Path:
    """Draw and write the Gantt chart of ``s`` as PNG (or any format matplotlib knows from the suffix)."""
    from ketensim.outdir import atomic_open

    fig = draw_gantt(s)
    try:
        with atomic_open(out, "wb") as handle:
            fig.savefig(handle, format=out.suffix.lstrip(".").lower() or "png")
    finally:
        plt.close(fig)
    return out
