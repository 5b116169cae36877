"""Executors: the same output files in this process, on the process pool and on Dask; chunking; errors.

A Dask ``LocalCluster`` of two worker processes is started once for the module; the commands reach
it through ``--executor dask --scheduler ADDRESS``, as they would a real cluster. One test lets
ketensim start its own local cluster (``--executor dask`` alone).
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import distributed
import pytest

from ketensim.cli import main
from ketensim.experiment import replicate
from ketensim.experiment.engine import ReplicationFailed, run_tasks
from ketensim.experiment.executors import (
    CHUNKS_PER_WORKER,
    MAX_CHUNK,
    ExecutorSpec,
    ExecutorUnavailable,
    chunk_tasks,
    failed_position,
    run_chunk,
)
from ketensim.scenario.model import Scenario


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                                  silence_logs=logging.ERROR) as running:
        yield running


@pytest.fixture(scope="module")
def client(cluster: distributed.LocalCluster) -> Iterator[distributed.Client]:
    with distributed.Client(cluster) as connected:
        yield connected


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


class TestChunks:
    def test_the_rule(self) -> None:
        """About four chunks per worker, at most MAX_CHUNK replications each, every task once and in order."""
        tasks = [("", i, i, None, False) for i in range(200)]
        chunks = chunk_tasks(tasks, 2)  # type: ignore[arg-type]
        assert [len(c) for c in chunks] == [25] * 8
        assert [t for c in chunks for t in c] == tasks
        assert {len(c) for c in chunk_tasks(tasks[:20], 2)} == {3, 2}  # type: ignore[arg-type]
        assert {len(c) for c in chunk_tasks(tasks, 100)} == {1}  # type: ignore[arg-type]
        assert max(len(c) for c in chunk_tasks(tasks * 10, 1)) == MAX_CHUNK  # type: ignore[arg-type]
        assert len(chunk_tasks(tasks[:40], 1)) == CHUNKS_PER_WORKER  # type: ignore[arg-type]
        assert chunk_tasks([], 2) == []

    def test_a_failure_carries_its_position_in_the_chunk(self, tiny: Scenario) -> None:
        broken = replace(tiny, behaviour=None)  # type: ignore[arg-type]  # the world cannot be built
        with pytest.raises(AttributeError) as info:
            run_chunk([("", 0, 1, tiny, False), ("", 1, 2, broken, False)])
        travelled = pickle.loads(pickle.dumps(info.value))  # as it comes back from a worker
        assert failed_position(travelled) == 1
        assert failed_position(ValueError("from elsewhere")) == 0


class TestSameFiles:
    """run -n, compare and sweep write byte-identical files in-process, on the pool and on Dask."""

    COMMANDS = {
        "run": ["run", "{tiny}", "-n", "5", "--xml", "off", "--seed", "3"],
        "compare": ["compare", "{tiny}", "{edited}", "-n", "3"],
        "sweep": ["sweep", "{tiny}", "--vary", "retour_block=0h,6h", "-n", "2"],
    }

    @pytest.mark.parametrize("command", list(COMMANDS))
    def test_every_executor_writes_the_same_files(self, command: str, tiny_path: Path, tmp_path: Path,
                                                  cluster: distributed.LocalCluster,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
        edited = tmp_path / "edited.toml"  # more late senders: B differs from A
        edited.write_text(tiny_path.read_text(encoding="utf-8").replace("share = 0.3", "share = 0.6", 1),
                          encoding="utf-8")
        args = [a.format(tiny=tiny_path, edited=edited) for a in self.COMMANDS[command]]
        runs = {
            "in-process": ["--workers", "1"],
            "pool": ["--workers", "2"],
            "dask": ["--executor", "dask", "--scheduler", cluster.scheduler_address],
        }
        outputs = {}
        for name, flags in runs.items():
            code, out, err = _cli([*args, *flags, "--out", str(tmp_path / name)], capsys)
            assert code == 0, err
            outputs[name] = _files(tmp_path / name)
            if name == "dask":
                assert f"dask scheduler {cluster.scheduler_address}" in out
        assert len(outputs["in-process"]) >= 6
        assert outputs["pool"] == outputs["in-process"]
        assert outputs["dask"] == outputs["in-process"]

    def test_a_local_cluster_started_by_ketensim(self, tiny_path: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
        args = ["run", str(tiny_path), "-n", "4", "--xml", "off"]
        code, _, err = _cli([*args, "--workers", "1", "--out", str(tmp_path / "here")], capsys)
        assert code == 0, err
        code, out, err = _cli([*args, "--executor", "dask", "--workers", "2", "--out", str(tmp_path / "dask")], capsys)
        assert code == 0, err
        assert "4 replications  root seed 1  dask local cluster, 2 workers  xml off" in out
        assert _files(tmp_path / "dask") == _files(tmp_path / "here")

    def test_the_local_cluster_keeps_malloc_trimming_as_it_is(self) -> None:
        """Dask's MALLOC_TRIM_THRESHOLD_ (it slows a replication's many small allocations) is not given to
        the workers ketensim starts; Dask's other variables are."""
        from ketensim.experiment.dask_executor import _connect

        with _connect(None, 1) as client:
            seen = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS")))
        assert list(seen.values()) == [(None, "1")]

    def test_the_library_takes_a_client(self, tiny: Scenario, client: distributed.Client) -> None:
        here = replicate(tiny, 3, root_seed=5, progress=False)
        there = replicate(tiny, 3, root_seed=5, progress=False, executor=client)
        assert there.outcomes == here.outcomes


