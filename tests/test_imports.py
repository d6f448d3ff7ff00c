"""The import graph of ``sim``: no circles, and figures drawn from tables only.

Every ``import`` inside ``sim/**/*.py`` counts, at the top of a module or inside a function
(a lazy import is still a dependency, and a circle through one is still a circle); only
imports under ``if TYPE_CHECKING:`` are left out (they never run).
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"


def _name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in SIM.rglob("*.py")}


def _type_checking(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(body: list[ast.stmt]):
    """Every statement, nested ones included, except under ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, ast.If) and _type_checking(node):
            yield from _statements(node.orelse)
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _statements([c for c in children if isinstance(c, ast.AST)])


def _resolve(name: str) -> str | None:
    """The module of ``sim`` that importing ``name`` runs (the longest existing prefix)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> set[str]:
    """The modules of ``sim`` that ``module`` imports."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in _statements(ast.parse(path.read_text()).body):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a import b` imports the module a.b when there is one, else a's attribute
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names
            ]
        else:
            continue
        found |= {m for n in names if n.split(".")[0] == "sim" and (m := _resolve(n))}
    found.discard(module)
    return found


GRAPH = {module: imports(module) for module in MODULES}


def test_the_graph_sees_the_package():
    assert {"sim", "sim.cli", "sim.cli.app", "sim.model", "sim.mechanics.package"} <= set(GRAPH)
    assert "sim.cli.app" in GRAPH["sim.cli.run"]
    assert "sim.model" in GRAPH["sim.ensemble"]
    assert "sim.model" not in GRAPH["sim.actors"]  # under TYPE_CHECKING only


def test_no_import_circle_inside_sim():
    try:
        list(graphlib.TopologicalSorter(GRAPH).static_order())
    except graphlib.CycleError as err:
        raise AssertionError("import circle: " + " imports ".join(reversed(err.args[1]))) from None


def test_plots_draw_from_tables_only():
    """Figures depend on the outcome vocabulary, the input vocabulary (the labels the
    scenario schema declares) and the style, never on the simulation, the analysis or the
    results folders (those call the plots, not the other way)."""
    vocabulary = {"sim.outcomes", "sim.scenario.fields", "sim.labels"}
    for module, targets in GRAPH.items():
        if module.startswith("sim.plots"):
            outside = {t for t in targets if not t.startswith("sim.plots")} - vocabulary
            assert not outside, f"{module} imports {sorted(outside)}"


def test_commands_register_without_a_circle():
    """Command modules import the app from ``sim.cli.app``, never from ``sim.cli`` itself."""
    for module, targets in GRAPH.items():
        if module.startswith("sim.cli."):
            assert "sim.cli" not in targets, module
