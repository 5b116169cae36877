"""KTO test tooling (imported by the KTO tests as ``kto_helpers``): a real ``ketensim kto serve`` process
on a free loopback port (:mod:`ketensim.kto.launch`), messages a scripted system sends, a gemeente endpoint.

The server runs as a subprocess of the installed CLI, so the tests exercise what a vendor runs:
argument parsing, the token shown once, the journal, uvicorn, and real HTTP (httpx).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path

import httpx
from lxml import etree

from ketensim.kto import stuf
from ketensim.kto.ids import derived_uuid
from ketensim.kto.launch import ServerProcess, start
from ketensim.kto.judge import HeenHeader
from ketensim.standards.builders import build_retour
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.payload import Header
from ketensim.standards.releases import RETOUR_OF


def start_server(args: list[str], data: Path, token: str | None = None) -> ServerProcess:
    """Start ``ketensim kto serve ARGS --data DATA --port 0`` (a resumed session keeps ``token``)."""
    return start(args, data, tokens={"resumed": token} if token else None)


def mailbox_item(client: httpx.Client, subtype: str) -> dict:
    """The oldest message of ``subtype`` (e.g. WMO301) in the vendor's mailbox."""
    items = [i for i in client.get("/berichten").json()
             if i["routering"]["berichtstroom"]["berichtsubtype"] == subtype]
    assert items, f"no {subtype} in the mailbox"
    return items[0]


def retour_on(client: httpx.Client, item: dict, release: str = "3.0", ident: str = "",
              **meta_changes: str) -> tuple[dict, bytes]:
    """Metadata and payload of the retour on the heen ``item`` (built from the heen's own XML).

    ``ident`` names the retour (its BerichtIdentificatie, and its traceer-ID derived from it); random if empty.
    """
    root = etree.fromstring(client.get(f"/berichten/{item['traceerId']}/payload").content)
    ns = etree.QName(root).namespace
    header = root.find(f"{{{ns}}}Header")
    text = lambda name: header.find(f"{{{ns}}}{name}").text  # noqa: E731
    heen_id = header.find(f"{{{ns}}}BerichtIdentificatie")
    heen_code = item["routering"]["berichtstroom"]["berichtsubtype"]
    standard = "iwmo" if heen_code.startswith("WMO") else "ijw"
    number = RETOUR_OF[heen_code[-3:]]
    mt = get_catalogue().get(standard, release, number)
    element = build_retour(mt, HeenHeader(Header(text("Afzender"), text("Ontvanger"), heen_id[0].text,
                                                 date.fromisoformat(heen_id[1].text))),
                           identificatie=ident or "R" + uuid.uuid4().hex[:10], dagtekening=date(2022, 3, 28))
    payload = etree.tostring(element, xml_declaration=True, encoding="UTF-8")
    rol = "aanbieder" if mt.direction == "A2G" else "gemeente"
    other = "gemeente" if rol == "aanbieder" else "aanbieder"
    meta = {"routering": {"afzender": {"rol": rol, "code": text("Ontvanger")},
                          "geadresseerden": [{"rol": other, "code": text("Afzender")}],
                          "berichtstroom": {"berichttype": mt.code[:-3], "berichtsubtype": mt.code,
                                            "berichtversie": mt.bericht_versie,
                                            "berichtsubversie": mt.bericht_subversie, "actie": ""}},
            "referentie": {"conversatieId": item["conversatieId"],
                           "traceerId": derived_uuid("test", ident) if ident else str(uuid.uuid4()),
                           "alsAntwoordOp": item["traceerId"], "referentieId": ""}}
    for key, value in meta_changes.items():
        meta["referentie" if key in meta["referentie"] else "routering"][key] = value
    return meta, payload


def push(client: httpx.Client, meta: dict | str, payload: bytes) -> httpx.Response:
    body = meta if isinstance(meta, str) else json.dumps(meta)
    return client.post("/berichten", files={"berichtMetadata": (None, body, "application/json"),
                                            "payload": ("bericht.xml", payload, "application/xml")})


def ggk_retour(client: httpx.Client, item: dict, release: str = "3.0", ident: str = "",
               **changes: str) -> bytes:
    """The StUF ``ggk_Du01`` a gemeente sends with its retour on the heen ``item`` (see :func:`retour_on`)."""
    meta, payload = retour_on(client, item, release=release, ident=ident)
    flow = meta["routering"]["berichtstroom"]
    fields = dict(zender=stuf.Party(meta["routering"]["afzender"]["code"], "TestGemeente"),
                  ontvanger=stuf.Party(meta["routering"]["geadresseerden"][0]["code"], "GGk"),
                  referentienummer=meta["referentie"]["traceerId"], cross_refnummer=item["traceerId"],
                  tijdstip=datetime(2022, 3, 28, 12, 0), functie=flow["berichtsubtype"],
                  functie_versie=flow["berichtversie"], functie_subversie=flow["berichtsubversie"], payload=payload,
                  applicatie_versie="1", applicatie_subversie="0")
    fields.update(changes)
    return stuf.build_request("ggk_Du01", **fields)


def ggk_post(client: httpx.Client, body: bytes) -> httpx.Response:
    return client.post("/ggk0210/OntvangAsynchroon", content=body,
                       headers={"Content-Type": "text/xml; charset=utf-8"})


class Receiver:
    """A gemeente system's own OntvangAsynchroon endpoint: answers a Bv03, or 503 while it is ``down``."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        receiver = self
        self.down = False
        self.received: list[tuple[str, str, str]] = []  # (referentienummer, functie, crossRefnummer)
        self.refused_while_down = 0
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    if receiver.down:
                        receiver.refused_while_down += 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    env = stuf.parse_request(body)
                    receiver.received.append((env.referentienummer, env.functie, env.cross_refnummer))
                answer = stuf.build_bv03(zender=stuf.Party(env.ontvanger_organisatie, "TestGemeente"),
                                         ontvanger=stuf.Party(env.zender_organisatie, env.zender_applicatie),
                                         referentienummer=str(uuid.uuid4()), cross_refnummer=env.referentienummer,
                                         tijdstip=datetime(2022, 3, 28, 12, 0))
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ontvang"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
