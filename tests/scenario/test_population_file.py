"""`[population]` from a population file (`use = "national-2022"`), with mergers and regional organisations (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ketensim._resources import scenario_path
from ketensim.cli import cli
from ketensim.exceptions import ScenarioError
from ketensim.scenario import load_scenario

BASE = scenario_path("2022-3.0-3.1").read_text(encoding="utf-8")


def _scenario(tmp_path: Path, population: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(BASE + "\n[population]\n" + population, encoding="utf-8")
    return path


def test_any_draaiboek_can_use_the_national_population_and_override_its_size(tmp_path: Path) -> None:
    for base in ("2023-3.1-3.2", "2021-2.4-3.0"):
        path = tmp_path / f"{base}.toml"
        text = scenario_path(base).read_text(encoding="utf-8")
        assert "[population]" not in text
        path.write_text(text + '\n[population]\nuse = "national-2022"\nclients = 5000\n', encoding="utf-8")
        spec = load_scenario(path).population
        assert (spec.use, spec.clients, spec.aanbieders, spec.gemeenten) == ("national-2022", 5000, 11000, 345)
        assert spec.year == 2022 and spec.mergers and spec.regions  # the file's year, not the draaiboek's


def test_a_population_file_next_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text("[population]\ngemeenten = 5\nclients = 300\n", encoding="utf-8")
    spec = load_scenario(_scenario(tmp_path, 'use = "mine.toml"\naanbieders = 30\n')).population
    assert (spec.gemeenten, spec.clients, spec.aanbieders, spec.use) == (5, 300, 30, "mine.toml")


@pytest.mark.parametrize(("population", "where", "expected"), [
    ('use = "atlantis"\n', "population.use", "no population file"),
    ('use = "national-2022"\ngemeenten = 40\n', "population.merger", "expected population.gemeenten = 345"),
    ('use = "national-2022"\n[[population.merger]]\ngemeente = "9999"\ninto = "0363"\nat = 2022-03-24T00:00:00\n',
     "population.merger[1].gemeente", "'9999' is not a gemeentecode of the 2022 list"),
    ('use = "national-2022"\n[[population.merger]]\ngemeente = "0363"\ninto = "0363"\nat = 2022-03-24T00:00:00\n',
     "population.merger[1].into", "the merging gemeente itself"),
    ('gemeenten = 345\n[[population.region]]\nid = "r"\nnaam = "R"\ngemeenten = ["0363", "0363"]\n',
     "population.region[1].gemeenten", "at least two distinct gemeentecodes"),
    ('gemeenten = 345\n[[population.region]]\nid = "a"\nnaam = "A"\ngemeenten = ["0363", "0344"]\n'
     '[[population.region]]\nid = "b"\nnaam = "B"\ngemeenten = ["0344", "0599"]\nstandards = ["iwmo"]\n',
     "population.region[2].gemeenten", "0344 sends iwmo through 'a' already"),
    ('gemeenten = 345\n[[population.region]]\nid = "a"\nnaam = "A"\ngemeenten = ["0363", "0344"]\nstandards = ["wlz"]\n',
     "population.region[1].standards", "expected a non-empty list of iwmo, ijw"),
])
def test_a_bad_population_is_one_clear_error(tmp_path: Path, population: str, where: str, expected: str) -> None:
    path = _scenario(tmp_path, population)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.path == str(path) and err.value.where == where and expected in err.value.problem
    result = CliRunner().invoke(cli, ["scenario", "check", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"{path}: {where}: " in result.output and len(result.output.strip().splitlines()) == 1


def test_an_error_inside_the_population_file_names_that_file(tmp_path: Path) -> None:
    pop = tmp_path / "pop.toml"
    pop.write_text("[population]\nclients = -3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario(tmp_path, 'use = "pop.toml"\n'))
    assert err.value.path == str(pop) and err.value.where == "population.clients"
    pop.write_text('[population]\nuse = "national-2022"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="cannot use another one"):
        load_scenario(_scenario(tmp_path, 'use = "pop.toml"\n'))
    pop.write_text("[population\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="cannot read the population file"):
        load_scenario(_scenario(tmp_path, 'use = "pop.toml"\n'))
