"""The VECOZO-style interface over real HTTP: the token, push and pull, statuses, and every refusal code."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from lxml import etree

from ketensim.standards.validation import detect, is_valid

from kto_helpers import mailbox_item, push, retour_on

ARGS = ["2022-3.0-3.1", "--seed", "1", "--start", "heen_block - 3d"]


def codes(response) -> list[str]:
    return [m["code"] for m in response.json()["meldingen"]]


def test_every_endpoint_but_health_needs_the_token_and_only_its_hash_is_stored(serve):
    server = serve(ARGS)
    anonymous = server.client(token="")
    assert anonymous.get("/kto/gezondheid").status_code == 200
    for method, path in (("GET", "/kto/klok"), ("GET", "/berichten"), ("POST", "/berichten"),
                         ("GET", "/kto/rapport"), ("GET", "/berichtstatussen?traceerId=x"),
                         ("DELETE", f"/berichten/{uuid.uuid4()}"), ("POST", "/kto/klok")):
        response = anonymous.request(method, path)
        assert response.status_code == 401, (method, path)
        assert response.json()["meldingen"][0]["code"] == "IB002"
    assert server.client(token="wrong").get("/kto/klok").status_code == 401
    assert server.client().get("/kto/klok").status_code == 200
    stored = b"".join(p.read_bytes() for p in server.data.iterdir() if p.is_file())
    assert server.token.encode() not in stored


def test_a_retour_travels_the_chain_and_its_statuses_follow_the_simulated_clock(serve):
    server = serve(ARGS)
    client = server.client()
    clock = client.get("/kto/klok").json()
    assert clock["nu"] == "2022-03-27T17:00:00+02:00" and clock["snelheid"] == "step"
    item = mailbox_item(client, "WMO301")
    heen = client.get(f"/berichten/{item['traceerId']}/payload")
    document = etree.fromstring(heen.content)
    assert is_valid(detect(document), document)
    meta, payload = retour_on(client, item)
    response = push(client, meta, payload)
    assert response.status_code == 204, response.text
    assert response.headers["traceerId"] == meta["referentie"]["traceerId"]
    assert response.headers["conversatieId"] == item["conversatieId"]
    traceer = meta["referentie"]["traceerId"]
    history = client.get("/berichtstatussen", params={"traceerId": traceer}).json()[0]["statussen"]
    assert [h["status"] for h in history] == ["Ontvangen"]
    assert history[0]["tijdstip"] == clock["nu"]
    client.post("/kto/klok", json={"tot": "2022-03-29T12:00:00+02:00"})
    history = client.get("/berichtstatussen", params={"traceerId": traceer}).json()[0]["statussen"]
    assert [h["status"] for h in history] == ["Ontvangen", "Bezorgd", "OpgehaaldDoorOntvanger"]
    by_conversation = client.get("/berichtstatussen", params={"conversatieId": item["conversatieId"]}).json()
    assert {entry["traceerId"] for entry in by_conversation} == {item["traceerId"], traceer}
    assert client.delete(f"/berichten/{item['traceerId']}").status_code == 204
    assert item["traceerId"] not in {i["traceerId"] for i in client.get("/berichten").json()}
    assert client.delete(f"/berichten/{item['traceerId']}").status_code == 404
    found = client.post("/berichten/zoeken", json={"conversatieId": item["conversatieId"]}).json()
    assert [f["traceerId"] for f in found] == [item["traceerId"]] and found[0]["bevestigd"] is True
    assert client.post("/kto/klok", json={"tot": "2022-03-28T00:00"}).status_code == 400  # never backwards


def _bomb() -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<Bericht>&lol2;</Bericht>")


def test_each_thing_only_a_real_system_gets_wrong_is_refused_with_its_code(serve):
    server = serve(ARGS)
    client = server.client()
    items = [i for i in client.get("/berichten").json()
             if i["routering"]["berichtstroom"]["berichtsubtype"] == "WMO301"]
    item = items[0]
    meta, payload = retour_on(client, item)

    def fresh(**changes: str) -> dict:
        m = json.loads(json.dumps(meta))
        m["referentie"]["traceerId"] = str(uuid.uuid4())
        for key, value in changes.items():
            if key.startswith("ref__"):
                m["referentie"][key[5:]] = value
            else:
                m["routering"][key] = value
        return m

    cases = {
        "CC04": (fresh(ref__traceerId="not-a-uuid"), payload),
        "KS02": (fresh(), b"\xef\xbb\xbf" + payload),
        "CC02": (fresh(), payload.replace(b"<wmo302:IdentificatieRetour>",
                                          b"<wmo302:Onbekend/><wmo302:IdentificatieRetour>")),
        "IB210": (fresh(geadresseerden=[{"rol": "gemeente", "code": "9999"}]),
                  payload.replace(f"<wmo302:Afzender>{meta['routering']['geadresseerden'][0]['code']}<".encode(),
                                  b"<wmo302:Afzender>9999<")),
        "KS04": (fresh(ref__alsAntwoordOp=str(uuid.uuid4())), payload),
        "KS01": (fresh(berichtstroom={**meta["routering"]["berichtstroom"], "berichtsubtype": "WMO306"}), payload),
        "BRS02": (fresh(), payload.replace(f"<wmo302:Ontvanger>{meta['routering']['afzender']['code']}<".encode(),
                                           b"<wmo302:Ontvanger>12345678<")),
    }
    for code, (m, p) in cases.items():
        response = push(client, m, p)
        assert response.status_code == 422, (code, response.text)
        assert codes(response) == [code], (code, response.text)
    xsd = push(client, fresh(), cases["CC02"][1]).json()["meldingen"][0]
    assert xsd["plek"] == "/Bericht/Header/Onbekend" and "Onbekend" in xsd["toelichting"]
    for hostile in (_bomb(), b"not xml at all", b'<?xml version="1.0" encoding="ISO-8859-1"?><Bericht/>',
                    "<Bericht>é</Bericht>".encode("latin-1"),
                    b'<Bericht xmlns="http://example.org/onbekend"/>'):
        response = push(client, fresh(), hostile)
        assert response.status_code == 422 and codes(response)[0] in ("CC02", "KS02"), response.text
    assert codes(push(client, fresh(), _bomb()))[0] == "CC02"
    big = push(client, fresh(), b"<" + b"x" * (25 * 1024 * 1024))
    assert big.status_code == 422 and codes(big) == ["CC03"]
    assert push(client, "{not json", payload).status_code == 400
    assert client.post("/berichten", files={"payload": ("b.xml", payload, "application/xml")}).status_code == 400
    # the retour itself is accepted once, then it is a second answer and its id a reused one
    first = fresh()
    assert push(client, first, payload).status_code == 204
    assert push(client, first, payload).status_code == 204  # an identical resend: answered as before
    assert codes(push(client, first, payload + b"\n")) == ["CC08"]  # the same id for another message
    assert codes(push(client, fresh(), payload)) == ["KS05"]
    report = client.get("/kto/rapport").json()
    refused_codes = sorted(m["code"] for r in report["refused"] for m in r["meldingen"])
    assert refused_codes.count("CC08") == 1 and "IB210" in refused_codes and "CC03" in refused_codes
    assert report["summary"]["messages_sent"] == len(report["refused"]) + 1
    assert not any("Traceback" in line for line in server.output)


def test_a_request_over_the_size_limit_is_cut_off(serve):
    server = serve(ARGS)
    client = server.client()
    response = client.post("/berichten", content=b"x" * (26 * 1024 * 1024),
                           headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 413
    assert client.post("/kto/klok", content=b"{" * 100_000).status_code == 413


def test_the_draaiboek_decides_blocks_and_release_for_vendor_messages_too(serve):
    server = serve(ARGS)
    client = server.client()
    item = mailbox_item(client, "WMO301")
    wrong_release = push(client, *retour_on(client, item, release="3.1"))
    assert codes(wrong_release) == ["KS06"]
    client.post("/kto/klok", json={"tot": "2022-03-31T13:30"})
    blocked = push(client, *retour_on(client, item))
    assert blocked.status_code == 422 and codes(blocked) == ["IB103"]
    client.post("/kto/klok", json={"tot": "2022-04-05T09:00"})
    after_go_live = push(client, *retour_on(client, item))
    assert codes(after_go_live) == ["KS03"]
    report = client.get("/kto/rapport").json()
    block = next(r for r in report["requirements"] if r["id"] == "3.2.2")
    assert block["verdict"] == "niet voldaan"
    assert [v["traceerId"] for v in block["violations"]] == [blocked.json()["traceerId"]]
    go_live = next(r for r in report["requirements"] if r["kind"] == "go_live")
    assert go_live["verdict"] == "niet voldaan" and len(go_live["violations"]) == 1


def test_a_paced_clock_runs_on_its_own_and_stamps_a_message_when_it_arrives(serve):
    server = serve([*ARGS, "--speed", "600"])
    client = server.client()
    t0 = client.get("/kto/klok").json()["nu"]
    time.sleep(1.5)
    before = client.get("/kto/klok").json()["nu"]
    item = mailbox_item(client, "WMO301")
    meta, payload = retour_on(client, item)
    assert push(client, meta, payload).status_code == 204
    after = client.get("/kto/klok").json()["nu"]
    stamped = client.get("/berichtstatussen", params={"traceerId": meta["referentie"]["traceerId"]}).json()
    received = stamped[0]["statussen"][0]["tijdstip"]
    assert t0 < before <= received <= after
    assert client.post("/kto/klok", json={"tot": "2022-04-01T00:00"}).status_code == 409


@pytest.mark.parametrize("flag", [["--party", "aanbieder", "--party", "aanbieder:12345678"], ["--party", "aanbieder:12"],
                                  ["--party", "gemeente:12"], ["--party", "zorgkantoor"], ["--speed", "fast"],
                                  ["--start", "morgen"], ["--start", "2030-01-01T00:00"]])
def test_bad_serve_flags_are_one_line_errors(flag, tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "ketensim", "kto", "serve", *ARGS[:3], *flag, "--data",
                           str(tmp_path / "d"), "--port", "0"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and lines, done.stderr


def test_vecozo_applies_the_business_rules_to_a_vendors_message(serve):
    import random
    from datetime import date

    from ketensim.kto import demo_messages as dm
    from ketensim.standards.catalogue import get_catalogue

    server = serve(ARGS)
    client = server.client()
    agb = client.get("/kto/klok").json()["partij"]["code"]
    entry = next(e for e in client.get("/kto/clienten").json() if e["standaard"] == "iwmo")
    rng = random.Random(5)
    ents = dm.case_entities(dm.case_from_clienten_entry(entry), agb, rng, date(2022, 3, 27))
    element = dm.start("iwmo", "3.0", ents, identificatie="D00000000001", dagtekening=date(2022, 3, 27), rng=rng)
    payload = dm.to_bytes(element)
    bsn = entry["bsn"]
    broken_bsn = bsn[:-1] + str((int(bsn[-1]) + 1) % 10)  # fails the 11-proef, still nine digits
    mt = get_catalogue().get("iwmo", "3.0", "305")

    def meta() -> dict:
        return dm.bericht_metadata(mt, afzender=agb, geadresseerde=entry["gemeente"], conversatie_id=str(uuid.uuid4()),
                                   traceer_id=str(uuid.uuid4()))

    refused = push(client, meta(), payload.replace(f">{bsn}<".encode(), f">{broken_bsn}<".encode()))
    assert refused.status_code == 422, refused.text
    melding = refused.json()["meldingen"][0]
    assert melding["code"].startswith(("TR", "CD", "CS")) and "Bsn" in melding["plek"], melding
    assert push(client, meta(), payload).status_code == 204
