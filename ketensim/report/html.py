"""The stuurgroep report: one self-contained HTML file in Dutch.

:func:`build_context` turns the data read from an output directory into ready-to-print Dutch text
and inline images; the Jinja2 template ``templates/report.html.j2`` only lays them out. The page
loads nothing from outside (styles inline, charts as base64 PNG), so it opens offline and can be
mailed as one file.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import jinja2

from ketensim.report import plots
from ketensim.report.dutch import on_off, pair_label, plural, span, window
from ketensim.exceptions import KetensimError
from ketensim.outdir import atomic_write
from ketensim.report.load import ReportData, ReportInputError, ScenarioBlock, load_output, reading
from ketensim.report.optimum import optimum_section
from ketensim.report.skips import skip_reason
from ketensim.report.uncertainty import robust_section, sobol_section
from ketensim.report.texts import (
    ACTOR_LABELS,
    DIRECTION_LABELS,
    INJECTION_LABELS,
    KEY_METRICS,
    PROPORTION_LABELS,
    floor_at_zero,
    interval,
    metric_label,
    nl,
    proportion_label,
    pct,
    signed,
    vary_label,
)
from ketensim.scenario.model import Provenance, Scenario
from ketensim.scenario.rows import timeline_rows
from ketensim.scenario.world_model import Behaviour, Population

__all__ = ["render_report", "write_report", "build_context", "SECTIONS"]

SECTIONS: tuple[str, ...] = ("kop", "draaiboek", "verloop", "uitsplitsing", "verstoringen", "kengetallen",
                             "vergelijking", "gevoeligheid", "verantwoording")
"""Section ids, in page order; ``vergelijking`` and ``gevoeligheid`` only when the data has them."""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("ketensim.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


def _runs(blocks: list[ScenarioBlock]) -> dict[str, str]:
    """How the report speaks of the runs behind its figures: replications, one run or a Sobol sample."""
    if any(b.sample for b in blocks):
        return {"line": "De lijn is het gemiddelde over de runs van de Sobol-steekproef, de band loopt van 5% tot 95% "
                        "van die runs.",
                "none": "In geen enkele run van de steekproef is een berichtpaar gebroken.",
                "chance": "aandeel van de runs", "chances": "Aandeel van de runs waarin het gebeurde"}
    if not any(b.has_interval for b in blocks):  # one run each (a sample was handled above)
        if len(blocks) > 1:
            return {"line": "Elke lijn is de ene simulatierun van dat scenario.",
                    "none": "In geen van de simulatieruns is een berichtpaar gebroken.", "chance": "kans",
                    "chances": "Kansen"}
        return {"line": "De lijn is die ene simulatierun.",
                "none": "In deze simulatierun is geen berichtpaar gebroken.", "chance": "kans", "chances": "Kansen"}
    return {"line": "De lijn is het gemiddelde over de replicaties, de band loopt van 5% tot 95% van de replicaties.",
            "none": "In geen enkele replicatie is een berichtpaar gebroken.", "chance": "kans", "chances": "Kansen"}


def _who(label: str) -> str:
    return f"scenario {label}" if label and label != "basis" else "het basisscenario" if label else "het scenario"


def _precision(m: dict[str, Any], percent: bool = False) -> str:
    if m.get("precise_enough") or m["n"] < 2:
        return ""
    if percent:
        return (f"Het interval (±{nl(100 * m['half_width'], 1)} procentpunt) is breder dan ±"
                f"{nl(100 * m['target_half_width'], 0)} procentpunt; met ongeveer {nl(m['n_needed'], 0)} "
                "replicaties wordt het smal genoeg.")
    return (f"Het interval (±{nl(m['half_width'])}) is breder dan ±{nl(m['target_half_width'])}; met ongeveer "
            f"{nl(m['n_needed'], 0)} replicaties wordt het smal genoeg.")


def _headline(block: ScenarioBlock, kind: str = "") -> dict[str, Any]:
    s = block.summary
    broken = s["metrics"]["broken_pairs"]
    share = s["proportions"].get("broken_pairs_gt_0")
    good = broken["mean"] == 0 and broken["max"] == 0
    name = block.scenario.dutch_name
    if kind == "sensitivity":
        # the runs of a Sobol sample share one seed and vary the parameters on a quasi-random design:
        # their mean describes the sample, it is no expectation with a confidence interval
        return {"label": block.label, "name": name, "value": nl(broken["mean"]), "good": good,
                "text": (f"Over de {s['n']} runs van de Sobol-steekproef (alle op dezelfde seed; alleen de onzekere "
                         f"parameters verschillen) braken gemiddeld {nl(broken['mean'])} berichtparen; minimaal "
                         f"{nl(broken['min'])}, maximaal {nl(broken['max'])}. Dat gemiddelde beschrijft de "
                         "steekproef, het is geen verwachting: de runs zijn geen onafhankelijke replicaties, dus "
                         "hier staat geen betrouwbaarheidsinterval bij."),
                "note": "", "assumed": assumptions(block.scenario), "afgeleid": _drafts_of(block)}
    if not block.has_interval:
        runs = (f"In deze ene simulatierun (seed {s['seeds'][0]})" if block.single_run
                else f"In {s['n']} {plural(s['n'], 'replicatie', 'replicaties')}")
        verb = plural(broken["mean"], "brak", "braken")
        pairs = plural(broken["mean"], "berichtpaar", "berichtparen")
        return {"label": block.label, "name": name, "value": nl(broken["mean"]), "good": good,
                "text": (f"{runs} {verb} {nl(broken['mean'])} {pairs}. Minder dan twee replicaties geven geen "
                         "verwachting en geen betrouwbaarheidsinterval; draai het scenario met -n 200 voor een "
                         "uitspraak met interval."),
                "note": "", "assumed": assumptions(block.scenario), "afgeleid": _drafts_of(block)}
    ci = interval(floor_at_zero("broken_pairs", broken["ci_low"]), broken["ci_high"])
    text = (f"Verwacht aantal gebroken berichtparen voor {_who(block.label)}: {nl(broken['mean'])} "
            f"(95%-betrouwbaarheidsinterval {ci}), "
            f"gemiddeld over {s['n']} replicaties; minimaal {nl(broken['min'])}, maximaal {nl(broken['max'])}.")
    if share is not None:
        text += (f" Kans op minstens één gebroken berichtpaar: {pct(share['p'])} "
                 f"(95%-interval {interval(share['ci_low'], share['ci_high'], percent=True)}).")
    notes = [n for n in (_precision(broken), _precision(share, percent=True) if share else "") if n]
    return {"label": block.label, "name": name, "value": nl(broken["mean"]), "text": text, "good": good,
            "note": " ".join(notes), "assumed": assumptions(block.scenario), "afgeleid": _drafts_of(block)}


def _drafts_of(block: ScenarioBlock) -> str:
    return draft_releases(block.scenario, bool(block.summary.get("xml")))


def draft_releases(scenario: Scenario, xml: bool) -> str:
    """In Dutch, the draft releases a scenario declares and that they are afgeleid (empty if none).

    ``xml`` says whether the messages were built and checked (``--xml on``) in the runs reported.
    """
    parts = []
    for d in scenario.drafts:
        changes = []
        if d.added:
            changes.append(f"toegevoegd: {', '.join(d.added)}")
        if d.removed:
            changes.append(f"vervallen: {', '.join(d.removed)}")
        change = "; ".join(changes) if changes else "dezelfde berichten"
        parts.append(f"Release {d.name} is een conceptrelease, afgeleid van {d.like} ({change}): dezelfde opbouw, "
                     "eigen naamruimte en versie." + (
                         f" De berichten in {d.name} zijn getoetst aan schema's die ketensim daaruit heeft afgeleid, "
                         "niet aan gepubliceerde schema's." if xml else ""))
    return " ".join(parts)


def assumptions(scenario: Scenario) -> str:
    """The assumed parameters a scenario's figures rest on, in Dutch (empty if none)."""
    parts = []
    rows = timeline_rows(scenario)
    assumed_rows = sum(1 for r in rows if r.provenance.assumed)
    if assumed_rows:
        parts.append(f"{assumed_rows} van de {len(rows)} draaiboekregels")
    if scenario.answers.provenance.assumed:
        parts.append("welke antwoorden over de releasegrens mogen")
    p = scenario.population
    if not p.declaration_day and p.declaration_days == Population().declaration_days:
        parts.append("de declaratiedag (gelijk verdeeld over werkdag 1 tot en met 5)")
    base = Behaviour()
    if (scenario.behaviour.gemeente.overtime_minutes, scenario.behaviour.aanbieder.overtime_minutes) == (
            base.gemeente.overtime_minutes, base.aanbieder.overtime_minutes):
        parts.append("geen overwerk om een deadline te halen")
    waves = [w.id for w in scenario.waves if w.assumed]
    if waves:
        parts.append(f"het volume van het extra verkeer ({', '.join(waves)})")
    parts.append("de gedragsprofielen (verwerkingstijden, naleving van deadlines, portaalgebruik)")
    return "; ".join(parts)


