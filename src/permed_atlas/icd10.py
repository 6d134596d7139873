"""ICD-10 codes and hierarchy patterns, shared by the federation's diagnosis
filters and the DUO matcher's disease-specific consent (pure, plus the bundled
chapter table).

A stored diagnosis is normalised to its dotted form ("C50.1") and to a *key*
without the dot ("C501"), whose prefixes are the hierarchy: the key of a
category ("C50") is a prefix of every one of its sub-codes. A pattern is an
interval of keys compared on prefixes, so one rule covers a category ("C50"
matches C50, C50.1, C50.91), a range of categories ("C50-C58") and a chapter
("chapter:II", looked up in the chapter table handed in).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from permed_atlas.datafiles import BUNDLED_DATA_DIR
from permed_atlas.i18n import gettext, localized

BUNDLED_CHAPTERS = BUNDLED_DATA_DIR / "federation" / "icd10_chapters.csv"

# ASCII only: a stored key never holds another script's digits, so "C\uff150" (a
# full-width 5) read as a code would match nothing and count 0 instead of failing.
_CODE = re.compile(r"^([A-Z])(\d{2})(?:\.?([0-9A-Z]{1,4}))?$", re.ASCII)
# The sentinel sorts after every key character, so a high bound covers its sub-codes.
_TOP = "\uffff"


def normalise_code(text: str) -> str:
    """The dotted upper-case form of an ICD-10 code ("c501" -> "C50.1").

    :param text: a code as written in a source ("C50.1", "c501", " C50 ").
    :raises ValueError: when ``text`` is not an ICD-10 code.
    """
    # NFKC first: a Chinese input method types full-width "Ｃ５０", which means C50.
    match = _CODE.match(unicodedata.normalize("NFKC", text).strip().upper().replace(" ", ""))
    if not match:
        raise ValueError(f"not an ICD-10 code: {text!r}")
    letter, digits, sub = match.groups()
    return f"{letter}{digits}.{sub}" if sub else f"{letter}{digits}"


def code_key(code: str) -> str:
    """The dot-less key of a normalised code, whose prefixes are its ancestors."""
    return code.replace(".", "")


@dataclass(frozen=True, order=True)
class IcdPattern:
    """An interval of ICD-10 keys compared on prefixes; ``text`` is how it was written."""

    low: str
    high: str
    text: str

    def matches(self, code: str) -> bool:
        """Whether the normalised ``code`` falls under this pattern."""
        key = code_key(code)
        return key[: len(self.low)] >= self.low and key[: len(self.high)] <= self.high

    def covers(self, other: IcdPattern) -> bool:
        """Whether every code matched by ``other`` is also matched by this pattern."""
        # As intervals of strings a pattern is [low, high + TOP]: the sentinel
        # stands for every continuation of ``high``.
        return self.low <= other.low and other.high + _TOP <= self.high + _TOP


def parse_pattern(text: str, *, chapters: Mapping[str, tuple[str, str]]) -> IcdPattern:
    """Read a diagnosis filter: a code, a range "C50-C58" or a chapter "chapter:II".

    :param text: the filter value.
    :param chapters: chapter number (roman) -> (first, last) category, e.g. II -> (C00, D48).
    :raises ValueError: when the text is none of those.
    """
    raw = unicodedata.normalize("NFKC", text).strip()
    if raw.lower().startswith("chapter:"):
        number = raw.split(":", 1)[1].strip().upper()
        if number not in chapters:
            raise ValueError(f"unknown ICD-10 chapter {number!r}")
        first, last = chapters[number]
        return IcdPattern(code_key(first), code_key(last), f"chapter:{number}")
    if "-" in raw:
        first_text, last_text = raw.split("-", 1)
        first, last = normalise_code(first_text), normalise_code(last_text)
        if code_key(first) > code_key(last):
            raise ValueError(f"ICD-10 range {raw!r} runs backwards")
        return IcdPattern(code_key(first), code_key(last), f"{first}-{last}")
    code = normalise_code(raw)
    return IcdPattern(code_key(code), code_key(code), code)


def any_covers(patterns: Iterable[IcdPattern], pattern: IcdPattern) -> bool:
    """Whether one of ``patterns`` covers ``pattern``."""
    return any(p.covers(pattern) for p in patterns)


def pattern_sql(pattern: IcdPattern, *, column: str = "diagnosis_key") -> tuple[str, list[str]]:
    """A SQL condition (with ``?`` parameters) matching ``pattern`` on a key column.

    Keys hold only A-Z and 0-9, so "every continuation of ``high``" is bounded
    by ``high`` followed by "~"; a plain range lets the store skip row groups.
    """
    return f"({column} >= ? AND {column} <= ?)", [pattern.low, pattern.high + "~"]


@lru_cache(maxsize=1)
def icd10_chapters() -> dict[str, tuple[str, str]]:
    """ICD-10 chapter (roman numeral) -> (first, last) three-character category."""
    text = BUNDLED_CHAPTERS.read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {row["chapter"]: (row["first"], row["last"]) for row in rows}


def icd10_choices() -> tuple[tuple[str, str], ...]:
    """(value, label) pairs for a diagnosis field's autocomplete: each chapter and its range,
    titled in the current language (the table's ``title_zh``; English where it has none).

    ``("chapter:II", "Neoplasms (chapter II)")`` and ``("C00-D48", "Neoplasms (C00-D48)")``.
    """
    choices: list[tuple[str, str]] = []
    for row in _chapter_rows():
        title = str(localized(row["title"], {"zh": row.get("title_zh")}))
        chapter = gettext("%(title)s (chapter %(chapter)s)") % {
            "title": title, "chapter": row["chapter"]
        }  # fmt: skip
        choices.append((f"chapter:{row['chapter']}", chapter))
        choices.append((f"{row['first']}-{row['last']}", f"{title} ({row['first']}-{row['last']})"))
    return tuple(choices)


@lru_cache(maxsize=1)
def _chapter_rows() -> tuple[dict[str, str], ...]:
    text = BUNDLED_CHAPTERS.read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))
