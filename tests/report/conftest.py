"""Fixtures for the report tests: output directories of every kind, and their rendered pages.

The tiny 2022 world (``tiny``) comes from ``tests/conftest.py``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ketensim.scenario.model import Scenario


@pytest.fixture(scope="session")
def outputs(tiny: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Output directories of each kind, from tiny experiments: replications, compare, sweep, single run, sensitivity, optimize."""
    from ketensim.experiment import compare, parse_vary, replicate, sweep
    from ketensim.experiment.variants import make_variant
    from ketensim.output import write_run
    from ketensim.experiment.sobol import sobol
    from ketensim.run import run_replication
    from ketensim.scenario.uncertain import Uncertain

    root = tmp_path_factory.mktemp("outputs")
    replicate(tiny, 3, root_seed=2, progress=False).write(root / "replications")
    early = make_variant(tiny, parse_vary("retour_block=-19h", tiny), -19.0)
    compare(tiny, early, 3, root_seed=2, progress=False).write(root / "compare")
    varies = [parse_vary(v, tiny) for v in ("retour_block=-19h,0h,6h", "block:3.2.2=-1h",
                                            "behaviour.aanbieder.retour_hours.median=1,4")]
    sweep(tiny, varies, 2, root_seed=2, progress=False).write(root / "sweep")
    write_run(run_replication(tiny, 4, xml=False), root / "single")
    ranged = dataclasses.replace(tiny, uncertain=(
        Uncertain("behaviour.aanbieder.deadline_compliance", "uniform", low=0.0, high=1.0),
        Uncertain("population.clients", "triangular", low=200.0, high=400.0, mode=300.0, whole=True)))
    sobol(ranged, 2, root_seed=2, progress=False).write(root / "sensitivity")
    from ketensim.experiment.moves import candidates, parse_move, parse_step
    from ketensim.experiment.optimize import optimize
    from ketensim.experiment.targets import parse_target

    move = parse_move("retour_block", tiny)
    grid = candidates(tiny, move, 1, parse_step("1d"))
    optimize(tiny, move, parse_target("broken_pairs <= 30"), grid, batch=2, cap=4, root_seed=2, steps=1,
             progress=False).write(root / "optimize")
    return {kind: root / kind for kind in ("replications", "compare", "sweep", "single", "sensitivity", "optimize")}


@pytest.fixture(scope="session")
def pages(outputs: dict[str, Path]) -> dict[str, str]:
    """The rendered report of each output directory (also written as OUTPUT/report.html)."""
    from ketensim.report import render_report

    rendered = {kind: render_report(folder) for kind, folder in outputs.items()}
    for kind, page in rendered.items():
        (outputs[kind] / "report.html").write_text(page, encoding="utf-8")
    return rendered
