"""The node config: which column of a biobank's table is which MIABIS-like field.

A node config (YAML) names the node, its disclosure rules, whom it trusts and
how its own table maps to the sample model::

    node: {id: bb-berlin, name: Biobank Berlin, region: EU, country: DE,
           beacon_id: de.biobank-berlin.beacon, organization_url: https://biobank-berlin.de}
    disclosure: {k: 5, rounding: 1, show_zeros: true, ckm_max_deviation: 3,
                 ckm_variance: 2.0, ckm_keep_zeros: true, noise_epsilon: null,
                 daily_budget: 500, global_daily_budget: 20000,  # default 40 x daily
                 differencing_window_days: 30}
    auth:
      trusted_issuers: {permed-hub: {secret_env: PERMED_NODE_SECRET}}
      allowed_requesters: ["*"]
    columns: {sample_id: SampleID, donor_id: DonorID, diagnosis: ICD10, ...}
    values: {sex: {M: male, F: female}, material: {Serum: SERUM}}
    consent_separator: ";"           # between DUO codes; "|" separates a code's values
    date_format: "%d.%m.%Y"          # for a collection_date column
    defaults: {collection: main}

Only ``sample_id`` and ``donor_id`` are required among the columns;
``collection_year`` may instead come from a date column (``collection_date``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from permed_atlas.datafiles import BUNDLED_DATA_DIR, Where, read_mapping, read_texts, read_yaml
from permed_atlas.federation.errors import MappingError
from permed_atlas.federation.models import DisclosureRules
from permed_atlas.i18n import Message
from permed_atlas.icd10 import icd10_chapters as _shared_icd10_chapters

FIELDS = (
    "sample_id",
    "donor_id",
    "collection",
    "sample_type",
    "material",
    "diagnosis",
    "sex",
    "age_at_collection",
    "collection_year",
    "collection_date",
    "storage",
    "consent",
    "country",
)
REQUIRED = ("sample_id", "donor_id")
VOCABULARY_FIELDS = ("sex", "material", "storage", "sample_type")
DATA_DIR = BUNDLED_DATA_DIR / "federation"
# Reverse domain name notation, as Beacon networks and the GA4GH service registry expect
# of a beacon's id: at least two dot-separated labels, lower case.
BEACON_ID = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)+$")


@dataclass(frozen=True)
class NodeIdentity:
    """Who a node is.

    ``id`` is the short name the hub registers and tokens are addressed to;
    ``beacon_id`` the reverse-domain id the node gives itself in Beacon responses.
    """

    id: str
    name: str
    region: str
    country: str
    beacon_id: str = ""
    organization_url: str = ""


@dataclass(frozen=True)
class NodeConfig:
    """A node's identity, rules, trust and column mapping, read from its YAML file."""

    identity: NodeIdentity
    rules: DisclosureRules
    trusted_issuers: dict[str, str]
    allowed_requesters: tuple[str, ...]
    noise_secret: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    consent_separator: str = ";"
    date_format: str = "%Y-%m-%d"
    defaults: dict[str, str] = field(default_factory=dict)
    source: str = ""


def _fail(path: Path, message: str, field_name: str | None) -> MappingError:
    return MappingError(
        Message("%(path)s: %(message)s", path=path, message=message), field=field_name
    )


def _section(path: Path, value: Any, field: str) -> Mapping[Any, Any]:
    """A mapping of the file (a missing or empty one is ``{}``), read by the shared reader."""
    return read_mapping(value or None, where=_where(path), field=field)


def _where(path: Path) -> Where:
    return Where(str(path), lambda message, field: MappingError(message, field=field))


def _secret(path: Path, spec: Any, where: str) -> str:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict) and "secret_env" in spec:
        value = os.environ.get(str(spec["secret_env"]))
        if not value:
            variable = spec["secret_env"]
            raise _fail(
                path,
                Message(
                    "%(where)s: environment variable %(variable)s is not set",
                    where=where,
                    variable=variable,
                ),
                where,
            )
        return value
    if isinstance(spec, dict) and "secret" in spec:
        return str(spec["secret"])
    raise _fail(path, Message("%(where)s: give secret or secret_env", where=where), where)


