"""Every name a capability exports in __all__ exists, and nothing private leaks."""

from __future__ import annotations

import importlib

import pytest

from permed_atlas.capabilities import CAPABILITIES

PACKAGES = ["permed_atlas"] + [f"permed_atlas.{c.name}" for c in CAPABILITIES]


@pytest.mark.parametrize("package", PACKAGES)
def test_all_names_exist_and_are_public(package: str) -> None:
    module = importlib.import_module(package)
    exported = module.__all__
    assert exported, f"{package} exports nothing"
    assert sorted(exported) == sorted(set(exported)), f"{package}.__all__ has duplicates"
    for name in exported:
        assert hasattr(module, name), f"{package}.__all__ names missing {name}"
        assert not name.startswith("_") or name == "__version__"
