"""Dependencies flow one way, with no cycles and no imports hidden in functions.

The order, lowest first: `cepa_collab` ← `notifications` ← the domain apps ←
`knowledge` ← `demo`. Among the domain apps, `meetings`, `advisory` and
`contributions` build on `workflows`, and `advisory` on `meetings`; nothing goes back.
A lower layer never imports a higher one, not even inside a function: it offers a
registry that the higher app fills — the kinds of notification and deadline
(`notifications.kinds`, filled from each app's `notices` and `deadlines` modules), what
a page shows of higher apps (`cepa_collab.panels`, filled from `panels` modules), what
follows a person's time zone (`cepa_collab.services.follow_time_zone`). The lower app's
`AppConfig.ready` imports those modules by their conventional name with Django's
`autodiscover_modules` (as the admin finds `admin` modules), so no module names an app
above it, not even as a string; Celery tasks are enqueued by their names.

Every module of the apps is parsed with `ast` (migrations aside; they are generated and
name their dependencies as strings). Besides the order, the test refuses:

- an import inside a function or a class body (of a project module: a hidden
  dependency that the order cannot see until the function runs; of anything else:
  the issue wants them gone too, so the few that are truly needed are listed in
  `DEFERRED_IMPORTS` with their reason);
- a cycle between modules (top-level and deferred imports alike: Tarjan's strongly
  connected components over the module graph);
- a module named like a standard-library module (`meetings/calendar.py` would be
  imported for `calendar` by a script run from its folder, and reads as the stdlib);
- a one-letter import alias (`import datetime as d`).

`python -m tests.core.test_layering` prints the counts (app-level cycles, module-level
cycles, in-function imports) without failing, to measure before and after a change.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What each app may import, besides itself and third-party code.
KERNEL = frozenset({"cepa_collab"})
NOTIFICATIONS = KERNEL | {"notifications"}
ALLOWED: dict[str, frozenset[str]] = {
    "cepa_collab": frozenset(),
    "notifications": KERNEL,
    "workflows": NOTIFICATIONS,
    "meetings": NOTIFICATIONS | {"workflows"},
    "contributions": NOTIFICATIONS | {"workflows"},
    "advisory": NOTIFICATIONS | {"workflows", "meetings"},
    "discussions": NOTIFICATIONS | {"workflows"},
    "knowledge": NOTIFICATIONS
    | {"workflows", "meetings", "advisory", "contributions", "discussions"},
    "demo": NOTIFICATIONS
    | {"workflows", "meetings", "advisory", "contributions", "discussions", "knowledge"},
}
APPS = tuple(ALLOWED)

# Imports inside a function that are truly unavoidable, by (module, imported module),
# each with its reason. Keep it empty if you can: a registry filled at start-up, a
# string reference (`include("app.urls")`, a Celery task name) or a module-level import
# does the job almost every time.
DEFERRED_IMPORTS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "workflows.views"
    path: Path
    line: int
    target: str  # the imported module, resolved to a project module where it is one
    text: str  # the statement as written
    deferred: bool  # inside a function or class body
    type_checking: bool  # under `if TYPE_CHECKING:`

    @property
    def app(self) -> str:
        return self.module.split(".")[0]

    @property
    def target_app(self) -> str:
        return self.target.split(".")[0]

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.text}"


def app_modules() -> dict[str, Path]:
    """Every module of the apps, by dotted name (migrations aside)."""
    modules = {}
    for app in APPS:
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(
    node: ast.AST, deferred: bool = False, type_checking: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, deferred, type_checking
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            yield from _walk(child, True, type_checking)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), deferred, True)
            for statement in child.orelse:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), deferred, False)
        else:
            yield from _walk(child, deferred, type_checking)


def _resolve(name: str, modules: dict[str, Path]) -> str:
    """The project module `name` is, or its closest enclosing project package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return name


# A line as the parser counts lines (\r\n, \r or \n end one), with its ending.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _source_segment(lines: list[str], node: ast.stmt) -> str:
    """`ast.get_source_segment(source, node)` from the source's lines split once: the
    standard function splits the whole file again for each node, which made this test
    quadratic in a module's length (most of its time went there)."""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset : node.end_col_offset].decode()
    return "".join(
        [
            lines[first].encode()[node.col_offset :].decode(),
            *lines[first + 1 : last],
            lines[last].encode()[: node.end_col_offset].decode(),
        ]
    )


