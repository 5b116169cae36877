"""The standards commands: ``ketensim catalogue``, ``validate`` and ``generate``, including hostile input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim.cli import cli
from ketensim.cli.standards_cmd import COMMANDS
from ketensim.standards.catalogue import get_catalogue
from ketensim.standards.validation import MAX_BYTES

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_1/wmo301/schema">&lol4;</Bericht>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_1/wmo301/schema">&xxe;</Bericht>
"""


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Generated 3.1 iWmo messages of every type (heen and retour)."""
    out = tmp_path_factory.mktemp("samples")
    result = CliRunner().invoke(
        cli, ["generate", "--release", "3.1", "--message", "all", "-n", "2", "--seed", "7", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _run(*args):
    return CliRunner().invoke(cli, list(args))


class TestHelp:
    @pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
    def test_help_has_example(self, command):
        """Every command documents itself and ends with an example."""
        result = _run(command.name, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output
        assert f"ketensim {command.name}" in result.output


class TestCatalogue:
    def test_table(self):
        """The table has a header and one aligned row per message of the release."""
        result = _run("catalogue", "--release", "3.1")
        assert result.exit_code == 0
        lines = result.output.splitlines()
        assert lines[0].split()[:4] == ["code", "release", "name", "BerichtCode"]
        assert len(lines) == 1 + len(get_catalogue().select(release="3.1"))
        assert any(line.startswith("WMO323") and "325" in line for line in lines)
        assert len({line.index("3.1") for line in lines[1:]}) == 1  # release column aligned

    def test_filter_standard(self):
        """--standard keeps only that standard's messages."""
        result = _run("catalogue", "--standard", "ijw", "--release", "2.2")
        assert result.exit_code == 0
        assert all(line.startswith("JW") for line in result.output.splitlines()[1:])
        assert "450" in result.output  # the factuur code of JW303 2.x

    @pytest.mark.parametrize(
        ("flag", "value"), [("--release", "9.9"), ("--standard", "zvw"), ("--release", "2.0")]
    )
    def test_unknown_value_one_line_exit_2(self, flag, value):
        """An unknown release or standard is one line on stderr and exit code 2."""
        result = _run("catalogue", flag, value)
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1
        assert value in result.output


class TestGenerate:
    def test_writes_pairs(self, tmp_path):
        """--message 301 writes the heen and its retour with deterministic names."""
        result = _run(
            "generate",
            "--standard",
            "iwmo",
            "--release",
            "3.1",
            "--message",
            "301",
            "-n",
            "3",
            "--seed",
            "7",
            "--out",
            str(tmp_path),
        )
        assert result.exit_code == 0, result.output
        names = sorted(p.name for p in tmp_path.iterdir())
        assert names == [f"WMO30{k}_000{i}.xml" for k in (1, 2) for i in (1, 2, 3)]
        assert result.output.strip() == f"wrote 6 files (3 heen, 3 retour) for iwmo 3.1 to {tmp_path}"
        data = (tmp_path / "WMO301_0001.xml").read_bytes()
        assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
        assert b"\n  <wmo301:Header>" in data  # pretty printed

    def test_same_seed_identical_bytes(self, tmp_path):
        """Two runs with the same seed write identical files."""
        for run in ("a", "b"):
            assert (
                _run(
                    "generate",
                    "-s",
                    "ijw",
                    "-r",
                    "2.2",
                    "-n",
                    "2",
                    "--seed",
                    "3",
                    "--out",
                    str(tmp_path / run),
                ).exit_code
                == 0
            )
        a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
        b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
        assert a == b and len(a) == 20

    @pytest.mark.parametrize(
        "args",
        [
            ["--release", "7.7"],
            ["--release", "3.1", "--standard", "zvw"],
            ["--release", "3.1", "--message", "399"],
            ["--release", "2.1", "--message", "323"],  # 323 does not exist before 3.0
            ["--release", "3.1", "-n", "0"],
        ],
    )
    def test_bad_flags_exit_2(self, tmp_path, args):
        """Bad flags give a one-line error and exit code 2."""
        result = _run("generate", *args, "--out", str(tmp_path))
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1
        assert result.output.startswith("Error:")


