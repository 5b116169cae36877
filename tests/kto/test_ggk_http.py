"""A gemeente system over the GGk's StUF interface, over real HTTP: envelopes, delivery, outages, resume."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta

import pytest
from kto_helpers import Receiver, ggk_post, ggk_retour

from ketensim.kto import stuf

ARGS = ["2022-3.0-3.1", "--seed", "1", "--party", "gemeente", "--start", "heen_block - 3d"]
HEENS = ("305", "307", "315", "317", "323")


def _heens(client) -> list[dict]:
    return [i for i in client.get("/berichten").json()
            if i["routering"]["berichtstroom"]["berichtsubtype"][-3:] in HEENS]


def _answer(response) -> stuf.Bv03 | stuf.Fo03:
    return stuf.parse_response(response.content)


def test_a_gemeente_answers_over_stuf_and_gets_a_bv03_or_a_fo03(serve):
    server = serve(ARGS)
    client = server.client()
    assert "gemeente" in " ".join(server.output) and "portal user" in " ".join(server.output)
    item = _heens(client)[0]
    body = ggk_retour(client, item)
    response = ggk_post(client, body)
    receipt = _answer(response)
    assert response.status_code == 200 and isinstance(receipt, stuf.Bv03), response.text
    sent = stuf.parse_request(body)
    assert receipt.cross_refnummer == sent.referentienummer
    assert receipt.tijdstip_bericht.startswith("20220327")  # simulated time, not the wall clock
    again = _answer(ggk_post(client, ggk_retour(client, item)))
    assert isinstance(again, stuf.Fo03) and again.code == "KS05"
    history = client.get("/berichtstatussen", params={"traceerId": sent.referentienummer}).json()
    assert history[0]["statussen"][0]["status"] == "Ontvangen"
    wsdl = client.get("/ggk0210/OntvangAsynchroon?wsdl")
    assert wsdl.status_code == 200 and b"OntvangAsynchroon" in wsdl.content
    assert server.client(token="").get("/ggk0210/OntvangAsynchroon?wsdl").status_code == 401
    # a gemeente cannot push over the aanbieder's interface
    assert client.post("/berichten", files={"berichtMetadata": (None, "{}"), "payload": ("x", b"<x/>")}).status_code == 403


def _envelope_corpus(client, item) -> dict[str, tuple[str, bytes]]:
    good = ggk_retour(client, item).decode()
    ref = stuf.parse_request(good.encode()).referentienummer
    b64 = good.split("<ggk:xmlBestand>")[1].split("</ggk:xmlBestand>")[0] if "<ggk:xmlBestand>" in good else None
    corpus = {
        "wrong namespace": ("RIN001", good.replace(stuf.GGK_NS, "http://example.org/ander").encode()),
        "missing referentienummer": ("RIN001", good.replace(f"<ggk:referentienummer>{ref}</ggk:referentienummer>",
                                                            "").encode()),
        "bad uuid": ("IB009", good.replace(ref, "12345-not-a-uuid").encode()),
        "du01 without crossRefnummer": ("RIN001", good.replace(
            f"<ggk:crossRefnummer>{item['traceerId']}</ggk:crossRefnummer>", "").encode()),
        "entity expansion": ("RIN001", b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                             + good.split("?>", 1)[1].replace("TestGemeente", "&b;").encode()),
        "not xml": ("RIN001", b"hello"),
        "unknown sender": ("IB213", ggk_retour(client, item, zender=stuf.Party("9999", "TestGemeente"))),
        "heen in a Du01": ("IB234", ggk_retour(client, item, functie=item["routering"]["berichtstroom"][
            "berichtsubtype"])),
        "payload fails its XSD": ("CC02", ggk_retour(client, item, payload=b'<?xml version="1.0"?><x/>')),
    }
    if b64:
        corpus["base64 that is not base64"] = ("RIN001", good.replace(b64, "@@@not base64@@@").encode())
    assert "zender" in good  # the corpus edits the real envelope text
    return corpus


def test_every_broken_envelope_is_a_clean_fault_with_its_code(serve):
    server = serve(ARGS)
    client = server.client()
    item = _heens(client)[0]
    for name, (code, body) in _envelope_corpus(client, item).items():
        response = ggk_post(client, body)
        fault = _answer(response)
        assert response.status_code == 500 and isinstance(fault, stuf.Fo03), (name, response.text)
        assert fault.code == code, (name, fault)
    report = client.get("/kto/rapport").json()
    assert len(report["refused"]) >= 10 and report["summary"]["pairs"] >= 1
    assert not any("Traceback" in line for line in server.output)


def test_a_gemeente_reports_a_payload_that_failed_its_xsd_with_a_fo01(serve):
    server = serve(ARGS)
    client = server.client()
    item = _heens(client)[0]
    body = stuf.build_fo01(zender=stuf.Party(server.client().get("/kto/klok").json()["partij"]["code"], "Test"),
                           ontvanger=stuf.Party(item["routering"]["afzender"]["code"], "GGk"),
                           referentienummer=str(uuid.uuid4()), tijdstip=datetime(2022, 3, 27, 17, 0), code="StUF055",
                           details=item["routering"]["berichtstroom"]["berichtsubtype"] + "-00030000",
                           cross_refnummer=item["traceerId"])
    response = ggk_post(client, body)
    assert response.status_code == 200 and isinstance(_answer(response), stuf.Bv03)
    report = client.get("/kto/rapport").json()
    assert [m["code"] for e in report["error_messages_sent"] for m in e["meldingen"]] == ["StUF055"]
    assert report["refused"] == []


def test_an_endpoint_down_for_an_hour_gets_every_message_once_when_back(serve, tmp_path):
    receiver = Receiver()
    receiver.down = True
    try:
        server = serve([*ARGS, "--deliver-to", receiver.url], data=tmp_path / "ws")
        client = server.client()
        waiting = [i["traceerId"] for i in client.get("/berichten").json()]
        assert waiting
        now = datetime.fromisoformat(client.get("/kto/klok").json()["nu"])
        for minutes in (20, 40, 60):  # an hour of simulated time with the endpoint down
            client.post("/kto/klok", json={"tot": (now + timedelta(minutes=minutes)).isoformat()})
        assert receiver.received == [] and receiver.refused_while_down >= 3
        assert [i["traceerId"] for i in client.get("/berichten").json()][:len(waiting)] == waiting
        receiver.down = False
        client.post("/kto/klok", json={"tot": (now + timedelta(minutes=80)).isoformat()})
        got = [r[0] for r in receiver.received]
        assert len(got) == len(set(got)), "a message was delivered twice"
        assert set(waiting) <= set(got) and got[:len(waiting)] == waiting  # in order
        assert client.get("/berichten").json() == []
        statuses = client.get("/berichtstatussen", params={"traceerId": waiting[0]}).json()[0]["statussen"]
        assert [s["status"] for s in statuses] == ["Bezorgd", "OpgehaaldDoorOntvanger"]
        log = [json.loads(line) for line in (tmp_path / "ws" / "bezorging.jsonl").read_text().splitlines()]
        assert any(e["result"] == "mislukt" for e in log) and sum(e["result"] == "Bv03" for e in log) == len(got)
        # a retour on a heen delivered over the webservice names it by the referentienummer it came with
        heen = next(r for r in receiver.received if r[1][-3:] in HEENS)
        item = {"traceerId": heen[0], "conversatieId": heen[0],
                "routering": {"berichtstroom": {"berichtsubtype": heen[1]}}}
        assert isinstance(_answer(ggk_post(client, ggk_retour(client, item))), stuf.Bv03)
    finally:
        receiver.close()


class ScriptedGemeente:
    """Answers every heen in its release over StUF and confirms everything in its portal mailbox."""

    def __init__(self) -> None:
        self.sent = 0

    def step(self, client, hours: int = 12) -> bool:
        for item in client.get("/berichten").json():
            flow = item["routering"]["berichtstroom"]
            if flow["berichtsubtype"][-3:] in HEENS:
                self.sent += 1
                ggk_post(client, ggk_retour(client, item, release=f"{flow['berichtversie']}.{flow['berichtsubversie']}",
                                            ident=f"G{self.sent:011d}"))
            assert client.delete(f"/berichten/{item['traceerId']}").status_code == 204
        clock = client.get("/kto/klok").json()
        if clock["klaar"]:
            return False
        client.post("/kto/klok", json={"tot": (datetime.fromisoformat(clock["nu"]) + timedelta(hours=hours)).isoformat()})
        return True


@pytest.mark.parametrize("parties", [["--party", "gemeente"], ["--party", "aanbieder", "--party", "gemeente"]])
def test_kill_9_and_resume_with_a_gemeente(serve, tmp_path, parties):
    args = ["2022-3.0-3.1", "--seed", "2", *parties, "--start", "heen_block - 2d"]
    whole = serve(args, data=tmp_path / "whole")
    gemeente_token = _token(whole, "gemeente")
    vendor = ScriptedGemeente()
    with whole.client(gemeente_token) as client:
        while vendor.step(client):
            pass
        expected = client.get("/kto/rapport").json()
    assert expected["summary"]["pairs"] > 5 and expected["session"]["party"]["kind"] == "gemeente"
    first = serve(args, data=tmp_path / "killed")
    token = _token(first, "gemeente")
    vendor = ScriptedGemeente()
    with first.client(token) as client:
        for _ in range(6):
            vendor.step(client)
    first.kill9()
    resumed = serve(["--resume"], data=tmp_path / "killed", token=first.token)
    with resumed.client(token) as client:
        while vendor.step(client):
            pass
        assert client.get("/kto/rapport").json() == expected
    resumed.stop()
    written = json.loads((tmp_path / "killed" / "rapport.json").read_text(encoding="utf-8"))
    if len(parties) == 4:
        assert [p["session"]["party"]["kind"] for p in written["parties"]] == ["aanbieder", "gemeente"]
        assert written["parties"][1] == expected
        assert "between" in written


def _token(server, kind: str) -> str:
    line = next(line for line in server.output if f"token for {kind}" in line)
    return line.rsplit(" ", 1)[1]


def test_base64_is_decoded_exactly():
    payload = "<Bericht>é</Bericht>".encode()
    body = stuf.build_request("ggk_Di01", zender=stuf.Party("0599", "T"), ontvanger=stuf.Party("12345678", "GGk"),
                              referentienummer=str(uuid.uuid4()), tijdstip=datetime(2022, 3, 28), functie="WMO301",
                              functie_versie="3", functie_subversie="0", payload=payload, applicatie_versie="1",
                              applicatie_subversie="0")
    assert base64.b64encode(payload) in body and stuf.parse_request(body).payload == payload


def test_two_vendors_each_see_only_their_own_mailbox(serve):
    import subprocess
    import sys

    server = serve(["2022-3.0-3.1", "--seed", "1", "--party", "aanbieder", "--party", "gemeente",
                    "--start", "heen_block - 3d"])
    aanbieder, gemeente = server.client(_token(server, "aanbieder")), server.client(_token(server, "gemeente"))
    assert aanbieder.get("/kto/klok").json()["partij"]["soort"] == "aanbieder"
    assert gemeente.get("/kto/klok").json()["partij"]["soort"] == "gemeente"
    mine = {i["traceerId"] for i in aanbieder.get("/berichten").json()}
    theirs = {i["traceerId"] for i in gemeente.get("/berichten").json()}
    assert mine and theirs and not mine & theirs
    one = next(iter(mine))
    assert gemeente.get(f"/berichten/{one}/payload").status_code == 404
    assert gemeente.delete(f"/berichten/{one}").status_code == 404
    assert gemeente.get("/berichtstatussen", params={"traceerId": one}).status_code == 404
    assert aanbieder.get(f"/berichten/{one}/payload").status_code == 200
    # the step clock is shared: `ketensim kto advance` moves it for both
    done = subprocess.run([sys.executable, "-m", "ketensim", "kto", "advance", server.url, "--token",
                           _token(server, "gemeente"), "--to", "2022-03-28T09:00"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "now 2022-03-28T09:00:00+02:00", done
    assert aanbieder.get("/kto/klok").json()["nu"] == "2022-03-28T09:00:00+02:00"
    bad = subprocess.run([sys.executable, "-m", "ketensim", "kto", "advance", server.url, "--token", "wrong",
                          "--to", "2022-03-29T09:00"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "401" in bad.stderr
