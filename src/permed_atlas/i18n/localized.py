"""Curated data in the reader's language: a name or title and its translations.

Data files keep the English text in a field (``name``, ``title``, ``label``) and each
translation beside it in the same field with the language as suffix (``name_zh``,
``title_zh``, ``label_zh``); see docs/i18n.md. :func:`localized` picks the text for the
current language. A missing translation falls back to English *visibly*: the result
knows it is a fallback, and its HTML carries ``lang="en"`` and the CSS class
``untranslated``, so a Chinese page shows which names are not translated yet instead of
passing English off as the translation (and screen readers switch voice).

Pure: the stdlib only, so cores, the CLI and the templates use the same rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Final

from permed_atlas.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, current_language

__all__ = [
    "UNTRANSLATED_CLASS",
    "LocalizedText",
    "field_translations",
    "localized",
    "localized_field",
]

UNTRANSLATED_CLASS: Final[str] = "untranslated"
"""The CSS class of an English fallback shown on a page in another language."""


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in one language, and whether it stands in for a missing translation.

    ``str()`` gives the plain text (CLI, JSON, PDF tables); Jinja calls ``__html__``,
    which marks a fallback with ``lang`` and :data:`UNTRANSLATED_CLASS`.

    :param text: what to show.
    :param lang: the language ``text`` is in.
    :param wanted: the language the reader asked for.
    """

    text: str
    lang: str
    wanted: str

    @property
    def is_fallback(self) -> bool:
        """Whether the text is English shown because the wanted translation is missing."""
        return self.lang != self.wanted

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)

    def __html__(self) -> str:
        if not self.is_fallback:
            return escape(self.text)
        # The title attribute is English on purpose: it is the catalog helper's job to
        # translate page chrome; this marker must work before any catalog exists.
        return (
            f'<span lang="{escape(self.lang)}" class="{UNTRANSLATED_CLASS}" '
            f'title="not translated yet">{escape(self.text)}</span>'
        )


def localized(
    value_en: str | None,
    translations: Mapping[str, str | None] | None = None,
    *,
    language: str | None = None,
) -> LocalizedText:
    """The text for the current language, or English marked as a fallback.

    :param value_en: the English text (the data file's main field).
    :param translations: language code -> text (``{"zh": "个人信息保护法"}``); empty or
        None values count as missing.
    :param language: the language wanted; :func:`current_language` when None.
    """
    wanted = language or current_language()
    english = value_en or ""
    if wanted == DEFAULT_LANGUAGE:
        return LocalizedText(english, DEFAULT_LANGUAGE, wanted)
    text = (translations or {}).get(wanted)
    if text and text.strip():
        return LocalizedText(text.strip(), wanted, wanted)
    if not english:
        # Nothing in any language: an empty text, not an "untranslated" empty span.
        return LocalizedText("", wanted, wanted)
    return LocalizedText(english, DEFAULT_LANGUAGE, wanted)


def field_translations(item: object, field: str) -> dict[str, str]:
    """The translations of ``item.field`` kept as ``field_<lang>`` beside it.

    Works on objects (dataclasses, ORM rows) and on mappings (parsed YAML, JSON).

    :param item: a data item.
    :param field: the English field's name ("title").
    """
    found: dict[str, str] = {}
    for language in SUPPORTED_LANGUAGES[1:]:
        key = f"{field}_{language}"
        value = item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)
        if isinstance(value, str) and value.strip():
            found[language] = value
    return found


def localized_field(item: object, field: str, *, language: str | None = None) -> LocalizedText:
    """``item.field`` in the current language, read by the ``field_<lang>`` convention.

    :param item: a data item (object or mapping).
    :param field: the English field's name ("name", "title", "label").
    :param language: the language wanted; :func:`current_language` when None.
    """
    value = item.get(field) if isinstance(item, Mapping) else getattr(item, field, None)
    english = "" if value is None else str(value)
    return localized(english, field_translations(item, field), language=language)
