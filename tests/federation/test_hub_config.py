"""The hub's nodes.yaml: a good registry loads; a broken one names file, node and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from permed_atlas.federation import NodesConfigError
from permed_atlas.federation.registry import load_hub_config

NODE = {"id": "de-berlin", "url": "https://node.example.org/", "region": "EU", "country": "de",
        "secret": "s3cret", "managers": ["Manager@Example.org"]}  # fmt: skip


def _write(tmp_path: Path, nodes: object, hub: object = None) -> Path:
    path = tmp_path / "nodes.yaml"
    doc = {"nodes": nodes} if hub is None else {"hub": hub, "nodes": nodes}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_a_registry_loads_with_defaults_from_the_hub(tmp_path: Path) -> None:
    path = _write(tmp_path, [NODE], hub={"issuer": "my-hub", "default_timeout_s": 2})
    config = load_hub_config(path)
    (node,) = config.nodes
    assert (config.issuer, config.source) == ("my-hub", str(path))
    assert (node.url, node.country, node.name, node.timeout_s) == (
        "https://node.example.org", "DE", "de-berlin", 2.0,
    )  # fmt: skip
    assert node.managers == ("manager@example.org",)


@pytest.mark.parametrize(
    ("node", "entry", "field", "words"),
    [
        ({k: v for k, v in NODE.items() if k != "region"}, "de-berlin", "region", "is missing"),
        ({**NODE, "url": ["https://x"]}, "de-berlin", "url", "must be text"),
        ({**NODE, "url": "ftp://x"}, "de-berlin", "url", "must start with https://"),
        # Over plain HTTP to another machine, questions and answers are read and changed.
        ({**NODE, "url": "http://node.example.org"}, "de-berlin", "url", "not on this machine"),
        ({**NODE, "url": "http://10.0.0.7:8701"}, "de-berlin", "url", "not on this machine"),
        ({**NODE, "url": "http://127.0.0.1.nip.io"}, "de-berlin", "url", "not on this machine"),
        ({**NODE, "timeout_s": "soon"}, "de-berlin", "timeout_s", "not a positive number"),
        ({**NODE, "managers": {"a": 1}}, "de-berlin", "managers", "must be a list"),
        ({**NODE, "secret": None}, "de-berlin", "secret", "is missing"),
        ({k: v for k, v in NODE.items() if k != "id"}, "#1", "id", "is missing"),
    ],
)
def test_a_broken_node_is_named_with_file_node_and_field(
    tmp_path: Path, node: dict, entry: str, field: str, words: str
) -> None:
    path = _write(tmp_path, [node])
    with pytest.raises(NodesConfigError) as caught:
        load_hub_config(path)
    error = caught.value
    assert (error.path, error.entry_id, error.field) == (str(path), entry, field)
    assert str(error).startswith(f"{path}: node {entry!r}, field {field!r}: ")
    assert words in str(error)


def test_file_level_problems_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(NodesConfigError, match=r"nodes\.yaml, field 'nodes': is missing"):
        load_hub_config(_write(tmp_path, None, hub={"issuer": "x"}))
    with pytest.raises(NodesConfigError, match="node ids must be unique"):
        load_hub_config(_write(tmp_path, [NODE, NODE]))
    with pytest.raises(NodesConfigError, match=r"field 'hub.default_timeout_s'"):
        load_hub_config(_write(tmp_path, [NODE], hub={"default_timeout_s": True}))
    (tmp_path / "nodes.yaml").write_text("nodes: [\n", encoding="utf-8")
    with pytest.raises(NodesConfigError, match="cannot read nodes registry"):
        load_hub_config(tmp_path / "nodes.yaml")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8701", "http://127.0.0.2", "http://localhost:8701", "http://[::1]:8701"],
)
def test_plain_http_is_accepted_for_a_node_on_this_machine(tmp_path: Path, url: str) -> None:
    (node,) = load_hub_config(_write(tmp_path, [{**NODE, "url": url}])).nodes
    assert node.url == url
