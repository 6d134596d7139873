"""One text-search core for the directory and the helpdesk: words, stems, stop words, BM25.

Pure and in memory: each collection is a few hundred short entries, so a small
Okapi BM25 (Robertson & Zaragoza 2009, with Lucene's non-negative idf
``log(1 + (N - n + 0.5) / (n + 0.5))``) over an inverted index is fast enough,
and owning it keeps the ranking explainable: every hit names the query words
it matched, strongest contribution first.

Words are accent-folded and lower-cased; a hyphenated word counts whole and by
its parts ("Sino-EU" gives "sinoeu", "sino" and "eu"). Stems come from the
Snowball English (Porter2) stemmer, after folding American ``-ize`` endings to
British ``-ise`` (Porter2 would otherwise stem "organization" and
"organisation" apart) and leaving alone a few names that only look inflected
(PerMed, ICPerMed). Porter2 keeps "genetic" and "gene" apart, which a cruder
suffix stripper did not.

Chinese text has no spaces between words: runs of Han characters are cut into
words by jieba's search mode (rjieba, the maintained Rust port), which also
yields the shorter words inside a long one ("人类遗传资源" gives "人类",
"遗传", "资源"), so a question and an entry meet on the parts they share.
Han words are not folded or stemmed.

The partners capability has its own tokenizer (``partners/text.py``) because it
must equal a DuckDB SQL expression; the landscape search tokenises in SQL, after
:func:`segment_han` has put spaces between Chinese words.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

import rjieba
import snowballstemmer

K1 = 1.2
"""BM25 term-frequency saturation."""
B = 0.75
"""BM25 length normalisation."""

# Function words of English plus the stray letters "e.g." and "i.e." leave behind.
# Each caller adds the words that mean nothing in its own queries (see stop_words_with).
_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing done down during each
    few for from further had has have having he her here hers him his how i if in into is it
    its itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom
    why will with would you your yours via e g eg ie etc s
"""
# Chinese function words and question words, which every question has.
_STOP_ZH = """
    的 了 和 与 及 或 是 在 我 我们 你 您 他 她 它 他们 吗 呢 吧 啊 呀 怎么 怎样 如何 什么 哪些
    哪个 一个 这 那 这个 那个 把 被 对 从 到 向 为 以 由 于 等 并 也 都 就 还 要 想 能 可以 应该
    需要 有 没有 会 请问 请 一下 时 中 上 下 个 之 其
"""
STOP_WORDS = frozenset(_STOP_TEXT.split()) | frozenset(_STOP_ZH.split())
"""Stop words every caller drops."""
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Names that look inflected but are not (ERA PerMed, ICPerMed, IC2PerMed, Sino-EU PerMed).
_KEEP = frozenset({"permed", "icpermed", "ic2permed", "sinoeu"})
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_IZE = re.compile(r"iz(e|ed|es|er|ers|ing|ation|ations)$")
_STEMMER = snowballstemmer.stemmer("english")
# A snowball stemmer keeps the word it works on in itself: two threads stemming at once (two
# requests building the helpdesk's index) read each other's word, and got wrong stems (then
# cached) or IndexError.
_STEMMER_LOCK = threading.Lock()


def stop_words_with(extra: str | Iterable[str]) -> frozenset[str]:
    """The shared stop words plus a caller's own.

    :param extra: words that mean nothing in the caller's queries (a string is split at spaces).
    """
    words = extra.split() if isinstance(extra, str) else extra
    return STOP_WORDS | {fold(word) for word in words}


def fold(text: str) -> str:
    """``text`` lower-cased with accents removed ("Ethikprüfung" -> "ethikprufung").

    :param text: any text.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The stem of one folded word (Porter2, with -ize read as -ise).

    :param word: a lower-case, accent-free word.
    """
    if word.isdigit() or len(word) <= 3 or word in _KEEP or not word.isascii():
        return word
    with _STEMMER_LOCK:
        return str(_STEMMER.stemWord(_IZE.sub(r"is\1", word)))


def iter_words(text: str, *, stop_words: frozenset[str] = STOP_WORDS) -> Iterator[str]:
    """The folded words of ``text`` that are not stop words.

    A hyphenated word comes whole (without hyphens) and then by its parts; a word
    with an apostrophe comes by its parts only ("patient's" -> "patient").

    :param text: any text.
    :param stop_words: words to drop (see :func:`stop_words_with`).
    """
    start = 0
    for han in _HAN.finditer(text):
        yield from _latin_words(text[start : han.start()], stop_words)
        for word in rjieba.cut_for_search(han.group(0)):
            if word not in stop_words:
                yield word
        start = han.end()
    yield from _latin_words(text[start:], stop_words)


def segment_han(text: str) -> str:
    """``text`` with each run of Han characters cut into space-separated words.

    For tokenisers that split at spaces and punctuation (the landscape search, in SQL):
    jieba's search mode gives the long word and the words inside it, so "精准医学研究"
    becomes "精准 医学 研究 精准医学 ..." and a query for 精准医学 or 医学 finds it.

    :param text: any text; text without Han characters comes back unchanged.
    """
    if not _HAN.search(text):
        return text
    return _HAN.sub(lambda run: " " + " ".join(rjieba.cut_for_search(run.group(0))) + " ", text)


