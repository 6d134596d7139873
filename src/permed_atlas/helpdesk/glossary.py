"""Jargon (BCR, PIIA, TIA, SCC ...) explained where a question or an answer uses it.

The terms live in ``data/helpdesk/_glossary.yaml``, each with its reference and
source. An abbreviation matches in capitals only ("TIA", not "tia"); the
spelled-out name in any case; the Chinese name anywhere inside Chinese text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from permed_atlas.datafiles import BUNDLED_DATA_DIR, read_yaml
from permed_atlas.helpdesk.errors import KnowledgeFileError
from permed_atlas.i18n import Message

GLOSSARY_FILE = BUNDLED_DATA_DIR / "helpdesk" / "_glossary.yaml"
_REQUIRED = ("term", "name", "explanation", "reference", "source")
_OPTIONAL_TEXT = ("zh", "explanation_zh")


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """One piece of jargon: ``term`` (abbreviation), ``name`` spelled out, what it means.

    :param zh: the Chinese name (matched inside Chinese text).
    :param explanation_zh: the explanation in Chinese (our translation), "" when not translated.
    """

    term: str
    name: str
    explanation: str
    reference: str
    source: str
    zh: str = ""
    aliases: tuple[str, ...] = ()
    explanation_zh: str = ""


@lru_cache(maxsize=2)
def load_glossary(path: Path = GLOSSARY_FILE) -> tuple[GlossaryTerm, ...]:
    """The glossary's terms; every problem names the file, the term and the field.

    :param path: the glossary file (the bundled one by default).
    :raises KnowledgeFileError: for a missing field or a malformed file.
    """
    data = read_yaml(path, error=lambda message: KnowledgeFileError(message, path=str(path)))
    raw_terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(raw_terms, list):
        raise KnowledgeFileError(Message("must hold a list 'terms'"), path=str(path), field="terms")
    terms = []
    for index, raw in enumerate(raw_terms):
        terms.append(_term(raw, path=str(path), label=f"terms[{index}]"))
    return tuple(terms)


def _term(raw: Any, *, path: str, label: str) -> GlossaryTerm:
    if not isinstance(raw, dict):
        raise KnowledgeFileError(Message("must be a mapping"), path=path, entry_id=label)
    for name in _REQUIRED:
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise KnowledgeFileError(
                Message("is required (a non-empty text)"),
                path=path,
                entry_id=raw.get("term") or label,
                field=name,
            )
    for name in _OPTIONAL_TEXT:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise KnowledgeFileError(
                Message("must be text"), path=path, entry_id=raw["term"], field=name
            )
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise KnowledgeFileError(
            Message("must be a list of texts"),
            path=path,
            entry_id=raw["term"],
            field="aliases",
        )
    return GlossaryTerm(
        term=raw["term"].strip(), name=" ".join(raw["name"].split()),
        explanation=" ".join(raw["explanation"].split()), reference=raw["reference"].strip(),
        source=raw["source"].strip(), zh=str(raw.get("zh") or "").strip(), aliases=tuple(aliases),
        explanation_zh=" ".join(str(raw.get("explanation_zh") or "").split()),
    )  # fmt: skip


@lru_cache(maxsize=64)
def _pattern(term: GlossaryTerm) -> re.Pattern[str]:
    abbreviations = "|".join(re.escape(a) for a in (term.term, *term.aliases))
    # Boundaries are Latin letters and digits only: "什么是PIIA" names PIIA.
    parts = [
        rf"(?<![A-Za-z0-9-])(?:{abbreviations})(?![A-Za-z0-9-])",
        rf"(?i:(?<![A-Za-z0-9]){re.escape(term.name)}(?![A-Za-z0-9]))",
    ]
    if term.zh:
        parts.append(re.escape(term.zh))
    return re.compile("|".join(parts))


def terms_in(texts: Iterable[str], glossary: Iterable[GlossaryTerm]) -> list[GlossaryTerm]:
    """The glossary terms used in any of ``texts``, in glossary order.

    :param texts: a question, checklist lines, obligations.
    :param glossary: from :func:`load_glossary`.
    """
    joined = "\n".join(texts)
    return [term for term in glossary if _pattern(term).search(joined)]
