"""The engine and the flows stay pure: no platform, web framework or database imports."""
from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

FORBIDDEN = ("telegram", "pywa", "fastapi", "starlette", "sqlalchemy", "sqlmodel", "store", "services", "handlers", "bot", "backoffice")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_conversations_import_no_platform_web_or_database_code():
    files = sorted((ROOT / "conversations").rglob("*.py"))
    assert len(files) > 10
    offenders = {str(f.relative_to(ROOT)): sorted(imported_modules(f) & set(FORBIDDEN)) for f in files}
    assert {f: m for f, m in offenders.items() if m} == {}


def test_every_flow_has_its_mermaid_diagram_beside_it():
    from conversations.commands import build_engine

    flows = build_engine().flows.values()
    assert len(flows) >= 4
    for flow in flows:
        diagram = ROOT / "conversations" / "flows" / flow.diagram
        assert flow.diagram and "```mermaid" in diagram.read_text("utf-8"), flow.name
