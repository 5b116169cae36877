"""Read an output directory back for the report: replications, a comparison, a sweep or a single run.

The report sees only files: ``summary.json`` + ``series.csv`` (``ketensim run -n``), ``compare.json``
with ``A/`` and ``B/`` (``ketensim compare``), ``sweep.json`` with ``baseline/`` (``ketensim sweep``),
``sobol.json`` with ``runs/`` (``ketensim sensitivity``), or ``result.json`` with the ledger CSVs of a
single ``ketensim run``. A single run is summarised
the same way as replications (as an experiment of one), so every report has the same sections.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ketensim.exceptions import KetensimError
from ketensim.experiment.files import read_csv
from ketensim.ledger import ANSWER_OUTCOMES, PAIR_OUTCOMES, AnswerRecord, MessageRecord, PairRecord
from ketensim.outdir import check_complete, looks_like_output
from ketensim.report.revive import scenario_from_dict
from ketensim.scenario.model import Scenario

__all__ = ["ScenarioBlock", "ReportData", "load_output", "ReportInputError", "reading"]


SINGLE_SEED = "ketensim run --seed"
"""The seed method of a single run: the seed given on the command line."""


class ReportInputError(KetensimError, ValueError):
    """Raised when a directory is not a ketensim output directory, or its files are incomplete."""


def _what(err: Exception) -> str:
    if isinstance(err, KeyError):
        return f"no {err.args[0]!r}" if err.args else "a key is missing"
    text = str(err).splitlines()[0] if str(err) else ""
    return f"{type(err).__name__}: {text}" if isinstance(err, (TypeError, AttributeError, IndexError)) else text


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn what damaged or foreign content raises while ``path`` is used into one :class:`ReportInputError`."""
    try:
        yield
    except ReportInputError:
        raise
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, OverflowError) as err:
        raise ReportInputError(f"{path}: {_what(err)}; expected a file as ketensim writes it") from None


