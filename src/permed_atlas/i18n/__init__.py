"""Languages: which one a request, a command or a report is in, and its messages.

The language is a context variable so that code far from the request (a chart label, an
error message, a PDF) reads it without every function taking a ``lang`` argument. The web
app sets it per request; the CLI and report writers set it with ``use_language``.

Messages are gettext catalogs (``locale/<lang>/LC_MESSAGES/messages.po``, see docs/i18n.md):
``gettext``/``ngettext`` translate into the current language when called, ``lazy_gettext``
when the text is shown (for module-level labels, which are defined before any request).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from markupsafe import escape

from permed_atlas.i18n.catalogs import LOCALE_DIR, catalog_path, translations
from permed_atlas.i18n.languages import (
    DEFAULT_LANGUAGE,
    HTML_LANG,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
)
from permed_atlas.i18n.negotiation import from_accept_language, supported_language

if TYPE_CHECKING:  # Jinja is imported by its users; a CLI command that renders nothing skips it
    import jinja2

__all__ = [
    "DEFAULT_LANGUAGE",
    "HTML_LANG",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "SUPPORTED_LANGUAGES",
    "LazyString",
    "TranslatedLabels",
    "UNTRANSLATED_CLASS",
    "LocalizedText",
    "Message",
    "field_message",
    "field_translations",
    "localized",
    "localized_field",
    "catalog_path",
    "code_with_label",
    "current_language",
    "from_accept_language",
    "gettext",
    "gettext_noop",
    "install_jinja",
    "joined",
    "language_option",
    "lazy_gettext",
    "ngettext",
    "not_one_of",
    "require_one_of",
    "supported_language",
    "translated",
    "use_language",
    "with_translations",
]

_current_language: ContextVar[str] = ContextVar("permed_language", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    """The language of the request, command or report being produced."""
    return _current_language.get()


@contextmanager
def use_language(language: str) -> Iterator[str]:
    """Produce everything inside the block in ``language`` (one of SUPPORTED_LANGUAGES)."""
    if language not in SUPPORTED_LANGUAGES:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        raise ValueError(f"unknown language {language!r}; supported: {supported}")
    token = _current_language.set(language)
    try:
        yield language
    finally:
        _current_language.reset(token)


def language_option(value: str, *, option: str = "--lang") -> str:
    """The supported language a command-line option names (``zh-CN`` → ``zh``).

    :param value: what was typed.
    :param option: the option's name, for the error.
    :raises InvalidInputError: naming the option and the supported languages.
    """
    from permed_atlas.errors import InvalidInputError

    language = supported_language(value)
    if language is None:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        raise InvalidInputError(
            f"{option} {value!r}: not a supported language; use one of {supported}",
            field=option.lstrip("-"),
        )
    return language


def gettext(message: str) -> str:
    """``message`` in the current language (itself when the catalog has no translation)."""
    language = _current_language.get()
    if language == DEFAULT_LANGUAGE:
        return message
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n``, in the current language."""
    language = _current_language.get()
    if language == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return translations(language).ngettext(singular, plural, n)


class LazyString:
    """A message translated each time it is shown, into the language current then."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return gettext(self.message)

    def __html__(self) -> str:
        # Jinja escapes str(); a LazyString is text, never markup.
        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"lazy_gettext({self.message!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyString):
            return self.message == other.message
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.message)

    def __len__(self) -> int:
        return len(str(self))

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def format(self, *args: Any, **kwargs: Any) -> str:
        """``str.format`` on the translated message."""
        return str(self).format(*args, **kwargs)

    def lower(self) -> str:
        """The translated message in lower case."""
        return str(self).lower()


def gettext_noop(message: str) -> str:
    """``message`` itself, marked for extraction: code that keeps English (CLI help, the API)
    stores it, and a page translates it where it shows it (``_(spec.label)``)."""
    return message


class TranslatedLabels(Mapping[str, str]):
    """A mapping of codes to English labels that answers in the current language.

    For module-level label tables (chart titles): they are defined once, in English and marked
    with ``gettext_noop``, and every lookup translates, so the table itself never goes stale.
    """

    __slots__ = ("_labels",)

    def __init__(self, labels: Mapping[str, str]) -> None:
        self._labels = dict(labels)

    def __getitem__(self, key: str) -> str:
        return gettext(self._labels[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def msgid(self, key: str) -> str:
        """The English label of ``key``, untranslated (a catalog message)."""
        return self._labels[key]


def lazy_gettext(message: str) -> LazyString:
    """``message``, translated when it is turned into text (for module-level labels)."""
    return LazyString(message)


def install_jinja(environment: jinja2.Environment) -> jinja2.Environment:
    """Give ``environment`` ``_``/``gettext``/``ngettext`` and ``{% trans %}`` in the current
    language (newstyle: ``_("%(n)s works", n=3)`` formats and escapes its values).

    :param environment: any Jinja environment rendering the platform's templates.
    """
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True
    )
    environment.globals["current_language"] = current_language
    environment.globals["html_lang"] = lambda: HTML_LANG.get(current_language(), "en")
    environment.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    return environment


# Imported last: localized reads the names above.
from permed_atlas.i18n.composed import (  # noqa: E402
    Message,
    code_with_label,
    field_message,
    joined,
    not_one_of,
    require_one_of,
    translated,
    with_translations,
)
from permed_atlas.i18n.localized import (  # noqa: E402
    UNTRANSLATED_CLASS,
    LocalizedText,
    field_translations,
    localized,
    localized_field,
)
