"""Options shared by the commands that write an output directory."""

from __future__ import annotations

import click

from typing import Any

__all__ = ["overwrite_option", "Replications", "auto_options", "auto_settings"]

overwrite_option = click.option(
    "--overwrite", is_flag=True,
    help="Replace the results of an earlier run in --out (they are replaced whole, once the new ones are written).")


class Replications(click.ParamType):
    """``-n``: a whole number of replications (at least 1) or ``auto``."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int):
            number = value
        elif str(value).strip().lower() == "auto":
            return "auto"
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} is neither a whole number nor 'auto'", param, ctx)
        if number < 1:
            self.fail(f"{number} is below 1; expected at least one replication, or 'auto'", param, ctx)
        return number


def auto_options(func: Any) -> Any:
    """``--precision``, ``--batch`` and ``--max-replications``: the settings of ``-n auto``."""
    func = click.option("--max-replications", "max_replications", type=click.IntRange(min=2), default=None,
                        help="With -n auto: stop at this many replications (per scenario or point) [default: 1000].")(func)
    func = click.option("--batch", type=click.IntRange(min=2), default=None,
                        help="With -n auto: replications added per round [default: 10].")(func)
    func = click.option("--precision", "precision", multiple=True, metavar="[METRIC=]HALF_WIDTH",
                        help="With -n auto: the 95% interval's half-width to reach, absolute (0.5) or relative to "
                             "the mean (10%); METRIC_gt_0 for P(METRIC > 0) (5% = 5 percentage points); repeat for "
                             "more. Default: the targets of the precision notes for every reported interval.")(func)
    return func


def auto_settings(n: int | str, precision: tuple[str, ...], batch: int | None, cap: int | None,
                  default_metric: str = "broken_pairs") -> Any:
    """The :class:`~ketensim.experiment.adaptive.Auto` of ``-n auto``, or None for a fixed ``-n``."""
    from ketensim.experiment.adaptive import Auto, parse_precision

    if n != "auto":
        for name, given in (("--precision", precision), ("--batch", batch), ("--max-replications", cap)):
            if given:
                raise click.BadParameter(f"{name} needs -n auto (got -n {n})", param_hint=name)
        return None
    try:
        specs = tuple(parse_precision(p, default_metric) for p in precision)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--precision") from None
    batch, cap = batch or 10, cap or 1000
    if cap < batch:
        raise click.BadParameter(f"{cap} is below --batch {batch}", param_hint="--max-replications")
    return Auto(specs, batch, cap)
