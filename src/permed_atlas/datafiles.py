"""The kit of the hand-written data-file validators: one error shape and typed field readers.

Curated YAML files (directory entries, helpdesk knowledge, transfer rules, ...) are
validated by hand so that every error names the file, the entry and the field. Two
things repeated in every validator live here:

* :class:`DataFileError`, the base of the capabilities' file errors: it writes
  ``<path>: <entry label> '<id>', field '<field>': <what is wrong>`` and keeps each
  part as an attribute (a capability names its entries: "entry", "rule", ...).
* :func:`read_yaml`, which turns an unreadable or malformed file into that error;
* the field readers (:func:`read_text`, :func:`read_texts`, :func:`read_date`,
  :func:`read_choice`, :func:`read_url`, :func:`read_int`, :func:`read_mapping`, :func:`read_list`,
  :func:`read_bool`), so a validator reads as a list of declarations. A reader reports a
  problem through a :class:`Where`, which knows the file and entry and builds the
  capability's own error; the problem is a clause that follows the field's name
  ("is missing", "must be text", ": 'x' is not a date (YYYY-MM-DD)").

The files themselves ship in one folder, :data:`BUNDLED_DATA_DIR`, one sub-folder per
capability.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import yaml

from permed_atlas.errors import PermedError
from permed_atlas.i18n import LazyString, Message, lazy_gettext
from permed_atlas.userfiles import load_yaml

BUNDLED_DATA_DIR = Path(__file__).resolve().parent / "data"
"""The data files shipped with the package (read-only), one sub-folder per capability."""

__all__ = [
    "BUNDLED_DATA_DIR",
    "DataFileError",
    "Where",
    "collect_problems",
    "entry_where",
    "read_bool",
    "read_choice",
    "read_date",
    "read_int",
    "read_list",
    "read_mapping",
    "read_text",
    "read_texts",
    "read_url",
    "read_yaml",
]


class DataFileError(PermedError):
    """A data file, or one entry in it, is malformed; the message names where.

    :param message: what is wrong.
    :param path: the file.
    :param entry_id: the entry's id (or its position) when the problem is inside one entry.
    :param field: the field at fault (a dotted path inside the entry).
    """

    entry_label: ClassVar[str | LazyString] = lazy_gettext("entry")
    """How the capability calls one item of its files ("entry", "rule")."""

    def __init__(
        self, message: str, *, path: str, entry_id: str | None = None, field: str | None = None
    ) -> None:
        where: str = path
        if entry_id is not None:
            where = Message(
                "%(where)s: %(label)s %(entry)s",
                where=where,
                label=self.entry_label,
                entry=repr(entry_id),
            )
        if field is not None:
            where = Message("%(where)s, field %(field)s", where=where, field=repr(field))
        # the place stays as the file writes it; the reason is translated when it is a Message
        super().__init__(Message("%(where)s: %(reason)s", where=where, reason=message))
        self.path = path
        self.entry_id = entry_id
        self.field = field
        self.reason = message


@dataclass(frozen=True)
class Where:
    """The place a reader reads from and the error it raises there.

    :param label: the file and entry as the capability writes them ("a.yaml: entry 3 (x)").
    :param error: builds the capability's error from the whole message and the field.
    """

    label: str
    error: Callable[[str, str | None], Exception]

    def fail(self, field: str, problem: str, *, stated: bool = False) -> Exception:
        """The error for ``problem`` with ``field``: "<label>: field '<field>' <problem>".

        :param problem: what is wrong (a Message, translated where it is shown): a clause
            after the field's name, "is missing".
        :param stated: ``problem`` is a statement of its own, after a colon:
            "<label>: field '<field>': 'x' is not a date".
        """
        composed = (
            Message(
                "%(place)s: field %(field)s: %(problem)s",
                place=self.label,
                field=repr(field),
                problem=problem,
            )
            if stated
            else Message(
                "%(place)s: field %(field)s %(problem)s",
                place=self.label,
                field=repr(field),
                problem=problem,
            )
        )
        return self.error(composed, field)


@dataclass(frozen=True)
class _EntryWhere(Where):
    """A place whose error is a :class:`DataFileError` built from path, entry and field."""

    def fail(self, field: str, problem: str, *, stated: bool = False) -> Exception:
        # the error names the field itself, before a colon, whichever kind the problem is
        return self.error(problem, field)


def entry_where(
    error: Callable[..., DataFileError], *, path: str, entry_id: str | None = None
) -> Where:
    """The place ``entry_id`` of ``path``, where a reader raises ``error(problem, path=, ...)``.

    The error then writes ``<path>: <entry label> '<id>', field '<field>': <problem>``.

    :param error: a :class:`DataFileError` subclass (or a function with its keywords).
    :param entry_id: the entry's id or position; None for a field of the file itself.
    """
    label = path if entry_id is None else f"{path}: entry {entry_id!r}"
    return _EntryWhere(
        label, lambda reason, field: error(reason, path=path, entry_id=entry_id, field=field)
    )


def collect_problems(problems: list[Any], error: type[Exception]) -> Callable[..., Any]:
    """A caller of readers that appends their ``error`` to ``problems`` and returns None.

    A checker that reports every problem of a file (not just the first) reads each
    field as ``read(read_text, value, where=..., field=...)`` and keeps going.
    """

    def read(reader: Callable[..., Any], value: Any, **kwargs: Any) -> Any:
        try:
            return reader(value, **kwargs)
        except error as exc:
            problems.append(exc)
            return None

    return read


def read_yaml(path: Path, *, error: Callable[[str], Exception], what: str = "") -> Any:
    """The YAML document in ``path``; a missing file or bad YAML raises ``error``.

    :param error: builds the capability's error from "cannot read<what>: <reason>".
    :param what: names the file's role in the message (" node config").
    """
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(Message("cannot read%(what)s: %(exc)s", what=what, exc=exc)) from exc


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_text(value: Any, *, where: Where, field: str, required: bool = True) -> str | None:
    """Text with its white space folded; numbers are read as text.

    :param required: a missing or blank value is an error (else None).
    """
    if _blank(value):
        if required:
            raise where.fail(field, Message("is missing"))
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise where.fail(field, Message("must be text"))
    return " ".join(str(value).split())


def read_list(value: Any, *, where: Where, field: str) -> Sequence[Any]:
    """A list of anything (the caller reads the items); an absent one is empty."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise where.fail(field, Message("must be a list"))
    return value


