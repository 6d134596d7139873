"""Type aliases shared across capabilities."""

from __future__ import annotations

from typing import Literal, TypeAlias

CountryCode: TypeAlias = str
"""ISO 3166-1 alpha-2 code, upper case ("DE", "CN")."""

RegionCode: TypeAlias = str
"""Identifier of a region set ("EU27", "CN", "ICPERMED", or a user's own)."""

DuoCode: TypeAlias = str
"""A GA4GH Data Use Ontology term id, "DUO:0000042"."""

WorkKind: TypeAlias = Literal["publication", "patent"]
