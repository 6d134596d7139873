"""Languages: which one a request, a command or a report is in.

The language is a context variable so that code far from the request (a chart label, an
error message, a PDF) reads it without every function taking a ``lang`` argument. The web
app sets it per request; the CLI and report writers set it with ``use_language``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

#: Language codes the platform ships catalogs for, the default first. A new language is a
#: catalog and a code here, not code elsewhere.
SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = ("en", "zh")
DEFAULT_LANGUAGE: Final[str] = SUPPORTED_LANGUAGES[0]

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


# Imported last: localized reads the names above.
from permed_atlas.i18n.localized import (  # noqa: E402
    UNTRANSLATED_CLASS,
    LocalizedText,
    field_translations,
    localized,
    localized_field,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "SUPPORTED_LANGUAGES",
    "UNTRANSLATED_CLASS",
    "LocalizedText",
    "current_language",
    "field_translations",
    "localized",
    "localized_field",
    "use_language",
]
