"""The layering rules of ARCHITECTURE.md, read from the source with ast: the import graph of the project's
own modules has no cycle, metrics/ never imports streamlit, and pages/ and ui/ use the store only through
the package's own exports (metrics.store), never its modules."""

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from metrics.paths import ROOT

SOURCE_DIRECTORIES = ("metrics", "ui", "pages")
CALLER_DIRECTORIES = (*SOURCE_DIRECTORIES, "scripts", "tests")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    paths = [path for directory in SOURCE_DIRECTORIES for path in (ROOT / directory).rglob("*.py")]
    paths += [ROOT / "app.py", ROOT / "server.py"]
    return {module_name(path): path for path in paths}


def imported_names(path: Path, modules: dict[str, Path]) -> list[str]:
    """Every module an import in the file depends on, wherever the import stands (a function-level import
    is still a dependency): `from a.b import c` names a.b.c where that is a module, else a.b."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                      for alias in node.names]
    return names


def project_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: {imported for imported in imported_names(path, modules) if imported in modules and imported != name}
            for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle found by a depth-first walk, as the path that closes it."""
    found, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for successor in sorted(graph[node]):
            if state.get(successor) == "open":
                found.append(trail[trail.index(successor):] + [successor])
            elif successor not in state:
                visit(successor, trail + [successor])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_import_graph_has_no_cycle():
    graph = project_graph()
    assert "metrics.store.warehouse" in graph["metrics.store"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_metrics_never_imports_streamlit():
    modules = project_modules()
    offenders = [name for name, path in modules.items()
                 if name.startswith("metrics") and any(imported.split(".")[0] == "streamlit"
                                                       for imported in imported_names(path, modules))]
    assert offenders == []


@pytest.mark.parametrize("layer", ["pages", "ui", "app", "server"])
def test_pages_and_ui_use_the_store_only_through_its_package(layer):
    modules = project_modules()
    internals = {name for name in modules if name.startswith("metrics.store.")}
    offenders = {name: sorted(set(imported_names(path, modules)) & internals) for name, path in modules.items()
                 if name.split(".")[0] == layer and set(imported_names(path, modules)) & internals}
    assert offenders == {}


def readme_module_map() -> list[str]:
    """The paths the README's module map names, in its order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### 模块地图", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\s*((?:metrics|ui|pages)/[\w/]*\.py)\b", section, re.M)


def test_the_readme_module_map_names_every_module_of_the_tree_once():
    tree = sorted(str(path.relative_to(ROOT)) for path in project_modules().values()
                  if path.parts[len(ROOT.parts)] in SOURCE_DIRECTORIES)
    named = readme_module_map()
    assert sorted(named) == tree
    assert len(named) == len(set(named))


def names_used_from(package: str) -> set[str]:
    """The names that code outside the package (metrics, ui, pages, scripts, tests, app.py, server.py) takes from
    it: `from package import name`, and `alias.name` where alias is bound to the package by an import."""
    parent, _, last = package.rpartition(".")
    paths = [path for directory in CALLER_DIRECTORIES for path in (ROOT / directory).rglob("*.py")]
    paths += [ROOT / "app.py", ROOT / "server.py"]
    package_directory = ROOT.joinpath(*package.split("."))
    exports = vars(importlib.import_module(package))
    used = set()
    for path in paths:
        if path.is_relative_to(package_directory):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == package:
                used |= {alias.name for alias in node.names if not isinstance(exports.get(alias.name), ModuleType)}
            elif isinstance(node, ast.ImportFrom) and node.module == parent:
                aliases |= {alias.asname or alias.name for alias in node.names if alias.name == last}
            elif isinstance(node, ast.Import):
                aliases |= {alias.asname for alias in node.names if alias.name == package and alias.asname}
        used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                 and isinstance(node.value, ast.Name) and node.value.id in aliases}
    return used


@pytest.mark.parametrize("package", ["metrics.accounts", "metrics.ingest.validation"])
def test_a_split_package_exports_exactly_what_its_callers_use(package):
    """Its __init__ only re-exports, from the modules that hold each concept, the names used outside it."""
    tree = ast.parse((ROOT.joinpath(*package.split(".")) / "__init__.py").read_text(encoding="utf-8"))
    statements = [type(node).__name__ for node in tree.body[1:]]  # after the docstring
    exported = importlib.import_module(package).__all__
    assert (set(statements), sorted(exported)) == ({"ImportFrom", "Assign"}, sorted(names_used_from(package)))


@pytest.mark.parametrize(("package", "layers"), [
    ("metrics.accounts", ["store", "audit", "users", "sessions", "oidc"]),
    ("metrics.ingest.validation", ["checks", "reference", "observations", "file", "display"]),
])
def test_a_split_package_s_modules_import_only_those_below_them(package, layers):
    graph = project_graph()
    modules = [f"{package}.{layer}" for layer in layers]
    upward = {module: sorted(graph.get(module, set()) & set(modules[index + 1:]))
              for index, module in enumerate(modules)}
    inside = sorted(name for name in graph if name.startswith(f"{package}."))
    assert (inside, {module: above for module, above in upward.items() if above}) == (sorted(modules), {})


def test_no_name_of_a_package_is_both_one_of_its_modules_and_a_name_it_exports():
    """`metrics.accounts.sign_in` was a module and the function the package exports under the same name: a
    reader (and importlib) could not tell which one a name meant."""
    packages = sorted({module_name(path.parent / "__init__.py") for path in (ROOT / "metrics").rglob("*.py")})
    shadowed = []
    for package in packages:
        directory = ROOT.joinpath(*package.split("."))
        modules = {path.stem for path in directory.glob("*.py")} | {
            path.name for path in directory.iterdir() if (path / "__init__.py").is_file()}
        names = vars(importlib.import_module(package))
        shadowed += [f"{package}.{name}" for name in sorted(modules)
                     if name in names and not isinstance(names[name], ModuleType)]
    assert shadowed == []
