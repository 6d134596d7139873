"""The intended-use questions of the hub (CLI and page), derived from the DUO matcher itself.

The matcher (permed_atlas.transfer) decides a collection's consent from a
:class:`DataUseRequest`: a purpose, and one field per fact a DUO modifier can
need (commercial use, not-for-profit organisation, genetic study, ...). The
hub's CLI options and form fields are read from that dataclass and from the DUO
ontology's permission and investigation terms, not listed by hand, so every
purpose and modifier the matcher knows can be stated, and a fact added to the
matcher appears on both without edits here. Each field's help text is its
``:param:`` line in the dataclass docstring.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from permed_atlas.countries import CountryError, resolve_country
from permed_atlas.federation.errors import FilterError
from permed_atlas.i18n import Message, gettext, not_one_of
from permed_atlas.transfer import DataUseRequest, DuoError, load_duo_ontology

FieldKind = Literal["flag", "tristate", "text", "number", "list"]
# Fields the hub asks in its own way: the purpose is a choice of DUO terms.
_OWN = {"purpose"}
_NRES = "DUO:0000004"  # "no restriction" is a consent, never a purpose (the matcher refuses it)
_PARAM = re.compile(r":param (\w+):\s*(.+?)(?=\n\s*:param |\n\s*\n|\Z)", re.S)


@dataclass(frozen=True)
class UseField:
    """One fact of a data-use request, as the CLI and the form ask it.

    :param name: the :class:`DataUseRequest` field.
    :param kind: flag (yes or no), tristate (yes, no or not stated), text,
        number, or list (comma separated).
    :param help: the field's description from the matcher.
    """

    name: str
    kind: FieldKind
    help: str

    @property
    def option(self) -> str:
        """The CLI option, ``--not-for-profit``."""
        return "--" + self.name.replace("_", "-")

    @property
    def label(self) -> str:
        """The form label: the help text with its first letter raised."""
        return self.help[:1].upper() + self.help[1:]

    @property
    def shown_label(self) -> str:
        """The form label in the current language: the CLI help's sentence (the catalog has
        it, full stop included), translated, without its full stop."""
        sentence = self.label + "."
        return gettext(sentence).rstrip(".。")


@dataclass(frozen=True)
class PurposeChoice:
    """A DUO term that may be given as the purpose."""

    code: str
    shorthand: str
    label: str
    label_zh: str = ""


@lru_cache(maxsize=1)
def use_fields() -> tuple[UseField, ...]:
    """The facts of :class:`DataUseRequest` other than the purpose, in the matcher's order."""
    hints = typing.get_type_hints(DataUseRequest)
    helps = {m[1]: " ".join(m[2].split()) for m in _PARAM.finditer(DataUseRequest.__doc__ or "")}
    out = []
    for item in dataclasses.fields(DataUseRequest):
        if item.name in _OWN:
            continue
        out.append(
            UseField(
                item.name,
                _kind(hints[item.name], item.name),
                helps.get(item.name, item.name.replace("_", " ")).rstrip("."),
            )
        )
    return tuple(out)


def _kind(hint: Any, name: str) -> FieldKind:
    args = set(typing.get_args(hint)) - {type(None)}
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in set(
        typing.get_args(hint)
    )
    base = next(iter(args)) if optional and len(args) == 1 else hint
    if base is bool:
        return "tristate" if optional else "flag"
    if base is int:
        return "number"
    if base is str:
        return "text"
    if typing.get_origin(base) is tuple:
        return "list"
    raise TypeError(f"DataUseRequest.{name}: the hub cannot ask a field of type {hint!r}")


@lru_cache(maxsize=1)
def purpose_choices() -> tuple[PurposeChoice, ...]:
    """The purposes the matcher accepts: permissions but NRES, and mapped investigation terms."""
    duo = load_duo_ontology()
    terms = [t for t in duo.of_kind("permission") if t.id != _NRES]
    terms += [duo.terms[code] for code in sorted(duo.purposes) if code in duo.terms]
    return tuple(PurposeChoice(t.id, t.shorthand or t.id, t.label, t.label_zh) for t in terms)


def check_purpose(text: str) -> str:
    """The purpose as given, if the matcher knows it.

    :raises FilterError: naming the known purposes.
    """
    wanted = text.strip().upper()
    for choice in purpose_choices():
        if wanted in {choice.code.upper(), choice.shorthand.upper()}:
            return text.strip()
    raise FilterError(
        not_one_of(
            "purpose %(value)s is not a DUO purpose the matcher knows (%(options)s)",
            value=text,
            options=[c.shorthand for c in purpose_choices()],
        ),
        field="purpose",
    )


_YES = {
    "yes": True,
    "true": True,
    "on": True,
    "1": True,
    "no": False,
    "false": False,
    "off": False,
    "0": False,
}


def data_use_from_values(values: Mapping[str, Any]) -> DataUseRequest | None:
    """The request the form or CLI values describe; None when no purpose is given.

    :param values: purpose and the :func:`use_fields` by name; texts (from a form:
        "yes"/"no"/"" for yes-or-no facts, commas between list items) or typed values.
    :raises FilterError: naming the field whose value cannot be read.
    """
    purpose = str(values.get("purpose") or "").strip()
    if not purpose:
        return None
    given: dict[str, Any] = {"purpose": check_purpose(purpose)}
    for item in use_fields():
        raw = values.get(item.name)
        if raw is None or raw == "" or raw == () or raw == []:
            continue
        given[item.name] = _read(item, raw)
    if "country" in given:
        # Refused here with the field named, not later inside a node's match (GS).
        try:
            given["country"] = resolve_country(given["country"], field="country")
        except CountryError as exc:
            raise FilterError(Message("intended use: %(exc)s", exc=exc), field="country") from exc
    try:
        return DataUseRequest(**given)
    except (TypeError, ValueError, DuoError) as exc:
        raise FilterError(Message("intended use: %(exc)s", exc=exc), field="purpose") from exc


def _read(item: UseField, raw: Any) -> Any:
    if item.kind in {"flag", "tristate"}:
        if isinstance(raw, bool):
            return raw
        answer = _YES.get(str(raw).strip().lower())
        if answer is None:
            raise FilterError(Message("%(name)s: answer yes or no, not %(raw)s",
                                      name=item.name, raw=repr(raw)), field=item.name)  # fmt: skip
        return answer
    if item.kind == "number":
        try:
            return int(str(raw).strip())
        except ValueError as exc:
            message = Message("%(name)s: %(raw)s is not a whole number",
                              name=item.name, raw=repr(raw))  # fmt: skip
            raise FilterError(message, field=item.name) from exc
    if item.kind == "list":
        parts = raw if isinstance(raw, list | tuple) else str(raw).replace(";", ",").split(",")
        return tuple(p.strip().upper() for p in parts if str(p).strip())
    text = str(raw).strip()
    return text.upper() if item.name == "country" else text
