"""``ketensim scenario``: check, show and plot draaiboek scenario files."""

from __future__ import annotations

from pathlib import Path

import click

from ketensim._resources import bundled_scenarios
from ketensim.exceptions import ScenarioError
from ketensim.scenario.lint import scenario_warnings
from ketensim.outdir import OutputError
from ketensim.scenario import load_scenario
from ketensim.scenario.rows import timeline_rows
from ketensim.textutil import table
from ketensim.timeline import format_local

__all__ = ["COMMANDS"]


@click.group()
def scenario() -> None:
    """Validate, print and plot draaiboek scenario files.

    A FILE is a path to a .toml scenario or the name of a bundled one (see `ketensim scenario list`).

    \b
    Example:
        ketensim scenario check scenarios/*.toml
        ketensim scenario show 2022-3.0-3.1
        ketensim scenario plot 2018-2.1-2.2 -o gantt.png
    """


@scenario.command("list")
def list_() -> None:
    """List the bundled scenarios.

    \b
    Example:
        ketensim scenario list
    """
    rows = []
    for path in bundled_scenarios():
        s = load_scenario(path)
        rows.append([path.stem, f"{s.from_release} → {s.to_release}", format_local(s.go_live.at), s.name])
    click.echo(table(["scenario", "releases", "go-live", "name"], rows))


@scenario.command()
@click.argument("files", nargs=-1, required=True)
def check(files: tuple[str, ...]) -> None:
    """Validate scenario files; exit 0 if all are valid, 2 otherwise.

    Every problem in a file is reported, one line each (FAIL), naming the file, the key or row
    (rows numbered from 1, as in the file) and what was expected. Warnings (WARN, exit 0): a
    deadline, block or go-live on a weekend or Dutch public holiday, and a retour deadline that
    leaves a party working office hours no time after the heen block.

    \b
    Example:
        ketensim scenario check scenarios/2022-3.0-3.1.toml my-variant.toml
    """
    failed = 0
    for name in files:
        try:
            s = load_scenario(name)
        except ScenarioError as err:
            for line in str(err).splitlines():
                click.echo(f"FAIL {line}")
            failed += 1
            continue
        click.echo(f"OK   {name}: {s.name} ({s.from_release} → {s.to_release}, go-live {format_local(s.go_live.at)})")
        for warning in scenario_warnings(s):
            click.echo(f"WARN {warning}")
    if failed:
        raise click.exceptions.Exit(2)


@scenario.command()
@click.argument("file")
def show(file: str) -> None:
    """Print the draaiboek timeline as a table.

    Columns: phase, what, when (weekday, date, time in Europe/Amsterdam), actor, message codes,
    procedural or technical, and whether the row is sourced or assumed.

    \b
    Example:
        ketensim scenario show 2022-3.0-3.1
    """
    s = load_scenario(file)
    click.echo(f"{s.name}  [{s.id}]  {s.from_release} → {s.to_release}, standards: {', '.join(s.standards)}")
    click.echo(f"source: {s.source or '-'}")
    for d in s.drafts:
        click.echo(f"release {d.name}: afgeleid (a draft release derived from {d.like} by the scenario)")
    click.echo("")
    rows = [
        [r.phase, r.what, r.when, r.actor, " ".join(r.messages) or "-", r.kind, r.origin]
        for r in timeline_rows(s)
    ]
    click.echo(table(["phase", "what", "when", "actor", "messages", "kind", "origin"], rows, wrap={1: 58}))
    rule = s.answers
    allowed = " and ".join(rule.cross_release) or "none"
    click.echo("")
    click.echo(f"functional answers that may cross the release boundary: {allowed} "
               f"({'assumed: ' + rule.provenance.why if rule.provenance.assumed else 'source: ' + rule.provenance.source})")
    assumed = [r for r in timeline_rows(s) if r.provenance.assumed]
    if assumed:
        click.echo("")
        click.echo("assumed rows:")
        for r in assumed:
            click.echo(f"  {r.provenance.id or r.category} ({r.when}): {r.provenance.why}")
    if s.uncertain:
        click.echo("")
        click.echo("uncertain parameters (each replication draws one value; the nominal value in brackets):")
        for u in s.uncertain:
            click.echo(f"  {u.path}: {u.describe()} ({u.nominal:g})")


@scenario.command()
@click.argument("file")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("gantt.png"),
              show_default=True, help="Image file to write (.png, .svg or .pdf).")
def plot(file: str, output: Path) -> None:
    """Draw the draaiboek as a Gantt chart with weekends and public holidays shaded.

    \b
    Example:
        ketensim scenario plot 2018-2.1-2.2 -o gantt-2018.png
    """
    from ketensim.scenario.gantt import save_gantt

    if output.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise click.BadParameter(f"{output}: unsupported image type {output.suffix!r}; expected .png, .svg or .pdf",
                                 param_hint="--output")
    if not output.parent.is_dir():
        problem = "is not a directory" if output.parent.exists() else "does not exist"
        raise click.BadParameter(f"directory {output.parent} {problem}", param_hint="--output")
    s = load_scenario(file)
    try:
        save_gantt(s, output)
    except OSError as err:
        raise OutputError(f"{output}: cannot write the chart: {err.strerror or err}") from None
    click.echo(f"wrote {output}")


COMMANDS = [scenario]
