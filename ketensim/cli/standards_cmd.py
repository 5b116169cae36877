"""CLI commands about the standards: ``catalogue``, ``validate`` and ``generate``.

Thin shells over :mod:`ketensim.standards`: they parse flags, call the library and print.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ketensim.exceptions import UnknownMessageType
from ketensim.standards import rules as business_rules
from ketensim.standards.rules.engine import SCREEN_STATUS
from ketensim.standards.catalogue import Catalogue, MessageType, get_catalogue
from ketensim.standards.drafts import KNOWN, ReleaseTable, version_key
from ketensim.standards.releases import RELEASES, STANDARDS
from ketensim.standards.samples import generate_samples
from ketensim.standards.rules.rapport import rapport_bytes
from ketensim.standards.validation import FileReport, check_file

__all__ = ["COMMANDS", "catalogue", "validate", "generate"]


class _BadFlag(click.ClickException):
    """A flag with a value ketensim does not know: one line on stderr, exit code 2 like a usage error."""

    exit_code = 2


def _usage_error(message: str) -> click.ClickException:
    # click's UsageError would add the usage and a hint; one line says it all here
    return _BadFlag(message)


def _check_standard(standard: str | None) -> None:
    if standard is not None and standard not in STANDARDS:
        raise _usage_error(f"unknown standard {standard!r}; expected one of: {', '.join(STANDARDS)}")


def _check_release(release: str | None, catalogue: Catalogue | None = None) -> None:
    known = sorted({e.release for e in catalogue or get_catalogue()}, key=version_key)
    if release is not None and release not in known:
        extra = " (2.0 has no XML messages)" if release in RELEASES else ""
        raise _usage_error(f"unknown release {release!r}{extra}; expected one of: {', '.join(known)}")


def _scenario_releases(name: str | None) -> tuple[ReleaseTable, str]:
    """The releases of scenario ``name`` (known ones and its drafts) and its path; the known ones without a name."""
    if name is None:
        return KNOWN, ""
    from ketensim.scenario import load_scenario

    scenario = load_scenario(name)
    return scenario.releases, scenario.path


def _scenario_catalogue(name: str | None) -> Catalogue:
    """The catalogue of scenario ``name``'s releases (its drafts' schemas built on first use); the known one without."""
    return _scenario_releases(name)[0].catalogue


def _echo_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _fidelity(release: str, fidelity: str, table: ReleaseTable) -> str:
    if table.is_draft(release):
        return "afgeleid"
    return "doc" if fidelity == "documented" else "der"


def _rules_table(release: str | None, standard: str | None, table: ReleaseTable = KNOWN) -> None:
    rows = [("code", "standards", "messages", "releases (fidelity)", "retourcode", "explanation / note")]
    for rule in business_rules.rules():
        where = [
            a
            for a in business_rules.applicability(rule, table)
            if (standard is None or a.standard == standard) and (release is None or a.release == release)
        ]
        if not where:
            continue
        standards = sorted({a.standard for a in where}, reverse=True)
        messages = sorted({m for a in where for m in a.messages})
        releases = sorted({(a.release, a.fidelity) for a in where}, key=lambda rf: version_key(rf[0]))
        text = rule.explanation + (f" [{rule.note}]" if rule.note else "")
        rows.append(
            (
                rule.code,
                ",".join(standards),
                ",".join(messages),
                ", ".join(f"{r} {_fidelity(r, f, table)}" for r, f in releases),
                rule.retourcode or "-",
                text,
            )
        )
    if len(rows) > 1:
        _echo_table(rows)
    click.echo(
        f"{len(rows) - 1} rules; doc = documented (the 3.2 rule set), der = derived (a 3.2 rule applied where its elements exist)"
        + ("; afgeleid = a draft release of the scenario, with the rules of the release it is derived from"
           if table.drafts else "")
    )
    click.echo(f"compiled screen: {SCREEN_STATUS}")


def _fidelity_cell(e: MessageType) -> str:
    return "afgeleid" if e.is_draft else e.fidelity


def _draft_notes(table: ReleaseTable, catalogue: Catalogue, scenario: str) -> None:
    for d in table.drafts:
        entries = catalogue.select(release=d.name)
        root = {e.xsd_root for e in entries}
        versie = f"{entries[0].bericht_versie}.{entries[0].bericht_subversie}" if entries else "-"
        changes = [f"added {', '.join(d.added)}" if d.added else "",
                   f"removed {', '.join(d.removed)}" if d.removed else ""]
        changes_text = "; ".join(c for c in changes if c) or "same messages"
        click.echo(f"afgeleid: {d.name} is a draft release declared by {scenario}, derived from {d.like} "
                   f"(versie {versie}, {changes_text}); schemas: {', '.join(sorted(root))}")


@click.command()
@click.option("--release", "-r", help="Only this release, e.g. 3.1.")
@click.option("--standard", "-s", help="Only this standard: iwmo or ijw.")
@click.option("--rules", "show_rules", is_flag=True, help="List the business rules (TR/CD/CS) instead of the messages.")
@click.option("--scenario", "scenario_name", metavar="SCENARIO",
              help="Also list the draft releases this scenario declares ([[release]]), marked afgeleid.")
def catalogue(release: str | None, standard: str | None, show_rules: bool, scenario_name: str | None) -> None:
    """Print the message catalogue: every message per standard and release (or, with --rules, the business rules).

    Columns: code, release, name, BerichtCode (with the factuur code for 303/304),
    BerichtVersie.BerichtSubversie, direction (G2A gemeente to aanbieder, A2G the reverse),
    role, pair (the retour of a heen, the heen of a retour), functional answers and fidelity
    (documented: structure from the official schema facts; derived: ketensim's own design).

    With --rules: one row per rule code with the standards and messages it checks, the releases
    it applies to with their fidelity (documented for 3.2, whose rule set the facts describe;
    derived for 3.0 and 3.1, where a rule applies when its elements exist), the retourcode the
    rule set gives, and the explanation a finding carries.

    With --scenario: the draft releases the scenario declares are listed too, their fidelity
    "afgeleid" (derived from a known release by the scenario, with their own namespace and
    version), followed by one line per draft naming its base, its changes and where its derived
    schemas are (built on first use, then cached).

    \b
    Example:
        ketensim catalogue --release 3.1
        ketensim catalogue --standard ijw --release 2.2
        ketensim catalogue --rules --standard iwmo
        ketensim catalogue --scenario draft-3.3.toml --release 3.3 --standard iwmo
    """
    _check_standard(standard)
    table, scenario_label = _scenario_releases(scenario_name)
    entries = table.catalogue
    _check_release(release, entries)
    if show_rules:
        _rules_table(release, standard, table)
        return
    rows = [
        (
            "code",
            "release",
            "name",
            "BerichtCode",
            "versie",
            "direction",
            "role",
            "pair",
            "answers",
            "fidelity",
        )
    ]
    for e in sorted(entries.select(standard=standard, release=release),
                    key=lambda e: (e.standard, version_key(e.release), e.number)):
        rows.append(
            (
                e.code,
                e.release,
                e.name,
                "/".join(e.bericht_codes),
                f"{e.bericht_versie}.{e.bericht_subversie}",
                e.direction,
                e.role,
                e.pair or "-",
                ",".join(e.answers) or "-",
                _fidelity_cell(e),
            )
        )
    _echo_table(rows)
    _draft_notes(table, entries, scenario_label)


def _xml_files(paths: tuple[Path, ...]) -> list[Path]:
    """The paths given, each directory replaced by the ``.xml`` files in it (sorted, not recursive).

    A directory without any stays in the list, to be reported.
    """
    out: list[Path] = []
    for path in paths:
        inside = sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml" and p.is_file()) if path.is_dir() else []
        out.extend(inside or [path])
    return out


def _report_json(report: FileReport) -> dict[str, object]:
    mt = report.message_type
    return {
        "file": report.path,
        "ok": report.ok,
        "problem": report.problem,
        "standard": mt.standard if mt else None,
        "release": mt.release if mt else None,
        "message": mt.code if mt else None,
        "xsd_valid": bool(mt) and report.problem is None and not report.findings,
        "xsd": [{"path": f.path, "line": f.line, "reason": f.reason} for f in report.findings],
        "rules_checked": report.rules_checked,
        "rules": [
            {"code": f.code, "paths": list(f.paths), "explanation": f.explanation, "retourcode": f.retourcode}
            for f in report.rule_findings
        ],
    }


def _echo_text(report: FileReport) -> None:
    path = report.path
    if report.ok:
        click.echo(f"PASS {path}")
    elif report.problem is not None:
        click.echo(f"FAIL {path}: {report.problem}")
    elif report.findings:
        mt = report.message_type
        label = f"{mt.code} {mt.release}" if mt else "message"
        click.echo(f"FAIL {path}: {label} is not valid against its XSD ({len(report.findings)} findings)")
        for finding in report.findings:
            click.echo(f"    {finding}")
    for rule_finding in report.rule_findings:
        click.echo(f"FAIL {path} {rule_finding}")


def _write_rapporten(reports: list[FileReport], out: Path | None) -> None:
    if out is None and len(reports) > 1:
        raise _usage_error("--format rapport writes one Rapport per file: give --out DIR for several files")
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise click.BadParameter(f"cannot create {out}: {err.strerror}", param_hint="--out") from None
    for report in reports:
        if report.tree is None or report.message_type is None or report.findings:
            reason = report.problem or "not valid against its XSD; the rules run only on a valid message"
            click.echo(f"FAIL {report.path}: {reason}; no Rapport written", err=True)
            continue
        data = rapport_bytes(report.tree.getroot(), report.rule_findings, report.message_type.standard)
        if out is None:
            click.echo(data.decode("utf-8"), nl=False)
        else:
            target = out / f"{Path(report.path).stem}.rapport.xml"
            target.write_bytes(data)
            click.echo(f"{'PASS' if report.ok else 'FAIL'} {report.path}: wrote {target}", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--rules/--no-rules",
    default=True,
    show_default=True,
    help="After the XSD, check the iStandaarden business rules (TR/CD/CS) on 3.x heen messages and the 325.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "rapport"]),
    default="text",
    show_default=True,
    help="text: a line per finding; json: one document for tools; rapport: the Validatiemodule's Rapport XML.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --format rapport: write FILE.rapport.xml per file into this directory (needed for several files).",
)
@click.option("--scenario", "scenario_name", metavar="SCENARIO",
              help="Also recognise the draft releases this scenario declares (validated against their derived schemas).")
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], rules: bool, fmt: str, out: Path | None,
             scenario_name: str | None) -> None:
    """Validate message files: the XSD, then the business rules; the message type follows from the namespace.

    Text output: ``PASS path``, or ``FAIL path: reason`` with one indented line per XSD finding
    (element path, line, reason), or one line per business-rule violation:
    ``FAIL path CODE location[,location...]: explanation`` (locations in the Validatiemodule's
    notation, explanations in Dutch). Ends with ``N passed, N failed``. The rules run only on a
    message that passes its XSD, as the Validatiemodule does, and only where the rule set has
    rules: 3.x heen messages and the 325 (``ketensim catalogue --rules`` lists them). Exit code 1
    if any file failed. Files are untrusted: larger than 25 MB, with a DOCTYPE, DTD or entities,
    or not XML at all, they fail without being parsed further. A directory stands for the .xml
    files in it.

    \b
    Example:
        ketensim validate out/WMO301_0001.xml out/WMO302_0001.xml
        ketensim validate out/
        ketensim validate out/*.xml --format json
        ketensim validate out/JW315_0001.xml --format rapport
        ketensim validate out/*.xml --format rapport --out rapporten/
        ketensim validate out/xml/ --scenario draft-3.3.toml
    """
    if fmt == "rapport" and not rules:
        raise _usage_error("--format rapport reports the business rules; it cannot be combined with --no-rules")
    if out is not None and fmt != "rapport":
        raise _usage_error("--out is only used with --format rapport")
    entries = _scenario_catalogue(scenario_name)
    reports = [check_file(path, rules=rules, catalogue=entries) for path in _xml_files(files)]
    failed = sum(not r.ok for r in reports)
    passed = len(reports) - failed
    if fmt == "json":
        document = {"passed": passed, "failed": failed, "files": [_report_json(r) for r in reports]}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    elif fmt == "rapport":
        _write_rapporten(reports, out)
    else:
        for report in reports:
            _echo_text(report)
        click.echo(f"{passed} passed, {failed} failed")
    if failed:
        ctx.exit(1)


@click.command()
@click.option("--standard", "-s", default="iwmo", show_default=True, help="iwmo or ijw.")
@click.option("--release", "-r", required=True, help="Release, e.g. 3.1.")
@click.option(
    "--message", "-m", default="all", show_default=True, help="Message number (301, 302 …) or 'all'."
)
@click.option("-n", "count", default=1, show_default=True, help="Messages per message type.")
@click.option("--seed", default=0, show_default=True, help="Seed; the same seed gives identical files.")
@click.option(
    "--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory."
)
@click.option("--scenario", "scenario_name", metavar="SCENARIO",
              help="Also allow the draft releases this scenario declares (--release 3.3 of a [[release]] row).")
def generate(standard: str, release: str, message: str, count: int, seed: int, out: Path,
             scenario_name: str | None) -> None:
    """Write valid sample messages, each heen followed by its retour, to a directory.

    Every file is validated against its XSD before it is written. File names are the message
    code and a running number (``WMO301_0001.xml`` with its retour ``WMO302_0001.xml``); files
    are UTF-8 with an XML declaration, pretty printed. The same flags give identical bytes.

    \b
    Example:
        ketensim generate --standard iwmo --release 3.1 --message 301 -n 20 --seed 7 --out out/
        ketensim generate --standard ijw --release 2.2 --message all --out out/
        ketensim generate --release 3.3 --scenario draft-3.3.toml --out out/
    """
    _check_standard(standard)
    entries = _scenario_catalogue(scenario_name)
    _check_release(release, entries)
    if count < 1:
        raise _usage_error(f"-n must be at least 1 (got {count})")
    if message != "all":
        try:
            entries.get(standard, release, message)
        except UnknownMessageType as err:
            raise _usage_error(f"--message: {err}") from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise click.BadParameter(f"cannot create {out}: {err.strerror}", param_hint="--out") from None
    written = {"heen": 0, "retour": 0}
    for sample in generate_samples(standard, release, message, count, seed, entries):
        (out / sample.filename).write_bytes(sample.data)
        written[sample.message_type.role] += 1
    total = written["heen"] + written["retour"]
    click.echo(
        f"wrote {total} files ({written['heen']} heen, {written['retour']} retour) "
        f"for {standard} {release} to {out}"
    )


COMMANDS = [catalogue, validate, generate]
