"""chain/ has no import circle: parties, hubs, traffic and faults see the run through ports.ChainWorld."""

from __future__ import annotations

import ast
from pathlib import Path

import ketensim.chain.world

CHAIN = Path(ketensim.chain.world.__file__).parent


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in CHAIN.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # TYPE_CHECKING imports count too
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ketensim.chain."):
                deps.add(node.module.rsplit(".", 1)[-1])
        graph[path.stem] = deps
    return graph


def test_the_chain_modules_import_each_other_in_one_direction():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            assert state.get(dep) != 1, "import circle: " + " -> ".join([*path, dep])
            if dep not in state:
                visit(dep, [*path, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_only_the_wiring_imports_the_world():
    importers = {m for m, deps in _graph().items() if "world" in deps}
    assert importers == {"records"}
