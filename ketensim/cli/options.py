"""Options shared by the commands that write an output directory."""

from __future__ import annotations

import click

__all__ = ["overwrite_option"]

overwrite_option = click.option(
    "--overwrite", is_flag=True,
    help="Replace the results of an earlier run in --out (they are replaced whole, once the new ones are written).")
