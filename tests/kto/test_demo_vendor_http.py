"""The reference vendor against a real step-clock server of the bundled 2022 draaiboek, over HTTP.

A compliant system meets every draaiboek requirement and breaks no pair; a sloppy one gets exactly the
findings of what it did wrong, with the right codes, in the JSON and the JUnit report.
"""

from __future__ import annotations

import json
import subprocess
import sys

from lxml import etree

from ketensim.kto.demo_vendor import DemoVendor

ARGS = ["2022-3.0-3.1", "--seed", "1", "--start", "heen_block - 3d"]
STEP = 240  # simulated minutes per step: the whole window in about 200 steps


def _rehearse(serve, behaviour: str, tmp_path):
    server = serve(ARGS, data=tmp_path / behaviour)
    with DemoVendor(server.url, server.token, behaviour=behaviour, seed=7) as vendor:
        vendor.rehearse(step_minutes=STEP)
    with server.client() as client:
        report = client.get("/kto/rapport").json()
    server.stop()
    return server, vendor, report


def _junit(path) -> dict[str, tuple[int, int]]:
    root = etree.parse(str(path)).getroot()
    return {s.get("name"): (int(s.get("tests")), int(s.get("failures"))) for s in root.iter("testsuite")}


def test_a_compliant_vendor_meets_every_requirement_and_breaks_no_pair(serve, tmp_path):
    server, vendor, report = _rehearse(serve, "compliant", tmp_path)
    assert report["session"]["finished"]
    assert [r["id"] for r in report["requirements"] if r["met"] is not True] == []
    classes = report["summary"]["pair_classes"]
    assert classes["broken"] == 0 and classes["retour_missing"] == 0 and classes["unread_at_transition"] == 0
    assert classes["closed_in_time"] > 10
    assert report["refused"] == [] and all(e["status"] == 204 for e in vendor.log)
    assert report["protocol_errors"]["unconfirmed"] == []
    assert report["summary"]["conform"] is True
    assert any(e["release"] == "3.1" for e in vendor.log) and any(e["release"] == "3.0" for e in vendor.log)
    suites = _junit(server.data / "rapport.junit.xml")
    assert all(failures == 0 for _, failures in suites.values()), suites
    done = subprocess.run([sys.executable, "-m", "ketensim", "kto", "report", str(server.data)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_sloppy_vendor_gets_exactly_its_findings(serve, tmp_path):
    server, vendor, report = _rehearse(serve, "sloppy", tmp_path)
    sent_wrong = {e["traceerId"]: sorted(e["codes"]) for e in vendor.log if e["status"] != 204}
    reported = {r["traceerId"]: sorted(m["code"] for m in r["meldingen"]) for r in report["refused"]}
    assert reported == sent_wrong
    codes = {c for cs in reported.values() for c in cs}
    assert {"CC02", "IB103", "KS03"} <= codes
    xsd = next(r for r in report["refused"] if r["meldingen"][0]["code"] == "CC02")
    assert xsd["meldingen"][0]["plek"].startswith("/Bericht/Client")
    faults = {f for e in vendor.log for f in e["faults"]}
    assert {"xsd", "late_retour", "old_release", "after_block"} <= faults
    failed = {r["id"] for r in report["requirements"] if r["met"] is False}
    assert {"3.2.1", "3.2.2", "3.2.4"} <= failed  # heen block, retour block, go-live
    blocked = next(r for r in report["requirements"] if r["id"] == "3.2.2")
    late = {e["traceerId"] for e in vendor.log if "late_retour" in e["faults"] and "IB103" in e["codes"]}
    assert late and late <= {v["traceerId"] for v in blocked["violations"]}
    go_live = next(r for r in report["requirements"] if r["id"] == "3.2.4")
    assert {v["traceerId"] for v in go_live["violations"]} == {
        e["traceerId"] for e in vendor.log if "KS03" in e["codes"]}
    assert report["summary"]["conform"] is False
    suites = _junit(server.data / "rapport.junit.xml")
    assert suites["draaiboek"][1] == len(failed)
    written = json.loads((server.data / "rapport.json").read_text(encoding="utf-8"))
    assert written["refused"] == report["refused"]
    done = subprocess.run([sys.executable, "-m", "ketensim", "kto", "report", str(server.data)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "niet voldaan: 3.2.1" in done.stdout, done.stdout + done.stderr
