"""The message catalogs: ``locale/<lang>/LC_MESSAGES/messages.po``, compiled when first used.

The ``.po`` files are the only form kept in the repository: they are compiled in memory (Babel's
``read_po`` and ``write_mo``) on first use and again when a file's modification time changes, so
a compiled catalog can never be older than its source and a translator's edit shows on the
next page without a build step. ``pybabel compile`` still works for tools that want ``.mo``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from gettext import GNUTranslations, NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Final

LOCALE_DIR: Final[Path] = Path(__file__).resolve().parent / "locale"
DOMAIN: Final[str] = "messages"
# How often a loaded catalog's file is looked at again: a stat per message would cost more
# than the lookups themselves, and a translator's edit may well wait a second.
RECHECK_SECONDS: Final[float] = 1.0


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(slots=True)
class _Loaded:
    translations: NullTranslations
    mtime_ns: int
    checked: float


_loaded: dict[str, _Loaded] = {}
_lock = threading.Lock()


def _compile(path: Path, language: str) -> NullTranslations:
    # Babel is imported here, not at the top: a CLI command that prints no text pays nothing.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as source:
        catalog = read_po(source, locale=language.replace("-", "_"), domain=DOMAIN)
    buffer = BytesIO()
    # Fuzzy entries are guesses awaiting review: like msgfmt, leave them out.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return GNUTranslations(fp=buffer)


def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language``; the messages themselves when it has none.

    :param language: a language code, e.g. ``"zh"``.
    """
    now = time.monotonic()
    loaded = _loaded.get(language)
    if loaded is not None and now - loaded.checked < RECHECK_SECONDS:
        return loaded.translations
    path = catalog_path(language)
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        mtime_ns = -1
    with _lock:
        loaded = _loaded.get(language)
        if loaded is None or loaded.mtime_ns != mtime_ns:
            compiled = _compile(path, language) if mtime_ns >= 0 else NullTranslations()
            loaded = _Loaded(compiled, mtime_ns, now)
            _loaded[language] = loaded
        else:
            loaded.checked = now
    return loaded.translations
