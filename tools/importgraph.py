"""The import graph between code areas, read with `ast` (nothing is imported or run).

An area is one platform app (`platform/<app>/`, a top-level module because platform/ is on sys.path),
`tenants`, `api`, `config` or `web`. An edge A -> B means some module of A imports a module of B.

    python tools/importgraph.py            # module-level imports only (what runs at import time)
    python tools/importgraph.py --all      # also imports inside functions
    python tools/importgraph.py --files 15 # also the 15 largest Python files by line count

Printed: the edges, the cycles (strongly connected components of more than one area) and the
"upward" imports, which go against the layers api -> platform apps -> core (a platform app or core
importing api/config/web, core importing an app), and private names (`from tenants.services import
_x`) imported across areas. Imports under `if TYPE_CHECKING:` are left out:
they never run. Migrations are left out (they name models by string).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP_AREAS = ("tenants", "api", "config", "web")
EDGE = ("api", "config", "web")  # nothing below the HTTP edge may import these


def areas() -> dict[str, Path]:
    found = {name: ROOT / name for name in TOP_AREAS if (ROOT / name).is_dir()}
    for app in sorted((ROOT / "platform").iterdir()):
        if app.is_dir() and (app / "__init__.py").exists():
            found[app.name] = app
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(tree: ast.Module, module: str, include_functions: bool) -> list[tuple[str, int]]:
    """(absolute module name, line) for each import; relative imports resolved against `module`."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    visit_stmt(sub, in_function)
                continue
            visit_stmt(child, in_function)

    def visit_stmt(child: ast.AST, in_function: bool) -> None:
        if isinstance(child, ast.Import):
            if include_functions or not in_function:
                found.extend((alias.name, child.lineno) for alias in child.names)
        elif isinstance(child, ast.ImportFrom):
            if include_functions or not in_function:
                base = child.module or ""
                if child.level:
                    parts = module.split(".")[: -child.level]
                    base = ".".join([*parts, base] if base else parts)
                found.append((base, child.lineno))
                # `from pkg import submodule` imports the submodule too
                found.extend((f"{base}.{alias.name}", child.lineno) for alias in child.names)
        is_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        visit(child, in_function or is_function)

    visit(tree, False)
    return found


def graph(include_functions: bool) -> dict[tuple[str, str], list[str]]:
    """(from area, to area) -> ['file:line imports module', ...]"""
    known = areas()
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for area, folder in known.items():
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder.parent)
            if "migrations" in rel.parts:
                continue
            module = ".".join(rel.with_suffix("").parts)
            if module.endswith(".__init__"):
                module = module[: -len(".__init__")]
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name, line in imported_names(tree, module, include_functions):
                target = name.split(".")[0]
                if target in known and target != area:
                    where = f"{path.relative_to(ROOT)}:{line} {name}"
                    if where not in edges[(area, target)]:
                        edges[(area, target)].append(where)
    return edges


def strongly_connected(nodes: list[str], edges: set[tuple[str, str]]) -> list[list[str]]:
    """Tarjan's algorithm; components of more than one node are the cycles."""
    out: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        out[a].append(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(out[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted(nodes):
        if node not in index:
            connect(node)
    return sorted(components, key=lambda c: (-len(c), c))


def upward(a: str, b: str) -> bool:
    if b in EDGE and a not in EDGE:
        return True  # a platform app, core or tenants reaching up to the HTTP edge or config
    if a == "core" and b != "core":
        return True  # core is the bottom layer
    return False


def private_imports() -> list[str]:
    """`from X import _name` where X belongs to another area: a private name used across areas.
    (Functions included; a private name is private wherever the import sits.)"""
    known = areas()
    found = []
    for area, folder in known.items():
        for path in sorted(folder.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    target = node.module.split(".")[0]
                    if target in known and target != area:
                        for alias in node.names:
                            if alias.name.startswith("_") and not alias.name.startswith("__"):
                                where = path.relative_to(ROOT)
                                found.append(f"{where}:{node.lineno} {node.module}.{alias.name}")
    return found


def largest_files(count: int) -> list[tuple[int, str]]:
    sizes = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "frontend", ".data", "node_modules"} or "migrations" in rel.parts:
            continue
        sizes.append((len(path.read_text(encoding="utf-8").splitlines()), str(rel)))
    return sorted(sizes, reverse=True)[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="count imports inside functions too")
    parser.add_argument("--files", type=int, default=0, help="also list the N largest Python files")
    parser.add_argument("--quiet", action="store_true", help="only the summary, not each edge's imports")
    parser.add_argument("--root", type=Path, help="another checkout to measure (default: this one)")
    args = parser.parse_args()
    if args.root:
        global ROOT
        ROOT = args.root.resolve()

    edges = graph(args.all)
    kind = "all imports" if args.all else "module-level imports"
    print(f"# area import graph ({kind})")
    for (a, b), sites in sorted(edges.items()):
        print(f"{a} -> {b}  ({len(sites)})")
        if not args.quiet:
            for site in sites[:3]:
                print(f"    {site}")
    cycles = strongly_connected(list(areas()), set(edges))
    print(f"\n# cycles (strongly connected components): {len(cycles)}")
    for component in cycles:
        print(f"  {len(component)} areas: {', '.join(component)}")
    ups = sorted(e for e in edges if upward(*e))
    print(f"\n# upward imports: {len(ups)}")
    for a, b in ups:
        print(f"  {a} -> {b}: {edges[(a, b)][0]}")
    private = private_imports()
    print(f"\n# private names imported from another area: {len(private)}")
    for site in private:
        print(f"  {site}")
    print(f"\nedges: {len(edges)}  cycles: {len(cycles)}  upward: {len(ups)}  private: {len(private)}")
    if args.files:
        print(f"\n# {args.files} largest Python files (lines, migrations left out)")
        for lines, name in largest_files(args.files):
            print(f"  {lines:5d} {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
