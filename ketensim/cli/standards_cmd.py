"""CLI commands about the standards: ``catalogue``, ``validate`` and ``generate``.

Thin shells over :mod:`ketensim.standards`: they parse flags, call the library and print.
"""

from __future__ import annotations

from pathlib import Path

import click

from ketensim.exceptions import UnknownMessageType
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.releases import RELEASES, STANDARDS
from ketensim.standards.samples import generate_samples
from ketensim.standards.validation import check_file

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


def _check_release(release: str | None) -> None:
    known = sorted({e.release for e in get_catalogue()})
    if release is not None and release not in known:
        extra = " (2.0 has no XML messages)" if release in RELEASES else ""
        raise _usage_error(f"unknown release {release!r}{extra}; expected one of: {', '.join(known)}")


@click.command()
@click.option("--release", "-r", help="Only this release, e.g. 3.1.")
@click.option("--standard", "-s", help="Only this standard: iwmo or ijw.")
def catalogue(release: str | None, standard: str | None) -> None:
    """Print the message catalogue: every message per standard and release.

    Columns: code, release, name, BerichtCode (with the factuur code for 303/304),
    BerichtVersie.BerichtSubversie, direction (G2A gemeente to aanbieder, A2G the reverse),
    role, pair (the retour of a heen, the heen of a retour), functional answers and fidelity
    (documented: structure from the official schema facts; derived: ketensim's own design).

    \b
    Example:
        ketensim catalogue --release 3.1
        ketensim catalogue --standard ijw --release 2.2
    """
    _check_standard(standard)
    _check_release(release)
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
    for e in get_catalogue().select(standard=standard, release=release):
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
                e.fidelity,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _xml_files(paths: tuple[Path, ...]) -> list[Path]:
    """The paths given, each directory replaced by the ``.xml`` files in it (sorted, not recursive).

    A directory without any stays in the list, to be reported.
    """
    out: list[Path] = []
    for path in paths:
        inside = sorted(p for p in path.iterdir() if p.suffix.lower() == ".xml" and p.is_file()) if path.is_dir() else []
        out.extend(inside or [path])
    return out


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Validate message files against their XSD; the message type follows from the namespace.

    Prints ``PASS path`` or ``FAIL path: reason`` per file, with one indented line per finding
    (element path, line, reason), and ends with ``N passed, N failed``. Exit code 1 if any file
    failed. Files are untrusted: larger than 25 MB, with a DOCTYPE, DTD or entities, or not XML
    at all, they fail without being parsed further. A directory stands for the .xml files in it.

    \b
    Example:
        ketensim validate out/WMO301_0001.xml out/WMO302_0001.xml
        ketensim validate out/
    """
    passed = failed = 0
    for path in _xml_files(files):
        if path.is_dir():
            failed += 1
            click.echo(f"FAIL {path}: a directory without .xml files")
            continue
        report = check_file(path)
        if report.ok:
            passed += 1
            click.echo(f"PASS {path}")
            continue
        failed += 1
        if report.problem is not None:
            click.echo(f"FAIL {path}: {report.problem}")
            continue
        mt = report.message_type
        label = f"{mt.code} {mt.release}" if mt else "message"
        click.echo(f"FAIL {path}: {label} is not valid against its XSD ({len(report.findings)} findings)")
        for finding in report.findings:
            click.echo(f"    {finding}")
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
def generate(standard: str, release: str, message: str, count: int, seed: int, out: Path) -> None:
    """Write valid sample messages, each heen followed by its retour, to a directory.

    Every file is validated against its XSD before it is written. File names are the message
    code and a running number (``WMO301_0001.xml`` with its retour ``WMO302_0001.xml``); files
    are UTF-8 with an XML declaration, pretty printed. The same flags give identical bytes.

    \b
    Example:
        ketensim generate --standard iwmo --release 3.1 --message 301 -n 20 --seed 7 --out out/
        ketensim generate --standard ijw --release 2.2 --message all --out out/
    """
    _check_standard(standard)
    _check_release(release)
    if count < 1:
        raise _usage_error(f"-n must be at least 1 (got {count})")
    if message != "all":
        try:
            get_catalogue().get(standard, release, message)
        except UnknownMessageType as err:
            raise _usage_error(f"--message: {err}") from None
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise click.BadParameter(f"cannot create {out}: {err.strerror}", param_hint="--out") from None
    written = {"heen": 0, "retour": 0}
    for sample in generate_samples(standard, release, message, count, seed):
        (out / sample.filename).write_bytes(sample.data)
        written[sample.message_type.role] += 1
    total = written["heen"] + written["retour"]
    click.echo(
        f"wrote {total} files ({written['heen']} heen, {written['retour']} retour) "
        f"for {standard} {release} to {out}"
    )


COMMANDS = [catalogue, validate, generate]
