"""The boundary rule, read from the source: a capability reaches another only through its names.

- A module imports another capability only as ``from permed_atlas.<other> import <name>``
  (names its ``__init__`` exports in ``__all__``), never one of its modules.
- ``web`` is the shared kit of every capability's routes: they may also import the public
  (non-underscore) names of its kit modules (:data:`WEB_KIT`), nothing else of web.
- No capability is loaded by name or guarded with ``except ImportError``: every
  capability ships in the one package, so such a fallback only hides a broken import.
  Only the assemblers, which import each capability's ``cli``/``routes``/``tables`` from
  the list in ``capabilities.py``, use ``importlib.import_module``.

See docs/architecture.md, "The boundary rule".
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from permed_atlas.capabilities import CAPABILITIES

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "permed_atlas"
CAPABILITY_NAMES = {capability.name for capability in CAPABILITIES}
WEB_KIT = {"deps", "errors", "templating", "csrf", "security"}
ASSEMBLERS = {"cli.py", "tables.py", "web/app.py"}
# importlib.util.find_spec asks whether an optional third-party extra is installed.
IMPORTLIB_HELPERS = {"importlib.resources", "importlib.util", "importlib.metadata"}


@dataclass(frozen=True)
class Crossing:
    """One import of ``permed_atlas.<capability>...`` by a module of another capability."""

    where: str
    module: str
    names: tuple[str, ...]


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _owner(path: Path) -> str | None:
    """The capability a module belongs to (None for the shared top-level modules)."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 and parts[0] in CAPABILITY_NAMES else None


def _crossings(path: Path) -> list[Crossing]:
    owner = _owner(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        imported: list[tuple[str, tuple[str, ...]]] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported = [(node.module, tuple(alias.name for alias in node.names))]
        elif isinstance(node, ast.Import):
            imported = [(alias.name, ()) for alias in node.names]
        for module, names in imported:
            parts = module.split(".")
            other = parts[1] if parts[0] == "permed_atlas" and len(parts) > 1 else None
            if other in CAPABILITY_NAMES and other != owner:
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                found.append(Crossing(where, module, names))
    return found


def _violation(crossing: Crossing) -> str | None:
    parts = crossing.module.split(".")
    capability = parts[1]
    if len(parts) == 2:
        package = importlib.import_module(crossing.module)
        exported = set(getattr(package, "__all__", ()))
        hidden = [name for name in crossing.names if name not in exported]
        if not crossing.names or not hidden:
            return None
        return f"{crossing.where}: {crossing.module} does not export {hidden} in __all__"
    if capability == "web" and len(parts) == 3 and parts[2] in WEB_KIT:
        private = [name for name in crossing.names if name.startswith("_")]
        if crossing.names and not private:
            return None
        return f"{crossing.where}: imports private web names {private or crossing.module}"
    return f"{crossing.where}: reaches into {crossing.module}; use permed_atlas.{capability}"


def test_capabilities_import_each_other_only_through_their_package() -> None:
    violations = [
        problem
        for path in _modules()
        for crossing in _crossings(path)
        if (problem := _violation(crossing)) is not None
    ]
    assert violations == []


def test_the_rule_catches_a_reach_in() -> None:
    """The checker itself: a reach-in, a private web name and an unexported name are caught."""
    for source, expected in [
        ("from permed_atlas.delphi.store import get_study\n", "reaches into"),
        ("import permed_atlas.landscape.corpus\n", "reaches into"),
        ("from permed_atlas.web.deps import _session\n", "private web names"),
        ("from permed_atlas.web.app import create_app\n", "reaches into"),
        ("from permed_atlas.delphi import _likert\n", "does not export"),
    ]:
        tree = ast.parse(source)
        node = tree.body[0]
        assert isinstance(node, ast.ImportFrom | ast.Import)
        if isinstance(node, ast.ImportFrom):
            crossing = Crossing("x", node.module or "", tuple(a.name for a in node.names))
        else:
            crossing = Crossing("x", node.names[0].name, ())
        problem = _violation(crossing)
        assert problem is not None and expected in problem, (source, problem)
    assert _owner(PACKAGE / "roadmap" / "store.py") == "roadmap"
    assert _owner(PACKAGE / "settings.py") is None
    assert _violation(Crossing("x", "permed_atlas.delphi", ("get_study",))) is None
    assert _violation(Crossing("x", "permed_atlas.web.deps", ("SessionDep",))) is None


def _fallbacks(path: Path, *, package: Path = PACKAGE) -> list[str]:
    relative = path.relative_to(package).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [alias.name for alias in node.names]
            imported = [module] if module else names
            for name in imported:
                if name == "importlib" and relative not in ASSEMBLERS:
                    used = names if module else ["importlib"]
                    helpers = {f"importlib.{n}" for n in used} & IMPORTLIB_HELPERS
                    if not helpers:
                        found.append(f"{relative}:{node.lineno}: imports importlib")
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            # An assembler turns a missing edge module into an error naming the capability.
            caught = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            if caught & {"ImportError", "ModuleNotFoundError"} and relative not in ASSEMBLERS:
                found.append(f"{relative}:{node.lineno}: except {ast.unparse(node.type)}")
    return found


def test_no_capability_is_loaded_by_name_or_guarded_by_import_error() -> None:
    assert [problem for path in _modules() for problem in _fallbacks(path)] == []


@pytest.mark.parametrize(
    ("source", "relative", "caught"),
    [
        ("import importlib\n", "roadmap/x.py", True),
        ("from importlib import import_module\n", "roadmap/x.py", True),
        ("try:\n    import x\nexcept ImportError:\n    pass\n", "helpdesk/x.py", True),
        ("try:\n    import x\nexcept (OSError, ModuleNotFoundError):\n    pass\n", "a/x.py", True),
        ("from importlib import resources\n", "delphi/x.py", False),
        ("import importlib.util\n", "partners/x.py", False),
        ("import importlib\n", "web/app.py", False),
        ("try:\n    import x\nexcept ObservationImportError:\n    pass\n", "roadmap/x.py", False),
    ],
)
def test_the_fallback_check_itself(
    tmp_path: Path, source: str, relative: str, caught: bool
) -> None:
    path = tmp_path / relative
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")
    assert bool(_fallbacks(path, package=tmp_path)) == caught
