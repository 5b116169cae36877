"""The StUF ggk0210 envelope layer: round trips, the envelope XSD, refusals with the GGk's codes, the WSDL.

No server is needed: requests and answers are built and read directly. Every refusal must be a
:class:`StufError` with the right code, never another exception type (``pytest.raises`` fails otherwise).
"""

from __future__ import annotations

import base64
import random
import uuid
from datetime import datetime, timezone

import pytest
import xmlschema
from lxml import etree

from ketensim.kto import stuf
from ketensim.kto.codes import CODES
from ketensim.kto.stuf import (
    GGK_NS,
    SOAP_NS,
    STUF_CODES,
    Bv03,
    Fo03,
    Party,
    StufError,
    build_bv03,
    build_fault,
    build_fo01,
    build_request,
    parse_request,
    parse_response,
    wsdl,
)
from ketensim.kto.stuf_xml import xsd_path

GEMEENTE = Party("0344", "ZorgSuite")
GGK = Party("IB", "GGk")
AANBIEDER = Party("12345678", "GGKWebservice")
REF = "0f8fad5b-d9cb-469f-a165-70867728950e"
REF2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
MOMENT = datetime(2026, 3, 2, 9, 15, 30, 250000)
PAYLOAD = "<Bericht xmlns=\"urn:x\">Zoë en Ægir, 1 januari</Bericht>".encode()
NSMAP = {"soap": SOAP_NS, "g": GGK_NS}
WSDL_NS = {"wsdl": "http://schemas.xmlsoap.org/wsdl/", "soap": "http://schemas.xmlsoap.org/wsdl/soap/",
           "xs": "http://www.w3.org/2001/XMLSchema"}


def di01(**overrides: object) -> bytes:
    args: dict[str, object] = dict(zender=GEMEENTE, ontvanger=GGK, referentienummer=REF, tijdstip=MOMENT,
                                   functie="WMO301", functie_versie="3", functie_subversie="2", payload=PAYLOAD,
                                   applicatie_versie="4.1", applicatie_subversie="7")
    args.update(overrides)
    return build_request("ggk_Di01", **args)  # type: ignore[arg-type]


def du01(**overrides: object) -> bytes:
    args: dict[str, object] = dict(zender=GEMEENTE, ontvanger=GGK, referentienummer=REF2, tijdstip=MOMENT,
                                   functie="JW315", functie_versie="3", functie_subversie="2", payload=PAYLOAD,
                                   applicatie_versie="4.1", applicatie_subversie="7", cross_refnummer=REF)
    args.update(overrides)
    return build_request("ggk_Du01", **args)  # type: ignore[arg-type]


def fo01() -> bytes:
    return build_fo01(zender=GEMEENTE, ontvanger=GGK, referentienummer=REF2, tijdstip=MOMENT, code="StUF055",
                      details="JW315-00010004", details_xml=PAYLOAD, cross_refnummer=REF)


def edit(body: bytes, change) -> bytes:  # noqa: ANN001 - a callable on the parsed envelope
    root = etree.fromstring(body)
    change(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def the(root: etree._Element, path: str) -> etree._Element:
    [node] = root.xpath(path, namespaces=NSMAP)
    return node


def refused(body: bytes, code: str, **limits: int) -> StufError:
    with pytest.raises(StufError) as caught:
        parse_request(body, **limits)
    assert caught.value.code == code, caught.value
    assert caught.value.plek == "client"
    assert caught.value.omschrijving == STUF_CODES[code]
    return caught.value


def body_part(body: bytes) -> etree._Element:
    return the(etree.fromstring(body), "/soap:Envelope/soap:Body/*")


@pytest.fixture(scope="module")
def envelope_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(xsd_path()))


# ---------------------------------------------------------------------------- round trips