class TestErrors:
    def test_a_failing_replication_on_dask_names_variant_and_seed(self, tiny: Scenario,
                                                                   client: distributed.Client) -> None:
        broken = replace(tiny, behaviour=None)  # type: ignore[arg-type]
        task = ("retour_block=+6h", 0, 12345, broken, False)
        with pytest.raises(ReplicationFailed, match=r"replication 0 of variant 'retour_block=\+6h' of scenario "
                                                    r"2022-3.0-3.1 \(seed 12345\) failed: AttributeError: ") as info:
            run_tasks([task, task], workers=2, progress=False, executor=client)
        assert info.value.__cause__ is not None

    @pytest.mark.parametrize(("address", "expected"), [
        ("nonsense", "missing port number"),
        ("foo://bar:1", "unknown address scheme 'foo'"),
    ])
    def test_a_bad_scheduler_address_is_one_line(self, address: str, expected: str, tiny_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = _cli(["run", str(tiny_path), "-n", "2", "--executor", "dask", "--scheduler", address], capsys)
        assert code == 1
        assert err.startswith(f"error: cannot reach the Dask scheduler at '{address}': ") and expected in err
        assert err.count("\n") == 1

    def test_a_scheduler_nobody_answers(self, tiny_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setattr("ketensim.experiment.dask_executor.CONNECT_TIMEOUT", 1)
        code, _, err = _cli(["compare", str(tiny_path), str(tiny_path), "-n", "2", "--executor", "dask",
                             "--scheduler", "tcp://127.0.0.1:1"], capsys)
        assert code == 1
        assert err.startswith("error: cannot reach the Dask scheduler at 'tcp://127.0.0.1:1': ")
        assert err.count("\n") == 1

    def test_workers_of_another_version_are_refused(self, tiny_path: Path, cluster: distributed.LocalCluster,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setattr("ketensim.experiment.dask_executor.__version__", "9.9.9")
        code, _, err = _cli(["run", str(tiny_path), "-n", "2", "--executor", "dask", "--scheduler",
                             cluster.scheduler_address], capsys)
        assert code == 1
        assert f"error: the Dask workers of {cluster.scheduler_address} need ketensim 9.9.9: " in err
        assert err.count("\n") == 1

    def test_without_the_extra(self, tiny_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
        monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
        code, _, err = _cli(["sweep", str(tiny_path), "--vary", "retour_block=0h", "-n", "2", "--executor", "dask"],
                            capsys)
        assert code == 1
        assert err == "error: --executor dask needs the dask extra, which is not installed: " \
                      "pip install 'ketensim[dask]'\n"
        with pytest.raises(ExecutorUnavailable):
            run_tasks([("", 0, 1, None, False)] * 2, 2, progress=False,  # type: ignore[list-item]
                      executor=ExecutorSpec("dask"))

    @pytest.mark.parametrize(("args", "expected"), [
        (["-n", "2", "--scheduler", "tcp://127.0.0.1:8786"], "Invalid value for --scheduler: --scheduler needs "
                                                             "--executor dask"),
        (["--executor", "dask"], "Invalid value for --executor: --executor dask is for replications (-n > 1)"),
        (["-n", "2", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:8786", "--workers", "2"],
         "Invalid value for --workers: the Dask cluster has its own workers"),
    ])
    def test_usage_errors(self, args: list[str], expected: str, tiny_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = _cli(["run", str(tiny_path), *args], capsys)
        assert code == 2
        assert expected in err
