"""SIGTERM and Ctrl-C end ketensim and every process it started; nothing is left half-written.

Each test starts the real console script, waits until its child processes exist, sends the signal
and then checks (polling, with a generous limit) that the children are gone and the target directory
was not created.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    script = Path(sys.executable).with_name("ketensim")
    return subprocess.Popen([str(script), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True,
                            # a terminal's Ctrl-C: SIGINT at its default, as in an interactive shell
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_children(p: subprocess.Popen[bytes], at_least: int) -> set[int]:
    limit = time.monotonic() + 120
    while time.monotonic() < limit:
        kids = _children(p.pid)
        if len(kids) >= at_least:
            return kids
        assert p.poll() is None, p.communicate()
        time.sleep(0.05)
    pytest.fail("the child processes never started")


def _gone(pids: set[int]) -> bool:
    limit = time.monotonic() + 30
    while time.monotonic() < limit:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(("args", "children"), [
    # a single run with its forked XML worker
    (["run", "2022-national", "--xml", "on", "--xml-worker", "on", "--out", "out"], 1),
    # replications on a pool of two spawned workers
    (["run", "2022-3.0-3.1", "-n", "40", "--workers", "2", "--xml", "off", "--out", "out"], 2),
], ids=["xml-worker", "pool"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_every_child(args: list[str], children: int, sig: signal.Signals, tmp_path: Path) -> None:
    p = _start(args, tmp_path)
    kids = _wait_for_children(p, children)
    os.killpg(p.pid, sig) if sig == signal.SIGINT else p.send_signal(sig)  # Ctrl-C reaches the whole group
    _, err = p.communicate(timeout=60)
    assert p.returncode == (128 + signal.SIGTERM if sig == signal.SIGTERM else 1), err
    assert "Traceback" not in err.decode()
    assert _gone(kids), f"left behind: {[k for k in kids if _alive(k)]}"
    assert sorted(q.name for q in tmp_path.iterdir()) == []  # neither results nor a staging directory


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_ends_a_dask_local_cluster(sig: signal.Signals, tmp_path: Path) -> None:
    """The workers of `--executor dask` (a local cluster) go with the run; nothing is written.

    A worker that gets Ctrl-C while it is still importing prints a traceback of its own (it ignores
    Ctrl-C from its preload on), so stderr is only checked for what ketensim itself says.
    """
    p = _start(["run", "2022-3.0-3.1", "-n", "40", "--executor", "dask", "--workers", "2", "--xml", "off", "--out",
                "out"], tmp_path)
    kids = _wait_for_children(p, 2)
    os.killpg(p.pid, sig) if sig == signal.SIGINT else p.send_signal(sig)
    _, err = p.communicate(timeout=90)
    assert p.returncode == (128 + signal.SIGTERM if sig == signal.SIGTERM else 1), err
    if sig == signal.SIGINT:
        assert err.decode().endswith("Aborted.\n")
    assert _gone(kids), f"left behind: {[k for k in kids if _alive(k)]}"
    assert sorted(q.name for q in tmp_path.iterdir()) == []


def test_a_killed_run_takes_its_xml_worker_along(tmp_path: Path) -> None:
    """Even SIGKILL, which ketensim cannot handle: the kernel stops the worker (Linux parent-death signal)."""
    p = _start(["run", "2022-national", "--xml", "on", "--xml-worker", "on"], tmp_path)
    kids = _wait_for_children(p, 1)
    time.sleep(0.5)  # the worker has asked for the parent-death signal by now
    p.kill()
    p.communicate(timeout=60)
    assert _gone(kids), f"left behind: {[k for k in kids if _alive(k)]}"


def test_a_worker_killed_from_outside_stops_the_experiment(tmp_path: Path) -> None:
    """A pool worker killed (as the kernel does when memory runs out) ends `run -n` with one line, not a hang."""
    p = _start(["run", "2022-3.0-3.1", "-n", "40", "--workers", "2", "--xml", "off", "--out", "out"], tmp_path)
    kids = _wait_for_children(p, 3)  # the resource tracker and two workers
    time.sleep(1.0)  # the workers are past their start
    workers = [k for k in kids if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()]
    assert workers
    os.kill(workers[0], signal.SIGKILL)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 1
    assert err.decode().strip().splitlines() == [
        "error: a worker process of the replications died (killed by signal 9; out of memory?); the experiment "
        "stopped and wrote nothing"]
    assert _gone(kids - {workers[0]})
    assert sorted(q.name for q in tmp_path.iterdir()) == []