class TestRoundTrips:
    def test_di01(self) -> None:
        env = parse_request(di01())
        assert (env.operation, env.zender_organisatie, env.zender_applicatie) == ("ggk_Di01", "0344", "ZorgSuite")
        assert (env.ontvanger_organisatie, env.ontvanger_applicatie) == ("IB", "GGk")
        assert (env.referentienummer, env.cross_refnummer) == (REF, "")
        assert (env.functie, env.functie_versie, env.functie_subversie) == ("WMO301", "3", "2")
        assert (env.applicatie_versie, env.applicatie_subversie) == ("4.1", "7")
        assert env.tijdstip_bericht == "20260302091530250"
        assert env.payload == PAYLOAD
        assert env.fout_code == "" and env.fout_details_xml == b""

    def test_du01(self) -> None:
        env = parse_request(du01())
        assert (env.operation, env.referentienummer, env.cross_refnummer) == ("ggk_Du01", REF2, REF)
        assert (env.functie, env.payload) == ("JW315", PAYLOAD)

    def test_fo01(self) -> None:
        env = parse_request(fo01())
        assert (env.operation, env.referentienummer, env.cross_refnummer) == ("Fo01", REF2, REF)
        assert (env.fout_code, env.fout_plek) == ("StUF055", "client")
        assert env.fout_omschrijving == STUF_CODES["StUF055"]
        assert (env.fout_details, env.fout_details_xml) == ("JW315-00010004", PAYLOAD)
        assert (env.functie, env.payload) == ("", b"")

    def test_fo01_from_the_hub_with_its_own_text(self) -> None:
        body = build_fo01(zender=GGK, ontvanger=GEMEENTE, referentienummer=REF2, tijdstip=MOMENT, code="IB210",
                          plek="server", omschrijving="Ontvangende organisatie onbekend")
        env = parse_request(body)
        assert (env.fout_code, env.fout_plek, env.cross_refnummer, env.fout_details) == ("IB210", "server", "", "")

    def test_bv03(self) -> None:
        answer = parse_response(build_bv03(zender=GGK, ontvanger=GEMEENTE, referentienummer=REF2,
                                           cross_refnummer=REF, tijdstip=MOMENT))
        assert answer == Bv03("IB", "GGk", "0344", "ZorgSuite", REF2, REF, "20260302091530250")

    @pytest.mark.parametrize("plek, faultcode", [("client", "soap:Client"), ("server", "soap:Server")])
    def test_fault_gives_the_fo03_back(self, plek: str, faultcode: str) -> None:
        error = StufError.of("IB009", "referentienummer 'x' is geen UUID versie 4", plek)
        answer = parse_response(build_fault(error, cross_refnummer=REF))
        assert isinstance(answer, Fo03)
        assert (answer.code, answer.plek, answer.faultcode, answer.cross_refnummer) == ("IB009", plek, faultcode, REF)
        assert answer.omschrijving == STUF_CODES["IB009"]
        assert answer.details == error.toelichting
        assert "IB009" in answer.faultstring

    def test_fault_of_an_unreadable_request_and_with_a_kto_code(self) -> None:
        with pytest.raises(StufError) as caught:
            parse_request(b"not xml")
        answer = parse_response(build_fault(caught.value, cross_refnummer="not-a-uuid"))
        assert isinstance(answer, Fo03) and (answer.code, answer.cross_refnummer) == ("RIN001", "")
        answer = parse_response(build_fault(StufError.of("IB103", "blokkade tot 4 april"), zender=GGK,
                                            ontvanger=GEMEENTE, referentienummer=REF2, tijdstip=MOMENT))
        assert isinstance(answer, Fo03) and answer.omschrijving == CODES["IB103"]

    def test_fault_texts_are_made_fit_for_xml(self) -> None:
        answer = parse_response(build_fault(StufError.of("RIN001", "byte \x00 en \x1b" + "x" * 3000)))
        assert isinstance(answer, Fo03) and answer.details.startswith("byte \ufffd en \ufffd")
        assert len(answer.details) == len(answer.faultstring) == 1000

    def test_a_plain_soap_fault_is_a_refusal_without_code(self) -> None:
        body = (f'<s:Envelope xmlns:s="{SOAP_NS}"><s:Body><s:Fault><faultcode>s:Server</faultcode>'
                '<faultstring>NullPointerException</faultstring></s:Fault></s:Body></s:Envelope>').encode()
        assert parse_response(body) == Fo03("", "server", "NullPointerException", "", "", "s:Server",
                                            "NullPointerException")

    def test_an_answer_that_is_no_answer_is_the_servers_fault(self) -> None:
        with pytest.raises(StufError) as caught:
            parse_response(di01())
        assert (caught.value.code, caught.value.plek) == ("RIN001", "server")
        with pytest.raises(StufError) as caught:
            parse_response(b"<html>502 Bad Gateway</html>")
        assert (caught.value.code, caught.value.plek) == ("RIN001", "server")

    def test_tijdstip_of_an_aware_moment_is_dutch_local_time(self) -> None:
        summer = parse_request(di01(tijdstip=datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc)))
        winter = parse_request(di01(tijdstip=datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc)))
        assert (summer.tijdstip_bericht, winter.tijdstip_bericht) == ("20260701120000000", "20260101110000000")


