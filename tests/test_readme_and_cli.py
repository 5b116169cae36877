"""README promises and CLI meta tests: the two commands, help everywhere, clean errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ketensim.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_has_two_commands_and_ci_runs_the_test_one_verbatim() -> None:
    main, tests = _readme_commands()
    assert "ketensim run 2022-3.0-3.1" in main
    assert "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_ci_names_only_test_files_that_exist() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    named = re.findall(r"tests/[\w/]+\.py", ci)
    assert named, "the CI script says which test checks it"
    assert [n for n in named if not (ROOT / n).is_file()] == []


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append(prefix + (name,))
        if isinstance(command, click.Group):
            out.extend(_commands(command, prefix + (name,)))
    return out


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "ketensim " + path[0] in result.output


def test_top_level_help_and_version() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "Example:" in result.output
    assert CliRunner().invoke(cli, ["--version"]).output.startswith("ketensim, version ")


def _ketensim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ketensim", *args], capture_output=True, text=True, timeout=120)


def test_bad_flag_is_one_line_and_exit_2() -> None:
    done = _ketensim("run", "2022-3.0-3.1", "--seed", "minus")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Invalid value for '--seed'" in done.stderr


def test_bad_scenario_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nid = "x"\nname = "x"\nfrom_release = "3.0"\nto_release = "3.1"\nbogus = 1\n')
    done = _ketensim("run", str(bad))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {bad}: scenario.bogus: unknown key; expected one of: description, from_release, id, naam, name, source, "
        "standards, to_release",
        f"error: {bad}: window: missing; this key is required",
        f"error: {bad}: phases: missing; this key is required",
        f"error: {bad}: go_live: missing; this key is required",
    ]
    assert done.stdout == ""


def test_unknown_scenario_name() -> None:
    done = _ketensim("scenario", "show", "no-such-draaiboek")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: no-such-draaiboek: no such file, and no bundled scenario by that name"


def test_run_writes_the_ledger_from_the_command_line(tmp_path: Path) -> None:
    scenario = tmp_path / "small.toml"
    scenario.write_text((ROOT / "scenarios" / "2022-3.0-3.1.toml").read_text(encoding="utf-8")
                        + "\n[population]\ngemeenten = 3\naanbieders = 10\nclients = 300\n", encoding="utf-8")
    done = _ketensim("run", str(scenario), "--seed", "4", "--out", str(tmp_path / "out"), "--keep-xml")
    assert done.returncode == 0, done.stderr
    assert "broken pairs (gebroken berichtparen)" in done.stdout
    for name in ("result.json", "pairs.csv", "messages.csv", "answers.csv", "backlog.csv"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    xml_files = sorted((tmp_path / "out" / "xml").glob("*.xml"))
    assert xml_files
    check = _ketensim("validate", *map(str, xml_files[:40]))
    assert check.returncode == 0, check.stdout
    assert check.stdout.strip().splitlines()[-1] == f"{len(xml_files[:40])} passed, 0 failed"


def test_scenario_plot_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "gantt.png"
    done = _ketensim("scenario", "plot", "2018-2.1-2.2", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = _ketensim("scenario", "plot", "2018-2.1-2.2", "-o", str(tmp_path / "gantt.gif"))
    assert bad.returncode == 2 and "expected .png, .svg or .pdf" in bad.stderr


def test_xml_worker_on_and_off_write_identical_files(tmp_path: Path) -> None:
    scenario = tmp_path / "small.toml"
    scenario.write_text((ROOT / "scenarios" / "2022-3.0-3.1.toml").read_text(encoding="utf-8")
                        + "\n[population]\ngemeenten = 3\naanbieders = 10\nclients = 300\n", encoding="utf-8")
    outs = {}
    for mode in ("on", "off"):
        done = _ketensim("run", str(scenario), "--seed", "5", "--xml-worker", mode, "--out", str(tmp_path / mode),
                         "--keep-xml")
        assert done.returncode == 0, done.stderr
        outs[mode] = {p.relative_to(tmp_path / mode): p.read_bytes() for p in sorted((tmp_path / mode).rglob("*"))
                      if p.is_file()}
    assert outs["on"] == outs["off"]
    assert sum(1 for name in outs["on"] if name.suffix == ".xml") > 100


@pytest.mark.parametrize("args,expected", [
    (["--xml", "off", "--xml-worker", "on"], "--xml-worker on needs --xml on"),
    (["-n", "3", "--xml-worker", "on"], "--xml-worker is for a single run (-n 1)"),
    (["--xml-worker", "sometimes"], "'sometimes' is not one of 'auto', 'on', 'off'"),
])
def test_bad_xml_worker_use_is_a_one_line_error(args: list[str], expected: str) -> None:
    done = _ketensim("run", "2022-3.0-3.1", *args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
