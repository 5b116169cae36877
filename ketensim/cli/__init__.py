"""The ``ketensim`` command line: a thin shell over the library.

Each group of subcommands lives in its own module and exposes ``COMMANDS``; this module wires
them into one click group and turns :class:`~ketensim.exceptions.KetensimError` into a one-line
message on stderr with a non-zero exit code (2 for a bad scenario or usage, 1 otherwise).
"""

from __future__ import annotations

import importlib
import sys

import click

from ketensim import __version__
from ketensim.exceptions import KetensimError, ScenarioError
from ketensim.lifetime import stop_on_sigterm

__all__ = ["main", "cli"]

_COMMAND_MODULES = (
    "ketensim.cli.scenario_cmd",
    "ketensim.cli.standards_cmd",
    "ketensim.cli.run_cmd",
    "ketensim.cli.experiment_cmd",
    "ketensim.cli.uncertainty_cmd",
    "ketensim.cli.optimize_cmd",
    "ketensim.cli.kto_cmd",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="ketensim")
def cli() -> None:
    """ketensim: chain-test simulator for the iWmo/iJw berichtenverkeer during a release migration.

    Gemeenten, aanbieders, VECOZO and the Inlichtingenbureau exchange XSD-valid messages through
    the phases of a landelijk draaiboek; ketensim counts the message pairs that break.

    \b
    Example:
        ketensim scenario check scenarios/*.toml
        ketensim scenario show 2022-3.0-3.1
        ketensim run 2022-3.0-3.1 --seed 1 --out out/
    """


for _name in _COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script; never shows a traceback for a user error."""
    stop_on_sigterm()
    try:
        code = cli.main(args=argv, prog_name="ketensim", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as err:
        err.show()
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except ScenarioError as err:
        for line in str(err).splitlines():  # a file with several problems: one line each
            click.echo(f"error: {line}", err=True)
        sys.exit(2)
    except KetensimError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
