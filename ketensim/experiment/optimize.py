"""The latest safe instant: search a draaiboek instant for the riskiest position that still meets a target.

``optimize(scenario, move, target)`` builds the grid of candidate instants (see
:mod:`ketensim.experiment.moves`), ordered from the safe end to the risky end, and bisects it under
the monotonicity assumption (if a candidate meets the target, every safer one does too):

1. the safest candidate is tested; if it does not meet the target, no instant in the range does;
2. the riskiest candidate is tested; if it meets the target, the whole range is safe (the answer is
   the end of the range: widen ``--steps`` to look further);
3. otherwise the candidate halfway between the last one known to meet and the first one known not
   to is tested, until they are neighbours.

Each test is the sequential test of :mod:`ketensim.experiment.targets`: replications are added in
batches (``batch`` at a time, at most ``cap``) until the interval decides. A candidate still
undecided at the cap counts as *not shown to meet* the target, so the answer is conservative.

Every candidate runs on the same replication seeds (common random numbers): replication ``i`` of
every candidate uses seed ``spawn_seeds(root_seed, cap)[i]``, exactly the seed replication ``i`` of
``ketensim run -n`` would use, through the same replication API (:func:`run_tasks`). Differences
between neighbouring candidates are therefore due to the instant, not to luck.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ketensim import __version__
from ketensim.experiment.engine import Task, default_workers, run_tasks
from ketensim.experiment.fields import counting_note
from ketensim.experiment.files import file_sha256, write_csv, write_json
from ketensim.experiment.moves import Candidate, Move
from ketensim.experiment.outcome import ReplicationOutcome
from ketensim.experiment.replication import Experiment
from ketensim.experiment.seeds import SEED_METHOD, spawn_seeds
from ketensim.experiment.targets import MEETS, UNDECIDED, Evidence, Target, decide, max_looks
from ketensim.outdir import write_marker
from ketensim.scenario.model import Scenario
from ketensim.timeline import AMSTERDAM

__all__ = ["Optimum", "Tested", "optimize"]


@dataclass
class Tested:
    """A candidate, its replications so far and the evidence after its last look."""

    candidate: Candidate
    outcomes: list[ReplicationOutcome] = field(default_factory=list)
    evidence: Evidence | None = None

    @property
    def verdict(self) -> str:
        if self.candidate.scenario is None:
            return "skipped"
        return "not tested" if self.evidence is None else self.evidence.verdict


@dataclass(frozen=True)
class Optimum:
    """The result of a search: every candidate, the answer and how it was reached."""

    scenario: Scenario
    move: Move
    target: Target
    confidence: float
    step: str
    root_seed: int
    batch: int
    cap: int
    xml: bool
    tested: tuple[Tested, ...]
    answer: int | None
    """Position in ``tested`` of the riskiest candidate shown to meet the target, or None."""
    status: str
    """``found``, ``whole_range_safe`` or ``none_safe``."""
    steps: int = 0
    """Candidates on each side of the scenario's instant (for the record)."""

    @property
    def replications(self) -> int:
        return sum(len(t.outcomes) for t in self.tested)

    @property
    def answer_tested(self) -> Tested | None:
        return None if self.answer is None else self.tested[self.answer]

    def neighbours(self) -> list[Tested]:
        """The answer and the tested candidates right next to it on either side (the evidence for it)."""
        run = [t for t in self.tested if t.evidence is not None]
        if self.answer is None:
            return run[:1]
        i = run.index(self.tested[self.answer])
        return run[max(0, i - 1): i + 2]

    def gap_hours(self, t: Tested) -> float | None:
        """For ``--move gap``: hours from the candidate's heen block to the retour block."""
        if self.move.name != "gap":
            return None
        from ketensim.scenario.world_sections import anchor_instants

        s = self.scenario
        retour = anchor_instants({"go_live": s.go_live.at, "window_start": s.window_start,
                                  "window_end": s.window_end}, list(s.phases), list(s.blocks))["retour_block"]
        return (retour - t.candidate.at).total_seconds() / 3600

    def records(self) -> list[dict[str, Any]]:
        """One flat dict per candidate, safest first (the rows of ``optimize.csv``)."""
        rows = []
        for position, t in enumerate(self.tested):
            e = t.evidence
            rows.append({
                "step": t.candidate.step,
                "instant": t.candidate.at.astimezone(AMSTERDAM).isoformat(),
                "label": t.candidate.label,
                "gap_hours": self.gap_hours(t),
                "status": t.verdict,
                "reason": t.candidate.reason,
                "answer": position == self.answer,
                "n": len(t.outcomes) if t.outcomes else None,
                "estimate": None if e is None else e.estimate,
                "k": None if e is None else e.k,
                "ci_low": None if e is None else e.ci_low,
                "ci_high": None if e is None else e.ci_high,
                "look_confidence": None if e is None else e.confidence,
            })
        return rows

    def summary_dict(self) -> dict[str, Any]:
        """The content of ``optimize.json``."""
        answer = self.answer_tested
        return {
            "kind": "optimize",
            "ketensim_version": __version__,
            "scenario": self.scenario.id,
            "scenario_name": self.scenario.name,
            "scenario_file": Path(self.scenario.path).name,
            "scenario_sha256": file_sha256(self.scenario.path),
            "move": self.move.name,
            "moves_instant": self.move.vary,
            "scenario_instant": self.move.baseline.astimezone(AMSTERDAM).isoformat(),
            "riskier": self.move.riskier,
            "monotonicity": f"moving {self.move.name} {self.move.riskier} never makes the target easier to meet",
            "target": self.target.as_dict(),
            "confidence": self.confidence,
            "step": self.step,
            "steps": self.steps,
            "batch": self.batch,
            "max_replications": self.cap,
            "root_seed": self.root_seed,
            "seed_method": SEED_METHOD,
            "xml": self.xml,
            **counting_note(self.xml),
            "status": self.status,
            "answer": None if answer is None else self.records()[self.answer or 0],
            "shown": self._shown_dict(),
            "neighbours": [self.records()[self.tested.index(t)] for t in self.neighbours()],
            "replications_total": self.replications,
            "candidates": self.records(),
        }

    def shown(self) -> tuple[str, Tested] | None:
        """The candidate whose replications are written in full: the answer (``answer/``), else the safest
        tested one (``safest/``), so the report can show what happens there."""
        if self.answer_tested is not None:
            return "answer", self.answer_tested
        run = [t for t in self.tested if t.outcomes]
        return ("safest", run[0]) if run else None

    def _shown_dict(self) -> dict[str, Any] | None:
        shown = self.shown()
        if shown is None:
            return None
        return {"dir": shown[0], "label": shown[1].candidate.label,
                "instant": shown[1].candidate.at.astimezone(AMSTERDAM).isoformat()}

    def shown_experiment(self) -> Experiment | None:
        """The replications of :meth:`shown` as an :class:`Experiment`."""
        shown = self.shown()
        if shown is None or shown[1].candidate.scenario is None:
            return None
        t = shown[1]
        seeds = tuple(o.seed for o in t.outcomes)
        return Experiment(scenario=t.candidate.scenario, root_seed=self.root_seed, seeds=seeds, xml=self.xml,
                          outcomes=tuple(t.outcomes),
                          label=f"{self.move.name}={t.candidate.at.astimezone(AMSTERDAM):%Y-%m-%dT%H:%M}")

    def write(self, out: Path) -> list[Path]:
        """Write optimize.json, optimize.csv, optimize_replications.csv and answer/ (or safest/)."""
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        experiment = self.shown_experiment()
        shown = self.shown()
        if experiment is not None and shown is not None:
            written += experiment.write(out / shown[0])
        written.append(write_json(out / "optimize.json", self.summary_dict()))
        records = self.records()
        written.append(write_csv(out / "optimize.csv", list(records[0]) if records else ["step"],
                                 ([r[c] for c in r] for r in records)))
        metrics = list(self.tested_metrics())
        draws = self.draw_names()  # every candidate draws the same uncertain parameters (only an instant moves)
        rows = ([t.candidate.at.astimezone(AMSTERDAM).isoformat(), o.index, o.seed, *(o.draws[d] for d in draws),
                 *(o.metrics[m] for m in metrics)]
                for t in self.tested for o in t.outcomes)
        written.append(write_csv(out / "optimize_replications.csv", ["instant", "index", "seed", *draws, *metrics],
                                 rows))
        write_marker(out, "optimize")
        return written

    def draw_names(self) -> list[str]:
        """The uncertain parameters each replication drew (empty for a scenario without ranges)."""
        for t in self.tested:
            if t.outcomes:
                return list(t.outcomes[0].draws)
        return []

    def tested_metrics(self) -> list[str]:
        for t in self.tested:
            if t.outcomes:
                return list(t.outcomes[0].metrics)
        return []


