"""The languages the platform ships catalogs for, and their names in themselves."""

from __future__ import annotations

from typing import Final

#: Language codes the platform ships catalogs for, the default first. A new language is a
#: catalog and a line here, not code elsewhere.
SUPPORTED_LANGUAGES: Final[tuple[str, ...]] = ("en", "zh")
DEFAULT_LANGUAGE: Final[str] = SUPPORTED_LANGUAGES[0]

#: Each language's name in itself, for the switch (a reader looks for their own language).
LANGUAGE_NAMES: Final[dict[str, str]] = {"en": "English", "zh": "中文"}

#: The ``lang`` attribute of a page in each language (BCP 47, script explicit for Chinese).
HTML_LANG: Final[dict[str, str]] = {"en": "en", "zh": "zh-Hans"}
