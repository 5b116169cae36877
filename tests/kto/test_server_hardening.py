"""What a hostile or careless client finds: clean 4xx answers, bounded connections, nothing after the end."""

from __future__ import annotations

import json
import socket
import time
import uuid
from urllib.parse import urlparse

from kto_helpers import mailbox_item, push, retour_on

from ketensim.kto.guard import HEADER_SECONDS

ARGS = ["2022-3.0-3.1", "--seed", "1", "--start", "heen_block - 3d"]


def test_malformed_json_anywhere_is_a_400_never_a_500_or_a_traceback(serve):
    server = serve(ARGS)
    client = server.client()
    deep = "[" * 30000 + "]" * 30000
    huge_int = "1" * 5000
    cases = [
        ("/kto/klok", '{"tot": ' + deep + "}"),
        ("/kto/klok", '{"tot": ' + huge_int + "}"),
        ("/kto/klok", '{"tot": "9999-12-31T23:59:59-14:00"}'),
        ("/berichten/zoeken", deep),
        ("/berichten/zoeken", '{"berichtstroom": "x"}'),
        ("/berichten/zoeken", '{"conversatieId": 5}'),
    ]
    for path, body in cases:
        response = client.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, (path, body[:40], response.text)
    item = mailbox_item(client, "WMO301")
    _, payload = retour_on(client, item)
    for meta in ('{"routering": ' + deep[:20000] + "}", '{"referentie": {"traceerId": ' + huge_int + "}}"):
        response = push(client, meta, payload)
        assert response.status_code == 400, response.text
    server.stop()
    assert not any("Traceback" in line for line in server.output), "\n".join(server.output)


def test_unauthorised_answers_say_how_to_authenticate(serve):
    server = serve(ARGS)
    response = server.client(token="").get("/kto/klok")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_connection_that_sends_no_request_is_closed(serve):
    server = serve(ARGS)
    url = urlparse(server.url)
    silent = socket.create_connection((url.hostname, url.port))
    partial = socket.create_connection((url.hostname, url.port))
    partial.sendall(b"GET /kto/gezondheid HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    try:
        for sock in (silent, partial):
            sock.settimeout(HEADER_SECONDS + 10)
        started = time.monotonic()
        assert silent.recv(1) == b"" and partial.recv(1) == b""  # closed by the server
        assert time.monotonic() - started < HEADER_SECONDS + 10
    finally:
        silent.close()
        partial.close()
    assert server.client().get("/kto/gezondheid").status_code == 200


def test_an_identical_resend_of_an_accepted_message_is_answered_as_before(serve):
    server = serve(ARGS)
    client = server.client()
    item = mailbox_item(client, "WMO301")
    meta, payload = retour_on(client, item)
    first = push(client, meta, payload)
    assert first.status_code == 204
    again = push(client, meta, payload)  # the first answer got lost; the system tries again
    assert again.status_code == 204 and again.headers["traceerId"] == first.headers["traceerId"]
    other = push(client, meta, payload.replace(b"R", b"Q", 1))
    assert other.status_code == 422 and other.json()["meldingen"][0]["code"] == "CC08"
    report = client.get("/kto/rapport").json()
    assert report["summary"]["messages_sent"] == 2 and len(report["refused"]) == 1


def test_nothing_is_taken_after_the_window_ended(serve):
    server = serve(ARGS)
    client = server.client()
    item = mailbox_item(client, "WMO301")
    meta, payload = retour_on(client, item)
    assert client.post("/kto/klok", json={"tot": "2030-01-01T00:00"}).json()["klaar"] is True
    written = json.loads((server.data / "rapport.json").read_text(encoding="utf-8"))
    late = push(client, meta, payload)
    assert late.status_code == 409 and late.json()["meldingen"][0]["code"] == "KS08"
    assert client.delete(f"/berichten/{item['traceerId']}").status_code == 409
    assert client.get("/kto/rapport").json() == written  # the report on disk stays the truth
    assert json.loads((server.data / "rapport.json").read_text(encoding="utf-8")) == written


def test_the_wsdl_names_the_servers_own_address_not_the_callers_host_header(serve):
    server = serve(["2022-3.0-3.1", "--seed", "1", "--party", "gemeente", "--start", "heen_block - 3d"])
    response = server.client().get("/ggk0210/OntvangAsynchroon?wsdl", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert b"evil.example" not in response.content
    assert f'location="{server.url}/ggk0210/OntvangAsynchroon"'.encode() in response.content
    assert str(uuid.UUID(int=0)) not in response.text