class _Search:
    """Runs the sequential test on candidates, on the common seeds, and keeps every replication."""

    def __init__(self, target: Target, confidence: float, batch: int, cap: int, root_seed: int, workers: int,
                 xml: bool, progress: bool | None) -> None:
        self.target, self.confidence, self.batch, self.cap = target, confidence, batch, cap
        self.seeds = spawn_seeds(root_seed, cap)
        self.workers, self.xml, self.progress = workers, xml, progress
        self.looks = max_looks(batch, cap)

    def test(self, t: Tested) -> str:
        assert t.candidate.scenario is not None
        while t.evidence is None or (t.evidence.verdict == UNDECIDED and len(t.outcomes) < self.cap):
            have = len(t.outcomes)
            upto = min(self.cap, have + self.batch)
            tasks: list[Task] = [("", i, self.seeds[i], t.candidate.scenario, self.xml) for i in range(have, upto)]
            t.outcomes += run_tasks(tasks, self.workers, progress=self.progress, label=t.candidate.label)[""]
            values = [o.metrics[self.target.metric] for o in t.outcomes]
            t.evidence = decide(self.target, values, self.confidence, self.looks)
        return t.evidence.verdict


def optimize(
    scenario: Scenario,
    move: Move,
    target: Target,
    grid: list[Candidate],
    *,
    confidence: float = 0.95,
    step: str = "1d",
    batch: int = 20,
    cap: int = 200,
    root_seed: int = 1,
    workers: int | None = 1,
    xml: bool = False,
    progress: bool | None = None,
    steps: int = 0,
) -> Optimum:
    """Find the riskiest candidate of ``grid`` (ordered safest first) that meets ``target`` (see module doc)."""
    if not 0.5 <= confidence < 1:
        raise ValueError(f"confidence {confidence} must be in 0.5 .. 1 (e.g. 0.95)")
    if batch < 2 or cap < batch:
        raise ValueError(f"batch {batch} must be >= 2 and --max-replications {cap} at least one batch")
    tested = tuple(Tested(c) for c in grid)
    search = _Search(target, confidence, batch, cap, root_seed, workers or default_workers(), xml, progress)
    usable = [i for i, t in enumerate(tested) if t.candidate.scenario is not None]
    answer: int | None = None
    status = "none_safe"
    if usable:
        lo, hi = usable[0], usable[-1]
        if search.test(tested[lo]) == MEETS:
            if lo == hi or search.test(tested[hi]) == MEETS:
                answer, status = hi, "whole_range_safe"
            else:
                while True:
                    inner = [i for i in usable if lo < i < hi]
                    if not inner:
                        break
                    mid = inner[len(inner) // 2]
                    if search.test(tested[mid]) == MEETS:
                        lo = mid
                    else:
                        hi = mid
                answer, status = lo, "found"
    return Optimum(scenario=scenario, move=move, target=target, confidence=confidence, step=step,
                   root_seed=root_seed, batch=batch, cap=cap, xml=xml, tested=tested, answer=answer, status=status,
                   steps=steps)