def _metric_rows(blocks: list[ScenarioBlock], names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for name in names:
        cells = []
        for b in blocks:
            m = b.summary["metrics"].get(name)
            if m is None:
                cells.append({"mean": "–", "ci": "", "range": "", "note": ""})
                continue
            ci = interval(floor_at_zero(name, m["ci_low"]), m["ci_high"]) if b.has_interval else ""
            cells.append({"mean": nl(m["mean"]), "ci": ci, "range": f"{nl(m['min'])} – {nl(m['max'])}",
                          "note": _precision(m) if b.has_interval else ""})
        rows.append({"name": name, "label": metric_label(name, _xml(blocks)), "cells": cells})
    return rows


def _proportion_rows(blocks: list[ScenarioBlock]) -> list[dict[str, Any]]:
    rows = []
    for key in PROPORTION_LABELS:
        cells = []
        for b in blocks:
            p = b.summary["proportions"].get(key)
            cells.append({"p": pct(p["p"]) if p else "–",
                          "ci": interval(p["ci_low"], p["ci_high"], percent=True) if p and b.has_interval else "",
                          "note": _precision(p, percent=True) if p and b.has_interval else ""})
        rows.append({"label": proportion_label(key, _xml(blocks)), "cells": cells})
    return rows


def _xml(blocks: list[ScenarioBlock]) -> bool:
    """Whether the messages were built and XSD-checked (not counting mode) in every block."""
    return all(bool(b.summary.get("xml", True)) for b in blocks)


def _breakdown_rows(blocks: list[ScenarioBlock], name: str) -> list[dict[str, Any]]:
    keys = sorted({k for b in blocks for k in b.summary["breakdowns"].get(name, {})})
    rows = []
    for key in keys:
        cells = []
        for b in blocks:
            m = b.summary["breakdowns"].get(name, {}).get(key)
            cells.append({"mean": nl(m["mean"]) if m else "0",
                          "ci": interval(max(0.0, m["ci_low"]), m["ci_high"]) if m and b.has_interval else ""})
        label = ACTOR_LABELS.get(key, key) if name == "broken_by_actor_type" else pair_label(key)
        rows.append({"key": label, "cells": cells})
    return rows


def _injection_rows(block: ScenarioBlock) -> list[dict[str, Any]]:
    rows = []
    specs = {spec.index: spec for spec in block.scenario.injections}
    for inj in block.summary.get("injections", []):
        spec = specs.get(inj.get("index"))
        took = inj["took_effect"]
        target = ", ".join(t for t in (ACTOR_LABELS.get(inj.get("actor", ""), inj.get("actor", "")) if inj.get("actor")
                                       else "", ACTOR_LABELS.get(inj.get("hub", ""), inj.get("hub", ""))
                                       if inj.get("hub") else "") if t) or "alle partijen"
        rows.append({
            "index": int(inj.get("index", 0)) + 1,  # numbered from 1 for the reader
            "kind": INJECTION_LABELS.get(inj.get("kind", ""), inj.get("kind", "")),
            "window": window(inj.get("start", ""), inj.get("end", ""), spec.start if spec else None,
                             spec.end if spec else None),
            "target": target,
            "share": pct(inj.get("share", 1.0)),
            "messages": inj.get("messages") or "alle",
            "took": pct(took["p"]) if not block.single_run else ("ja" if took["k"] else "nee"),
            "no_effect": took["k"] == 0,
            "actors": nl(inj.get("actors_touched_mean")),
            "touched": nl(inj.get("messages_touched_mean")),
            "note": (spec.toelichting or spec.note) if spec else inj.get("note", ""),
        })
    return rows


def _origin(p: Provenance, category: str) -> str:
    """The source of a row, or for an assumed row its Dutch reason (``waarom``).

    A scenario without ``waarom`` (the English ``why`` is not shown in the Dutch report) gets a pointer to the row
    in the scenario file instead.
    """
    if not p.assumed:
        return p.source
    if p.waarom.strip():
        return f"aangenomen: {p.waarom.strip()}"
    return f"aangenomen; de reden staat in het scenariobestand bij {p.id or category}"


def _draaiboek(blocks: list[ScenarioBlock]) -> list[dict[str, Any]]:
    def shape(b: ScenarioBlock) -> tuple[Any, ...]:
        s = b.scenario
        return (s.phases, s.go_live, s.deadlines, s.blocks, s.portals, s.batches, s.milestones)

    shown: list[dict[str, Any]] = []
    seen: list[tuple[Any, ...]] = []
    for b in blocks:
        if shape(b) in seen:
            continue
        seen.append(shape(b))
        rows = [{"when": span(r.start, r.end), "phase": r.phase, "what": r.what, "who": r.actor, "messages": ", ".join(r.messages),
                 "kind": "technisch" if r.kind == "technical" else "procedureel",
                 "source": _origin(r.provenance, r.category)}
                for r in timeline_rows(b.scenario)]
        gantt = plots.data_uri(plots.gantt_figure(b.scenario))
        shown.append({"label": b.label, "name": b.scenario.dutch_name, "gantt": gantt, "rows": rows,
                      "afgeleid": _drafts_of(b)})
    return shown


def _comparison(data: ReportData) -> dict[str, Any] | None:
    c = data.compare
    if c is None:
        return None
    rows = []
    few = int(c["n"]) < 2
    for name, m in c["metrics"].items():
        significant = not few and m["diff_ci_low"] is not None and (m["diff_ci_low"] > 0 or m["diff_ci_high"] < 0)
        rows.append({"name": name, "label": metric_label(name, bool(c.get("xml", True))), "a": nl(m["mean_a"]),
                     "b": nl(m["mean_b"]), "diff": signed(m["diff_mean"]),
                     "ci": "" if few else interval(m["diff_ci_low"], m["diff_ci_high"]),
                     "worse": pct(m["p_b_worse"]) if m["p_b_worse"] is not None else "–",
                     "direction": DIRECTION_LABELS.get(m["direction"], m["direction"]), "significant": significant,
                     "key": name in KEY_METRICS})
    broken = c["metrics"]["broken_pairs"]
    ci = interval(broken["diff_ci_low"], broken["diff_ci_high"])
    if few:
        text = (f"Met {c['n']} replicatie per scenario is geen interval te geven: scenario B geeft "
                f"{nl(broken['mean_b'])} gebroken berichtparen, scenario A {nl(broken['mean_a'])}. Draai meer "
                "replicaties om te zien of het verschil meer is dan toeval.")
    elif broken["diff_ci_low"] == broken["diff_ci_high"] == 0:
        text = f"Scenario B geeft op alle {c['n']} seeds precies evenveel gebroken berichtparen als scenario A."
    elif broken["diff_mean"] == 0:
        text = (f"Scenario B geeft gemiddeld evenveel gebroken berichtparen als scenario A (95%-interval van het "
                f"verschil B − A: {ci}); op {pct(broken['p_b_worse'])} van de seeds is B slechter, op "
                f"{pct(broken['p_b_lower'])} beter.")
    else:
        more = "meer" if broken["diff_mean"] > 0 else "minder"
        verdict = ("Het verschil is duidelijk: het interval bevat geen nul." if broken["diff_ci_low"] > 0
                   or broken["diff_ci_high"] < 0 else "Het interval bevat nul: het verschil kan toeval zijn.")
        text = (f"Scenario B geeft gemiddeld {nl(abs(broken['diff_mean']))} gebroken berichtparen {more} dan "
                f"scenario A (95%-interval van het verschil B − A: {ci}). {verdict} Op "
                f"{pct(broken['p_b_worse'])} van de seeds is B slechter dan A.")
    diffs = data.extra.get("broken_differences")
    return {"a": c["a"], "b": c["b"], "a_name": data.blocks[0].scenario.dutch_name,
            "b_name": data.blocks[1].scenario.dutch_name, "n": c["n"], "few": few, "text": text, "rows": rows,
            "histogram": plots.data_uri(plots.difference_figure(diffs)) if diffs else ""}


def _sweep(data: ReportData) -> dict[str, Any] | None:
    w = data.sweep
    if w is None:
        return None
    rows = []
    few = int(w["n"]) < 2
    for p in w["points"]:
        ok = p["status"] == "ok"
        rows.append({"parameter": vary_label(p["parameter"]), "value": p["label"], "ok": p["status"] == "ok",
                     "mean": nl(p["mean"]),
                     "ci": interval(floor_at_zero(w["metric"], p["ci_low"]), p["ci_high"]) if ok and not few else "",
                     "share": pct(p["p_gt_0"]), "diff": signed(p["diff_mean"]) if p["diff_mean"] is not None else "–",
                     "diff_ci": interval(p["diff_ci_low"], p["diff_ci_high"]) if ok and not few else "",
                     "reason": skip_reason(p["reason"]) if not ok else ""})
    text = ""
    if w["tornado"]:
        top = w["tornado"][0]
        text = (f"De grootste invloed op {metric_label(w['metric'], bool(w.get('xml', True))).lower()} heeft {vary_label(top['parameter'])}: "
                f"gemiddeld {nl(top['low_mean'])} bij {top['low_label']} en {nl(top['high_mean'])} bij "
                f"{top['high_label']}, tegen {nl(top['baseline_mean'])} in het basisscenario.")
    skipped = sum(1 for p in w["points"] if p["status"] != "ok")
    return {"metric": metric_label(w["metric"], bool(w.get("xml", True))), "n": w["n"], "few": few, "text": text,
            "rows": rows,
            "skipped": skipped, "skipped_words": plural(skipped, "variant is", "varianten zijn"),
            "varies": [{"name": vary_label(v["name"]), "raw": v["name"], "labels": ", ".join(v["labels"])}
                       for v in w["varies"]],
            "line": plots.data_uri(plots.sweep_line_figure(w)),
            "tornado": plots.data_uri(plots.tornado_figure(w)) if w["tornado"] else ""}


def _appendix(data: ReportData) -> dict[str, Any]:
    first = data.blocks[0].summary
    scenarios = [{"label": b.label, "id": b.summary["scenario"], "name": b.scenario.dutch_name,
                  "file": _file_name(b.summary["scenario_file"]), "sha256": b.summary.get("scenario_sha256") or "–",
                  "variant": b.summary.get("variant", "")} for b in data.blocks]
    n = first["n"]
    xml = "on" if first["xml"] else "off"
    first = {**first, "scenario_file": _file_name(first["scenario_file"])}
    if data.kind == "single":
        command = f"ketensim run {first['scenario_file']} --seed {first['seeds'][0]} --xml {xml}"
    elif data.kind == "compare":
        assert data.compare is not None
        command = (f"ketensim compare {_file_name(data.compare['a']['scenario_file'])} "
                   f"{_file_name(data.compare['b']['scenario_file'])} "
                   f"-n {n} --seed {first['root_seed']} --xml {xml}")
    elif data.kind == "sweep":
        assert data.sweep is not None
        varies = " ".join(f"--vary {v['name']}={','.join(v['labels'])}" for v in data.sweep["varies"])
        command = (f"ketensim sweep {first['scenario_file']} {varies} -n {n} --seed {first['root_seed']} "
                   f"--metric {data.sweep['metric']} --xml {xml}")
    elif data.kind == "sensitivity":
        command = (f"ketensim sensitivity {first['scenario_file']} -N {data.extra['sobol']['base_n']} "
                   f"--seed {first['root_seed']} --metric {data.extra['sobol']['metric']} --xml {xml}")
    elif data.kind == "optimize":
        o = data.extra["optimize"]
        command = (f"ketensim optimize {_file_name(o['scenario_file'])} --move {o['move']} --target "
                   f"\"{o['target']['text']}\" --confidence {o['confidence']} --step {o['step']} --steps {o['steps']} "
                   f"--riskier {o['riskier']} --batch {o['batch']} --max-replications {o['max_replications']} "
                   f"--seed {o['root_seed']} --xml {xml}")
    else:
        command = f"ketensim run {first['scenario_file']} -n {n} --seed {first['root_seed']} --xml {xml}"
    if data.kind == "sensitivity":  # every run of a Sobol sample has the same seed
        runs_label, seed_method = "Runs van de Sobol-steekproef", "één seed voor alle runs, afgeleid van de rootseed"
        seeds = sorted(set(first["seeds"]))
    else:
        runs_label = "Replicaties"
        seed_method = ("de seed van de run zelf" if data.kind == "single"
                       else f"afgeleid van de rootseed: {first['seed_method']}")
        seeds = first["seeds"]
    return {"version": first["ketensim_version"], "scenarios": scenarios, "n": n, "root_seed": first["root_seed"],
            "runs_label": runs_label, "seed_method": seed_method,
            "seeds": seeds, "xml": on_off(bool(first["xml"])),
            "command": command, "source": data.source.name}


def _file_name(path: str | None) -> str:
    """The scenario file as the report names it: its name only, never a path of the machine that ran it."""
    return Path(path).name if path else "–"


def build_context(data: ReportData) -> dict[str, Any]:
    """Everything the template prints, formatted in Dutch."""
    blocks = data.blocks
    all_metrics = list(blocks[0].summary["metrics"])
    breakdown = plots.breakdown_figure(blocks)
    title = {"compare": "Vergelijking van twee draaiboekscenario's", "sweep": "Gevoeligheidsanalyse",
             "single": "Eén simulatierun", "replications": "Verwachting over replicaties",
             "sensitivity": "Wat bepaalt de uitkomst?",
             "optimize": "Laatste veilige moment"}[data.kind]
    return {
        "kind": data.kind,
        "title": title,
        "scenario_name": blocks[0].scenario.dutch_name if data.kind != "compare" else
        f"{blocks[0].scenario.dutch_name} tegen {blocks[1].scenario.dutch_name}",
        "blocks": [{"label": b.label, "name": b.scenario.dutch_name, "single": not b.has_interval,
                    "spread": int(b.summary.get("n", 0)) >= 2 and not b.single_run} for b in blocks],
        "runs": _runs(blocks),
        "headlines": [_headline(b, data.kind) for b in blocks],
        "draaiboeken": _draaiboek(blocks),
        "timeline": plots.data_uri(plots.timeline_figure(blocks)),
        "breakdown": plots.data_uri(breakdown) if breakdown is not None else "",
        "by_pair": _breakdown_rows(blocks, "broken_by_pair"),
        "by_actor": _breakdown_rows(blocks, "broken_by_actor_type"),
        "injections": [{"label": b.label, "name": b.scenario.dutch_name, "rows": _injection_rows(b)}
                       for b in blocks],
        "key_metrics": _metric_rows(blocks, [m for m in KEY_METRICS if m in all_metrics]),
        "other_metrics": _metric_rows(blocks, [m for m in all_metrics if m not in KEY_METRICS]),
        "proportions": _proportion_rows(blocks),
        "comparison": _comparison(data),
        "sweep": _sweep(data),
        "robust": robust_section(data.compare, _xml(blocks)) if data.compare else None,
        "sobol": sobol_section(data.extra["sobol"], [_plain_spec(u) for u in blocks[0].scenario.uncertain])
        if data.kind == "sensitivity" else None,
        "optimum": optimum_section(data.extra.get("optimize")),
        "appendix": _appendix(data),
    }


_MAIN_FILE = {"compare": "compare.json", "sweep": "sweep.json", "replications": "summary.json",
              "single": "result.json", "sensitivity": "sobol.json",
              "optimize": "optimize.json"}


def _plain_spec(u: Any) -> dict[str, Any]:
    return dataclasses.asdict(u)


def render_report(folder: Path) -> str:
    """The HTML report of the output directory ``folder``."""
    data = load_output(folder)
    # the texts are drawn from the main file's figures: a value that does not fit names that file
    with reading(folder / _MAIN_FILE[data.kind]):
        context = build_context(data)
    return _environment().get_template("report.html.j2").render(**context)


def write_report(folder: Path, out: Path) -> Path:
    """Write the report of ``folder`` to ``out`` (UTF-8, atomically; its directory must exist)."""
    if not out.parent.is_dir():
        raise ReportInputError(f"{out}: directory {out.parent} does not exist; create it first")
    page = render_report(folder)
    try:
        atomic_write(out, page)
    except KetensimError:
        raise
    except OSError as err:
        raise ReportInputError(f"{out}: cannot write the report: {err.strerror or err}") from None
    return out