@dataclass(frozen=True)
class ScenarioBlock:
    """The results of one scenario (or variant) as the report needs them."""

    label: str
    summary: dict[str, Any]
    series: dict[str, list[Any]]
    scenario: Scenario
    single_run: bool = False
    sample: bool = False
    """Its runs are the points of a Sobol sample (one seed, the parameters varied), not replications."""

    @property
    def has_interval(self) -> bool:
        """Two or more independent replications: the only runs a confidence interval can be given over."""
        return not (self.single_run or self.sample) and int(self.summary.get("n", 0)) >= 2


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read from one output directory."""

    kind: str  # replications | compare | sweep | single | sensitivity | optimize
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
    with reading(folder / "summary.json"):
        scenario = scenario_from_dict(_need(summary, "resolved_scenario", folder / "summary.json"))
        for key in ("metrics", "proportions", "breakdowns", "injections", "n"):
            _need(summary, key, folder / "summary.json")
    with reading(folder / "series.csv"):
        series = _series(folder / "series.csv")
    return ScenarioBlock(label=label, summary=summary, series=series, scenario=scenario)


_STAMPS = {"pairs": ("heen_submitted", "retour_submitted"), "messages": ("submitted",), "backlog": ("time_utc",),
           "answers": ()}
_OUTCOMES = {"pairs": PAIR_OUTCOMES, "answers": ANSWER_OUTCOMES}


def _check_rows(name: str, rows: list[SimpleNamespace]) -> None:
    """Raise ValueError at the first time stamp or outcome in a ledger table that ketensim would not write."""
    seen: set[str] = set()
    outcomes = _OUTCOMES.get(name)
    for i, row in enumerate(rows, start=2):
        for column in _STAMPS[name]:
            stamp = getattr(row, column) or ""
            if stamp and stamp[:13] not in seen:
                try:
                    datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                except ValueError:
                    raise ValueError(f"line {i}: {column} {stamp!r} is not a UTC time stamp") from None
                seen.add(stamp[:13])
        if outcomes is not None and row.outcome not in outcomes:
            raise ValueError(f"line {i}: outcome {row.outcome!r}; expected one of {', '.join(outcomes)}")


def _single(folder: Path) -> ScenarioBlock:
    from ketensim.experiment.outcome import condense
    from ketensim.experiment.replication import Experiment

    result = _json(folder / "result.json")
    for key in ("resolved_scenario", "seed", "summary"):
        _need(result, key, folder / "result.json")
    with reading(folder / "result.json"):
        scenario = scenario_from_dict(result["resolved_scenario"])
        if not isinstance(result["summary"], dict):
            raise TypeError("summary is not an object")
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
    for name, rows in tables.items():
        with reading(folder / f"{name}.csv"):
            _check_rows(name, rows)
    with reading(folder / "backlog.csv"):
        backlog = [(row.time_utc, int(row.backlog)) for row in tables["backlog"]]
    # condense() reads the ledger CSVs and the summary together: a fault is named by the run's main file
    with reading(folder / "result.json"):
        seed = int(result["seed"])
        outcome = condense(0, seed, result["summary"], tables["messages"], tables["pairs"], tables["answers"],
                           backlog, list(result.get("injections", [])), scenario)
        experiment = Experiment(scenario=scenario, root_seed=seed, seeds=(seed,), xml=bool(result.get("xml")),
                                outcomes=(outcome,))
        summary = experiment.summary_dict()
    summary.update(seed_method=SINGLE_SEED, root_seed=None,
                   ketensim_version=result.get("ketensim_version", summary["ketensim_version"]),
                   scenario_file=result.get("scenario_file", scenario.path))
    return ScenarioBlock(label="", summary=summary, series=experiment.series(), scenario=scenario, single_run=True)


def _subdir(folder: Path, name: str) -> Path:
    """A result subdirectory named in a JSON file: it must lie inside ``folder``."""
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise ValueError(f"dir {name!r} is not a subdirectory of the output directory")
    return path


def _broken(path: Path) -> list[float]:
    if not path.is_file():
        raise ReportInputError(f"{path}: missing; expected the replications of a comparison")
    with reading(path):
        return [float(r["broken_pairs"]) for r in read_csv(path)]


def load_output(folder: Path) -> ReportData:
    """Load whatever kind of ketensim output ``folder`` holds."""
    if not folder.is_dir():
        raise ReportInputError(f"{folder}: not a directory; expected an output directory of ketensim "
                               "run/compare/sweep")
    problem = check_complete(folder) if looks_like_output(folder) else None
    if problem:
        raise ReportInputError(problem)
    if (folder / "compare.json").is_file():
        data = _json(folder / "compare.json")
        with reading(folder / "compare.json"):
            dirs = {side: _subdir(folder, str(data[side]["dir"])) for side in ("a", "b")}
            _need(data, "metrics", folder / "compare.json")
        blocks = [_replications(dirs[side], side.upper()) for side in ("a", "b")]
        a, b = (_broken(dirs[side] / "replications.csv") for side in ("a", "b"))
        return ReportData("compare", folder, blocks, compare=data,
                          extra={"broken_differences": [y - x for x, y in zip(a, b)]})
    if (folder / "sweep.json").is_file():
        data = _json(folder / "sweep.json")
        with reading(folder / "sweep.json"):
            base = _subdir(folder, str(data["baseline"]["dir"]))
            for key in ("points", "tornado", "varies", "metric"):
                _need(data, key, folder / "sweep.json")
        return ReportData("sweep", folder, [_replications(base, "basis")], sweep=data)
    if (folder / "sobol.json").is_file():
        data = _json(folder / "sobol.json")
        with reading(folder / "sobol.json"):
            runs = _subdir(folder, str(data["dir"]))
            for key in ("indices", "metric", "variance", "runs", "base_n"):
                _need(data, key, folder / "sobol.json")
        block = replace(_replications(runs, ""), sample=True)
        return ReportData("sensitivity", folder, [block], extra={"sobol": data})
    if (folder / "optimize.json").is_file():
        data = _json(folder / "optimize.json")
        with reading(folder / "optimize.json"):
            shown = _need(data, "shown", folder / "optimize.json")
            if shown is None:
                raise ValueError("no instant was tested, so there is nothing to report")
            where = _subdir(folder, str(shown["dir"]))
            for key in ("candidates", "target", "move", "status"):
                _need(data, key, folder / "optimize.json")
        return ReportData("optimize", folder, [_replications(where, "")], extra={"optimize": data})
    if (folder / "summary.json").is_file():
        return ReportData("replications", folder, [_replications(folder, "")])
    if (folder / "result.json").is_file():
        return ReportData("single", folder, [_single(folder)])
    raise ReportInputError(f"{folder}: no summary.json, compare.json, sweep.json, sobol.json, optimize.json or "
                           "result.json; expected an output directory of ketensim run --out, run -n, compare, "
                           "sweep, sensitivity or optimize")