@cache
def _parsed(path: Path, source: str) -> ast.Module:
    return ast.parse(source, filename=str(path))


def imports(modules: dict[str, Path] | None = None) -> list[Import]:
    """Every import statement of the apps (or of `modules`), one entry per imported module."""
    if modules is None:
        return list(_project_imports())
    found = []
    for module, path in modules.items():
        source = path.read_text()
        tree = _parsed(path, source)
        lines = _LINE.findall(source)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node, deferred, type_checking in _walk(tree):
            text = _source_segment(lines, node)
            text = " ".join(text.split())
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from workflows import services` imports the module workflows.services.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in dict.fromkeys(targets):
                found.append(
                    Import(
                        module=module,
                        path=path,
                        line=node.lineno,
                        target=_resolve(target, modules),
                        text=text,
                        deferred=deferred,
                        type_checking=type_checking,
                    )
                )
    return found


def _one_letter(name: str | None) -> bool:
    # `_` is gettext by convention (and what makemessages looks for), not an alias.
    return name is not None and len(name) == 1 and name.isalpha()


@cache
def _project_imports() -> tuple[Import, ...]:
    return tuple(imports(app_modules()))


def aliases(modules: dict[str, Path] | None = None) -> list[str]:
    """`path:line: what` of every one-letter alias: `import datetime as d`, and a
    module-level `S = RequestState` that renames a class or module to one letter."""
    modules = app_modules() if modules is None else modules
    found = []
    for path in modules.values():
        tree = _parsed(path, path.read_text())
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found += [
                    f"{where}:{node.lineno}: {alias.name} as {alias.asname}"
                    for alias in node.names
                    if _one_letter(alias.asname)
                ]
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Name | ast.Attribute)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and _one_letter(node.targets[0].id)
            ):
                found.append(
                    f"{where}:{node.lineno}: {node.targets[0].id} = {ast.unparse(node.value)}"
                )
    return found


def project(found: list[Import]) -> list[Import]:
    return [entry for entry in found if entry.target_app in ALLOWED]


def violations(found: list[Import]) -> list[Import]:
    return [
        entry
        for entry in project(found)
        if entry.target_app != entry.app and entry.target_app not in ALLOWED[entry.app]
    ]


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components with a cycle, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph.get(node, ()):
                        components.append(sorted(component))
    return sorted(components)


def module_graph(found: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for entry in project(found):
        if entry.target != entry.module:
            graph.setdefault(entry.module, set()).add(entry.target)
    return graph


def app_graph(found: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for entry in project(found):
        if entry.target_app != entry.app:
            graph.setdefault(entry.app, set()).add(entry.target_app)
    return graph


def mutual_pairs(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (a, b) for a, targets in graph.items() for b in targets if a < b and a in graph.get(b, ())
    )


def _cycle_in(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One cycle through the component's first module, to name in a failure."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph.get(node, ())):
            if child == start:
                return [*paths[node], start]
            if child in members and child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return component


def stdlib_shadows(modules: dict[str, Path] | None = None) -> list[str]:
    modules = app_modules() if modules is None else modules
    return sorted(
        str(path.relative_to(ROOT))
        for name, path in modules.items()
        if "." in name and name.rpartition(".")[2] in sys.stdlib_module_names
    )


# --- the tests -------------------------------------------------------------------------------


def test_every_app_is_parsed():
    modules = app_modules()

    assert {name.split(".")[0] for name in modules} == set(APPS)
    assert "workflows.services" in modules
    assert not [name for name in modules if ".migrations" in name]


def _listed(lines: list[str]) -> str:
    return "\n".join(["", *lines])


def test_no_import_goes_against_the_layers():
    bad = [entry.where() for entry in violations(imports())]

    assert bad == [], f"imports against the layers (lower app imports higher):{_listed(bad)}"


def test_no_import_inside_a_function():
    bad = [
        entry.where()
        for entry in imports()
        if entry.deferred and (entry.module, entry.target) not in DEFERRED_IMPORTS
    ]

    assert bad == [], f"imports inside a function or class (move them up):{_listed(bad)}"


def test_every_deferred_import_listed_is_still_there():
    deferred = {(entry.module, entry.target) for entry in imports() if entry.deferred}

    assert set(DEFERRED_IMPORTS) - deferred == set()


def test_no_cycle_between_modules():
    graph = module_graph(imports())

    cycles = [" -> ".join(_cycle_in(component, graph)) for component in strongly_connected(graph)]

    assert cycles == [], f"import cycles between modules:{_listed(cycles)}"


def test_no_cycle_between_apps():
    cycles = [" <-> ".join(component) for component in strongly_connected(app_graph(imports()))]

    assert cycles == [], f"apps importing each other:{_listed(cycles)}"


def test_no_module_shadows_the_standard_library():
    # meetings/calendar.py and meetings/logging.py are renamed on the `operations` branch.
    shadows = stdlib_shadows()

    assert shadows == [], f"modules named like the standard library's:{_listed(shadows)}"


def test_no_one_letter_alias():
    found = aliases()

    assert found == [], f"one-letter aliases (write the name out):{_listed(found)}"


def test_the_checker_sees_what_it_must_refuse(tmp_path, monkeypatch):
    """The analyser itself, on a small made-up project: a deferred import against the
    layers, a type-checking one, a cycle, aliases and a shadowing module."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    files = {
        "workflows/views.py": (
            "from notifications import services\n"
            "import datetime as d\n"
            "from django.utils.translation import gettext as _\n"
            "K = services.Kind\n"
            "def page():\n"
            "    from knowledge.queries import panels\n"
        ),
        "notifications/services.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from workflows.views import page\n"
        ),
        "notifications/logging.py": "",
        "knowledge/queries.py": "from . import models\n",
        "knowledge/models.py": "",
    }
    modules = {}
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        modules[name.removesuffix(".py").replace("/", ".")] = path

    found = imports(modules)

    assert [
        (entry.module, entry.target, entry.line, entry.deferred, entry.type_checking)
        for entry in violations(found)
    ] == [
        ("workflows.views", "knowledge.queries", 6, True, False),
        ("notifications.services", "workflows.views", 3, False, True),
    ]
    assert [(entry.module, entry.target) for entry in project(found) if entry.deferred] == [
        ("workflows.views", "knowledge.queries")
    ]
    assert ("knowledge.queries", "knowledge.models") in {
        (entry.module, entry.target) for entry in found
    }
    assert strongly_connected(module_graph(found)) == [
        ["notifications.services", "workflows.views"]
    ]
    assert mutual_pairs(app_graph(found)) == [("notifications", "workflows")]
    assert stdlib_shadows(modules) == ["notifications/logging.py"]
    assert aliases(modules) == [
        "workflows/views.py:2: datetime as d",
        "workflows/views.py:4: K = services.Kind",
    ]


# --- measuring -------------------------------------------------------------------------------


def report() -> str:
    found = imports()
    apps = app_graph(found)
    graph = module_graph(found)
    deferred = [entry for entry in found if entry.deferred]
    deferred_project = project(deferred)
    app_components = strongly_connected(apps)
    components = strongly_connected(graph)
    lines = [
        f"app-level cycles (pairs of apps importing each other): {len(mutual_pairs(apps))}",
        *(f"    {a} <-> {b}" for a, b in mutual_pairs(apps)),
        f"app-level strongly connected components: {len(app_components)}",
        *(f"    {' '.join(component)}" for component in app_components),
        f"module-level cycles (pairs of modules importing each other): {len(mutual_pairs(graph))}",
        f"module-level strongly connected components: {len(components)} "
        f"({sum(len(component) for component in components)} modules)",
        *(f"    {' -> '.join(_cycle_in(component, graph))}" for component in components),
        f"in-function import statements: {len({(e.path, e.line) for e in deferred})} "
        f"(of project modules: {len({(e.path, e.line) for e in deferred_project})})",
        *(f"    {entry.where()}" for entry in deferred),
        f"imports against the layers: {len(violations(found))}",
        *(f"    {entry.where()}" for entry in violations(found)),
        f"modules shadowing the standard library: {stdlib_shadows()}",
        f"one-letter aliases: {aliases()}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    # python -m tests.core.test_layering [another checkout's folder, to measure it]
    if len(sys.argv) > 1:
        ROOT = Path(sys.argv[1]).resolve()
    print(report())
