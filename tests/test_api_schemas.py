"""API models derived from core records (fields, tuples as lists, nesting) and the answer base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from permed_atlas.api_schemas import schema_of


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class Share:
    key: str
    n_works: int


@dataclass(frozen=True)
class Person:
    name: str
    kind: Literal["author", "editor"]
    shares: tuple[Share, ...]
    by_year: tuple[tuple[int, int], ...]
    country: str | None = None
    active: bool = False


def test_the_model_has_the_records_fields_in_order_with_lists_for_tuples() -> None:
    share = schema_of(Share, name="SharePublic")
    person = schema_of(
        Person, name="PersonPublic", nested={Share: share}, doc="A person.",
        fields={"name": Field(description="as printed")},
    )  # fmt: skip
    assert list(person.model_fields) == ["name", "kind", "shares", "by_year", "country", "active"]
    schema = person.model_json_schema()
    assert schema["title"] == "PersonPublic" and schema["description"] == "A person."
    assert schema["properties"]["name"]["description"] == "as printed"
    assert schema["properties"]["shares"]["items"] == {"$ref": "#/$defs/SharePublic"}
    # An answer carries every key, so every field is required, defaults or not.
    assert schema["required"] == list(person.model_fields)
    data = {"name": "Li", "kind": "author", "shares": [{"key": "k", "n_works": 2}],
            "by_year": [[2020, 1]], "country": None, "active": True}  # fmt: skip
    assert person.model_validate(data).model_dump() == {**data, "by_year": [(2020, 1)]}
    with pytest.raises(ValidationError, match="kind"):
        person.model_validate({**data, "kind": "reader"})
    with pytest.raises(ValidationError, match="extra"):
        person.model_validate({**data, "email": "x@y"})


def test_a_request_model_takes_the_records_defaults_and_given_fields() -> None:
    share = schema_of(Share, name="ShareCreate")
    person = schema_of(
        Person, name="PersonCreate", base=_Request, defaults=True, nested={Share: share},
        fields={"shares": (list[share], Field(default_factory=list)),
                "by_year": (list[tuple[int, int]], Field(default_factory=list))},
    )  # fmt: skip
    made = person(name=" Li ", kind="editor")
    assert made.name == "Li"  # the given base's configuration applies
    assert (made.country, made.active, made.shares, made.by_year) == (None, False, [], [])
    assert person.model_json_schema()["required"] == ["name", "kind"]
