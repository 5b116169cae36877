"""The report's charts (matplotlib), as figures or as ``data:image/png;base64`` URIs for inline HTML.

Every chart is drawn from the data read back from an output directory, never from a running world.
Times are shown in Europe/Amsterdam over the same range as the draaiboek Gantt (a few days before
the afsluiting to a few days after go-live), and axes use Dutch decimal commas.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402  (after choosing the backend)
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator  # noqa: E402

from ketensim.report.load import ScenarioBlock  # noqa: E402
from ketensim.report.texts import ACTOR_LABELS, floor_at_zero, metric_label, nl, vary_label  # noqa: E402
from ketensim.scenario.gantt import dutch_day_tick  # noqa: E402
from ketensim.scenario.model import Scenario  # noqa: E402
from ketensim.timeline import AMSTERDAM  # noqa: E402

__all__ = ["data_uri", "gantt_figure", "timeline_figure", "breakdown_figure", "difference_figure",
           "sweep_line_figure", "tornado_figure"]

_COLOURS = ("#2e4057", "#d1495b", "#00798c", "#edae49", "#66a182", "#8d6a9f")
_PHASES = {"afsluiting": "#f2c14e", "transitie": "#d1495b", "ingebruikname": "#66a182"}
class _DutchTicks(Formatter):
    """Tick labels with a decimal comma and as many decimals as the ticks need (0,825 stays 0,825)."""

    def __call__(self, value: float, pos: int | None = None) -> str:
        return nl(value, _places([value]))

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        places = _places(values)  # one precision per axis
        return [nl(v, places) for v in values]


def _places(values: Sequence[float]) -> int:
    """The fewest decimals (at most 6) that show every value exactly as it is."""
    for places in range(7):
        if all(abs(round(v, places) - v) < 1e-9 * max(1.0, abs(v)) for v in values):
            return places
    return 6


_NL = _DutchTicks()
COLOURS = _COLOURS
"""The report's colours, for charts drawn in other modules."""
DUTCH_TICKS = _NL
"""Axis tick labels with a decimal comma, for charts drawn in other modules."""


