"""``ketensim compare``, ``ketensim sweep`` and ``ketensim report``; and ``run -n`` (replications).

The commands only parse options, call :mod:`ketensim.experiment` / :mod:`ketensim.report` and
print tables; ``run_replications_cli`` is what ``ketensim run`` calls when ``-n`` is above 1.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ketensim.cli.executor_options import executor_header, executor_options
from ketensim.cli.options import Replications, auto_options, auto_settings, overwrite_option
from ketensim.cli.uncertainty_cmd import robust_text
from ketensim.experiment.executors import ExecutorSpec
from ketensim.experiment.fields import METRICS
from ketensim.outdir import OutputTarget, atomic_open, output_target, write_marker
from ketensim.scenario import load_scenario
from ketensim.scenario.model import Scenario
from ketensim.textutil import figure, table

if TYPE_CHECKING:
    from ketensim.experiment.adaptive import Auto, Stopping

__all__ = ["COMMANDS", "run_replications_cli"]

COUNTING_LABELS = {
    "rejected_by_xsd": "heen refused technically (corrupt; --xml off: no XSD check)",
    "rejected_by_rules": "heen refused technically (rule corruption; --xml off: no rule check)",
    "outcome_retour_refused": "retour refused technically (new release; corrupt)",
}

_KEY_ROWS: tuple[tuple[str, str], ...] = (
    ("broken_pairs", "broken pairs (gebroken berichtparen)"),
    ("broken_unread_heen", "  of which heen unread when the read-in window closed"),
    ("outcome_closed_in_time", "closed in time"),
    ("outcome_closed_after_deadline", "closed after the procedural deadline"),
    ("outcome_unread_at_transition", "retour unread at the transition"),
    ("forbidden_cross_release_answers", "answers forced outside the berichtenverkeer"),
    ("rejected_at_block", "heen rejected at a block / wrong release"),
    ("rejected_by_xsd", "heen rejected by the XSD check"),
    ("rejected_by_rules", "heen rejected by the business rules"),
    ("resent_after_go_live", "resent after go-live"),
    ("outcome_rejected_resent", "rejected and resent"),
    ("outcome_rejected_not_resent", "rejected and not resent"),
    ("outcome_held_at_end", "held by the sender at the end"),
    ("outcome_open_at_end", "open at the end (new release, awaiting its retour)"),
    ("outcome_retour_refused", "retour refused (new release)"),
    ("spoed_cases", "spoed cases"),
    ("backlog_peak_after_go_live", "backlog peak after go-live (messages)"),
    ("backlog_drain_hours", "backlog back to normal after go-live (hours)"),
    ("pairs", "pairs"),
)


def _ci(metric: str, low: float | None, high: float | None, n: int) -> str:
    """A 95% interval as the report shows it: none below two replications, counts never below zero."""
    from ketensim.report.texts import floor_at_zero

    if n < 2 or low is None or high is None:
        return "-"
    return f"{figure(floor_at_zero(metric, low))} .. {figure(high)}"


def _signed(value: float) -> str:
    text = figure(value)
    return text if text == "0" or text.startswith("-") else f"+{text}"


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{100 * p:.1f}%"


def _labels(xml: bool) -> dict[str, str]:
    """The row labels; in counting mode (no XML) a corrupt message is a technical refusal, not an XSD finding."""
    labels = dict(_KEY_ROWS)
    if not xml:
        labels.update(COUNTING_LABELS)
    return labels


def _workers(workers: int | None, n: int) -> int:
    from ketensim.experiment.engine import default_workers

    return max(1, min(workers or default_workers(), n))


def _how_many(n: int, auto: Auto | None) -> str:
    return f"{n} replications" if auto is None else f"-n auto (batches of {auto.batch}, at most {auto.cap})"


def _stopped(stop: Stopping | None, target: OutputTarget | None) -> None:
    """Say why ``-n auto`` stopped; write stopping.json next to the results."""
    if stop is None:
        return
    click.echo(stop.line())
    if target is not None:
        from ketensim.experiment.files import write_json

        target.stage.mkdir(parents=True, exist_ok=True)
        write_json(target.stage / "stopping.json", stop.as_dict())


def run_replications_cli(scenario: Scenario, n: int, workers: int | None, root_seed: int,
                         target: OutputTarget | None, xml: bool, auto: Auto | None = None,
                         executor: ExecutorSpec = ExecutorSpec()) -> None:
    """Run ``n`` replications (or as many as ``auto`` needs), print the summary, write the outputs to ``target``."""
    from ketensim.experiment.adaptive import replicate_auto
    from ketensim.experiment.replication import replicate

    used = _workers(workers, n if auto is None else auto.batch)
    click.echo(f"{scenario.name}  [{scenario.id}]  {_how_many(n, auto)}  root seed {root_seed}  "
               f"{executor_header(executor, workers, used)}  "
               f"xml {'on' if xml else 'off'}")
    started = time.perf_counter()
    stop = None
    if auto is None:
        e = replicate(scenario, n, root_seed=root_seed, workers=used, xml=xml, executor=executor)
    else:
        e, stop = replicate_auto(scenario, auto.specs, [m for m, _ in _KEY_ROWS], root_seed=root_seed, workers=used,
                                 xml=xml, executor=executor, **auto.kwargs())
        n = e.n
    click.echo(f"simulated in {time.perf_counter() - started:.1f} s")
    _stopped(stop, target)
    click.echo("")
    summary = e.summary()
    labels = _labels(xml)
    rows = [[labels[m], figure(summary[m].mean), _ci(m, summary[m].ci_low, summary[m].ci_high, n),
             figure(summary[m].min), figure(summary[m].max)] for m, _ in _KEY_ROWS if m in summary]
    click.echo(table(["metric", "mean", "95% CI", "min", "max"], rows))
    share = e.proportions().get("broken_pairs_gt_0")
    if share is not None:
        click.echo("")
        wilson = f"95% Wilson {_pct(share.ci_low)} .. {_pct(share.ci_high)}; " if n >= 2 else ""
        click.echo(f"P(broken pairs > 0) = {_pct(share.p)} ({wilson}{share.k} of {share.n} replications)")
    notes = [f"  {m}: {summary[m].note}" for m, _ in _KEY_ROWS if m in summary and summary[m].note]
    if share is not None and share.note:
        notes.append(f"  P(broken pairs > 0): {share.note}")
    if notes:
        click.echo("precision:")
        click.echo("\n".join(notes))
    by_pair = e.breakdowns()["broken_by_pair"]
    if by_pair:
        click.echo("mean broken per message pair: " + ", ".join(f"{k}: {figure(v.mean)}" for k, v in by_pair.items()))
    for inj in e.injections():
        took = inj["took_effect"]
        flag = "" if took["k"] else "  <-- touched nothing"
        click.echo(f"injection {inj['index']} {inj['kind']}: took effect in {took['k']} of {took['n']} replications, "
                   f"{figure(inj.get('actors_touched_mean'))} actors, {figure(inj.get('messages_touched_mean'))} messages "
                   f"(mean){flag}")
    if target is not None:
        written = e.write(target.stage)
        if stop is not None:
            written.append(target.stage / "stopping.json")
            write_marker(target.stage, "replications")  # again, so that it lists stopping.json
        target.commit()
        click.echo("")
        click.echo(f"wrote {', '.join(p.name for p in written)} to {target.out}")


def _n(default: int) -> Any:
    return click.option("-n", "n", type=Replications(), default=default, show_default=True,
                        help="Replications per scenario (or per sweep point), or auto: add batches until every "
                             "reported interval meets its target (--precision) or --max-replications is reached.")


_workers_opt = click.option("--workers", type=click.IntRange(min=1), default=None,
                            help="Worker processes [default: all local cores] (with --executor dask: of the local "
                                 "cluster); results do not depend on it.")
_seed = click.option("--seed", "root_seed", type=click.IntRange(min=0), default=1, show_default=True,
                     help="Root seed; replication seeds are spawned from it (numpy SeedSequence).")


@click.command()
@click.argument("scenario_a", metavar="A")
@click.argument("scenario_b", metavar="B")
@_n(200)
@_workers_opt
@executor_options
@_seed
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for compare.json, compare.csv and the replications of A/ and B/.")
@overwrite_option
@click.option("--xml", type=click.Choice(["on", "off"]), default="off", show_default=True,
              help="Build and XSD-validate every message (off: counting mode, as for sweeps; a corrupt message is "
                   "then a technical refusal).")
@auto_options
def compare(scenario_a: str, scenario_b: str, n: int | str, workers: int | None, executor: ExecutorSpec,
            root_seed: int, out: Path | None,
            overwrite: bool, xml: str, precision: tuple[str, ...], batch: int | None,
            max_replications: int | None) -> None:
    """Compare scenario B with scenario A on the same replication seeds (common random numbers).

    Prints, per metric, the paired difference B - A with its 95% interval and the share of seeds on
    which B is worse; then, for broken pairs, P(B better than A) over the joint draws of seeds and
    uncertain parameters, whether the verdict is robust (one side better in at least 95% of the
    draws) and which parameter flips it beyond which value. A and B are scenario files or bundled
    scenario names.

    \b
    Example:
        ketensim compare 2022-3.0-3.1 my-later-retour-block.toml -n 200 --out out/cmp
        ketensim report out/cmp -o cmp.html
    """

    auto = auto_settings(n, precision, batch, max_replications)
    a, b = load_scenario(scenario_a), load_scenario(scenario_b)
    with output_target(out, overwrite) as target:
        _compare(a, b, 0 if auto else int(n), workers, root_seed, target, xml, auto, executor)


def _compare(a: Scenario, b: Scenario, n: int, workers: int | None, root_seed: int, target: OutputTarget | None,
             xml: str, auto: Auto | None = None, executor: ExecutorSpec = ExecutorSpec()) -> None:
    from ketensim.experiment.adaptive import compare_auto
    from ketensim.experiment.comparison import compare as run_compare

    used = _workers(workers, 2 * (n if auto is None else auto.batch))
    click.echo(f"A: {a.name}  [{a.id}]")
    click.echo(f"B: {b.name}  [{b.id}]")
    click.echo(f"{_how_many(n, auto)} each on the same seeds  root seed {root_seed}  "
               f"{executor_header(executor, workers, used)}  xml {xml}")
    started = time.perf_counter()
    stop = None
    if auto is None:
        c = run_compare(a, b, n, root_seed=root_seed, workers=used, xml=xml == "on", executor=executor)
    else:
        c, stop = compare_auto(a, b, auto.specs, [m for m, _ in _KEY_ROWS], root_seed=root_seed, workers=used,
                               xml=xml == "on", executor=executor, **auto.kwargs())
        n = c.n
    click.echo(f"simulated in {time.perf_counter() - started:.1f} s")
    _stopped(stop, target)
    click.echo("")
    diffs = c.differences()
    rows = []
    labels = _labels(xml == "on")
    for m, _ in _KEY_ROWS:
        if m not in diffs:
            continue
        d = diffs[m]
        worse = "-" if d.p_b_worse is None else _pct(d.p_b_worse.p)
        # a difference can be negative: its interval is not floored
        paired = (f"{figure(d.difference.ci_low)} .. {figure(d.difference.ci_high)}" if n >= 2 else "-")
        rows.append([labels[m], figure(d.mean_a), figure(d.mean_b), _signed(d.difference.mean), paired, worse])
    click.echo(table(["metric", "A", "B", "B - A", "95% CI (paired)", "P(B worse)"], rows))
    click.echo("")
    click.echo(robust_text(c.robustness()))
    if target is not None:
        written = c.write(target.stage)
        if stop is not None:
            written.append(target.stage / "stopping.json")
            write_marker(target.stage, "compare")  # again, so that it lists stopping.json
        target.commit()
        click.echo("")
        click.echo(f"wrote {', '.join(sorted({p.name for p in written}))} to {target.out} (A/ and B/ hold the "
                   "replications)")


@click.command()
@click.argument("scenario_file", metavar="SCENARIO")
@click.option("--vary", "varies", multiple=True, required=True, metavar="NAME=VALUES",
              help="What to vary and its values (lo:hi:step, a,b,c or one value); repeat for more. NAME: heen_block, "
                   "retour_block, go_live, block:<id>, deadline:<id>, portal:<id> (offsets like 6h, -30m, 1d), or a "
                   "dotted parameter path such as behaviour.aanbieder.retour_hours.median or population.clients.")
@_n(50)
@_workers_opt
@executor_options
@_seed
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for sweep.json, sweep.csv, sweep_replications.csv, the charts and baseline/.")
@overwrite_option
@click.option("--metric", type=click.Choice(METRICS), default="broken_pairs", show_default=True,
              help="The metric the charts and table show.")
@click.option("--xml", type=click.Choice(["on", "off"]), default="off", show_default=True,
              help="Build and XSD-validate every message (off: counting mode, as for comparisons; a corrupt message "
                   "is then a technical refusal).")
@auto_options
def sweep(scenario_file: str, varies: tuple[str, ...], n: int | str, workers: int | None, executor: ExecutorSpec,
          root_seed: int,
          out: Path | None, overwrite: bool, metric: str, xml: str, precision: tuple[str, ...], batch: int | None,
          max_replications: int | None) -> None:
    """One-at-a-time sensitivity: vary one draaiboek instant or parameter at a time around SCENARIO.

    Every value runs -n replications on the same seeds as the baseline. Variants that
    break a draaiboek rule (a deadline after its block, a block after go-live) are skipped with the
    reason. With --out, also draws sweep_line.png and sweep_tornado.png.

    \b
    Example:
        ketensim sweep 2022-3.0-3.1 --vary retour_block=0h:48h:6h -n 50 --out out/sweep
        ketensim sweep 2022-3.0-3.1 --vary heen_block=-24h:0h:6h \\
            --vary behaviour.aanbieder.retour_hours.median=1:8:1 -n 50 --out out/sweep
    """
    from ketensim.experiment.variants import parse_vary

    scenario = load_scenario(scenario_file)
    try:
        parsed = [parse_vary(v, scenario) for v in varies]
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--vary") from None
    auto = auto_settings(n, precision, batch, max_replications, metric)
    with output_target(out, overwrite) as target:
        _sweep(scenario, parsed, 0 if auto else int(n), workers, root_seed, target, metric, xml, auto, executor)


def _sweep(scenario: Scenario, parsed: list[Any], n: int, workers: int | None, root_seed: int,
           target: OutputTarget | None, metric: str, xml: str, auto: Auto | None = None,
           executor: ExecutorSpec = ExecutorSpec()) -> None:
    from ketensim.experiment.adaptive import sweep_auto
    from ketensim.experiment.sensitivity import sweep as run_sweep

    points = sum(len(v.values) for v in parsed)
    used = _workers(workers, (n if auto is None else auto.batch) * (points + 1))
    click.echo(f"{scenario.name}  [{scenario.id}]  {points} points + baseline, {_how_many(n, auto)} each  "
               f"root seed {root_seed}  {executor_header(executor, workers, used)}  xml {xml}")
    started = time.perf_counter()
    stop = None
    if auto is None:
        result = run_sweep(scenario, parsed, n, root_seed=root_seed, workers=used, xml=xml == "on", metric=metric,
                           executor=executor)
    else:
        result, stop = sweep_auto(scenario, parsed, auto.specs, root_seed=root_seed, workers=used, xml=xml == "on",
                                  metric=metric, executor=executor, **auto.kwargs())
        n = result.baseline.n
    click.echo(f"simulated in {time.perf_counter() - started:.1f} s")
    _stopped(stop, target)
    click.echo("")
    base = result.summary_dict()["baseline"]
    click.echo(f"baseline {metric}: mean {figure(base['mean'])} (95% CI {_ci(metric, base['ci_low'], base['ci_high'], n)})")
    rows = []
    for r in result.records():
        if r["status"] == "ok":
            rows.append([r["parameter"], r["label"], figure(r["mean"]), _ci(metric, r["ci_low"], r["ci_high"], n),
                         _pct(r["p_gt_0"]), _signed(r["diff_mean"]), ""])
        else:
            rows.append([r["parameter"], r["label"], "-", "-", "-", "-", "skipped: " + r["reason"]])
    click.echo(table(["parameter", "value", "mean", "95% CI", "P(>0)", "vs baseline", "note"], rows, wrap={6: 60}))
    if target is not None:
        written = result.write(target.stage)
        written += _sweep_charts(result.summary_dict(), target.stage)
        if stop is not None:
            written.append(target.stage / "stopping.json")
        write_marker(target.stage, "sweep")  # again, now that the charts (and stopping.json) are there
        target.commit()
        click.echo("")
        click.echo(f"wrote {', '.join(sorted({p.name for p in written}))} to {target.out} (baseline/ holds its "
                   "replications)")


def _sweep_charts(data: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib.pyplot as plt

    from ketensim.report.plots import sweep_line_figure, tornado_figure

    written = []
    for name, draw in (("sweep_line.png", sweep_line_figure), ("sweep_tornado.png", tornado_figure)):
        if name == "sweep_tornado.png" and not data["tornado"]:
            continue
        fig = draw(data)
        try:
            with atomic_open(out / name, "wb") as handle:
                fig.savefig(handle, format="png", dpi=110, metadata={"Software": None})
        finally:
            plt.close(fig)
        written.append(out / name)
    return written


@click.command()
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The HTML file to write [default: OUTPUT_DIR/report.html].")
def report(output_dir: Path, output: Path | None) -> None:
    """Write a self-contained Dutch HTML report for the stuurgroep from an output directory.

    OUTPUT_DIR is what `ketensim run --out`, `run -n --out`, `compare --out`, `sweep --out` or
    `sensitivity --out` wrote. The page embeds its charts and opens offline.

    \b
    Example:
        ketensim run 2022-3.0-3.1 -n 200 --out out/2022
        ketensim report out/2022 -o rapport-2022.html
    """
    from ketensim.report import write_report

    target = output or output_dir / "report.html"
    if not target.parent.is_dir():
        problem = "is not a directory" if target.parent.exists() else "does not exist"
        raise click.BadParameter(f"directory {target.parent} {problem}", param_hint="--output")
    write_report(output_dir, target)
    click.echo(f"wrote {target} ({target.stat().st_size / 1024:.0f} KiB)")


COMMANDS = [compare, sweep, report]