def read_texts(value: Any, *, where: Where, field: str) -> tuple[str, ...]:
    """A list of texts (a single text counts as a list of one); each item is required."""
    if isinstance(value, str):
        value = [value]
    value = read_list(value, where=where, field=field)
    items = []
    for index, item in enumerate(value):
        text = read_text(item, where=where, field=f"{field}[{index}]")
        assert text is not None  # required=True
        items.append(text)
    return tuple(items)


def read_date(value: Any, *, where: Where, field: str, required: bool = True) -> str | None:
    """An ISO date (YAML reads it as a date, a form as text) as ``YYYY-MM-DD``."""
    if value is None or value == "":
        if required:
            raise where.fail(field, Message("is missing"))
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise where.fail(
            field, Message("%(value)s is not a date (YYYY-MM-DD)", value=repr(value)), stated=True
        ) from exc


def read_choice(
    value: Any,
    *,
    where: Where,
    field: str,
    choices: Collection[str],
    shown: str | None = None,
) -> str:
    """One of ``choices`` (required).

    :param shown: how the choices are listed in the error; comma-separated by default.
    """
    text = read_text(value, where=where, field=field) or ""
    if text not in choices:
        listed = shown if shown is not None else ", ".join(choices)
        raise where.fail(
            field,
            Message("%(value)s is not one of %(listed)s", value=repr(value), listed=listed),
            stated=True,
        )
    return text


def read_url(value: Any, *, where: Where, field: str, required: bool = False) -> str | None:
    """A web address: text starting with https:// (or http://)."""
    url = read_text(value, where=where, field=field, required=required)
    if url and not url.startswith(("https://", "http://")):
        raise where.fail(field, Message("must start with https://"))
    return url


def read_int(
    value: Any, *, where: Where, field: str, low: int | None = None, high: int | None = None
) -> int:
    """A whole number (not a boolean) within ``low``..``high`` where given."""
    if value is None:
        raise where.fail(field, Message("is missing"))
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.fail(
            field, Message("%(value)s is not a whole number", value=repr(value)), stated=True
        )
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{'' if low is None else low}..{'' if high is None else high}"
        raise where.fail(
            field, Message("%(value)s is outside %(span)s", value=value, span=span), stated=True
        )
    return value


def read_bool(value: Any, *, where: Where, field: str, default: bool) -> bool:
    """``true`` or ``false``; ``default`` when absent."""
    if value is None:
        return default
    if not isinstance(value, bool):
        raise where.fail(field, Message("must be true or false"))
    return value


def read_mapping(
    value: Any, *, where: Where, field: str, required: bool = False
) -> Mapping[str, Any]:
    """A mapping of fields; an absent one is empty.

    :param required: an absent mapping is an error.
    """
    if value is None:
        if required:
            raise where.fail(field, Message("is missing"))
        return {}
    if not isinstance(value, Mapping):
        raise where.fail(field, Message("must be a mapping of fields"))
    return value