# ---------------------------------------------------------------------------- what is accepted


class TestAccepted:
    def test_every_build_is_valid_against_the_envelope_xsd(self, envelope_schema: etree.XMLSchema) -> None:
        error = StufError.of("RIN001", "x" * 5000)
        bodies = [di01(), du01(), fo01(), build_bv03(zender=GGK, ontvanger=GEMEENTE, referentienummer=REF2,
                                                     cross_refnummer=REF, tijdstip=MOMENT)]
        parts = [body_part(b) for b in bodies]
        parts.append(the(etree.fromstring(build_fault(error)), "//g:Fo03"))
        for part in parts:
            assert envelope_schema.validate(part), envelope_schema.error_log

    def test_other_prefixes_bom_header_and_wrapped_base64(self) -> None:
        wrapped = base64.encodebytes(PAYLOAD * 10).decode()  # MIME style: lines of 76 characters
        body = (f'\ufeff<?xml version="1.0" encoding="utf-8"?>\n<Envelope xmlns="{SOAP_NS}">'
                '<Header><wsa:To xmlns:wsa="http://www.w3.org/2005/08/addressing" mustUnderstand="1">x</wsa:To>'
                f'</Header>\n <Body>\n  <Di01 xmlns="{GGK_NS}" />\n </Body></Envelope>')
        template = etree.fromstring(di01())
        the(template, "//g:xmlBestand").text = wrapped
        part = etree.tostring(body_part(etree.tostring(template))).decode().replace("ggk:", "k:")
        text = body.replace(f'<Di01 xmlns="{GGK_NS}" />', part.replace("xmlns:ggk=", "xmlns:k="))
        env = parse_request(text.encode("utf-8"))
        assert env.payload == PAYLOAD * 10

    def test_builds_are_deterministic(self) -> None:
        assert di01() == di01() and fo01() == fo01()
        error = StufError.of("IB009", "x")
        assert build_fault(error, cross_refnummer=REF) == build_fault(error, cross_refnummer=REF)
        assert wsdl("https://kto.example/ggk") == wsdl("https://kto.example/ggk")

    def test_builds_refuse_what_the_xsd_refuses(self) -> None:
        with pytest.raises(ValueError, match="organisatie"):
            di01(zender=Party("344", "ZorgSuite"))
        with pytest.raises(ValueError, match="crossRefnummer"):
            di01(cross_refnummer=REF)
        with pytest.raises(ValueError, match="crossRefnummer"):
            du01(cross_refnummer="")
        with pytest.raises(ValueError, match="build_fo01"):
            build_request("Fo01", zender=GEMEENTE, ontvanger=GGK, referentienummer=REF, tijdstip=MOMENT,
                          functie="WMO301", functie_versie="3", functie_subversie="2", payload=PAYLOAD,
                          applicatie_versie="1", applicatie_subversie="0")
        with pytest.raises(ValueError, match="bytes"):  # 21 MB is 28 MB in base64: over the 26 MiB limit
            di01(payload=b"\x00" * 21_000_000)
        with pytest.raises(ValueError, match="unknown code"):
            build_fo01(zender=GEMEENTE, ontvanger=GGK, referentienummer=REF, tijdstip=MOMENT, code="XX999")


# ---------------------------------------------------------------------------- what is refused


def _set(path: str, value: str):  # noqa: ANN202
    return lambda root: setattr(the(root, path), "text", value)


def _remove(path: str):  # noqa: ANN202
    def change(root: etree._Element) -> None:
        node = the(root, path)
        node.getparent().remove(node)

    return change


