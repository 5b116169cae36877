"""The report's words and chart for decisions under uncertainty: a robust verdict, and what drives the outcome.

``robust_section`` turns the ``robust`` part of ``compare.json`` (see :mod:`ketensim.experiment.robust`)
into plain Dutch, including "geen robuust verschil" when neither draaiboek wins in at least 95% of the
draws; ``sobol_section`` does the same for ``sobol.json`` (:mod:`ketensim.experiment.sobol`) with a
chart of the first-order and total indices.
"""

from __future__ import annotations

from typing import Any

from ketensim.experiment.sobol import SMALL_N
from ketensim.report import plots
from ketensim.report.texts import interval, metric_label, nl, pct, vary_label

__all__ = ["robust_section", "sobol_section", "range_label", "sobol_figure"]

_DIST = {"uniform": "gelijkverdeeld", "triangular": "driehoeksverdeling", "lognormal": "lognormaal"}


def parameter_label(name: str) -> str:
    """The Dutch name of an uncertain parameter (``name (A)`` keeps its side)."""
    side = ""
    if name.endswith((" (A)", " (B)")):
        name, side = name[:-4], f" (scenario {name[-2]})"
    return vary_label(name) + side


def range_label(spec: dict[str, Any]) -> str:
    """``gelijkverdeeld 0,85 tot 0,99`` / ``driehoeksverdeling 1 tot 6, top 2`` / ``lognormaal, mediaan 2 ...``."""
    dist = _DIST.get(spec["dist"], spec["dist"])
    if spec["dist"] == "lognormal":
        return (f"{dist}, mediaan {nl(spec['median'])}, 90e percentiel {nl(spec['p90'])}, afgekapt op "
                f"{nl(spec['low'] or 0)} tot {nl(spec['high'])}")
    text = f"{dist} {nl(spec['low'])} tot {nl(spec['high'])}"
    return text + (f", top {nl(spec['mode'])}" if spec["dist"] == "triangular" else "")


def _fewer_or_more(value: float, noun: str) -> str:
    return f"gemiddeld {nl(abs(value))} {noun} {'meer' if value > 0 else 'minder'}" if value else f"evenveel {noun}"


def robust_section(compare: dict[str, Any], xml: bool) -> dict[str, Any] | None:
    """The Dutch text of a comparison's robustness, or None for an output without it."""
    r = compare.get("robust")
    if r is None:
        return None
    noun = metric_label(r["metric"], xml).lower()
    n = int(r["n"])
    share = pct(r["robust_share"])
    if r["parameters"]:
        over = (f"over {n} trekkingen van de seeds én van de onzekere parameters "
                f"({', '.join(parameter_label(p) for p in r['parameters'])})")
    else:
        over = (f"alleen over {n} seeds: deze scenario's hebben geen onzekere parameters, dus dit zegt niets over "
                "andere waarden van het gedrag van partijen")
    ci = (f" (95%-interval {interval(r['p_b_better_ci_low'], r['p_b_better_ci_high'], percent=True)}, "
          "Wilson over de replicaties)" if n >= 2 else "")
    text = (f"Kans dat B beter is dan A, gemeten {over}: {pct(r['p_b_better'])}{ci}. B is slechter in "
            f"{pct(r['p_b_worse'])} van de trekkingen")
    text += "; in de rest zijn ze gelijk." if r["p_b_better"] + r["p_b_worse"] < 1 else "."
    if r["verdict"] == "too_few":
        verdict = "Met één replicatie is niet te zeggen of het oordeel robuust is; draai er meer."
    elif r["verdict"] == "none":
        verdict = (f"Er is geen robuust verschil: geen van beide draaiboeken is in minstens {share} van de "
                   "trekkingen beter.")
    else:
        winner = "B" if r["verdict"] == "b_better" else "A"
        verdict = (f"Het oordeel is robuust: scenario {winner} is in minstens {share} van de trekkingen beter.")
        if not r["confirmed"]:
            verdict += (f" Met {n} replicaties sluit het interval nog niet uit dat dit minder dan {share} is; "
                        "draai meer replicaties om het te bevestigen.")
    flips = []
    for s in r["splits"]:
        if not s["flips"]:
            continue
        flips.append(f"Het oordeel draait om bij {parameter_label(s['parameter'])}: onder {nl(s['threshold'])} geeft "
                     f"B {_fewer_or_more(s['below_diff_mean'], noun)} dan A (B beter in {pct(s['below_p_b_better'])} "
                     f"van {s['below_n']} trekkingen), daarboven {_fewer_or_more(s['above_diff_mean'], noun)} (B beter "
                     f"in {pct(s['above_p_b_better'])} van {s['above_n']}). Deze grens verklaart "
                     f"{pct(s['gain'])} van de spreiding in het verschil.")
    if r["parameters"] and not flips:
        flips.append("Geen enkele onzekere parameter keert het verschil om: aan beide kanten van elke grens wijst "
                     "het gemiddelde verschil dezelfde kant op.")
        if r["splits"]:
            s = r["splits"][0]
            flips.append(f"Het verschil hangt het meest af van {parameter_label(s['parameter'])}: onder "
                         f"{nl(s['threshold'])} geeft B {_fewer_or_more(s['below_diff_mean'], noun)} dan A, daarboven "
                         f"{_fewer_or_more(s['above_diff_mean'], noun)}; deze grens verklaart {pct(s['gain'])} van de "
                         "spreiding in het verschil.")
    return {"text": text, "verdict": verdict, "flips": flips, "robust": r["verdict"] in ("a_better", "b_better")}