def data_uri(fig: Figure, dpi: int = 100) -> str:
    """Render ``fig`` as PNG and return it as a data URI; the figure is closed."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def gantt_figure(s: Scenario) -> Figure:
    from ketensim.scenario.gantt import draw_gantt

    return draw_gantt(s)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def _range(s: Scenario) -> tuple[datetime, datetime]:
    """The x range of the Gantt chart (``draw_gantt`` defaults)."""
    lo = (_local(s.phase("afsluiting").start) - timedelta(days=3)).replace(hour=0, minute=0)
    return lo, _local(s.go_live.at) + timedelta(days=4)


def _shade(ax: Any, s: Scenario) -> None:
    for phase in s.phases:
        ax.axvspan(_local(phase.start), _local(phase.end), color=_PHASES[phase.name], alpha=0.12, lw=0)
    ax.axvline(_local(s.go_live.at), color=_PHASES["ingebruikname"], lw=1.5, ls="--")
    for block in s.blocks:
        ax.axvline(_local(block.at), color="#d1495b", lw=0.8, ls=":")


def _hours(series: dict[str, list[Any]]) -> list[datetime]:
    return [_local(datetime.fromisoformat(h.replace("Z", "+00:00"))) for h in series["hour_utc"]]


def timeline_figure(blocks: Sequence[ScenarioBlock]) -> Figure:
    """Messages per hour, peak backlog per hour and cumulative broken pairs, with 5–95% bands."""
    fig, axes = plt.subplots(3, 1, figsize=(15, 8.5), sharex=True)
    first = blocks[0].scenario
    lo, hi = _range(first)
    panels = (("messages", "Berichten per uur"), ("backlog", "Achterstand (piek per uur)"),
              ("broken", "Gebroken paren (cumulatief)"))
    for ax, (name, title) in zip(axes, panels):
        _shade(ax, first)
        for i, block in enumerate(blocks):
            if not block.series:
                continue
            x = _hours(block.series)
            shown = [j for j, t in enumerate(x) if lo - timedelta(hours=1) <= t <= hi]  # draw only what is visible
            x = [x[j] for j in shown]

            def ys(column: str, series: dict[str, list[Any]] = block.series, rows: list[int] = shown) -> list[float]:
                return [series[column][j] for j in rows]

            colour = _COLOURS[i % len(_COLOURS)]
            label = f"scenario {block.label}" if block.label else "gemiddelde"
            if name == "broken":
                ax.step(x, ys("broken_cumulative_mean"), where="post", color=colour, lw=1.6, label=label)
            else:
                ax.fill_between(x, ys(f"{name}_p05"), ys(f"{name}_p95"), color=colour, alpha=0.18, lw=0, step="post")
                ax.step(x, ys(f"{name}_mean"), where="post", color=colour, lw=1.0, label=label)
        ax.set_ylabel(title, fontsize=9)
        ax.yaxis.set_major_formatter(_NL)
        ax.grid(color="#dddddd", lw=0.5)
        ax.set_ylim(bottom=0)
    axes[0].legend(loc="upper left", fontsize=8, frameon=False)
    axes[-1].set_xlim(lo, hi)
    axes[-1].xaxis.set_major_locator(mdates.DayLocator(interval=max(1, (hi - lo).days // 28)))
    axes[-1].xaxis.set_major_formatter(FuncFormatter(dutch_day_tick))
    axes[-1].tick_params(axis="x", labelsize=8)
    if any(b.sample for b in blocks):
        band = "band: 5%–95% van de runs van de steekproef; "
    elif any(b.has_interval for b in blocks):
        band = "band: 5%–95% van de replicaties; "
    else:
        band = ""  # one run: no band
    fig.suptitle(f"Verloop rond de migratie (Europe/Amsterdam; {band}stippellijn: go-live, rood gestippeld: blokkades)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def breakdown_figure(blocks: Sequence[ScenarioBlock]) -> Figure | None:
    """Mean broken pairs per message pair and per actor type (bars with 95% intervals over replications); None if none broke."""
    names = (("broken_by_pair", "per berichtpaar"), ("broken_by_actor_type", "per verzender"))
    if not any(b.summary["breakdowns"].get(n) for b in blocks for n, _ in names):
        return None
    fig, axes = plt.subplots(1, 2, figsize=(13, 4), gridspec_kw={"width_ratios": [3, 1]})
    width = 0.8 / len(blocks)
    for ax, (name, title) in zip(axes, names):
        keys = sorted({k for b in blocks for k in b.summary["breakdowns"].get(name, {})})
        for i, block in enumerate(blocks):
            rows = block.summary["breakdowns"].get(name, {})
            means = [rows.get(k, {}).get("mean", 0.0) for k in keys]
            # an error bar only over independent replications (not one run, not a Sobol sample's runs)
            shown = block.has_interval
            low = [m - max(0.0, rows[k]["ci_low"]) if shown and rows.get(k, {}).get("ci_low") is not None else 0.0
                   for m, k in zip(means, keys)]
            high = [rows[k]["ci_high"] - m if shown and rows.get(k, {}).get("ci_high") is not None else 0.0
                    for m, k in zip(means, keys)]
            x = [j + (i - (len(blocks) - 1) / 2) * width for j in range(len(keys))]
            ax.bar(x, means, width=width, color=_COLOURS[i % len(_COLOURS)],
                   label=f"scenario {block.label}" if block.label else None,
                   yerr=[[max(v, 0) for v in low], [max(v, 0) for v in high]], capsize=3)
        labels = [ACTOR_LABELS.get(k, k) for k in keys] if name == "broken_by_actor_type" else keys
        ax.set_xticks(range(len(keys)), labels, rotation=30 if len(keys) > 6 else 0, fontsize=8)
        ax.set_title(f"Gebroken paren {title}", fontsize=10)
        ax.yaxis.set_major_formatter(_NL)
        ax.grid(axis="y", color="#dddddd", lw=0.5)
    if len(blocks) > 1:
        axes[0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def difference_figure(differences: Sequence[float], metric: str = "broken_pairs") -> Figure:
    """Histogram of the per-seed differences B − A of ``metric``."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    values = list(differences)
    lo, hi = (min(values), max(values)) if values else (0.0, 0.0)
    if lo == hi:
        bins: Any = [lo - 0.5, hi + 0.5]
    elif all(float(v).is_integer() for v in values):
        bins = [v - 0.5 for v in range(int(lo), int(hi) + 2)]
    else:
        bins = 20
    ax.hist(values, bins=bins, color=_COLOURS[2], edgecolor="white")
    ax.axvline(0, color="black", lw=1)
    ax.set_xlabel(f"{metric_label(metric)}: B − A per seed", fontsize=9)
    ax.set_ylabel("aantal seeds", fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(_NL)
    fig.tight_layout()
    return fig


def sweep_line_figure(sweep: dict[str, Any]) -> Figure:
    """Per varied parameter: the focus metric (mean, 95% band) against the value; baseline dashed."""
    varies = sweep["varies"]
    cols = 1 if len(varies) == 1 else 2
    rows = (len(varies) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(7 * cols, 3.6 * rows), squeeze=False)
    base = sweep["baseline"]
    for ax, vary in zip(axes.flat, varies):
        points = [p for p in sweep["points"] if p["parameter"] == vary["name"]]
        ok = [p for p in points if p["status"] == "ok"]
        if all(p["value"] != vary["baseline"] for p in ok):  # the line runs through the baseline point
            ok.append({"value": vary["baseline"], "mean": base["mean"], "ci_low": base["ci_low"],
                       "ci_high": base["ci_high"]})
        ok.sort(key=lambda p: p["value"])
        x = [p["value"] for p in ok]
        low = [floor_at_zero(sweep["metric"], p["ci_low"]) for p in ok]
        high = [p["ci_high"] if p["ci_high"] is not None else p["mean"] for p in ok]
        ax.fill_between(x, [v if v is not None else p["mean"] for v, p in zip(low, ok)], high, color=_COLOURS[0],
                        alpha=0.2, lw=0)
        ax.plot(x, [p["mean"] for p in ok], marker="o", color=_COLOURS[0], lw=1.5)
        ax.plot([vary["baseline"]], [base["mean"]], marker="s", color="#555555", ls="none", label="basis")
        ax.axhline(base["mean"], color="#555555", ls="--", lw=1)
        ax.axvline(vary["baseline"], color="#555555", ls=":", lw=1)
        skipped = [p for p in points if p["status"] != "ok"]
        if skipped:
            ax.plot([p["value"] for p in skipped], [base["mean"]] * len(skipped), "x", color="#d1495b",
                    label="overgeslagen (onmogelijk draaiboek)")
        ax.legend(fontsize=7, frameon=False)
        unit = " (verschuiving in uren)" if vary["kind"] == "instant" else ""
        ax.set_xlabel(vary_label(vary["name"]) + unit, fontsize=9)
        ax.set_ylabel(metric_label(sweep["metric"]), fontsize=9)
        ax.xaxis.set_major_formatter(_NL)
        ax.yaxis.set_major_formatter(_NL)
        ax.grid(color="#dddddd", lw=0.5)
    for ax in list(axes.flat)[len(varies):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def tornado_figure(sweep: dict[str, Any]) -> Figure:
    """Per parameter: bars from the baseline mean to the mean at the lowest and the highest value."""
    rows = sweep["tornado"]
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.55 * max(len(rows), 1)))
    base = sweep["baseline"]["mean"]
    for y, row in enumerate(reversed(rows)):
        # the lowest and the highest value each get half of the row, so neither bar nor label hides the other;
        # neutral colours: which end is better depends on the metric, not on the colour
        for side, colour, dy in (("low", _COLOURS[2], 0.17), ("high", _COLOURS[0], -0.17)):
            value = row[f"{side}_mean"]
            ax.barh(y + dy, value - base, left=base, color=colour, height=0.32)
            ax.annotate(row[f"{side}_label"], (value, y + dy), xytext=(3 if value >= base else -3, 0),
                        textcoords="offset points", ha="left" if value >= base else "right", va="center", fontsize=7)
    ax.axvline(base, color="black", lw=1)
    ax.margins(x=0.25)  # room for the value labels at the bar ends, clear of the axis
    ax.set_yticks(range(len(rows)), [vary_label(r["parameter"]) for r in reversed(rows)], fontsize=8)
    ax.set_xlabel(f"{metric_label(sweep['metric'])} (gemiddelde; lijn: basis)", fontsize=9)
    ax.xaxis.set_major_formatter(_NL)
    ax.set_title("Tornado: laagste waarde boven (groenblauw), hoogste onder (donkerblauw)", fontsize=10)
    fig.tight_layout()
    return fig
