"""Nothing acknowledged is lost: kill -9 mid-rehearsal, resume, and the report equals an uninterrupted one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

from kto_helpers import push, retour_on

ARGS = ["2022-3.0-3.1", "--seed", "3", "--start", "heen_block - 2d"]
STEP = timedelta(hours=12)


class ScriptedVendor:
    """Answers every heen in its release and confirms everything, one step of the step clock at a time.

    Its ids derive from a counter, so two runs that see the same chain send byte-identical inputs.
    """

    def __init__(self) -> None:
        self.sent = 0

    def step(self, client) -> bool:
        for item in client.get("/berichten").json():
            subtype = item["routering"]["berichtstroom"]["berichtsubtype"]
            if subtype[-3:] in ("301", "319"):
                release = f"{item['routering']['berichtstroom']['berichtversie']}." \
                          f"{item['routering']['berichtstroom']['berichtsubversie']}"
                self.sent += 1
                push(client, *retour_on(client, item, release=release, ident=f"R{self.sent:011d}"))
            assert client.delete(f"/berichten/{item['traceerId']}").status_code == 204
        clock = client.get("/kto/klok").json()
        if clock["klaar"]:
            return False
        target = datetime.fromisoformat(clock["nu"]) + STEP
        client.post("/kto/klok", json={"tot": target.isoformat()})
        return True


def test_kill_9_and_resume_give_the_report_of_an_uninterrupted_session(serve, tmp_path):
    whole = serve(ARGS, data=tmp_path / "whole")
    vendor = ScriptedVendor()
    with whole.client() as client:
        while vendor.step(client):
            pass
        expected = client.get("/kto/rapport").json()
    assert expected["session"]["finished"] and expected["summary"]["pairs"] > 5
    assert (tmp_path / "whole" / "rapport.json").is_file()

    first = serve(ARGS, data=tmp_path / "killed")
    vendor = ScriptedVendor()
    with first.client() as client:
        fetched: list[str] = []
        for _ in range(30):  # on to a moment with mail waiting (fetched, then not confirmed)
            vendor.step(client)
            fetched = [i["traceerId"] for i in client.get("/berichten").json()]
            if fetched:
                break
        assert fetched, "the kill should leave fetched but unconfirmed messages behind"
    first.kill9()
    resumed = serve(["--resume"], data=tmp_path / "killed", token=first.token)
    assert any("(resumed)" in line for line in resumed.output)
    with resumed.client() as client:
        assert [i["traceerId"] for i in client.get("/berichten").json()] == fetched  # offered again
        while vendor.step(client):
            pass
        got = client.get("/kto/rapport").json()
    assert got == expected
    resumed.stop()
    written = json.loads((tmp_path / "killed" / "rapport.json").read_text(encoding="utf-8"))
    assert written == json.loads((tmp_path / "whole" / "rapport.json").read_text(encoding="utf-8"))
    # the report rebuilt from the journal alone is the same, and its exit status follows the verdicts
    done = subprocess.run([sys.executable, "-m", "ketensim", "kto", "report", str(tmp_path / "killed")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == (1 if expected["summary"]["requirements_failed"] else 0), done.stderr
    assert json.loads((tmp_path / "killed" / "rapport.json").read_text(encoding="utf-8")) == expected