def _latin_words(text: str, stop_words: frozenset[str]) -> Iterator[str]:
    for match in _WORD.finditer(fold(text)):
        word = match.group(0)
        if "-" in word:
            joined = word.replace("-", "").replace("'", "")
            if joined not in stop_words:
                yield joined
        for part in re.split(r"[-']", word):
            if part and part not in stop_words:
                yield part


def tokenize(text: str, *, stop_words: frozenset[str] = STOP_WORDS) -> list[str]:
    """The stems of ``text``'s words, stop words dropped.

    :param text: any text.
    :param stop_words: words to drop (see :func:`stop_words_with`).
    """
    return [stem(word) for word in iter_words(text, stop_words=stop_words)]


def surface_forms(text: str, *, stop_words: frozenset[str] = STOP_WORDS) -> dict[str, str]:
    """Each stem of ``text`` mapped to the first word that produced it, for showing matches.

    :param text: any text.
    :param stop_words: words to drop (see :func:`stop_words_with`).
    """
    forms: dict[str, str] = {}
    for word in iter_words(text, stop_words=stop_words):
        forms.setdefault(stem(word), word)
    return forms


@dataclass(frozen=True, slots=True)
class Scored:
    """A document's position in the index, its BM25 score and the query words it matched.

    ``matched`` is strongest contribution first (ties alphabetical), in the form
    the query wrote the words.
    """

    index: int
    score: float
    matched: tuple[str, ...]


_Record = TypeVar("_Record")


@dataclass(frozen=True, slots=True)
class RankedHit(Generic[_Record]):
    """A record a search ranked: its BM25 score and the query terms it matched.

    The directory's ``SearchHit`` and the helpdesk's ``Hit`` are this over their entries.
    """

    entry: _Record
    score: float
    matched_terms: tuple[str, ...]


class Bm25Index:
    """An inverted BM25 index over documents made of weighted text fields.

    A field of weight 3 counts each of its words three times (in the term
    frequency and in the document's length), so names can outweigh summaries.

    :param documents: each document as ``(text, weight)`` fields.
    :param stop_words: words to drop from documents and queries.
    :param k1: term-frequency saturation.
    :param b: length normalisation.
    """

    def __init__(
        self,
        documents: Sequence[Iterable[tuple[str, float]]],
        *,
        stop_words: frozenset[str] = STOP_WORDS,
        k1: float = K1,
        b: float = B,
    ) -> None:
        self.stop_words = stop_words
        self.k1 = k1
        self.b = b
        self.size = len(documents)
        self.lengths: list[float] = []
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for position, fields in enumerate(documents):
            tf: dict[str, float] = {}
            for text, weight in fields:
                for term in tokenize(text, stop_words=stop_words):
                    tf[term] = tf.get(term, 0.0) + weight
            self.lengths.append(sum(tf.values()))
            for term, frequency in tf.items():
                self.postings.setdefault(term, []).append((position, frequency))
        self.average = sum(self.lengths) / self.size if self.size else 0.0

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stem (0 for a stem no document holds).

        :param term: a stem, as :func:`tokenize` gives it.
        """
        n = len(self.postings.get(term, ()))
        if n == 0:
            return 0.0
        return math.log(1.0 + (self.size - n + 0.5) / (n + 0.5))

    def search(self, query: str) -> list[Scored]:
        """Every document holding a query word, best first; ties keep document order.

        A word the query repeats counts sub-linearly more (``1 + log(count)``): a long
        project description repeats its main words.

        :param query: free text.
        """
        forms = surface_forms(query, stop_words=self.stop_words)
        average = self.average or 1.0
        contributions: dict[int, list[tuple[float, str]]] = {}
        for term, count in Counter(tokenize(query, stop_words=self.stop_words)).items():
            idf = self.idf(term)
            boost = 1.0 + math.log(count)
            for position, frequency in self.postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[position] / average)
                value = idf * frequency * (self.k1 + 1) / (frequency + norm) * boost
                contributions.setdefault(position, []).append((value, term))
        results = []
        for position, parts in contributions.items():
            parts.sort(key=lambda pair: (-pair[0], pair[1]))
            matched = tuple(forms.get(term, term) for _, term in parts)
            results.append(Scored(position, sum(value for value, _ in parts), matched))
        results.sort(key=lambda scored: (-scored.score, scored.index))
        return results


def has_terms(text: str, *, stop_words: frozenset[str] = STOP_WORDS) -> bool:
    """Whether ``text`` holds any word that is not a stop word.

    :param text: any text.
    :param stop_words: words to drop (see :func:`stop_words_with`).
    """
    return next(iter_words(text, stop_words=stop_words), None) is not None


__all__ = [
    "B",
    "K1",
    "STOP_WORDS",
    "Bm25Index",
    "Scored",
    "fold",
    "has_terms",
    "iter_words",
    "segment_han",
    "stem",
    "stop_words_with",
    "surface_forms",
    "tokenize",
]
