"""What a reader sees of a page, and the runs of English (or Chinese) in it.

Used by the crawl in ``test_every_page_in_one_language.py``. A page's visible text is its text
nodes outside ``script``/``style``/``code``/``pre`` and the attributes a browser shows
(``title``, ``placeholder``, ``alt``, ``aria-label``, a button's ``value``, a ``data-``
attribute that holds words, as the dashboard's ``data-error``), and the texts the page's
scripts draw from its JSON blocks (a Vega spec's titles, axis and legend titles and
tooltips; every string of a ``*-texts`` block). Text inside an
element marked with the other language (``lang="en"`` on a Chinese page: the
``untranslated`` fallback of curated data, a deliberately English original) is counted
apart, not flagged: the page says what it is.

The English finder is pragmatic, not a classifier: it cuts the text at Han characters and
at punctuation, drops codes, acronyms, identifiers, URLs, DOIs and e-mail addresses, and
reports every remaining piece with a Latin word in it. Data (work titles, institutions,
people, journals) is recognised by the caller, who knows what the corpus holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_HIDDEN = frozenset({"script", "style", "noscript", "template", "code", "pre", "kbd", "samp"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")
# data- attributes whose words a page's script shows (the dashboard's error line)
_SCRIPT_TEXT_ATTRIBUTES = ("data-error", "data-confirm", "data-message")

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Codes and names that read the same in every language: URLs, DOIs, e-mail addresses,
# acronyms and codes (GDPR, EU27, EEA_UK_CH, DUO:0000042), identifiers (pm-kw-cancer).
# Around a code, only ASCII counts as "more of the word": "运输UN3373" holds the code UN3373.
_CODES = re.compile(
    r"""(?x)
      https?://\S+ | \S+@\S+\.\w+ | doi:\s*\S+ | \b10\.\d{4,}/\S+ | /?api/v1/\S* | `[^`]+`
    | \{[a-z_]+\}                                                     # a script's {placeholder}
    | (?<![A-Za-z0-9_-])[A-Z0-9][A-Z0-9_.\-/&+:]*[A-Z0-9](?:s|'s)?(?![A-Za-z0-9_-])
    | (?<![A-Za-z0-9_-])[a-z0-9]+(?:[-_.][a-z0-9]+)+(?![A-Za-z0-9_-])
    | (?<![A-Za-z0-9_-])(?=[A-Za-z]*\d)[A-Za-z0-9]{5,}(?![A-Za-z0-9_-])
    """
)
_CUT = re.compile(
    r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+|\s[·—–|→]\s|[()\[\]{};:,“”\"‘’«»|]|\s/\s|\s'|'\s"
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]")


@dataclass
class Texts:
    """A page's visible texts: those in its own language and those marked as another's."""

    own: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)


class _Visible(HTMLParser):
    def __init__(self, other_language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.other = other_language
        self.stack: list[tuple[str, bool, bool]] = []  # tag, marked, hidden
        self.texts = Texts()
        self.json_block: tuple[str, list[str]] | None = None  # a script's id and its text

    def _add(self, text: str, marked: bool) -> None:
        text = " ".join(text.split())
        if text:
            (self.texts.marked if marked else self.texts.own).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        outer_marked = bool(self.stack) and self.stack[-1][1]
        hidden = tag in _HIDDEN or (bool(self.stack) and self.stack[-1][2])
        marked = outer_marked or (tag != "html" and values.get("lang", "").startswith(self.other))
        if tag == "script" and values.get("type") == "application/json":
            self.json_block = (values.get("id", ""), [])
        if not hidden:
            for name in _SHOWN_ATTRIBUTES:
                if values.get(name):
                    self._add(values[name], marked)
            for name in _SCRIPT_TEXT_ATTRIBUTES:
                if values.get(name):
                    self._add(values[name], marked)
            if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
                self._add(values.get("value", ""), marked)
        if tag not in _VOID:
            self.stack.append((tag, marked, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def _end_json(self) -> None:
        assert self.json_block is not None
        name, parts = self.json_block
        self.json_block = None
        try:
            data = json.loads("".join(parts))
        except ValueError:
            return
        for text in _json_texts(data, every=name.endswith("-texts")):
            self._add(text, False)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.json_block is not None:
            self._end_json()
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self.json_block is not None:
            self.json_block[1].append(data)
            return
        if self.stack and self.stack[-1][2]:
            return
        self._add(data, bool(self.stack) and self.stack[-1][1])


def visible_texts(html: str, *, other_language: str) -> Texts:
    """The texts a reader of ``html`` sees; those under ``lang="{other_language}…"`` apart.

    :param html: a page.
    :param other_language: the language tag prefix that marks a text as not the page's own.
    """
    parser = _Visible(other_language)
    parser.feed(html)
    parser.close()
    return parser.texts


_SPEC_TEXT_KEYS = frozenset({"title", "subtitle", "text", "description"})


def _json_texts(data: object, *, every: bool, key: str = "") -> Iterator[str]:
    """The strings of a JSON block a script shows: all of them (``every``), or those under
    the keys a chart spec titles with."""
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _json_texts(value, every=every, key=name)
    elif isinstance(data, list):
        for value in data:
            yield from _json_texts(value, every=every, key=key)
    elif isinstance(data, str) and (every or key in _SPEC_TEXT_KEYS):
        yield data


def json_texts(data: object) -> list[str]:
    """The texts a JSON answer composes for people (chart titles, notes): see _json_texts."""
    return list(_json_texts(data, every=False))


def svg_texts(svg: str) -> list[str]:
    """The texts of an SVG chart: its ``<text>``, ``<title>`` and ``<desc>`` contents."""
    return [" ".join(t.split()) for t in re.findall(r">([^<>]+)<", svg) if t.strip()]


def english_pieces(text: str) -> Iterator[str]:
    """The pieces of ``text`` with a Latin word, once codes and URLs are taken out."""
    text = _CODES.sub("|", " ".join(text.split()))
    for piece in _CUT.split(text):
        piece = piece.strip(" .·—–-/!?…%*#+=<>~'`")
        if piece and _LATIN_WORD.search(piece):
            yield piece
