"""The layering rules import-linter cannot see (it reads modules, not names): no module-level import
cycle between code areas, and no private name imported from another area (tools/importgraph.py)."""

import importlib.util
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[2] / "tools" / "importgraph.py"


def _tool():  # tools/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("importgraph", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["importgraph"] = module
    spec.loader.exec_module(module)
    return module


def test_no_module_level_import_cycle_between_areas() -> None:
    graph = _tool()
    edges = graph.graph(include_functions=False)
    assert graph.strongly_connected(list(graph.areas()), set(edges)) == []


def test_no_upward_module_level_import() -> None:
    graph = _tool()
    assert sorted(e for e in graph.graph(include_functions=False) if graph.upward(*e)) == []


def test_no_private_name_imported_across_areas() -> None:
    assert _tool().private_imports() == []


def test_the_tool_sees_a_cycle_and_a_private_import(tmp_path: Path) -> None:
    """The checks above would pass vacuously if the walk found nothing: a two-app cycle with a private
    name, built on disk, is reported."""
    graph = _tool()
    for app, other in (("alpha", "beta"), ("beta", "alpha")):
        folder = tmp_path / "platform" / app
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text("")
        (folder / "services.py").write_text(f"from {other}.services import _helper\n\n\ndef _helper(): ...\n")
    graph.ROOT = tmp_path
    edges = graph.graph(include_functions=False)
    assert set(edges) == {("alpha", "beta"), ("beta", "alpha")}
    assert graph.strongly_connected(list(graph.areas()), set(edges)) == [["alpha", "beta"]]
    assert len(graph.private_imports()) == 2
