"""Results are never lost, half-written or mixed: checked targets, atomic files, a completion marker."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.outdir import MARKER, OutputError, OutputTarget, atomic_write, check_complete, write_marker
from ketensim.scenario.model import Scenario


def _invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        from ketensim.exceptions import KetensimError

        assert isinstance(result.exception, KetensimError), result.exception
        return 1, str(result.exception)
    return result.exit_code, result.output


class TestOutputTarget:
    def test_a_file_in_the_path_is_refused(self, tmp_path: Path) -> None:
        (tmp_path / "afile").write_text("x")
        with pytest.raises(OutputError, match=r"afile/sub: cannot create it: .*afile is a file; expected a directory"):
            OutputTarget(tmp_path / "afile" / "sub")

    def test_a_device_is_refused(self) -> None:
        with pytest.raises(OutputError, match=r"^/dev/full: exists and is not a directory"):
            OutputTarget(Path("/dev/full"))

    @pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
    def test_a_read_only_directory_is_refused(self, tmp_path: Path) -> None:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        with pytest.raises(OutputError, match=r"ro/out: cannot write in .*ro: Permission denied"):
            OutputTarget(ro / "out")

    def test_a_full_disk_is_found_before_the_work(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(OutputError, match=r"out: cannot write in .*: No space left on device"):
            OutputTarget(tmp_path / "out")
        assert list(tmp_path.iterdir()) == []  # no staging directory left

    def test_a_failure_while_writing_leaves_the_old_results(self, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
        """A full disk (or any write error) after the work: one line, the earlier results untouched."""
        out = tmp_path / "out"
        out.mkdir()
        atomic_write(out / "result.json", "{}")
        write_marker(out, "run")
        before = sorted(p.name for p in out.iterdir())
        with pytest.raises(OutputError, match=r"out: cannot write the results: No space left on device; nothing "
                                              r"was written there"):
            with OutputTarget(out, overwrite=True) as target:
                atomic_write(target.stage / "result.json", "new")
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        assert sorted(p.name for p in out.iterdir()) == before
        assert (out / "result.json").read_text() == "{}"
        assert [p.name for p in tmp_path.iterdir()] == ["out"]

    def test_an_interrupt_leaves_nothing(self, tmp_path: Path) -> None:
        with pytest.raises(KeyboardInterrupt):
            with OutputTarget(tmp_path / "out") as target:
                atomic_write(target.stage / "result.json", "{}")
                raise KeyboardInterrupt
        assert list(tmp_path.iterdir()) == []

    def test_another_run_is_refused_and_replaced_whole_with_overwrite(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        out.mkdir()
        atomic_write(out / "summary.json", "{}")
        atomic_write(out / "stale.xml", "<x/>")
        with pytest.raises(OutputError, match=r"out: already holds the results of another run; choose a new "
                                              r"directory or add --overwrite to replace them"):
            OutputTarget(out)
        with OutputTarget(out, overwrite=True) as target:
            atomic_write(target.stage / "result.json", "{}")
            write_marker(target.stage, "run")
            target.commit()
        assert sorted(p.name for p in out.iterdir()) == sorted(["result.json", MARKER])
        assert [p.name for p in tmp_path.iterdir()] == ["out"]

    def test_a_foreign_directory_is_never_replaced(self, tmp_path: Path) -> None:
        (tmp_path / "notes.txt").write_text("mine")
        with pytest.raises(OutputError, match=r"directory is not empty and holds no ketensim results"):
            OutputTarget(tmp_path, overwrite=True)

    def test_an_empty_directory_is_used(self, tmp_path: Path) -> None:
        with OutputTarget(tmp_path) as target:
            atomic_write(target.stage / "result.json", "{}")
            target.commit()
        assert (tmp_path / "result.json").is_file()


class TestAtomicWrite:
    def test_an_interrupted_write_leaves_the_old_file(self, tmp_path: Path) -> None:
        from ketensim.outdir import atomic_open

        path = atomic_write(tmp_path / "a.csv", "old\n")
        with pytest.raises(KeyboardInterrupt):
            with atomic_open(path, "w") as handle:
                handle.write("half")
                raise KeyboardInterrupt
        assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["a.csv"]


class TestMarker:
    def test_complete_incomplete_truncated_mixed(self, tmp_path: Path) -> None:
        atomic_write(tmp_path / "result.json", "{}")
        atomic_write(tmp_path / "pairs.csv", "a,b\n1,2\n")
        assert "incomplete: no ketensim-complete.json" in (check_complete(tmp_path) or "")
        write_marker(tmp_path, "run")
        assert check_complete(tmp_path) is None
        (tmp_path / "pairs.csv").write_text("a,b\n")
        assert "pairs.csv: 4 bytes, but 8 when it was written; the file was truncated" in (check_complete(tmp_path)
                                                                                            or "")
        write_marker(tmp_path, "run")
        atomic_write(tmp_path / "summary.json", "{}")
        assert "summary.json: not written by the run that completed this directory" in (check_complete(tmp_path)
                                                                                        or "")


@pytest.mark.parametrize("command", [
    ["run", "{tiny}", "--xml", "off", "--out", "{bad}"],
    ["run", "{tiny}", "--xml", "off", "-n", "2", "--workers", "1", "--out", "{bad}"],
    ["compare", "{tiny}", "{tiny}", "-n", "2", "--workers", "1", "--xml", "off", "--out", "{bad}"],
    ["sweep", "{tiny}", "--vary", "retour_block=0h", "-n", "2", "--workers", "1", "--out", "{bad}"],
])
def test_every_writing_command_checks_its_target_before_the_work(command: list[str], tiny_path: Path,
                                                                 tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    args = [a.format(tiny=tiny_path, bad=tmp_path / "afile" / "sub") for a in command]
    code, text = _invoke(args)
    assert code == 1 and "afile is a file; expected a directory" in text
    assert "simulated in" not in text  # refused before any simulation ran


def test_report_and_plot_into_a_file_path(tiny_path: Path, tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    for args in (["report", str(tmp_path), "-o", str(tmp_path / "afile" / "r.html")],
                 ["scenario", "plot", str(tiny_path), "-o", str(tmp_path / "afile" / "g.png")]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "afile is not a directory" in result.output, result.output


def test_report_onto_a_device(tiny: Scenario, tmp_path: Path) -> None:
    """`report -o /dev/full` is refused in one line; the device is not replaced by a file."""
    from ketensim.output import write_run
    from ketensim.run import run_replication

    write_run(run_replication(tiny, 4, xml=False), tmp_path / "single")
    code, text = _invoke(["report", str(tmp_path / "single"), "-o", "/dev/full"])
    assert code == 1 and text == "/dev/full: exists and is not a regular file; expected a file to write"
    assert Path("/dev/full").is_char_device()


def test_run_twice_into_one_directory(tiny_path: Path, tmp_path: Path) -> None:
    """The second run is refused; with --overwrite it replaces the first whole (no stale files stay)."""
    out = tmp_path / "out"
    assert _invoke(["run", str(tiny_path), "--keep-xml", "--out", str(out)])[0] == 0
    assert (out / "xml").is_dir()
    code, text = _invoke(["run", str(tiny_path), "-n", "2", "--workers", "1", "--xml", "off", "--out", str(out)])
    assert code == 1 and "already holds the results of another run" in text
    code, text = _invoke(["run", str(tiny_path), "-n", "2", "--workers", "1", "--xml", "off", "--out", str(out),
                          "--overwrite"])
    assert code == 0, text
    assert not (out / "xml").exists() and not (out / "result.json").exists()
    assert json.loads((out / MARKER).read_text())["kind"] == "replications"
    assert check_complete(out) is None


class TestReportInput:
    """`report` on incomplete, truncated or damaged directories: one line naming the file, never a traceback."""

    @pytest.fixture()
    def single(self, tiny: Scenario, tmp_path: Path) -> Path:
        from ketensim.output import write_run
        from ketensim.run import run_replication

        return write_run(run_replication(tiny, 4, xml=False), tmp_path / "single")[0].parent

    def _report(self, folder: Path) -> str:
        code, text = _invoke(["report", str(folder), "-o", str(folder.parent / "r.html")])
        assert code == 1 and "\n" not in text.strip(), text
        return text

    def test_incomplete(self, single: Path) -> None:
        (single / MARKER).unlink()
        assert "single: incomplete: no ketensim-complete.json" in self._report(single)

    def test_truncated(self, single: Path) -> None:
        data = (single / "messages.csv").read_bytes()
        (single / "messages.csv").write_bytes(data[: len(data) // 2])
        assert "messages.csv: " in self._report(single) and "truncated" in self._report(single)

    @pytest.mark.parametrize(("name", "old", "new", "expected"), [
        ("result.json", '"seed": 4', '"seed": "four"', r"result.json: invalid literal for int"),
        ("result.json", '"resolved_scenario"', '"resolved"', r"result.json: no 'resolved_scenario'"),
        ("backlog.csv", "2022-", "20x2-", r"backlog.csv: line 2: time_utc '20x2-.*' is not a UTC time stamp"),
        ("messages.csv", ",2022-", ",2022-13-", r"messages.csv: line 2: .* is not a UTC time stamp"),
        ("backlog.csv", ",0\n", ",many\n", r"backlog.csv: invalid literal for int\(\) with base 10: 'many'"),
        ("pairs.csv", "closed_in_time", "closed_in_tme", r"pairs.csv: line \d+: outcome 'closed_in_tme'; expected "),
    ])
    def test_damaged(self, single: Path, name: str, old: str, new: str, expected: str) -> None:
        import re

        text = (single / name).read_text(encoding="utf-8")
        assert old in text
        (single / name).write_text(text.replace(old, new), encoding="utf-8")
        write_marker(single, "run")  # damaged by its writer, not truncated afterwards
        assert re.search(expected, self._report(single))

    def test_thin_result(self, single: Path) -> None:
        (single / "result.json").write_text(json.dumps({"summary": {}, "seed": 1, "resolved_scenario": {}}))
        write_marker(single, "run")
        assert "result.json: " in self._report(single)

    def test_damaged_summary(self, tiny: Scenario, tmp_path: Path) -> None:
        from ketensim.experiment import replicate

        folder = tmp_path / "reps"
        replicate(tiny, 2, root_seed=2, progress=False).write(folder)
        data = json.loads((folder / "summary.json").read_text())
        data["metrics"]["broken_pairs"]["mean"] = "lots"
        (folder / "summary.json").write_text(json.dumps(data))
        write_marker(folder, "replications")
        assert "summary.json: " in self._report(folder)


def test_the_run_table_adds_up(tmp_path: Path) -> None:
    """Every pair outcome is a row: the outcome rows, broken pairs included, sum to the pairs."""
    code, text = _invoke(["run", "whatif-mix", "--xml", "off"])
    assert code == 0
    rows = {line[:60].strip(): line[60:].strip() for line in text.splitlines() if len(line) > 60}
    outcomes = ["closed in time", "closed after the procedural deadline", "retour unread at the transition",
                "rejected and resent", "rejected and not resent", "held by the sender at the end",
                "open at the end (new release, awaiting its retour)",
                "retour refused technically (new release; corrupt)"]
    broken = int(rows["broken pairs (gebroken berichtparen)"])
    assert sum(int(rows[k]) for k in outcomes) + broken == int(rows["pairs"])