def load_node_config(path: Path, *, overrides: dict[str, Any] | None = None) -> NodeConfig:
    """Read and check a node config file.

    :param path: the YAML file.
    :param overrides: disclosure settings given on the command line (k, rounding, ...).
    :raises MappingError: naming the file and field that is wrong.
    """
    raw = read_yaml(path, error=lambda message: _fail(path, message, None), what=" node config")
    if not isinstance(raw, dict):
        raise _fail(path, Message("expected a mapping at the top level"), "")
    identity = _identity(path, _section(path, raw.get("node"), "node"))
    disclosure = dict(_section(path, raw.get("disclosure"), "disclosure"))
    disclosure.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        rules = DisclosureRules(**disclosure)
    except (TypeError, ValueError) as exc:
        raise _fail(path, Message("disclosure: %(exc)s", exc=exc), "disclosure") from exc
    issuers, allowed, noise_secret = _trust(path, _section(path, raw.get("auth"), "auth"))
    columns, values = _mapping(path, raw)
    return NodeConfig(
        identity=identity,
        rules=rules,
        trusted_issuers=issuers,
        allowed_requesters=allowed,
        noise_secret=noise_secret,
        columns=columns,
        values=values,
        consent_separator=str(raw.get("consent_separator", ";")),
        date_format=str(raw.get("date_format", "%Y-%m-%d")),
        defaults={
            str(k): str(v) for k, v in _section(path, raw.get("defaults"), "defaults").items()
        },
        source=str(path),
    )


def _identity(path: Path, node: Mapping[str, Any]) -> NodeIdentity:
    """The ``node:`` section: id, name, region, country and the Beacon id."""
    for key in ("id", "name", "region", "country"):
        if not node.get(key):
            raise _fail(path, Message("node.%(key)s is missing", key=key), f"node.{key}")
    beacon_id = str(node.get("beacon_id") or f"org.example.permed.{node['id']}").lower()
    if not BEACON_ID.match(beacon_id):
        raise _fail(
            path,
            Message(
                "node.beacon_id %(beacon_id)s is not in reverse domain name "
                "notation (e.g. org.example.biobank.beacon)",
                beacon_id=repr(beacon_id),
            ),
            "node.beacon_id",
        )
    return NodeIdentity(
        str(node["id"]),
        str(node["name"]),
        str(node["region"]),
        str(node["country"]).upper(),
        beacon_id=beacon_id,
        organization_url=str(node.get("organization_url") or ""),
    )


def _trust(path: Path, auth: Mapping[str, Any]) -> tuple[dict[str, str], tuple[str, ...], str]:
    """The ``auth:`` section: trusted issuers' secrets, allowed requesters, the noise secret."""
    issuers = {
        str(name): _secret(path, spec, f"auth.trusted_issuers.{name}")
        for name, spec in _section(
            path, auth.get("trusted_issuers"), "auth.trusted_issuers"
        ).items()
    }
    if not issuers:
        raise _fail(
            path, Message("auth.trusted_issuers is empty: the node would answer nobody"), "auth"
        )
    requesters = auth.get("allowed_requesters")
    allowed = read_texts(requesters, where=_where(path), field="auth.allowed_requesters") or ("*",)
    noise_secret = (
        _secret(path, auth["noise_secret"], "auth.noise_secret")
        if "noise_secret" in auth
        else "|".join(sorted(issuers.values()))
    )
    return issuers, allowed, noise_secret


def _mapping(path: Path, raw: dict[str, Any]) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The ``columns:`` (field -> column) and ``values:`` (local value -> vocabulary term)."""
    columns = {str(k): str(v) for k, v in _section(path, raw.get("columns"), "columns").items()}
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise _fail(
            path,
            Message("columns: unknown field(s) %(unknown)s", unknown=sorted(unknown)),
            "columns",
        )
    for key in REQUIRED:
        if key not in columns:
            raise _fail(path, Message("columns.%(key)s is required", key=key), f"columns.{key}")
    values = {
        str(dim): {
            str(src): str(dst) for src, dst in _section(path, mapping, f"values.{dim}").items()
        }
        for dim, mapping in _section(path, raw.get("values"), "values").items()
    }
    vocab = miabis_terms()
    for dim, mapping in values.items():
        if dim not in VOCABULARY_FIELDS:
            raise _fail(
                path,
                Message(
                    "values.%(dim)s: only %(value)s take value maps",
                    dim=dim,
                    value=VOCABULARY_FIELDS,
                ),
                dim,
            )
        bad = sorted(set(mapping.values()) - set(vocab[dim]))
        if bad:
            raise _fail(
                path,
                Message("values.%(dim)s: %(bad)s not in the %(dim)s vocabulary", dim=dim, bad=bad),
                f"values.{dim}",
            )
    return columns, values


@lru_cache(maxsize=1)
def miabis_terms() -> dict[str, tuple[str, ...]]:
    """The controlled vocabularies (sex, material, storage, sample_type) of the sample model."""
    data = yaml.safe_load((DATA_DIR / "miabis_terms.yaml").read_text(encoding="utf-8"))
    return {k: tuple(str(v) for v in vs) for k, vs in data.items()}


def icd10_chapters() -> dict[str, tuple[str, str]]:
    """ICD-10 chapter (roman numeral) -> (first, last) three-character category."""
    return _shared_icd10_chapters()


def bundled_data_dir() -> Path:
    """The folder of the bundled demo biobanks, their configs and nodes.yaml."""
    return DATA_DIR
