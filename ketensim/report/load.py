"""Read an output directory back for the report: replications, a comparison, a sweep or a single run.

The report sees only files: ``summary.json`` + ``series.csv`` (``ketensim run -n``), ``compare.json``
with ``A/`` and ``B/`` (``ketensim compare``), ``sweep.json`` with ``baseline/`` (``ketensim sweep``),
or ``result.json`` with the ledger CSVs of a single ``ketensim run``. A single run is summarised
the same way as replications (as an experiment of one), so every report has the same sections.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ketensim.exceptions import KetensimError
from ketensim.experiment.files import read_csv
from ketensim.ledger import AnswerRecord, MessageRecord, PairRecord
from ketensim.report.revive import scenario_from_dict
from ketensim.scenario.model import Scenario

__all__ = ["ScenarioBlock", "ReportData", "load_output", "ReportInputError"]


class ReportInputError(KetensimError, ValueError):
    """Raised when a directory is not a ketensim output directory, or its files are incomplete."""


@dataclass(frozen=True)
class ScenarioBlock:
    """The results of one scenario (or variant) as the report needs them."""

    label: str
    summary: dict[str, Any]
    series: dict[str, list[Any]]
    scenario: Scenario
    single_run: bool = False


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read from one output directory."""

    kind: str  # replications | compare | sweep | single
    source: Path
    blocks: list[ScenarioBlock]
    compare: dict[str, Any] | None = None
    sweep: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ReportInputError(f"{path}: cannot read: {err}") from None
    if not isinstance(data, dict):
        raise ReportInputError(f"{path}: expected a JSON object")
    return data


def _series(path: Path) -> dict[str, list[Any]]:
    if not path.is_file():
        raise ReportInputError(f"{path}: missing; expected the hourly series of the replications")
    rows = read_csv(path)
    if not rows:
        return {}
    out: dict[str, list[Any]] = {}
    for name in rows[0]:
        out[name] = [r[name] for r in rows] if name == "hour_utc" else [float(r[name]) for r in rows]
    return out


_LEDGER_COLUMNS = {
    "pairs": list(PairRecord._fields),
    "messages": list(MessageRecord._fields),
    "answers": list(AnswerRecord._fields),
    "backlog": ["time_utc", "backlog"],
}


def _need(data: dict[str, Any], key: str, path: Path) -> Any:
    if key not in data:
        raise ReportInputError(f"{path}: no {key!r}; expected a file written by ketensim")
    return data[key]


def _replications(folder: Path, label: str) -> ScenarioBlock:
    summary = _json(folder / "summary.json")
    if summary.get("kind") != "replications":
        raise ReportInputError(f"{folder / 'summary.json'}: kind is {summary.get('kind')!r}; expected 'replications'")
    scenario = scenario_from_dict(_need(summary, "resolved_scenario", folder / "summary.json"))
    return ScenarioBlock(label=label, summary=summary, series=_series(folder / "series.csv"), scenario=scenario)


def _single(folder: Path) -> ScenarioBlock:
    from ketensim.experiment.outcome import condense
    from ketensim.experiment.replication import Experiment

    result = _json(folder / "result.json")
    for key in ("resolved_scenario", "seed", "summary"):
        _need(result, key, folder / "result.json")
    scenario = scenario_from_dict(result["resolved_scenario"])
    tables = {}
    for name in ("pairs", "messages", "answers", "backlog"):
        path = folder / f"{name}.csv"
        if not path.is_file():
            raise ReportInputError(f"{path}: missing; expected the ledger files written by `ketensim run --out`")
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        expected = _LEDGER_COLUMNS[name]
        if header != expected:
            raise ReportInputError(f"{path}: columns {', '.join(header) or '(none)'}; expected the ketensim ledger "
                                   f"columns {', '.join(expected)}")
        tables[name] = [SimpleNamespace(**row) for row in read_csv(path)]
    backlog = [(row.time_utc, int(row.backlog)) for row in tables["backlog"]]
    seed = int(result["seed"])
    outcome = condense(0, seed, result["summary"], tables["messages"], tables["pairs"], tables["answers"], backlog,
                       list(result.get("injections", [])), scenario)
    experiment = Experiment(scenario=scenario, root_seed=seed, seeds=(seed,), xml=bool(result.get("xml")),
                            outcomes=(outcome,))
    summary = experiment.summary_dict()
    summary.update(seed_method="the seed given to `ketensim run --seed` (a single run)", root_seed=None,
                   ketensim_version=result.get("ketensim_version", summary["ketensim_version"]),
                   scenario_file=result.get("scenario_file", scenario.path))
    return ScenarioBlock(label="", summary=summary, series=experiment.series(), scenario=scenario, single_run=True)


def load_output(folder: Path) -> ReportData:
    """Load whatever kind of ketensim output ``folder`` holds."""
    if not folder.is_dir():
        raise ReportInputError(f"{folder}: not a directory; expected an output directory of ketensim "
                               "run/compare/sweep")
    if (folder / "compare.json").is_file():
        data = _json(folder / "compare.json")
        blocks = [_replications(folder / data[side]["dir"], side.upper()) for side in ("a", "b")]
        a, b = ([float(r["broken_pairs"]) for r in read_csv(folder / data[side]["dir"] / "replications.csv")]
                for side in ("a", "b"))
        return ReportData("compare", folder, blocks, compare=data,
                          extra={"broken_differences": [y - x for x, y in zip(a, b)]})
    if (folder / "sweep.json").is_file():
        data = _json(folder / "sweep.json")
        return ReportData("sweep", folder, [_replications(folder / data["baseline"]["dir"], "basis")], sweep=data)
    if (folder / "summary.json").is_file():
        return ReportData("replications", folder, [_replications(folder, "")])
    if (folder / "result.json").is_file():
        return ReportData("single", folder, [_single(folder)])
    raise ReportInputError(f"{folder}: no summary.json, compare.json, sweep.json or result.json; expected an output "
                           "directory of ketensim run --out, run -n, compare or sweep")
