"""``ketensim validate`` with the business rules: a line per finding, JSON, the Rapport, flags and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ketensim.cli import cli
from ketensim.standards.rules.rapport import RAPPORT_NAMESPACE

CD066 = "/Bericht/Client/AangevraagdeProducten/AangevraagdProduct/Verwijzer"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A clean 315 and its 316, and the 315 with a verwijzer named as well as coded (CD066)."""
    out = tmp_path_factory.mktemp("rules")
    result = CliRunner().invoke(cli, ["generate", "-s", "ijw", "-r", "3.2", "-m", "315", "-n", "1", "--seed", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    clean = out / "JW315_0001.xml"
    root = etree.parse(str(clean)).getroot()
    verwijzer = root.find(".//{*}Verwijzer")
    b = etree.QName(verwijzer[0]).namespace
    for child in list(verwijzer):
        verwijzer.remove(child)
    for name, text in (("Type", "02"), ("Naam", "Dokter Jansen"), ("ZorgverlenerCode", "01234567")):
        etree.SubElement(verwijzer, f"{{{b}}}{name}").text = text
    bad = out / "bad315.xml"
    bad.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return {"clean": clean, "retour": out / "JW316_0001.xml", "bad": bad}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.exit_code, result.output


def test_text_has_one_line_per_finding_with_file_code_path_and_explanation(files: dict[str, Path]) -> None:
    """The violation is one FAIL line naming the file, the code, the locations and the Dutch explanation."""
    code, out = _run(str(files["clean"]), str(files["retour"]), str(files["bad"]))
    assert code == 1
    lines = out.splitlines()
    assert lines[:2] == [f"PASS {files['clean']}", f"PASS {files['retour']}"]
    assert lines[2] == (
        f"FAIL {files['bad']} CD066 {CD066}/Type,{CD066}/Naam,{CD066}/ZorgverlenerCode: "
        "Een verwijzer van type 02 tot en met 05 met een zorgverlenerscode wordt niet ook met naam genoemd."
    )
    assert lines[3:] == ["2 passed, 1 failed"]


def test_no_rules_checks_the_xsd_only(files: dict[str, Path]) -> None:
    """--no-rules: the XSD-valid file passes."""
    assert _run("--no-rules", str(files["bad"])) == (0, f"PASS {files['bad']}\n1 passed, 0 failed\n")


def test_json_for_tools(files: dict[str, Path]) -> None:
    """One JSON document: per file the XSD result and the rule findings."""
    code, out = _run("--format", "json", str(files["bad"]), str(files["retour"]))
    doc = json.loads(out)
    assert code == 1 and (doc["passed"], doc["failed"]) == (1, 1)
    bad, retour = doc["files"]
    assert bad["xsd_valid"] and bad["rules_checked"] and bad["message"] == "JW315"
    assert [f["code"] for f in bad["rules"]] == ["CD066"] and bad["rules"][0]["retourcode"] == ""
    assert retour["ok"] and not retour["rules_checked"]  # a retour has no rules


def test_rapport_of_one_file_on_stdout(files: dict[str, Path]) -> None:
    """The Rapport in the Validatiemodule's namespace, one Fout with three Locaties."""
    code, out = _run("--format", "rapport", str(files["bad"]))
    assert code == 1
    doc = etree.fromstring(out.encode("utf-8"))
    assert doc.tag == f"{{{RAPPORT_NAMESPACE}}}Rapport"
    (fout,) = doc.iterfind(f".//{{{RAPPORT_NAMESPACE}}}Fout")
    assert fout.findtext(f"{{{RAPPORT_NAMESPACE}}}Code") == "CD066"
    assert len(fout.findall(f"{{{RAPPORT_NAMESPACE}}}Locatie")) == 3


def test_rapporten_of_several_files_go_to_a_directory(files: dict[str, Path], tmp_path: Path) -> None:
    """With --out each file gets FILE.rapport.xml; a clean one has empty Fouten."""
    code, _ = _run("--format", "rapport", "--out", str(tmp_path), str(files["clean"]), str(files["bad"]))
    assert code == 1
    clean = etree.parse(str(tmp_path / "JW315_0001.rapport.xml")).getroot()
    assert len(clean.find(f"{{{RAPPORT_NAMESPACE}}}Fouten")) == 0
    assert (tmp_path / "bad315.rapport.xml").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "rapport", "--no-rules"], "--format rapport reports the business rules; it cannot be combined with --no-rules"),
        (["--out", "x"], "--out is only used with --format rapport"),
        (["--format", "rapport"], "--format rapport writes one Rapport per file: give --out DIR for several files"),
        (["--format", "yaml"], "Invalid value for '--format'"),
    ],
)
def test_bad_flags_are_one_line_errors(files: dict[str, Path], args: list[str], message: str) -> None:
    """Contradictory or unknown flags: a clear error and exit 2."""
    code, out = _run(*args, str(files["clean"]), str(files["bad"]))
    assert code == 2 and message in out


def test_catalogue_rules_lists_every_code(tmp_path: Path) -> None:
    """catalogue --rules: 61 rows for iJw, 58 for iWmo, 0 for a 2.x release; then whether the screen is in use."""
    for standard, n in (("ijw", 61), ("iwmo", 58)):
        result = CliRunner().invoke(cli, ["catalogue", "--rules", "-s", standard])
        assert result.exit_code == 0 and result.output.splitlines()[-2].startswith(f"{n} rules;")
        assert result.output.splitlines()[-1].startswith("compiled screen: compiled, in use (built against lxml ")
    result = CliRunner().invoke(cli, ["catalogue", "--rules", "-r", "2.2"])
    assert result.output.startswith("0 rules;")
