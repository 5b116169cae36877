"""Write a run's results: ``result.json``, ``pairs.csv``, ``messages.csv``, ``answers.csv``, ``backlog.csv``.

Files are written deterministically (sorted keys, fixed float formatting, no wall-clock times),
so the same scenario and seed give byte-identical output; each atomically, and the completion
marker (:mod:`ketensim.outdir`) last.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ketensim.experiment.fields import counting_note
from ketensim.outdir import atomic_open, atomic_write, write_marker
from ketensim.run import RunResult
from ketensim.scenario.model import Scenario

__all__ = ["write_run", "scenario_dict", "result_dict"]


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # a field marked "recorded_when_set" is left out at its default, so older results keep their form
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not (f.metadata.get("recorded_when_set") and getattr(value, f.name) == f.default)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    return value


def scenario_dict(s: Scenario) -> dict[str, Any]:
    """The resolved scenario (every default filled in) as JSON-ready data.

    Uncertain ranges and draft releases appear only when the scenario has some (``uncertain``;
    ``drafts``, each marked ``"afgeleid": true``), so results of other scenarios keep their exact bytes.
    """
    data = _plain(s)
    if not s.uncertain:
        del data["uncertain"]
    if s.drafts:
        data["drafts"] = [{**d, "afgeleid": True} for d in data["drafts"]]
    else:
        del data["drafts"]
    return data


def result_dict(r: RunResult) -> dict[str, Any]:
    """The content of ``result.json``."""
    return {
        "scenario": r.scenario.id,
        "scenario_file": Path(r.scenario.path).name,
        "seed": r.seed,
        "ketensim_version": r.version,
        "xml": r.xml,
        "summary": r.summary,
        "injections": r.injections,
        "hubs": r.hubs,
        "resolved_scenario": scenario_dict(r.scenario),
        **counting_note(r.xml),
        **({"parameter_draws": r.draws} if r.draws else {}),
    }


def _write_csv(path: Path, rows: list[Any], columns: list[str]) -> None:
    with atomic_open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)


def write_run(r: RunResult, out: Path) -> list[Path]:
    """Write every result file of ``r`` into ``out`` (created if needed), the marker last; return the paths.

    The completion marker is not in the returned list.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    result = out / "result.json"
    atomic_write(result, json.dumps(result_dict(r), indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    written.append(result)
    for name, rows in (("pairs.csv", r.pairs), ("messages.csv", r.messages), ("answers.csv", r.answers)):
        kind = {"pairs.csv": "PairRecord", "messages.csv": "MessageRecord", "answers.csv": "AnswerRecord"}[name]
        from ketensim import ledger

        columns = list(getattr(ledger, kind)._fields)
        _write_csv(out / name, list(rows), columns)
        written.append(out / name)
    _write_csv(out / "backlog.csv", list(r.backlog), ["time_utc", "backlog"])
    written.append(out / "backlog.csv")
    if r.xml_documents:
        xml_dir = out / "xml"
        xml_dir.mkdir(exist_ok=True)
        by_id = {m.message_id: m for m in r.messages}
        for message_id in sorted(r.xml_documents):
            record = by_id.get(message_id)
            name = f"{message_id}_{record.code}_{record.release}.xml" if record else f"{message_id}.xml"
            # plain writes: one fsync per message would cost seconds; the marker lists every size
            (xml_dir / name).write_bytes(r.xml_documents[message_id])
        written.append(xml_dir)
    write_marker(out, "run")
    return written
