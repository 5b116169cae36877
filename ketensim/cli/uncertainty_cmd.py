"""``ketensim sensitivity`` (Sobol indices over the uncertain parameters) and the robustness lines of ``compare``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from ketensim.cli.options import overwrite_option
from ketensim.experiment.fields import METRICS
from ketensim.experiment.robust import ROBUST_SHARE, Robustness, Split
from ketensim.outdir import output_target
from ketensim.scenario import load_scenario
from ketensim.textutil import figure, table

__all__ = ["COMMANDS", "robust_text"]


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{100 * p:.1f}%"


def _signed(value: float) -> str:
    text = figure(value)
    return text if text == "0" or text.startswith("-") else f"+{text}"


def robust_text(r: Robustness) -> str:
    """What ``compare`` prints about the robustness of the headline metric."""
    share = f"{ROBUST_SHARE:.0%}"
    lines = [f"robust? {r.metric} over {r.over}, {r.n} joint draws:"]
    interval = (f" (95% Wilson over replications {_pct(r.better.ci_low)} .. {_pct(r.better.ci_high)})"
                if r.n >= 2 else "")
    lines.append(f"  P(B better than A) = {_pct(r.better.p)}{interval}; P(B worse) = {_pct(r.worse.p)}; "
                 f"equal in {_pct(1 - r.better.p - r.worse.p)}")
    if r.verdict == "too_few":
        lines.append("  verdict: none (one replication cannot show how the draws vary; run -n 2 or more)")
    elif r.verdict == "none":
        lines.append(f"  verdict: no robust difference (neither is better in at least {share} of the draws)")
    else:
        who = "B" if r.verdict == "b_better" else "A"
        lines.append(f"  verdict: {who} better in at least {share} of the draws (robust)"
                     + ("" if r.confirmed else f"; the interval does not yet exclude less than {share}: run more"))
    flipping = r.flipping()
    if not r.parameters:
        lines.append("  no uncertain parameters: nothing to flip the verdict but the seeds")
    elif not flipping:
        lines.append("  no parameter flips the sign of B - A on one side of a threshold")
        if r.splits:
            lines.append(_split_line("B - A varies most with", r.splits[0]))
    for s in flipping:
        lines.append(_split_line("flips with", s))
    return "\n".join(lines)


def _split_line(what: str, s: Split) -> str:
    return (f"  {what} {s.parameter}: below {figure(s.threshold)} B - A = {_signed(s.below_mean)} "
            f"(B better in {_pct(s.below_b_better)} of {s.below_n}), above: {_signed(s.above_mean)} "
            f"(B better in {_pct(s.above_b_better)} of {s.above_n}); explains {_pct(s.gain)} of the spread")


def _power_of_two(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if value < 2 or value & (value - 1):
        raise click.BadParameter(f"{value} is not a power of two; expected 2, 4, 8, ... (Sobol' sequences "
                                 "are balanced only at powers of two)")
    return value


@click.command()
@click.argument("scenario_file", metavar="SCENARIO")
@click.option("-N", "base_n", type=int, default=64, show_default=True, callback=_power_of_two,
              help="Base sample size (a power of two); runs N x (parameters + 2) parameter sets.")
@click.option("--seed", "root_seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Root seed: scrambles the Sobol' sample and gives the one replication seed every set runs on.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: all local cores]; results do not depend on it.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for sobol.json, sobol.csv and runs/ (every parameter set and its outcome).")
@overwrite_option
@click.option("--metric", type=click.Choice(METRICS), default="broken_pairs", show_default=True,
              help="The metric whose variance is decomposed.")
@click.option("--xml", type=click.Choice(["on", "off"]), default="off", show_default=True,
              help="Build and XSD-validate every message (off: counting mode).")
def sensitivity(scenario_file: str, base_n: int, root_seed: int, workers: int | None, out: Path | None,
                overwrite: bool, metric: str, xml: str) -> None:
    """What drives the outcome: Sobol indices of a metric over SCENARIO's uncertain parameters.

    Every parameter written as a range varies over it together with the others; S1 is the share of
    the metric's variance a parameter explains alone, ST with its interactions (95% bootstrap
    intervals). All sets run on one replication seed, so the seeds' own noise is held fixed.

    \b
    Example:
        ketensim sensitivity my-uncertain.toml -N 64 --out out/sobol
        ketensim report out/sobol -o wat-bepaalt.html
    """
    from ketensim.experiment.sobol import SMALL_N, require_uncertain, sobol

    scenario = load_scenario(scenario_file)
    require_uncertain(scenario)
    count = len(scenario.uncertain)
    runs = base_n * (count + 2)
    used = max(1, min(workers or _cores(), runs))
    click.echo(f"{scenario.name}  [{scenario.id}]  {count} uncertain parameters, N {base_n}: {runs} runs  "
               f"root seed {root_seed}  workers {used}  xml {xml}")
    with output_target(out, overwrite) as target:
        started = time.perf_counter()
        result = sobol(scenario, base_n, root_seed=root_seed, workers=used, xml=xml == "on", metric=metric)
        click.echo(f"simulated in {time.perf_counter() - started:.1f} s")
        click.echo("")
        data = result.summary_dict()
        click.echo(f"{metric}: mean {figure(data['mean'])}, variance {figure(data['variance'])} over the sample")
        if data["variance"] == 0:
            click.echo("the metric is the same in every run: no parameter drives it (no indices)")
        rows = [[r["parameter"], r["range"], _index(r, "S1"), _index(r, "ST")] for r in data["indices"]]
        click.echo(table(["parameter", "range", "S1 (alone) 95% CI", "ST (total) 95% CI"], rows))
        if base_n < SMALL_N and data["variance"] != 0:
            click.echo(f"N {base_n} is small: these indices are rough estimates and can fall below 0 or above 1 "
                       f"by chance; -N {SMALL_N} or more narrows them")
        if target is not None:
            written = result.write(target.stage)
            target.commit()
            click.echo("")
            click.echo(f"wrote {', '.join(sorted({p.name for p in written if p.parent == target.stage}))} to "
                       f"{target.out} (runs/ holds every parameter set and its outcome)")


def _index(r: dict[str, float | None], key: str) -> str:
    value, low, high = r[key], r[f"{key}_ci_low"], r[f"{key}_ci_high"]
    if value is None:
        return "-"
    interval = "" if low is None or high is None else f" ({low:.2f} .. {high:.2f})"
    return f"{value:.2f}{interval}"


def _cores() -> int:
    from ketensim.experiment.engine import default_workers

    return default_workers()


COMMANDS = [sensitivity]
