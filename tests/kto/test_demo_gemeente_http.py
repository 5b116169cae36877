"""The reference gemeente against a real step-clock server of the bundled 2022 draaiboek, over HTTP.

A compliant gemeente (webservice: ketensim delivers to its own endpoint) meets every draaiboek requirement
and breaks no pair; a sloppy one (portal: it reads its mailbox) gets exactly the refusals it earned, and the
heen block, retour block and go-live rows fail. ``ketensim kto demo-vendor --side gemeente`` runs it from
the command line, its endpoint first and the server after it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lxml import etree

from ketensim.kto.demo_gemeente import DemoGemeente

ARGS = ["2022-3.0-3.1", "--seed", "1", "--party", "gemeente", "--start", "heen_block - 3d"]
STEP = 240  # simulated minutes per step: the whole window in about 200 steps
_TOKEN = re.compile(r"token for gemeente \d+ \(shown once, keep it\): (\S+)")
BLOCKS_AND_GO_LIVE = {"3.2.1", "3.2.2", "3.2.4"}  # heen block, retour block, go-live (scenarios/2022-3.0-3.1.toml)


def _rehearse(serve, tmp_path: Path, behaviour: str, mode: str):
    with DemoGemeente("", "", behaviour=behaviour, seed=1, mode=mode) as gemeente:
        deliver_to = ["--deliver-to", gemeente.endpoint_url] if mode == "webservice" else []
        server = serve(ARGS + deliver_to, data=tmp_path / behaviour)
        gemeente.connect(server.url, server.token)
        gemeente.rehearse(step_minutes=STEP)
        with server.client() as client:
            report = client.get("/kto/rapport").json()
        server.stop()  # writes the report files
    return server, gemeente, report


def _junit(path: Path) -> dict[str, tuple[int, int]]:
    root = etree.parse(str(path)).getroot()
    return {s.get("name"): (int(s.get("tests")), int(s.get("failures"))) for s in root.iter("testsuite")}


def _kto_report(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ketensim", "kto", "report", str(directory)],
                          capture_output=True, text=True, timeout=300)


def test_a_compliant_gemeente_by_webservice_meets_every_requirement(serve, tmp_path):
    server, gemeente, report = _rehearse(serve, tmp_path, "compliant", "webservice")
    assert report["session"]["finished"] and report["session"]["party"]["kind"] == "gemeente"
    assert [r["id"] for r in report["requirements"] if r["met"] is not True] == []
    classes = report["summary"]["pair_classes"]
    assert (classes["broken"], classes["retour_missing"], classes["unread_at_transition"]) == (0, 0, 0)
    assert classes["closed_in_time"] > 10
    assert report["refused"] == [] and all(e["status"] == 200 and not e["faults"] for e in gemeente.log)
    assert report["summary"]["conform"] is True
    assert {e["release"] for e in gemeente.log} == {"3.0", "3.1"}
    deliveries = gemeente.deliveries
    assert deliveries and all(d.accepted <= 1 for d in deliveries), [d for d in deliveries if d.accepted > 1]
    assert gemeente.endpoint.unreadable == []
    suites = _junit(server.data / "rapport.junit.xml")
    assert all(failures == 0 for _, failures in suites.values()), suites
    done = _kto_report(server.data)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_sloppy_gemeente_on_the_portal_gets_exactly_its_refusals(serve, tmp_path):
    server, gemeente, report = _rehearse(serve, tmp_path, "sloppy", "portal")
    sent_wrong = {e["traceerId"]: sorted(e["codes"]) for e in gemeente.log if e["status"] != 200}
    reported = {r["traceerId"]: sorted(m["code"] for m in r["meldingen"]) for r in report["refused"]}
    assert reported == sent_wrong
    assert {"CC02", "IB103", "KS03"} <= {c for cs in reported.values() for c in cs}
    assert {"xsd", "late_retour", "old_release", "after_block"} <= {f for e in gemeente.log for f in e["faults"]}
    failed = {r["id"] for r in report["requirements"] if r["met"] is False}
    assert BLOCKS_AND_GO_LIVE <= failed
    go_live = next(r for r in report["requirements"] if r["id"] == "3.2.4")
    assert {v["traceerId"] for v in go_live["violations"]} == {e["traceerId"] for e in gemeente.log
                                                               if "KS03" in e["codes"]}
    assert report["summary"]["conform"] is False
    assert gemeente.deliveries == []  # a portal user has no endpoint
    done = _kto_report(server.data)
    assert done.returncode == 1 and "niet voldaan: 3.2.1" in done.stdout, done.stdout + done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_cli_prints_its_endpoint_first_then_connects_to_the_server_started_after_it(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    demo = subprocess.Popen([sys.executable, "-m", "ketensim", "kto", "demo-vendor", url, "--side", "gemeente",
                             "--mode", "webservice", "--listen", "127.0.0.1:0", "--token", "-", "--wait", "60",
                             "--behaviour", "sloppy", "--step-minutes", "720"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    server = None
    try:
        assert demo.stdout is not None and demo.stdin is not None
        first = demo.stdout.readline()
        assert first.startswith("endpoint: http://127.0.0.1:") and first.rstrip().endswith("/ontvang"), first
        endpoint = first.split()[1]
        log = tmp_path / "serve.log"
        with log.open("w") as sink:  # a file, not a pipe: the server never blocks on its output
            server = subprocess.Popen([sys.executable, "-m", "ketensim", "kto", "serve", *ARGS, "--deliver-to",
                                       endpoint, "--data", str(tmp_path / "cli"), "--port", url.rsplit(":", 1)[1]],
                                      stdout=sink, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 120
        while not (found := _TOKEN.search(log.read_text())) and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert found, "the server printed no token:\n" + log.read_text()
        token = found.group(1)
        out, err = demo.communicate(token + "\n", timeout=120)
    finally:
        for proc in (demo, server):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    assert demo.returncode == 0, out + err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["sent"] > 0 and summary["read"] > 0 and summary["refused"] > 0


@pytest.mark.parametrize(("flags", "says"), [
    (["--token", "t", "--behaviour", "lax"], "--behaviour 'lax'"),
    (["--token", "t", "--side", "vendor"], "--side 'vendor'"),
    (["--token", "t", "--mode", "portal"], "--mode is for --side gemeente"),
    (["--token", "t", "--side", "gemeente", "--mode", "ftp"], "--mode 'ftp'"),
    (["--token", "t", "--side", "gemeente", "--mode", "portal", "--listen", "127.0.0.1:8480"], "--listen is for"),
    (["--token", "t", "--side", "gemeente", "--listen", "8480"], "--listen '8480'"),
    (["--side", "gemeente"], "missing --token"),
    (["--token", "t", "--step-minutes", "0"], "--step-minutes"),
])
def test_the_cli_refuses_bad_flags_in_one_line(flags, says):
    env = {k: v for k, v in os.environ.items() if k != "KETENSIM_KTO_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "ketensim", "kto", "demo-vendor", "http://127.0.0.1:1", *flags],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2 and done.stdout == "", done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and says in done.stderr, done.stderr