class TestValidate:
    def test_generated_files_pass(self, samples):
        """Everything generate writes passes validate."""
        files = sorted(str(p) for p in samples.iterdir())
        result = _run("validate", *files)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == f"{len(files)} passed, 0 failed"
        assert all(line.startswith("PASS ") for line in result.output.splitlines()[:-1])

    def test_hostile_and_broken_files(self, samples, tmp_path):
        """Unsafe, non-XML, huge and unknown files each FAIL with a reason; the others are still checked."""
        bad = {
            "laughs.xml": BILLION_LAUGHS,
            "xxe.xml": XXE,
            "text.xml": b"this is not xml at all",
            "broken.xml": b"<Bericht><Header></Bericht>",
            "unknown.xml": b'<Bericht xmlns="urn:example:other"/>',
            "noroot.xml": b'<Other xmlns="http://www.istandaarden.nl/iwmo/3_1/wmo301/schema"/>',
        }
        for name, data in bad.items():
            (tmp_path / name).write_bytes(data)
        with open(tmp_path / "huge.xml", "wb") as fh:  # sparse: no real 25 MB written
            fh.truncate(MAX_BYTES + 1)
        corrupted = (samples / "WMO301_0001.xml").read_bytes().replace(b"<wmo301:Bsn>", b"<wmo301:Bsn>X", 1)
        (tmp_path / "corrupt.xml").write_bytes(corrupted)
        good = samples / "WMO305_0001.xml"
        names = [*bad, "huge.xml", "corrupt.xml"]
        result = _run(
            "validate", str(good), *(str(tmp_path / n) for n in names), str(tmp_path / "missing.xml")
        )
        assert result.exit_code == 1
        assert result.exception is None or isinstance(result.exception, SystemExit)
        out = result.output
        assert out.splitlines()[-1] == f"1 passed, {len(names) + 1} failed"
        assert f"PASS {good}" in out
        reasons = {
            line.split(": ", 1)[0].removeprefix("FAIL "): line
            for line in out.splitlines()
            if line.startswith("FAIL")
        }
        assert "DOCTYPE" in reasons[str(tmp_path / "laughs.xml")]
        assert "DOCTYPE" in reasons[str(tmp_path / "xxe.xml")]
        assert "root:" not in out  # /etc/passwd was never read
        assert "not XML" in reasons[str(tmp_path / "text.xml")]
        assert "not well-formed" in reasons[str(tmp_path / "broken.xml")]
        assert "urn:example:other" in reasons[str(tmp_path / "unknown.xml")]
        assert "'Other'" in reasons[str(tmp_path / "noroot.xml")]
        assert "limit" in reasons[str(tmp_path / "huge.xml")]
        assert "cannot read" in reasons[str(tmp_path / "missing.xml")]
        corrupt_index = out.splitlines().index(reasons[str(tmp_path / "corrupt.xml")])
        finding = out.splitlines()[corrupt_index + 1]
        assert finding.startswith("    /wmo301:Bericht/wmo301:Client/wmo301:Bsn line ")

    def test_counts_line_exact(self, samples):
        """The last line is exactly 'N passed, N failed'."""
        result = _run("validate", str(samples / "WMO323_0001.xml"), str(samples / "WMO325_0001.xml"))
        assert result.output.splitlines()[-1] == "2 passed, 0 failed"
        assert result.exit_code == 0


class TestConsoleEntry:
    def test_bad_release_through_main(self):
        """``python -m ketensim`` prints one error line, no traceback, and exits with 2."""
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        proc = subprocess.run(
            [sys.executable, "-m", "ketensim", "catalogue", "--release", "9.9"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert proc.returncode == 2
        assert proc.stderr.strip().splitlines() == [
            "Error: unknown release '9.9'; expected one of: 2.1, 2.2, 2.3, 2.4, 3.0, 3.1, 3.2"
        ]
        assert "Traceback" not in proc.stderr
