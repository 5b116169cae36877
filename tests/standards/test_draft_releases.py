"""Draft releases: a scenario declares a release ketensim does not know (``[[release]]``), derived from a known one.

The draft used throughout is a fictional 3.2 -> 3.3 draaiboek: the 2023 draaiboek's timeline with the
releases moved one on, release 3.3 declared ``like = "3.2"`` without the verzoek om wijziging
(317/318), and a small world so a run with XML on takes a second.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ketensim._resources import scenario_path
from ketensim.cli import cli as main
from ketensim.exceptions import KetensimError, ScenarioError
from ketensim.scenario import load_scenario, load_scenario_text
from ketensim.standards import draft_xsd, rules
from ketensim.standards.catalogue_data import CATALOGUE
from ketensim.standards.drafts import KNOWN, DraftRelease, ReleaseTable, release_table
from ketensim.standards.validation import check_file, is_valid, read_xml

DRAFT = """[[release]]
name = "3.3"
like = "3.2"
removed = ["317", "318"]
note = "fictional draft, for the tests"

"""
SMALL = """
[population]
gemeenten = 2
aanbieders = 6
clients = 150
"""


def draft_text(release: str = DRAFT, head: tuple[str, str] = ("3.2", "3.3"), extra: str = SMALL) -> str:
    """The 2023 draaiboek moved to ``head`` (from, to) with the ``[[release]]`` rows ``release`` in front."""
    text = scenario_path("2023-3.1-3.2").read_text(encoding="utf-8")
    old = 'from_release = "3.1"\nto_release = "3.2"'
    assert old in text
    text = text.replace(old, f'from_release = "{head[0]}"\nto_release = "{head[1]}"')
    return release + text + extra


@pytest.fixture(autouse=True)
def cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Derived schemas go to a cache of this test session, never the user's."""
    root = tmp_path_factory.getbasetemp() / "ketensim-cache"
    monkeypatch.setenv("KETENSIM_CACHE_DIR", str(root))
    return root


