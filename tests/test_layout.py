"""The code's shape, held by tests: one direction for imports between the layers, no cycle
between top-level packages, pure flows, small modules.

    bot (wiring, CLI) -> handlers (channel adapters), backoffice -> services -> store, conversations

``conversations`` imports no other package of the project (nor any platform, web or database
library); ``store`` imports only itself. The only exception: the back office's sqladmin table views
declare which table they show (sqladmin is built on the table classes), listed in SQLADMIN_VIEWS.
"""
from __future__ import annotations

import ast
import re
import statistics
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("bot", "handlers", "backoffice", "services", "store", "conversations")
# What each top-level package may import of the project (besides itself).
ALLOWED = {
    "bot": {"handlers", "backoffice", "services", "conversations"},
    "handlers": {"services", "conversations"},
    "backoffice": {"services", "conversations"},
    "services": {"store", "conversations"},
    "store": set(),
    "conversations": set(),
}
# sqladmin's ModelViews are declared on the table classes: these modules may import store.models.
SQLADMIN_VIEWS = {
    "backoffice.views.accounts", "backoffice.views.agenda", "backoffice.views.audit",
    "backoffice.views.broadcasts", "backoffice.views.common", "backoffice.views.registrations",
    "backoffice.views.workshops", "backoffice.views.inbox_canned",
}
PLATFORM_LIBRARIES = {"telegram", "pywa", "fastapi", "starlette", "sqlalchemy", "sqlmodel", "httpx"}
MAX_LINES = 300


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """Every module named by an import statement, anywhere in the file (inside functions too)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def project_imports() -> dict[str, set[str]]:
    return {name: {i for i in imports_of(name, path) if i.split(".")[0] in PACKAGES}
            for name, path in modules().items()}


def against_the_direction(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    wrong = set()
    for name, targets in imports.items():
        top = name.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other == top or other in ALLOWED[top]:
                continue
            if name in SQLADMIN_VIEWS and target.startswith("store.models"):
                continue
            wrong.add((name, other))
    return wrong


def test_imports_follow_the_layers():
    assert against_the_direction(project_imports()) == set(), "imports against the direction of the layers"


def test_no_cycle_between_top_level_packages():
    assert package_cycle(project_imports()) is None


def package_cycle(imports: dict[str, set[str]]) -> str | None:
    """A cycle between top-level packages, as "a -> b -> a", or None."""
    graph = defaultdict(set)
    for name, targets in imports.items():
        graph[name.split(".")[0]] |= {t.split(".")[0] for t in targets} - {name.split(".")[0]}
    done, path = set(), []

    def visit(package: str) -> str | None:
        if package in path:
            return " -> ".join(path[path.index(package):] + [package])
        if package in done:
            return None
        path.append(package)
        found = next(filter(None, (visit(other) for other in sorted(graph[package]))), None)
        path.pop()
        done.add(package)
        return found

    return next(filter(None, (visit(package) for package in PACKAGES)), None)


def test_conversations_import_no_platform_web_or_database_code():
    files = {name: path for name, path in modules().items() if name.startswith("conversations")}
    assert len(files) > 10
    offenders = {name: sorted({i.split(".")[0] for i in imports_of(name, path)} & PLATFORM_LIBRARIES)
                 for name, path in files.items()}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_checks_see_a_wrong_import(tmp_path):
    """The checks themselves: a store module importing services is caught."""
    fake = tmp_path / "fake.py"
    fake.write_text("from services import outbox\nfrom . import models\n")
    assert imports_of("store.fake", fake) == {"services", "services.outbox", "store", "store.models"}
    assert against_the_direction({"store.fake": {"services.outbox", "store.models"},
                                  "handlers.web": {"store.models"},
                                  "backoffice.views.agenda": {"store.models.people"}}) == {
        ("store.fake", "services"), ("handlers.web", "store")}
    assert package_cycle({"services.a": {"store.x"}, "store.x": {"services.b"}}) == "services -> store -> services"
    assert package_cycle({"services.a": {"store.x"}, "handlers.b": {"services.a"}}) is None


def test_modules_are_small():
    sizes = {name: len(path.read_text("utf-8").splitlines()) for name, path in modules().items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
    assert statistics.median(sizes.values()) < 100


def test_every_flow_has_its_mermaid_diagram_beside_it():
    from conversations.commands import build_engine

    flows = build_engine().flows.values()
    assert len(flows) >= 4
    for flow in flows:
        diagram = ROOT / "conversations" / "flows" / flow.diagram
        assert flow.diagram and "```mermaid" in diagram.read_text("utf-8"), flow.name
        # each step is a node named after it (``sure{...}``), and the flow's name is in the title
        steps = {step.name for step in flow.steps}
        assert steps <= mermaid_nodes(diagram.read_text("utf-8")), (flow.name, steps - mermaid_nodes(
            diagram.read_text("utf-8")))
        assert f"`{flow.name}`" in diagram.read_text("utf-8").splitlines()[0], flow.name


def mermaid_nodes(markdown: str) -> set[str]:
    """The node ids of a flowchart: what is left once edge texts and node labels are gone."""
    chart = markdown.split("```mermaid", 1)[1].split("```", 1)[0]
    chart = re.sub(r"--\s.*?-->", "-->", chart)
    while (shorter := re.sub(r"\[[^\[\]]*\]|\{[^{}]*\}|\([^()]*\)", "", chart, flags=re.S)) != chart:
        chart = shorter
    return set(re.findall(r"\w+", chart)) - {"flowchart", "TD", "LR"}


def test_the_diagram_check_reads_node_ids_not_labels():
    chart = "# x\n```mermaid\nflowchart TD\n    a([start]) --> b{b: is it so?}\n    b -- yes c --> d[d: done]\n```"
    assert mermaid_nodes(chart) == {"a", "b", "d"}
