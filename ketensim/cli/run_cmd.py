"""``ketensim run``: simulate a scenario and write the pair ledger and summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ketensim.cli.executor_options import executor_options
from ketensim.cli.options import Replications, auto_options, auto_settings, overwrite_option
from ketensim.experiment.executors import ExecutorSpec
from ketensim.outdir import OutputTarget, output_target
from ketensim.scenario import load_scenario
from ketensim.scenario.model import Scenario
from ketensim.textutil import table

if TYPE_CHECKING:
    from ketensim.experiment.adaptive import Auto

__all__ = ["COMMANDS"]


@click.command()
@click.argument("scenario_file", metavar="SCENARIO")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Seed of the run's random streams; with -n > 1 the root seed the replication seeds are spawned from.")
@click.option("-n", "n", type=Replications(), default=1, show_default=True,
              help="Replications; above 1: independent seeds spawned from --seed, means with 95% intervals; auto: "
                   "add batches until every reported interval meets its target (--precision) or the cap.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes for -n > 1 [default: all cores]; results do not depend on it.")
@executor_options
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory for result.json, pairs.csv, messages.csv, answers.csv, backlog.csv "
                   "(with -n > 1: replications.csv, summary.json, summary.csv and the series).")
@overwrite_option
@click.option("--xml", "xml", type=click.Choice(["on", "off"]), default="on", show_default=True,
              help="Build, serialize and XSD-validate every message (off: counting mode, for sweeps).")
@click.option("--keep-xml", is_flag=True, help="Also write every message as an XML file under OUT/xml/.")
@click.option("--xml-worker", "xml_worker", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
              help="Build and validate the XML in a second process while the chain is simulated (auto: when two "
                   "cores and fork are available; single runs only). Results do not depend on it.")
@auto_options
def run(scenario_file: str, seed: int, n: int | str, workers: int | None, executor: ExecutorSpec,
        out: Path | None, overwrite: bool, xml: str,
        keep_xml: bool, xml_worker: str, precision: tuple[str, ...], batch: int | None,
        max_replications: int | None) -> None:
    """Simulate the chain through a draaiboek and count the message pairs that break.

    SCENARIO is a scenario file or the name of a bundled one (`ketensim scenario list`).
    Prints a summary; with --out, writes the full ledger.

    \b
    Example:
        ketensim run 2022-3.0-3.1 --seed 7 --out out/2022
        ketensim run my-draaiboek.toml --xml off
        ketensim run 2022-3.0-3.1 -n 200 --workers 2 --out out/2022-n200
        ketensim run 2022-3.0-3.1 -n auto --precision 0.5 --xml off
    """
    auto = auto_settings(n, precision, batch, max_replications)
    many = auto is not None or int(n) > 1
    if keep_xml and xml == "off":
        raise click.BadParameter("--keep-xml needs --xml on", param_hint="--keep-xml")
    if keep_xml and out is None:
        raise click.BadParameter("--keep-xml needs --out DIR", param_hint="--keep-xml")
    if xml_worker == "on" and xml == "off":
        raise click.BadParameter("--xml-worker on needs --xml on", param_hint="--xml-worker")
    if xml_worker == "on":
        from ketensim.chain.xmlwork import worker_available

        if not worker_available():
            raise click.BadParameter("this platform cannot fork a worker process; use auto or off",
                                     param_hint="--xml-worker")
    if many and keep_xml:
        raise click.BadParameter("--keep-xml is for a single run (-n 1)", param_hint="--keep-xml")
    if many and xml_worker == "on":
        raise click.BadParameter("--xml-worker is for a single run (-n 1); replications share the cores",
                                 param_hint="--xml-worker")
    if not many and executor.kind != "process":
        raise click.BadParameter("--executor dask is for replications (-n > 1)", param_hint="--executor")
    scenario = load_scenario(scenario_file)
    with output_target(out, overwrite) as target:
        _run(scenario, seed, 0 if auto else int(n), workers, target, xml, keep_xml, xml_worker, auto, executor)


def _run(scenario: Scenario, seed: int, n: int, workers: int | None, target: OutputTarget | None, xml: str,
         keep_xml: bool, xml_worker: str, auto: Auto | None = None,
         executor: ExecutorSpec = ExecutorSpec()) -> None:
    from ketensim.cli.experiment_cmd import COUNTING_LABELS
    from ketensim.output import write_run
    from ketensim.run import run_replication

    if auto is not None or n > 1:
        from ketensim.cli.experiment_cmd import run_replications_cli

        run_replications_cli(scenario, n, workers, seed, target, xml == "on", auto, executor)
        return
    from ketensim.experiment.engine import show_progress

    result = run_replication(scenario, seed, xml=xml == "on", keep_xml=keep_xml,
                             xml_worker=None if xml_worker == "auto" else xml_worker == "on", progress=show_progress())
    s = result.summary
    click.echo(f"{scenario.name}  [{scenario.id}]  seed {seed}  xml {xml}")
    for draft in scenario.drafts:
        click.echo(f"release {draft.name}: afgeleid (a draft release derived from {draft.like} by the scenario)")
    click.echo(f"{s['messages']} messages in {s['pairs']} pairs; simulated in {result.wall_seconds:.1f} s")
    if result.draws:  # a scenario with uncertain ranges: the values this seed drew
        click.echo("parameter draws: " + ", ".join(f"{k} = {v:.4g}" for k, v in result.draws.items()))
    click.echo("")
    rows = [
        ["pairs", s["pairs"]],
        ["broken pairs (gebroken berichtparen)", s["broken_pairs"]],
        ["  of which heen unread when the read-in window closed", s["broken_unread_heen"]],
        ["closed in time", s["outcome_closed_in_time"]],
        ["closed after the procedural deadline", s["outcome_closed_after_deadline"]],
        ["retour unread at the transition", s["outcome_unread_at_transition"]],
        ["answers forced outside the berichtenverkeer", s["forbidden_cross_release_answers"]],
        ["heen rejected at a block / wrong release", s["rejected_at_block"]],
        ["heen rejected by the XSD check" if xml == "on" else COUNTING_LABELS["rejected_by_xsd"], s["rejected_by_xsd"]],
        ["heen rejected by the business rules" if xml == "on" else COUNTING_LABELS["rejected_by_rules"],
         s["rejected_by_rules"]],
        ["resent after go-live", s["resent_after_go_live"]],
        ["rejected and resent", s["outcome_rejected_resent"]],
        ["rejected and not resent", s["outcome_rejected_not_resent"]],
        ["held by the sender at the end", s["outcome_held_at_end"]],
        ["open at the end (new release, awaiting its retour)", s["outcome_open_at_end"]],
        ["retour refused (new release)" if xml == "on" else COUNTING_LABELS["outcome_retour_refused"],
         s["outcome_retour_refused"]],
        ["spoed cases", s["spoed_cases"]],
        ["backlog peak after go-live (messages)", s["backlog_peak_after_go_live"]],
        ["backlog back to normal after go-live (hours)", s["backlog_drain_hours"]],
    ]
    click.echo(table(["metric", "value"], [[k, str(v)] for k, v in rows]))
    if s["broken_by_pair"]:
        click.echo("")
        click.echo("broken per message pair: " + ", ".join(f"{k}: {v}" for k, v in s["broken_by_pair"].items()))
        click.echo("broken per actor type (heen sender): "
                   + ", ".join(f"{k}: {v}" for k, v in s["broken_by_actor_type"].items()))
        click.echo("broken per cause: " + ", ".join(f"{k}: {v}" for k, v in s["broken_by_cause"].items()))
    if s["forbidden_answers_by_pair"]:
        click.echo("answers forced outside the berichtenverkeer per request->answer: "
                   + ", ".join(f"{k}: {v}" for k, v in s["forbidden_answers_by_pair"].items()))
    for injection in result.injections:
        flag = "" if injection["took_effect"] else "  <-- touched nothing"
        click.echo(f"injection {injection['index']} {injection['kind']}: {injection['actors_touched']} actors, "
                   f"{injection['messages_touched']} messages{flag}")
    if target is not None:
        written = write_run(result, target.stage)
        target.commit()
        click.echo("")
        click.echo(f"wrote {', '.join(p.name for p in written)} to {target.out}")


COMMANDS = [run]
