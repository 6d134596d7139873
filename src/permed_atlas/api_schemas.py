"""The kit of the capabilities' JSON API models: the answers' base, and models derived from records.

* :class:`Answer`, the base of every answer model: it forbids keys it does not declare, so
  a key a presenter adds without its field fails the response (500, and a failing test)
  instead of vanishing from the answer silently.
* :func:`schema_of`: where an answer (or a request body) is a core record as plain data
  (``dataclasses.asdict``), its model would declare the record's fields again only to say
  the same thing: each field with the record's type, tuples as lists. :func:`schema_of`
  builds that model from the record, so a field added to the record reaches the API (and
  its OpenAPI component) without a second declaration. What the record cannot say is
  passed in: the component's name and docstring, the models of nested records, and fields
  whose type or ``Field`` (a description, a bound, an example) differs from the record's.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

__all__ = ["Answer", "schema_of"]


class Answer(BaseModel):
    """The base of an answer model: a key it does not declare fails the answer."""

    model_config = ConfigDict(extra="forbid")


def schema_of(
    record: type,
    *,
    name: str,
    base: type[BaseModel] = Answer,
    doc: str | None = None,
    nested: Mapping[type, type[BaseModel]] | None = None,
    fields: Mapping[str, Any] | None = None,
    omit: frozenset[str] = frozenset(),
    defaults: bool = False,
) -> Any:
    """A pydantic model with ``record``'s fields, in order, named ``name``.

    :param record: a dataclass whose annotations resolve in its module.
    :param base: the model's base: :class:`Answer`, or a request's own.
    :param doc: the model's docstring, shown in the API docs.
    :param nested: the models of nested dataclasses (``tuple[Coauthor, ...]`` becomes
        ``list[CoauthorPublic]``).
    :param fields: fields given as ``(type, default or Field)`` instead of the derived
        ones, or a ``Field`` alone to keep the derived type.
    :param omit: the record's fields the answer leaves out (how it is stored, not what it says).
    :param defaults: take the record's defaults (a request body); else every field is
        required, as an answer always carries every key.
    :returns: the model, typed Any as ``create_model``'s are elsewhere, so that a route
        may name it as its body's type (mypy refuses a ``type[BaseModel]`` variable there).
    """
    hints = typing.get_type_hints(record)
    given = dict(fields or {})
    definitions: dict[str, Any] = {}
    for item in dataclasses.fields(record):
        if item.name in omit:
            continue
        override = given.pop(item.name, None)
        if isinstance(override, tuple):
            definitions[item.name] = override
            continue
        public = _public_type(hints[item.name], nested or {})
        if override is not None:
            definitions[item.name] = (public, override)
        elif defaults and item.default is not dataclasses.MISSING:
            definitions[item.name] = (public, item.default)
        else:
            definitions[item.name] = (public, ...)
    definitions.update(given)  # fields the record does not have, added last
    return create_model(name, __base__=base, __doc__=doc, __module__=base.__module__, **definitions)


def _public_type(hint: Any, nested: Mapping[type, type[BaseModel]]) -> Any:
    """``hint`` with nested records replaced by their models and ``tuple[X, ...]`` by lists."""
    if isinstance(hint, type) and hint in nested:
        return nested[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is None or origin is typing.Literal:
        return hint
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return list[_public_type(args[0], nested)]  # type: ignore[misc]
    public = tuple(_public_type(arg, nested) for arg in args)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[public]  # noqa: UP007 (built from a tuple of types)
    return typing.cast(Any, origin)[public]
