"""Text the code composes from a message and values: English as data, translated on a page.

A status reason ("projected 42 % by 2030-12-31, target 50 %"), a tag explanation or a
verdict is composed in Python and used twice: as data (the JSON API, CSV, the CLI), where it
must stay English and stable, and on a page or in a report, where it must be in the reader's
language. :class:`Message` is both: a ``str`` holding the English text, so every existing
use of it as data is unchanged, that remembers its message and values, so Jinja (which calls
``__html__``) shows it translated into the current language.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final

from markupsafe import escape

from permed_atlas.i18n import LazyString, gettext

__all__ = [
    "Message",
    "code_with_label",
    "field_message",
    "joined",
    "not_one_of",
    "require_one_of",
    "translated",
    "with_translations",
]


class Message(str):
    """A composed text: English as a ``str``, translated by :meth:`translated` and in templates.

    The message is a gettext msgid with ``%(name)s`` placeholders; written as a literal
    (``Message("%(n)s points", n=3)``) extraction finds it, as ``Message`` is one of the
    catalog's keywords (``i18n.extraction.KEYWORDS``). A value may itself be a :class:`Message` or a
    lazy label, translated along with the message, or any object with a ``translated()``
    method (its ``str()`` is the English).

    :param message: the English message (``"%(n)s points"``).
    :param values: the placeholders' values.
    """

    message: str
    values: Mapping[str, Any]

    def __new__(cls, message: str, /, **values: Any) -> Message:
        text = super().__new__(cls, _compose(message, values, translate=False))
        text.message = message
        text.values = values
        return text

    def translated(self) -> str:
        """The text in the current language (English where the catalog has no translation)."""
        return _compose(self.message, self.values, translate=True)

    def __html__(self) -> str:
        return str(escape(self.translated()))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (a cached result) as what it is, not as a plain str.
        return (_rebuild, (self.message, dict(self.values)))


def _rebuild(message: str, values: dict[str, Any]) -> Message:
    return Message(message, **values)


def _compose(message: str, values: Mapping[str, Any], *, translate: bool) -> str:
    template = gettext(message) if translate else message
    if not values:
        return template
    return template % {name: _value(value, translate=translate) for name, value in values.items()}


def _value(value: Any, *, translate: bool) -> Any:
    if isinstance(value, Message):
        return value.translated() if translate else str.__str__(value)
    if isinstance(value, LazyString):
        return str(value) if translate else value.message
    if translate and callable(getattr(value, "translated", None)):
        return value.translated()  # a value that knows its own translation (a country name)
    return value if isinstance(value, int | float) else str(value)


def field_message(field: str, reason: str) -> Message:
    """``"field: reason"``, an error naming its field; the reason translated when a Message.

    :param field: the field's name (kept as it is: it is what the user or the file wrote).
    :param reason: what is wrong with it.
    """
    return Message("%(field)s: %(reason)s", field=field, reason=reason)


def not_one_of(
    message: str, /, *, value: object, options: Iterable[object], **values: Any
) -> Message:
    """An error about a value outside its options, each error worded its own way, the value and
    the options always shown alike: ``%(value)s`` as Python writes it (``'XX'``), ``%(options)s``
    in the order given, comma-separated.

    Like ``Message``, an extraction keyword: write the message as a literal.

    :param message: the English message, a msgid (``"unknown kind %(value)s; one of
        %(options)s"``).
    :param value: what was given.
    :param options: what is accepted (sorted by the caller where their order means nothing).
    :param values: the message's other placeholders.
    """
    return Message(
        message, value=repr(value), options=", ".join(str(option) for option in options), **values
    )


_AS_GIVEN: Final = object()


def require_one_of(
    message: str,
    /,
    *,
    value: object,
    options: Collection[object],
    error: Callable[[Message], Exception],
    key: object = _AS_GIVEN,
    **values: Any,
) -> None:
    """Raise ``error`` with :func:`not_one_of`'s text unless ``value`` is one of ``options``.

    Like ``Message``, an extraction keyword: write the message as a literal.

    :param message: the English message, a msgid, as for :func:`not_one_of`.
    :param value: what was given, as the message shows it.
    :param options: what is accepted, in the order the message shows them.
    :param error: makes the exception from the message (``partial(ScopeError, field="region")``).
    :param key: what is looked up in ``options`` when it is not ``value`` itself (the value
        cleaned: stripped, upper-cased).
    :param values: the message's other placeholders.
    """
    if (value if key is _AS_GIVEN else key) not in options:
        raise error(not_one_of(message, value=value, options=options, **values))


# not a literal: the joint has no text of its own for the catalog
_JUST_THE_PARTS = "%(parts)s"


class _Joined:
    """Texts joined by a separator: English as ``str()``, each part translated on a page."""

    def __init__(self, parts: list[object], separator: str) -> None:
        self.parts, self.separator = parts, separator

    def __str__(self) -> str:
        return self.separator.join(str(part) for part in self.parts)

    def translated(self) -> str:
        return self.separator.join(translated(part) for part in self.parts)


def joined(parts: Iterable[object], separator: str = "; ") -> Message:
    """Several composed texts as one (reasons in a line), each translated where shown.

    :param parts: Messages or plain texts.
    :param separator: put between them.
    """
    return Message(_JUST_THE_PARTS, parts=_Joined(list(parts), separator))


class _WithTranslations:
    """A data text and its translations: English as ``str()``, the reader's language on a page."""

    def __init__(self, english: str, translations: Mapping[str, str | None]) -> None:
        self.english, self.translations = english, dict(translations)

    def __str__(self) -> str:
        return self.english

    def translated(self) -> str:
        from permed_atlas.i18n.localized import localized

        return localized(self.english, self.translations).text


def with_translations(english: str, translations: Mapping[str, str | None]) -> Message:
    """A curated text (a rule's obligation) and its ``_zh`` translation as one composed text:
    English where it is data (the API, the CLI), the reader's language where a page shows it
    (English where the translation is missing).

    :param english: the data file's English field.
    :param translations: language -> text (``{"zh": rule.obligation_zh}``).
    """
    return Message(_JUST_THE_PARTS, parts=_WithTranslations(english, translations))


class _Coded:
    """A code a client sends, with its label: the code in English, the label where shown."""

    def __init__(self, code: str, label: str) -> None:
        self.code, self.label = code, label

    def __str__(self) -> str:
        return self.code

    def translated(self) -> str:
        return gettext(self.label)


def code_with_label(code: str, label: str) -> Message:
    """A value of a choice inside a composed text (an error's "one of ..."): the code in
    English, where it is what a client sends; its translated label on a page, as the form's
    ``<option>`` shows it.

    :param code: the value (``editor``).
    :param label: its English label, a catalog message (``"editor"``, ``"law or regulation"``).
    """
    return Message(_JUST_THE_PARTS, parts=_Coded(code, label))


def translated(text: object) -> str:
    """``text`` in the current language when it is a :class:`Message`, else ``str(text)``.

    For code that builds a page's text outside a template (a chart note, a PDF line).

    :param text: a Message, a lazy label or any value.
    """
    if isinstance(text, Message):
        return text.translated()
    return str(text)
