"""Imports point down: the map of layers that README.md draws (section Development).

0 rules, documents, env ← 1 audit, keystore, jobs, workflow ← 2 accounts, reference, inbox,
formal ← 3 registry ← 4 assessment ← 5 certificates ← 6 supervision ← 7 api, web ← 8 ops
(set-up and demo sit on top).

A lower app never imports a higher one, ``rules`` imports no Django, and every package of
``src/skillcert`` has its place in the map (a new one must be placed, here and in the README).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import skillcert

ROOT = Path(skillcert.__file__).parent
LAYERS = {
    "rules": 0,
    "env": 0,
    "documents": 0,
    "audit": 1,
    "keystore": 1,
    "jobs": 1,
    "workflow": 1,
    "accounts": 2,
    "reference": 2,
    "inbox": 2,
    "formal": 2,
    "registry": 3,
    "assessment": 4,
    "certificates": 5,
    "supervision": 6,
    "api": 7,
    "web": 7,
    "ops": 8,
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "skillcert" or len(parts) < 2:
        return None
    return parts[1]


SOURCES = sorted(p for p in ROOT.rglob("*.py") if p.relative_to(ROOT).parts[0] in LAYERS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path):
    own = path.relative_to(ROOT).parts[0].removesuffix(".py")
    for module in imported_modules(path):
        target = app_of(module)
        if target is None or target == own or target not in LAYERS:
            continue
        assert LAYERS[target] <= LAYERS[own], f"{own} must not import {module}"


def test_rules_import_no_django():
    for path in (ROOT / "rules").rglob("*.py"):
        for module in imported_modules(path):
            assert not module.startswith(("django", "rest_framework")), f"{path.name}: {module}"


def test_every_package_has_a_layer():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in ROOT.glob("*.py")} - {"__init__"}
    unplaced = packages - set(LAYERS)
    assert not unplaced, f"place these in LAYERS and in README.md's map: {sorted(unplaced)}"
    assert {"env"} <= modules


def test_the_readme_draws_the_same_map():
    readme = (ROOT.parent.parent / "README.md").read_text(encoding="utf-8")
    drawn = readme[readme.index("- Layout and layers") :]
    for name, layer in LAYERS.items():
        if name in {"env"}:
            continue
        assert f"{name}/" in drawn, name
        line = next(row for row in drawn.splitlines() if f"{name}/" in row)
        assert line.strip().startswith(str(layer)), (name, line)


# Inside the interfaces, each domain has its package (``web/registry``, ``api/assessment``…) and
# follows the same order: a package imports its own, a lower domain's, and the shell modules at the
# top of ``web/`` or ``api/`` (display, guards, pagination…); the public pages sit on every domain.
INTERFACE_ORDER = {
    "accounts": 2,
    "registry": 3,
    "assessment": 4,
    "certificates": 5,
    "supervision": 6,
    "public": 7,
}
INTERFACES = ("web", "api")


def interface_package(module: str) -> tuple[str, str] | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "skillcert" and parts[1] in INTERFACES:
        if parts[2] in INTERFACE_ORDER:
            return parts[1], parts[2]
    return None


def test_interfaces_are_packages_by_domain():
    for interface in INTERFACES:
        flat = {p.stem for p in (ROOT / interface).glob("*.py")}
        domains = {p.name for p in (ROOT / interface).iterdir() if (p / "urls.py").exists()}
        assert {"registry", "assessment", "certificates", "supervision", "public"} <= domains
        assert not flat & set(INTERFACE_ORDER), f"{interface}: {flat & set(INTERFACE_ORDER)}"


INTERFACE_SOURCES = sorted(p for i in INTERFACES for p in (ROOT / i).rglob("*.py"))


@pytest.mark.parametrize("path", INTERFACE_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_interface_packages_point_down(path: Path):
    interface = path.relative_to(ROOT).parts[0]
    own = interface_package(".".join(("skillcert", *path.relative_to(ROOT).with_suffix("").parts)))
    for module in imported_modules(path):
        other = "api" if interface == "web" else "web"
        assert not module.startswith(f"skillcert.{other}"), f"{interface} must not import {module}"
        target = interface_package(module)
        if own is None or target is None:
            continue
        assert INTERFACE_ORDER[target[1]] <= INTERFACE_ORDER[own[1]], (
            f"{own[0]}/{own[1]} must not import {module}"
        )
