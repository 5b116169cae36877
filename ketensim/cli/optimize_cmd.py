"""``ketensim optimize``: the latest safe instant of a draaiboek for a target, with its evidence.

The command parses options, builds the grid of candidate instants and calls
:func:`ketensim.experiment.optimize.optimize`; it prints every candidate that was tested or skipped
and the answer with the evidence at its neighbours, and writes the output files with ``--out``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ketensim.cli.options import overwrite_option
from ketensim.outdir import OutputTarget, output_target
from ketensim.scenario import load_scenario
from ketensim.scenario.model import Scenario
from ketensim.textutil import figure, table

if TYPE_CHECKING:
    from ketensim.experiment.moves import Candidate, Move
    from ketensim.experiment.targets import Target

__all__ = ["COMMANDS"]

_ANSWER = {"later": "latest", "earlier": "earliest"}


def _interval(kind: str, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "-"
    if kind == "probability":
        return f"{100 * low:.1f}% .. {100 * high:.1f}%"
    return f"{figure(low)} .. {figure(high)}"


def _estimate(kind: str, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{100 * value:.1f}%" if kind == "probability" else figure(value)


@click.command()
@click.argument("scenario_file", metavar="SCENARIO")
@click.option("--move", "move_name", required=True, metavar="INSTANT",
              help="The instant to move: heen_block, retour_block, go_live, deadline:<id>, or gap (the heen block "
                   "moves, the retour block stays; the answer is the smallest safe gap).")
@click.option("--target", "target_text", required=True, metavar="TARGET",
              help="What must hold: 'P(METRIC > X) <= P' (P as 0.05 or 5%) or 'METRIC <= X' (a mean); also >=, <, >.")
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="Confidence of each verdict (over all looks at a candidate together).")
@click.option("--step", "step_text", default="1d", show_default=True,
              help="Grid step: Nd = N working days at the same clock time, Nh = N working hours of the office day.")
@click.option("--steps", type=click.IntRange(1, 60), default=10, show_default=True,
              help="Candidates on each side of the scenario's own instant.")
@click.option("--riskier", type=click.Choice(["later", "earlier"]), default=None,
              help="The direction in which the target gets harder to meet [default: later for heen_block, "
                   "deadline:<id> and gap; earlier for retour_block and go_live].")
@click.option("--batch", type=click.IntRange(min=2), default=20, show_default=True,
              help="Replications added to a candidate per look.")
@click.option("--max-replications", "cap", type=click.IntRange(min=2), default=200, show_default=True,
              help="At most this many replications per candidate; still undecided there counts as not safe.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all local cores]; results do not depend on it.")
@click.option("--seed", "root_seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Root seed; every candidate runs on the same seeds spawned from it.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for optimize.json, optimize.csv, optimize_replications.csv and answer/.")
@overwrite_option
@click.option("--xml", type=click.Choice(["on", "off"]), default="off", show_default=True,
              help="Build and XSD-validate every message (off: counting mode, as for sweeps).")
def optimize(scenario_file: str, move_name: str, target_text: str, confidence: float, step_text: str, steps: int,
             riskier: str | None, batch: int, cap: int, workers: int | None, root_seed: int, out: Path | None,
             overwrite: bool, xml: str) -> None:
    """Find the latest instant of a draaiboek row that still meets a target (or the earliest, see --riskier).

    Tests candidate instants on a grid of working time around the scenario's own instant, all on the
    same seeds, adding replications in batches until an interval decides; bisects assuming the target
    gets harder to meet as the instant moves the riskier way. Candidates that break a draaiboek rule
    are skipped with the reason.

    \b
    Example:
        ketensim optimize 2022-3.0-3.1 --move heen_block --target "P(broken_pairs > 0) <= 0.05"
        ketensim optimize my.toml --move gap --target "broken_pairs <= 2" --step 4h --out out/opt
    """
    from ketensim.experiment.moves import candidates, parse_move, parse_step
    from ketensim.experiment.targets import parse_target

    scenario = load_scenario(scenario_file)
    try:
        target = parse_target(target_text)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--target") from None
    try:
        move = parse_move(move_name, scenario, riskier)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--move") from None
    try:
        step = parse_step(step_text)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--step") from None
    if cap < batch:
        raise click.BadParameter(f"{cap} is below --batch {batch}; expected room for at least one batch",
                                 param_hint="--max-replications")
    grid = candidates(scenario, move, steps, step)
    with output_target(out, overwrite) as target_dir:
        _optimize(scenario, move, target, grid, confidence, step_text, steps, batch, cap, workers, root_seed, xml,
                  target_dir)


def _optimize(scenario: Scenario, move: Move, target: Target, grid: list[Candidate], confidence: float,
              step_text: str, steps: int, batch: int, cap: int, workers: int | None, root_seed: int, xml: str,
              target_dir: OutputTarget | None) -> None:
    from ketensim.experiment.engine import default_workers
    from ketensim.experiment.optimize import optimize as run_optimize
    from ketensim.experiment.targets import look_confidence, max_looks
    from ketensim.timeline import format_local

    used = max(1, min(workers or default_workers(), batch))
    usable = sum(1 for c in grid if c.scenario is not None)
    click.echo(f"{scenario.name}  [{scenario.id}]  move {move.name} (now {format_local(move.baseline)})  "
               f"target {target.text}")
    click.echo(f"{usable} candidates ({len(grid) - usable} skipped), step {step_text}, {move.riskier} is riskier  "
               f"confidence {confidence:.0%}  batches of {batch} up to {cap}  root seed {root_seed}  workers {used}  "
               f"xml {xml}")
    started = time.perf_counter()
    result = run_optimize(scenario, move, target, grid, confidence=confidence, step=step_text, batch=batch, cap=cap,
                          root_seed=root_seed, workers=used, xml=xml == "on", steps=steps)
    click.echo(f"simulated in {time.perf_counter() - started:.1f} s")
    click.echo("")
    gap = move.name == "gap"
    rows = []
    for group in _runs([r for r in result.records() if r["status"] != "not tested"]):
        r = group[0]
        if r["status"] == "skipped":
            label = r["label"] if len(group) == 1 else f"{r['label']} .. {group[-1]['label']} ({len(group)})"
            rows.append([label, *(["-"] if gap else []), "skipped", "-", "-", "-", "skipped: " + r["reason"]])
            continue
        row = [r["label"], *([figure(r["gap_hours"]) + "h"] if gap else []), r["status"],
               _estimate(target.kind, r["estimate"]), _interval(target.kind, r["ci_low"], r["ci_high"]),
               "-" if r["n"] is None else str(r["n"]), "<- answer" if r["answer"] else ""]
        rows.append(row)
    estimate = "P" if target.kind == "probability" else "mean"
    header = ["instant", *(["gap"] if gap else []), "verdict", estimate, "interval", "n", "note"]
    click.echo(table(header, rows, wrap={len(header) - 1: 60}))
    click.echo("")
    word = _ANSWER[move.riskier]
    answer = result.answer_tested
    if answer is None:
        safest = next((t.candidate.label for t in result.tested if t.evidence is not None), "none")
        click.echo(f"no {move.name} instant in the range meets {target.text} with {confidence:.0%} confidence "
                   f"(the safest one tested: {safest})")
    else:
        what = f"smallest safe gap: {figure(result.gap_hours(answer))} h (heen block " if gap else \
            f"{word} safe {move.name}: "
        click.echo(f"{what}{answer.candidate.label}{')' if gap else ''}, meets {target.text} with "
                   f"{confidence:.0%} confidence")
        if result.status == "whole_range_safe":
            click.echo(f"  that is the {word} instant searched: the whole range meets the target; widen --steps "
                       "to look further")
    evidence = [t for t in result.neighbours() if t is not answer]
    for t in evidence:
        e = t.evidence
        assert e is not None
        click.echo(f"  evidence at {t.candidate.label}: {t.verdict}, {estimate} {_estimate(target.kind, e.estimate)} "
                   f"({_interval(target.kind, e.ci_low, e.ci_high)}, n = {e.n})")
    click.echo(f"monotonicity assumed: moving {move.name} {move.riskier} never makes the target easier to meet")
    click.echo(f"{result.replications} replications in total, every candidate on the same seeds (each look at "
               f"{100 * look_confidence(confidence, max_looks(batch, cap)):.2f}% confidence, Bonferroni over the "
               f"{max_looks(batch, cap)} look{'s' if max_looks(batch, cap) > 1 else ''} a candidate may get)")
    if target_dir is not None:
        written = result.write(target_dir.stage)
        target_dir.commit()
        click.echo("")
        shown = result.shown()
        where = "" if shown is None else (f" ({shown[0]}/ holds the replications at "
                                          f"{'the answer' if shown[0] == 'answer' else 'the safest instant tested'})")
        top = sorted(p.name for p in written if p.parent == target_dir.stage)
        click.echo(f"wrote {', '.join(top)} to {target_dir.out}{where}")


def _runs(records: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive skipped candidates that break the same rule (the same row) as one group; others alone."""
    groups: list[list[dict[str, Any]]] = []
    for r in records:
        last = groups[-1][-1] if groups else None
        if (last is not None and r["status"] == last["status"] == "skipped"
                and r["reason"].split(": ")[0] == last["reason"].split(": ")[0]):
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


COMMANDS = [optimize]
