"""The hub's registry of nodes (``nodes.yaml``): who they are, where, and their secrets.

Every error names the file, the node entry and the field.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from permed_atlas.datafiles import (
    BUNDLED_DATA_DIR,
    Where,
    entry_where,
    read_list,
    read_mapping,
    read_text,
    read_texts,
    read_url,
    read_yaml,
)
from permed_atlas.federation.errors import NodesConfigError
from permed_atlas.federation.models import NodeEndpoint
from permed_atlas.i18n import Message
from permed_atlas.settings import Settings
from permed_atlas.textinput import email_key


@dataclass(frozen=True)
class HubConfig:
    """The hub's name (token issuer) and its registered nodes."""

    issuer: str
    nodes: tuple[NodeEndpoint, ...]
    source: str = ""


def load_hub_config(path: Path) -> HubConfig:
    """Read a nodes.yaml registry.

    :param path: the YAML file (``hub: {issuer, default_timeout_s}``, ``nodes: [...]``).
    :raises NodesConfigError: naming the file, the node entry and the field that is wrong.
    """
    raw = read_yaml(path, error=partial(NodesConfigError, path=str(path)), what=" nodes registry")
    if not isinstance(raw, Mapping):
        raise NodesConfigError(Message("expected 'nodes:' with a list of nodes"), path=str(path))
    where = entry_where(NodesConfigError, path=str(path))
    if raw.get("nodes") is None:
        raise where.fail("nodes", Message("is missing (a list of nodes)"))
    hub = read_mapping(raw.get("hub"), where=where, field="hub")
    default_timeout = _seconds(
        hub.get("default_timeout_s"), 5.0, where=where, field="hub.default_timeout_s"
    )
    nodes = [
        _read_node(item, index=index, path=str(path), default_timeout=default_timeout)
        for index, item in enumerate(read_list(raw["nodes"], where=where, field="nodes"))
    ]
    ids = [n.id for n in nodes]
    if len(set(ids)) != len(ids):
        raise where.fail("nodes", Message("node ids must be unique"))
    issuer = read_text(hub.get("issuer"), where=where, field="hub.issuer", required=False)
    return HubConfig(issuer=issuer or "permed-hub", nodes=tuple(nodes), source=str(path))


def _read_node(item: Any, *, index: int, path: str, default_timeout: float) -> NodeEndpoint:
    if not isinstance(item, Mapping):
        raise NodesConfigError(
            Message("must be a mapping of fields"),
            path=path,
            entry_id=f"#{index + 1}",
        )
    label = item.get("id") if isinstance(item.get("id"), str) else f"#{index + 1}"
    where = entry_where(NodesConfigError, path=path, entry_id=label)
    node_id = read_text(item.get("id"), where=where, field="id") or ""
    url = read_url(item.get("url"), where=where, field="url", required=True) or ""
    if url.startswith("http://") and not _is_loopback(url):
        # Over plain HTTP anyone on the way reads the question, the requester and the
        # counts, and can change the answer (the token itself is good once, for its request).
        raise where.fail(
            "url",
            Message("must start with https:// for a node that is not on this machine"),
        )
    region = read_text(item.get("region"), where=where, field="region") or ""
    secret = read_text(item.get("secret"), where=where, field="secret", required=False)
    secret_env = read_text(item.get("secret_env"), where=where, field="secret_env", required=False)
    if secret_env:
        secret = os.environ.get(secret_env)
        if not secret:
            raise where.fail(
                "secret_env",
                Message("environment variable %(secret_env)s is not set", secret_env=secret_env),
                stated=True,
            )
    if not secret:
        raise where.fail("secret", Message("is missing (give secret or secret_env)"))
    return NodeEndpoint(
        id=node_id,
        name=read_text(item.get("name"), where=where, field="name", required=False) or node_id,
        url=url.rstrip("/"),
        region=region,
        country=(
            read_text(item.get("country"), where=where, field="country", required=False) or ""
        ).upper(),  # fmt: skip
        secret=secret,
        timeout_s=_seconds(item.get("timeout_s"), default_timeout, where=where, field="timeout_s"),
        managers=tuple(
            email_key(m) for m in read_texts(item.get("managers"), where=where, field="managers")
        ),  # fmt: skip
    )


def _is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (localhost, 127.0.0.0/8, ::1)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _seconds(value: Any, default: float, *, where: Where, field: str) -> float:
    """A positive number of seconds; ``default`` when absent."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise where.fail(
            field,
            Message("%(value)s is not a positive number of seconds", value=repr(value)),
            stated=True,
        )
    return float(value)


def registry_path(data_dir: Path) -> Path:
    """The platform's nodes.yaml: ``<data dir>/federation/nodes.yaml``, else the bundled demo one.

    :param data_dir: the platform's data directory.
    """
    own = Settings.layout_of(data_dir).federation_dir / "nodes.yaml"
    if own.is_file():
        return own
    return BUNDLED_DATA_DIR / "federation" / "nodes.yaml"