@pytest.fixture(scope="module")
def draft_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("draft") / "draft-3.3.toml"
    path.write_text(draft_text(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def draft_run(draft_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run of the draft draaiboek with XML on, every message kept."""
    out = tmp_path_factory.mktemp("draft-run") / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KETENSIM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "ketensim-cache"))
        result = CliRunner().invoke(main, ["run", str(draft_file), "--seed", "1", "--xml", "on", "--keep-xml",
                                           "--xml-worker", "off", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "release 3.3: afgeleid (a draft release derived from 3.2 by the scenario)" in result.output
    return out


class TestDeclaration:
    def test_draft_scenario_loads_with_its_own_release_table(self, draft_file: Path) -> None:
        """The draft is the scenario's: 3.3 has 3.2's messages without 317/318; nothing global changes."""
        s = load_scenario(draft_file)
        assert (s.from_release, s.to_release) == ("3.2", "3.3")
        assert s.drafts == (DraftRelease("3.3", "3.2", (), ("317", "318"), "", "fictional draft, for the tests"),)
        assert s.releases.info("3.3").numbers == s.releases.info("3.2").numbers - {"317", "318"}
        assert s.releases.is_draft("3.3") and not s.releases.is_draft("3.2")
        assert "3.3" not in KNOWN and not CATALOGUE.select(release="3.3")

    def test_known_scenario_cannot_name_an_undeclared_release(self) -> None:
        with pytest.raises(ScenarioError, match=r"scenario\.to_release: unknown release '3\.3'; expected one of "
                                                r"2\.0, .*, 3\.2, or a draft release declared in a \[\[release\]\] row"):
            load_scenario_text(draft_text(release=""), "nodraft.toml")

    @pytest.mark.parametrize(("row", "where", "message"), [
        # unknown base
        ('name = "3.3"\nlike = "3.9"', "release[1].like", "unknown release '3.9'; expected a known release or a draft"),
        # a release ketensim knows cannot be redeclared
        ('name = "3.2"\nlike = "3.1"', "release[1].name", "3.2 is a release ketensim knows; expected a new release"),
        # not a version
        ('name = "3.3.1"\nlike = "3.2"', "release[1].name", "'3.3.1' is not a release version; expected major.minor"),
        ('name = "drie"\nlike = "3.2"', "release[1].name", "'drie' is not a release version"),
        # older than its base
        ('name = "3.05"\nlike = "3.2"', "release[1].name", "'3.05' is not a release version"),
        ('name = "2.9"\nlike = "3.2"', "release[1].name", "2.9 is not later than 3.2; expected a draft newer"),
        # removing a number the base does not have
        ('name = "3.3"\nlike = "3.2"\nremoved = ["303", "304"]', "release[1].removed",
         "message 303 does not exist in release 3.2"),
        # adding a number ketensim has no schema for in 3.x
        ('name = "3.3"\nlike = "3.2"\nadded = ["321", "322"]', "release[1].added",
         "message 321 is not a message ketensim has a 3.x schema for"),
        # adding what is there already
        ('name = "3.3"\nlike = "3.2"\nadded = ["301"]', "release[1].added", "message 301 already exists in release 3.2"),
        # half a pair
        ('name = "3.3"\nlike = "3.2"\nremoved = ["317"]', "release[1].removed", "message 317 without 318; expected a "
         "heen and its retour removed together"),
        # 2.0 has no XSDs
        ('name = "2.5"\nlike = "2.0"', "release[1].like", "2.0 has no XML messages"),
        # unknown keys are refused as everywhere
        ('name = "3.3"\nlike = "3.2"\nremoves = ["317"]', "release[1]", "removes"),
    ])
    def test_bad_declaration_is_one_clear_line(self, row: str, where: str, message: str) -> None:
        with pytest.raises(ScenarioError) as caught:
            load_scenario_text(draft_text(release=f"[[release]]\n{row}\n\n"), "bad.toml")
        lines = str(caught.value).splitlines()
        line = next(line for line in lines if where in line)
        assert line.startswith("bad.toml: ") and message in line, lines

    def test_every_bad_row_reported_at_once_by_scenario_check(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.toml"
        rows = ('[[release]]\nname = "3.3"\nlike = "3.9"\n\n'
                '[[release]]\nname = "3.4"\nlike = "3.2"\nremoved = ["303"]\n\n')
        bad.write_text(draft_text(release=rows, head=("3.2", "3.4")), encoding="utf-8")
        result = CliRunner().invoke(main, ["scenario", "check", str(bad)])
        assert result.exit_code != 0
        assert "release[1].like: unknown release '3.9'" in result.output
        assert "release[2].removed: message 303 does not exist in release 3.2" in result.output
        # to_release names the rejected 3.4: its own row says why, the head does not repeat it
        assert len(result.output.strip().splitlines()) == 2, result.output

    def test_deadline_on_a_code_the_draft_removed_is_an_error(self) -> None:
        """From a draft without 317 the 2023 deadline on 317 names a message that does not exist there."""
        rows = DRAFT + '[[release]]\nname = "3.4"\nlike = "3.3"\n\n'
        with pytest.raises(ScenarioError, match=r"deadline\[2\] \(3\.1\.2\)\.messages: message 317 does not exist in "
                                                r"release 3\.3 \(removed by draft release 3\.3\)"):
            load_scenario_text(draft_text(release=rows, head=("3.3", "3.4")), "chain.toml")

    def test_chained_draft_inherits_its_base_draft(self) -> None:
        table = release_table((DraftRelease("3.3", "3.2", removed=("317", "318")),
                               DraftRelease("3.4", "3.3", added=("317", "318"))))
        assert table.info("3.4").numbers == table.info("3.2").numbers
        assert table.root("3.4") == "3.2" and table.names()[-3:] == ("3.2", "3.3", "3.4")

    def test_traffic_wave_on_a_removed_code_is_an_error(self) -> None:
        wave = ('\n[[traffic]]\nid = "w"\nactor = "aanbieder"\nmessages = ["317"]\nrelease = "new"\n'
                'start = "go_live"\nend = "go_live + 2d"\ncount = 3\nsource = "test"\n')
        with pytest.raises(ScenarioError, match=r"traffic\[1\]\.messages: message 317 does not exist in release 3\.3"):
            load_scenario_text(draft_text(extra=SMALL + wave), "wave.toml")


class TestSchemas:
    def test_added_message_takes_the_schema_of_its_family(self) -> None:
        """303/304 exist in 3.x only in 3.0: a draft adding them derives theirs from 3.0's, with its own namespace."""
        table = ReleaseTable((DraftRelease("3.3", "3.2", added=("303", "304")),))
        mt = table.catalogue.get("iwmo", "3.3", "303")
        assert (mt.derived_from, mt.namespace, mt.bericht_subversie) == (
            "3.0", "http://www.istandaarden.nl/iwmo/3_3/wmo303/schema", "3")
        from ketensim.standards.samples import generate_samples

        samples = list(generate_samples("iwmo", "3.3", "303", 2, 1, table.catalogue))  # each validated as written
        assert [s.message_type.code for s in samples] == ["WMO303", "WMO304"] * 2

    def test_schemas_built_once_then_served_from_the_cache(self, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("KETENSIM_CACHE_DIR", str(tmp_path))
        builds = []
        render = draft_xsd._render
        monkeypatch.setattr(draft_xsd, "_render", lambda *a: builds.append(a[0][0].release) or render(*a))
        drafts = (DraftRelease("3.3", "3.2"),)
        first = ReleaseTable(drafts).catalogue.get("ijw", "3.3", "301")
        again = ReleaseTable(drafts).catalogue.get("ijw", "3.3", "301")  # a new table, as in another process
        assert builds == ["3.3"] and first.xsd_root == again.xsd_root
        built = sorted(p.name for p in (tmp_path / "xsd-afgeleid").iterdir())
        assert built == [Path(first.xsd_root).name] and built[0].startswith("3.3-")
        # a different declaration (here only its note) is a different set of schemas
        ReleaseTable((DraftRelease("3.3", "3.2", note="another"),)).catalogue
        assert builds == ["3.3", "3.3"] and len(list((tmp_path / "xsd-afgeleid").iterdir())) == 2

    def test_parallel_builders_agree_and_leave_one_complete_set(self, tmp_path: Path) -> None:
        """Spawned processes racing to build the same schemas: atomic rename, one directory, no leftovers."""
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(2) as pool:
            roots = pool.map(_build_in_worker, [str(tmp_path)] * 4)
        assert len(set(roots)) == 1
        assert [p.name for p in (tmp_path / "xsd-afgeleid").iterdir()] == [Path(roots[0]).name]
        assert len(list(Path(roots[0]).rglob("*.xsd"))) == 2 * 13  # 12 messages and a basisschema per standard

    def test_unwritable_cache_is_one_line(self, draft_file: Path, tmp_path: Path) -> None:
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("", encoding="utf-8")
        env = {**os.environ, "KETENSIM_CACHE_DIR": str(blocker)}
        done = subprocess.run([sys.executable, "-m", "ketensim", "catalogue", "--scenario", str(draft_file),
                               "-r", "3.3"], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith("error: cannot write the derived schemas of release 3.3 under ")
        assert done.stderr.endswith("(set KETENSIM_CACHE_DIR to a writable directory)\n")
        assert len(done.stderr.splitlines()) == 1

    def test_base_schema_without_the_namespace_is_refused(self) -> None:
        data = (CATALOGUE.get("iwmo", "3.2", "301").xsd_path).read_bytes()
        with pytest.raises(KetensimError, match="base schema does not declare namespace 'urn:nothing'"):
            draft_xsd.derive_schema(data, {"urn:nothing": "urn:new"}, ("3", "3"), "doc")

    def test_derived_schema_documents_what_it_is(self) -> None:
        mt = release_table((DraftRelease("3.3", "3.2"),)).catalogue.get("iwmo", "3.3", "301")
        text = mt.xsd_path.read_text(encoding="utf-8")
        assert "AFGELEID (derived) from ketensim's iwmo/3_2/WMO301.xsd" in text
        assert 'targetNamespace="http://www.istandaarden.nl/iwmo/3_3/wmo301/schema"' in text
        assert "istandaarden.nl/iwmo/3_2" not in text


def _build_in_worker(root: str) -> str:
    os.environ["KETENSIM_CACHE_DIR"] = root
    table = ReleaseTable((DraftRelease("3.3", "3.2", removed=("317", "318")),))
    return table.catalogue.get("iwmo", "3.3", "301").xsd_root


class TestRun:
    def test_every_message_valid_against_its_derived_schemas(self, draft_run: Path, draft_file: Path) -> None:
        catalogue = load_scenario(draft_file).releases.catalogue
        files = sorted((draft_run / "xml").glob("*.xml"))
        drafts = [f for f in files if f.stem.endswith("_3.3")]
        assert len(drafts) > 20 and len(files) > len(drafts)
        for path in files:
            report = check_file(path, catalogue=catalogue)
            assert report.ok, (path.name, report.findings, report.rule_findings, report.problem)
        for path in drafts:
            report = check_file(path, catalogue=catalogue)
            mt = report.message_type
            assert mt is not None and mt.release == "3.3" and mt.is_draft and "/3_3/" in mt.namespace
            assert report.rules_checked == rules.applies(mt)
            tree = read_xml(path)
            header = tree.getroot()[0]
            assert [etree.QName(e).localname for e in header[1:3]] == ["BerichtVersie", "BerichtSubversie"]
            assert [e.text for e in header[1:3]] == ["3", "3"]
            assert not is_valid(CATALOGUE.get(mt.standard, "3.2", mt.number), tree)  # not a 3.2 message
        assert any(check_file(p, catalogue=catalogue).rules_checked for p in drafts)

    def test_draft_files_are_unknown_without_the_scenario(self, draft_run: Path) -> None:
        path = next((draft_run / "xml").glob("*_3.3.xml"))
        report = check_file(path)
        assert report.problem is not None and "/3_3/" in report.problem

    def test_removed_code_generates_no_traffic(self, draft_run: Path) -> None:
        with open(draft_run / "messages.csv", encoding="utf-8") as handle:
            seen = Counter((row["release"], row["code"][-3:]) for row in csv.DictReader(handle))
        assert seen[("3.2", "317")] > 0 and seen[("3.3", "301")] > 0  # the world does send 317s, in 3.2
        assert not [key for key in seen if key[0] == "3.3" and key[1] in ("317", "318")]

    def test_result_marks_the_release_afgeleid(self, draft_run: Path) -> None:
        result = json.loads((draft_run / "result.json").read_text(encoding="utf-8"))
        assert result["resolved_scenario"]["drafts"] == [{"name": "3.3", "like": "3.2", "added": [],
                                                          "removed": ["317", "318"], "source": "",
                                                          "note": "fictional draft, for the tests", "afgeleid": True}]

    def test_known_scenario_result_has_no_drafts_key(self, tiny) -> None:  # type: ignore[no-untyped-def]
        from ketensim.output import scenario_dict

        assert "drafts" not in scenario_dict(tiny)

    def test_dutch_report_says_afgeleid(self, draft_run: Path) -> None:
        from ketensim.report import render_report
        from ketensim.report.revive import scenario_from_dict

        page = render_report(draft_run)
        assert page.count("Release 3.3 is een conceptrelease, afgeleid van 3.2 (vervallen: 317, 318)") == 2
        assert "getoetst aan schema&#39;s die ketensim daaruit heeft afgeleid" in page
        revived = scenario_from_dict(json.loads((draft_run / "result.json").read_text())["resolved_scenario"])
        assert revived.drafts[0] == DraftRelease("3.3", "3.2", (), ("317", "318"), "", "fictional draft, for the tests")

    def test_same_seed_same_bytes_with_or_without_the_xml_worker(self, draft_run: Path, draft_file: Path,
                                                                  tmp_path: Path) -> None:
        for worker in ("off", "on"):
            out = tmp_path / worker
            result = CliRunner().invoke(main, ["run", str(draft_file), "--seed", "1", "--xml", "on", "--keep-xml",
                                               "--xml-worker", worker, "--out", str(out)])
            assert result.exit_code == 0, result.output
            for name in ("result.json", "messages.csv", "pairs.csv"):
                assert (out / name).read_bytes() == (draft_run / name).read_bytes(), (worker, name)
            assert sorted(p.name for p in (out / "xml").iterdir()) == sorted(p.name for p in (draft_run / "xml").iterdir())

    def test_replications_in_spawned_workers_know_the_draft(self, draft_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "n2"
        result = CliRunner().invoke(main, ["run", str(draft_file), "-n", "2", "--workers", "2", "--xml", "on",
                                           "--out", str(out)])
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["resolved_scenario"]["drafts"][0]["afgeleid"] is True


class TestCatalogueCli:
    def test_catalogue_lists_the_draft_afgeleid(self, draft_file: Path) -> None:
        result = CliRunner().invoke(main, ["catalogue", "--scenario", str(draft_file), "-r", "3.3", "-s", "iwmo"])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        rows = [line.split() for line in lines[1:-1]]
        assert [r[0] for r in rows] == ["WMO301", "WMO302", "WMO305", "WMO306", "WMO307", "WMO308", "WMO315",
                                        "WMO316", "WMO319", "WMO320", "WMO323", "WMO325"]
        assert all(r[-1] == "afgeleid" and r[1] == "3.3" for r in rows)
        assert lines[-1].startswith(f"afgeleid: 3.3 is a draft release declared by {draft_file}, derived from 3.2 "
                                    "(versie 3.3, removed 317, 318); schemas: ")

    def test_rules_apply_to_the_draft_afgeleid(self, draft_file: Path) -> None:
        result = CliRunner().invoke(main, ["catalogue", "--scenario", str(draft_file), "--rules", "-r", "3.3"])
        assert result.exit_code == 0, result.output
        assert "3.3 afgeleid" in result.output and "3.2 doc" not in result.output

    def test_draft_release_unknown_without_its_scenario(self) -> None:
        result = CliRunner().invoke(main, ["catalogue", "-r", "3.3"])
        assert result.exit_code == 2 and "unknown release '3.3'" in result.output

    def test_generate_and_validate_a_draft_release(self, draft_file: Path, tmp_path: Path) -> None:
        runner = CliRunner()
        made = runner.invoke(main, ["generate", "-s", "ijw", "-r", "3.3", "-m", "315", "--scenario", str(draft_file),
                                    "--out", str(tmp_path)])
        assert made.exit_code == 0, made.output
        checked = runner.invoke(main, ["validate", str(tmp_path), "--scenario", str(draft_file)])
        assert checked.exit_code == 0 and checked.output.endswith("2 passed, 0 failed\n"), checked.output

    def test_scenario_show_marks_the_draft(self, draft_file: Path) -> None:
        result = CliRunner().invoke(main, ["scenario", "show", str(draft_file)])
        assert result.exit_code == 0, result.output
        assert "release 3.3: afgeleid (a draft release derived from 3.2 by the scenario)" in result.output.splitlines()

    def test_kto_refuses_a_draft_release_in_one_line(self, draft_file: Path, tmp_path: Path) -> None:
        """Not supported yet: the hub's judge and the demo systems know the published releases only."""
        result = CliRunner().invoke(main, ["kto", "serve", str(draft_file), "--party", "aanbieder", "--speed", "step",
                                           "--data", str(tmp_path / "kto")])
        assert result.exit_code != 0
        assert "declares draft release 3.3 ([[release]]); a KTO rehearsal needs releases ketensim knows" in result.output
        assert "Traceback" not in result.output
