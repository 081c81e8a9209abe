"""devcloud's shape: no module imports itself back through others.

An import cycle is a design smell before it is an ImportError: each module of the cycle can
only be understood (and loaded) with all the others. Imports inside functions count too,
since a lazy import is usually a cycle someone worked around.
"""

import ast
from pathlib import Path

import devcloud

ROOT = Path(devcloud.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = ["devcloud", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The devcloud modules `name` imports (a package's own submodules by their names)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from pkg import sub` imports the submodule; `from mod import name` the module.
            subs = {f"{source}.{alias.name}" for alias in node.names}
            found |= (subs & known) or {source}
    return {m for m in found if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def test_the_import_walk_sees_relative_and_lazy_imports(tmp_path):
    source = tmp_path / "fake.py"
    source.write_text("from ..errors import CloudError\n"
                      "from . import ports\n"
                      "def later():\n"
                      "    from .core import HOST\n")
    known = {"devcloud.errors", "devcloud.network.ports", "devcloud.network.core"}
    assert imports_of("devcloud.network.fake", source, known) == known


def test_devcloud_has_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)
