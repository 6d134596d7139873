"""The synthetic biobank tables' node-config mapping, as the benchmark uses it."""

from __future__ import annotations

import pytest
import yaml

from permed_atlas.federation._synthetic import node_columns

from .conftest import DEMO


@pytest.mark.parametrize(
    ("node", "style"), [("fr-lyon", "en"), ("de-berlin", "de"), ("cn-shanghai", "cn")]
)
def test_node_columns_are_the_bundled_demo_configs_columns(node: str, style: str) -> None:
    config = yaml.safe_load((DEMO / f"{node}.yaml").read_text(encoding="utf-8"))
    assert node_columns(style) == config["columns"]