def sobol_figure(data: dict[str, Any]) -> Any:
    """Per parameter: the first-order (alleen) and total (met samenspel) Sobol index with its 95% interval."""
    import matplotlib.pyplot as plt

    rows = [r for r in data["indices"] if r["ST"] is not None]
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.6 * max(len(rows), 1)))
    for y, row in enumerate(reversed(rows)):
        for key, colour, dy, label in (("S1", plots.COLOURS[2], 0.17, "alleen (S1)"),
                                       ("ST", plots.COLOURS[0], -0.17, "met samenspel (ST)")):
            value, conf = row[key], row[f"{key}_conf"] or 0.0
            ax.barh(y + dy, value or 0.0, xerr=conf, color=colour, height=0.32, capsize=3,
                    label=label if y == 0 else None)
    ax.set_yticks(range(len(rows)), [parameter_label(r["parameter"]) for r in reversed(rows)], fontsize=8)
    ax.axvline(0, color="black", lw=1)
    ax.set_xlabel(f"aandeel van de spreiding in {metric_label(data['metric']).lower()} (streepjes: 95%-interval)",
                  fontsize=9)
    ax.xaxis.set_major_formatter(plots.DUTCH_TICKS)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Wat bepaalt de uitkomst? Sobol-indices per onzekere parameter", fontsize=10)
    fig.tight_layout()
    return fig


def sobol_section(data: dict[str, Any], specs: list[dict[str, Any]]) -> dict[str, Any]:
    """The section "Wat bepaalt de uitkomst?" from ``sobol.json`` and the scenario's uncertain ranges."""
    by_path = {s["path"]: s for s in specs}
    noun = metric_label(data["metric"], bool(data.get("xml", True))).lower()
    rows = [{"parameter": parameter_label(r["parameter"]), "raw": r["parameter"],
             "range": range_label(by_path[r["parameter"]]) if r["parameter"] in by_path else r["range"],
             "s1": nl(r["S1"], 2), "s1_ci": "" if r["S1_conf"] is None else interval(r["S1_ci_low"], r["S1_ci_high"], 2),
             "st": nl(r["ST"], 2), "st_ci": "" if r["ST_conf"] is None else interval(r["ST_ci_low"], r["ST_ci_high"], 2)}
            for r in data["indices"]]
    if data["variance"] == 0:
        text = (f"In alle {data['runs']} runs was het aantal {noun} gelijk ({nl(data['mean'])}): binnen de "
                "opgegeven bereiken bepaalt geen enkele onzekere parameter de uitkomst.")
        chart = ""
    else:
        top = data["indices"][0]
        text = (f"Het meest bepalend voor {noun} is {parameter_label(top['parameter'])}: die verklaart met "
                f"samenspel {pct(top['ST'])} van de spreiding (95%-interval "
                f"{interval(top['ST_ci_low'], top['ST_ci_high'], percent=True)}), alleen al {pct(top['S1'])}.")
        chart = plots.data_uri(sobol_figure(data))
    return {"text": text, "rows": rows, "chart": chart, "runs": data["runs"], "base_n": data["base_n"],
            "parameters": data["parameters"], "mean": nl(data["mean"]), "noun": noun,
            "small": data["base_n"] < SMALL_N,
            # for the headline only: the section itself explains a small sample at length
            "small_note": "" if data["variance"] == 0 else
            (f"De steekproef is klein (N = {data['base_n']}): dit zijn ruwe schattingen, die door toeval onder 0% of "
             "boven 100% kunnen uitkomen.")}