class TestRefused:
    def test_wrong_namespace(self) -> None:
        body = di01().replace(GGK_NS.encode(), b"http://www.egem.nl/StUF/sector/ggk/0210")
        assert "namespace" in refused(body, "RIN001").toelichting

    def test_unknown_operation(self) -> None:
        body = di01().replace(b"ggk:ggk_Di01", b"ggk:ggk_Lk01")
        assert "ggk_Lk01" in refused(body, "RIN001").toelichting

    def test_missing_referentienummer(self) -> None:
        error = refused(edit(di01(), _remove("//g:referentienummer")), "RIN001")
        assert error.pad == "/Envelope/Body/ggk_Di01/stuurgegevens/tijdstipBericht"
        assert "referentienummer" in error.toelichting

    def test_xsd_finding_names_the_element(self) -> None:
        error = refused(edit(di01(), _set("//g:zender/g:organisatie", "ABC")), "RIN001")
        assert error.pad == "/Envelope/Body/ggk_Di01/stuurgegevens/zender/organisatie"
        assert "ABC" in error.toelichting

    @pytest.mark.parametrize("value", ["not-a-uuid", REF.upper(), str(uuid.uuid1()), f" {REF}"])
    def test_referentienummer_not_a_uuid4(self, value: str) -> None:
        error = refused(edit(di01(), _set("//g:referentienummer", value)), "IB009")
        assert error.pad.endswith("stuurgegevens/referentienummer")

    def test_crossrefnummer_not_a_uuid4(self) -> None:
        error = refused(edit(du01(), _set("//g:crossRefnummer", "12345")), "IB009")
        assert error.pad.endswith("stuurgegevens/crossRefnummer")

    def test_du01_without_crossrefnummer(self) -> None:
        error = refused(edit(du01(), _remove("//g:crossRefnummer")), "RIN001")
        assert "crossRefnummer" in error.toelichting

    @pytest.mark.parametrize("value", ["@@ not base64 @@", "QUJDR", "QU=JD"])
    def test_xmlbestand_not_base64(self, value: str) -> None:
        refused(edit(di01(), _set("//g:xmlBestand", value)), "RIN001")

    def test_detailsxml_not_base64(self) -> None:
        refused(edit(fo01(), _set("//g:detailsXML", "!!!")), "RIN001")

    def test_entity_expansion_attack(self) -> None:
        laughs = "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
        body = (f'<?xml version="1.0"?><!DOCTYPE soap:Envelope [<!ENTITY l0 "lol">{laughs}]>'
                + di01().decode().split("?>", 1)[1].replace("ZorgSuite", "&l9;"))
        assert "DOCTYPE" in refused(body.encode(), "RIN001").toelichting

    def test_external_entity(self) -> None:
        body = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                + di01().decode().split("?>", 1)[1].replace("ZorgSuite", "&xxe;"))
        refused(body.encode(), "RIN001")

    def test_doctype_and_undeclared_entity(self) -> None:
        refused(b"<!DOCTYPE html>" + di01().split(b"?>", 1)[1], "RIN001")
        refused(di01().replace(b"ZorgSuite", b"&lol;"), "RIN001")

    @pytest.mark.parametrize("body", [b"", b"   ", b"not xml", b'{"bericht": 1}', b"\x00\xff\xfe", b"<a>",
                                      b"<?xml version='1.0'?>"])
    def test_not_xml(self, body: bytes) -> None:
        refused(body, "RIN001")

    def test_not_utf8(self) -> None:
        body = di01().decode().replace("encoding='UTF-8'", "encoding='UTF-16'")
        refused(body.encode("utf-16"), "RIN001")
        refused(di01().replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'"), "RIN001")

    def test_not_a_soap11_envelope(self) -> None:
        refused(di01().replace(SOAP_NS.encode(), b"http://www.w3.org/2003/05/soap-envelope"), "RIN001")
        refused(etree.tostring(body_part(di01())), "RIN001")  # the StUF message without its envelope
        refused(edit(di01(), _remove("/soap:Envelope/soap:Body")), "RIN001")
        refused(edit(di01(), lambda root: the(root, "soap:Body").append(body_part(du01()))), "RIN001")
        refused(edit(di01(), lambda root: setattr(the(root, "soap:Body"), "text", "tekst")), "RIN001")
        refused(edit(di01(), lambda root: the(root, "soap:Body").remove(the(root, "soap:Body/*"))), "RIN001")

    def test_a_fault_or_an_answer_is_no_request(self) -> None:
        refused(build_bv03(zender=GGK, ontvanger=GEMEENTE, referentienummer=REF2, cross_refnummer=REF,
                           tijdstip=MOMENT), "RIN001")
        refused(build_fault(StufError.of("IB009", "x")), "RIN001")

    def test_too_large(self) -> None:
        body = di01(payload=b"x" * 3000)
        assert "bytes" in refused(body, "RIN001", max_bytes=len(body) - 1).toelichting
        assert parse_request(body, max_payload=3000).payload == b"x" * 3000
        assert "groter" in refused(body, "RIN001", max_payload=2999).toelichting

    def test_undeclared_elements_are_refused(self) -> None:
        def extra(root: etree._Element) -> None:
            etree.SubElement(the(root, "//g:stuurgegevens"), f"{{{GGK_NS}}}extra").text = "x"

        refused(edit(di01(), extra), "RIN001")

    def test_damaged_envelopes_only_ever_raise_stuf_errors(self) -> None:
        """Truncations and byte flips: the result is an Envelope or a StufError, nothing else."""
        good = du01()
        rng = random.Random(20260302)
        damaged = [good[:cut] for cut in range(0, len(good), 37)]
        for _ in range(300):
            data = bytearray(good)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            damaged.append(bytes(data))
        refusals = 0
        for body in damaged:
            try:
                parse_request(body)
            except StufError as err:
                refusals += 1
                assert err.code in ("RIN001", "IB009")
        assert refusals > len(damaged) // 2


# ---------------------------------------------------------------------------- the contract files


class TestContract:
    def test_the_xsd_compiles_strictly_with_xmlschema(self) -> None:
        schema = xmlschema.XMLSchema(xsd_path())
        assert set(schema.elements) == {"ggk_Di01", "ggk_Du01", "Fo01", "Bv03", "Fo03"}
        assert schema.is_valid(etree.tostring(body_part(du01())).decode())

    def test_the_xsd_has_no_wildcards(self) -> None:
        doc = etree.parse(xsd_path())
        assert doc.getroot().get("targetNamespace") == GGK_NS
        assert not doc.xpath("//xs:any | //xs:anyAttribute | //xs:include | //xs:import", namespaces=WSDL_NS)

    def test_wsdl_names_the_three_operations(self) -> None:
        address = "https://kto.example:8443/ggk?sessie=1&partij=0344"
        root = etree.fromstring(wsdl(address))
        [port_type] = root.xpath("wsdl:portType", namespaces=WSDL_NS)
        assert port_type.get("name") == "OntvangAsynchroon"
        operations = port_type.xpath("wsdl:operation", namespaces=WSDL_NS)
        assert [op.get("name") for op in operations] == ["ggk_Di01", "ggk_Du01", "Fo01"]
        for op in operations:
            assert op.xpath("wsdl:output/@message", namespaces=WSDL_NS) == ["ggk:Bv03"]
            assert op.xpath("wsdl:fault/@message", namespaces=WSDL_NS) == ["ggk:Fo03"]
        [binding] = root.xpath("wsdl:binding/soap:binding", namespaces=WSDL_NS)
        assert (binding.get("style"), binding.get("transport")) == ("document", "http://schemas.xmlsoap.org/soap/http")
        assert set(root.xpath("//soap:body/@use | //soap:fault/@use", namespaces=WSDL_NS)) == {"literal"}
        actions = root.xpath("wsdl:binding/wsdl:operation/soap:operation/@soapAction", namespaces=WSDL_NS)
        assert actions == [stuf.SOAP_ACTIONS[op] for op in stuf.OPERATIONS]
        assert root.xpath("//soap:address/@location", namespaces=WSDL_NS) == [address]

    def test_wsdl_messages_refer_to_elements_of_the_inlined_schema(self) -> None:
        root = etree.fromstring(wsdl("http://localhost:8080/ggk"))
        declared = set(root.xpath("wsdl:types/xs:schema/xs:element/@name", namespaces=WSDL_NS))
        referred = {ref.split(":")[1] for ref in root.xpath("wsdl:message/wsdl:part/@element", namespaces=WSDL_NS)}
        assert referred == declared == {"ggk_Di01", "ggk_Du01", "Fo01", "Bv03", "Fo03"}
        assert b"{{ADRES}}" not in wsdl("http://localhost:8080/ggk")

    @pytest.mark.parametrize("address", ["", "ftp://x/ggk", "http://x/\"><a", "{{ADRES}}", "http://x /y"])
    def test_wsdl_refuses_what_is_no_address(self, address: str) -> None:
        with pytest.raises(ValueError):
            wsdl(address)


class TestCodes:
    def test_stuf_codes_are_new_and_described(self) -> None:
        assert not set(STUF_CODES) & set(CODES)
        assert all(text.strip() for text in STUF_CODES.values())

    def test_error_as_melding(self) -> None:
        error = refused(edit(di01(), _set("//g:referentienummer", "x")), "IB009")
        melding = error.melding()
        assert (melding.code, melding.omschrijving, melding.plek) == ("IB009", STUF_CODES["IB009"], error.pad)
