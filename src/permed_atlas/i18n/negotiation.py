"""Which supported language a request asked for: a code as typed, or an Accept-Language header."""

from __future__ import annotations

from permed_atlas.i18n.languages import SUPPORTED_LANGUAGES

# Tags that name a supported language under another spelling. Every Chinese tag maps to the
# Simplified catalog, the only Chinese one shipped: a reader of zh-TW still reads it far more
# easily than English.
_ALIASES = {"zh-cn": "zh", "zh-hans": "zh", "zh-sg": "zh", "zh-hans-cn": "zh", "cmn": "zh"}


def supported_language(tag: str | None) -> str | None:
    """The supported language a language tag means (``zh-Hans-CN`` → ``zh``), or None.

    :param tag: a BCP 47 tag or a bare code, in any case.
    """
    if not tag:
        return None
    tag = tag.strip().lower().replace("_", "-")
    if tag in SUPPORTED_LANGUAGES:
        return tag
    if tag in _ALIASES:
        return _ALIASES[tag]
    primary = tag.split("-", 1)[0]
    return primary if primary in SUPPORTED_LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The supported language a browser prefers most, by its ``Accept-Language`` q-values.

    :param header: e.g. ``"zh-CN,zh;q=0.9,en;q=0.8"``; None or malformed parts are ignored.
    """
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = supported_language(tag)
        if language is not None and quality > 0:
            # highest q first; equal q keeps the header's order
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None
